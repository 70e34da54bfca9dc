#!/usr/bin/env bash
# A Docker-API container engine for lmcert's container tests and `lmcert certify --container`, from Debian's podman.
#
#   eval "$(bash scripts/container-engine.sh up)"     # installs if needed (root), starts the socket, prints exports
#   bash scripts/container-engine.sh down              # stops the engine `up` started, and only that one: it needs
#                                                      # LMCERT_ENGINE_STARTED (exported by `up` only when it started
#                                                      # the engine rather than reusing one) to name the pidfile's pid
#                                                      # and a podman process. Before stopping it, prunes the offline
#                                                      # test images (label dev.lmcert.offline-mock) that no container
#                                                      # uses and that are over an hour old.
#   bash scripts/container-engine.sh env               # prints the exports again
#
# Diagnostics go to stderr; only `export …` lines go to stdout (for eval). When no engine can be had (not root, no
# podman and no apt), `up` says why on stderr, prints nothing to stdout and exits 0: the container tests then skip
# with the reason testcontainers gives.
#
# Why these settings (verified on Debian 12 with podman 4.3 on a cgroup-v1 kernel):
# - runc, not crun: crun fails on this kernel's cgroup v1 layout. iptables: needed for published ports.
# - containers.conf: `default_ulimits = []` (setting RLIMIT_NPROC fails in the sandbox) and
#   `cgroup_manager = "cgroupfs"` (there is no systemd to delegate cgroups to).
# - TESTCONTAINERS_RYUK_DISABLED: the reaper image cannot be pulled offline; the tests remove their own containers.
# - TESTCONTAINERS_HOST_OVERRIDE=127.0.0.1: test traffic stays on IPv4 loopback, through the published ports.
set -euo pipefail

STATE_DIR=${LMCERT_ENGINE_DIR:-/run/lmcert-engine}
SOCKET=${LMCERT_ENGINE_SOCKET:-/run/podman/podman.sock}
CONF="$STATE_DIR/containers.conf"
PIDFILE="$STATE_DIR/podman.pid"

say() { echo "container-engine: $*" >&2; }

# Node is always there (lmcert needs it); curl may not be.
ping_engine() {
  node -e 'require("node:http").get({ socketPath: process.argv[1], path: "/_ping", timeout: 2000 }, (r) => process.exit(r.statusCode === 200 ? 0 : 1)).on("error", () => process.exit(1)).on("timeout", () => process.exit(1))' "$SOCKET" 2>/dev/null
}

print_env() {
  echo "export CONTAINERS_CONF=$CONF"
  echo "export DOCKER_HOST=unix://$SOCKET"
  echo "export TESTCONTAINERS_RYUK_DISABLED=true"
  echo "export TESTCONTAINERS_HOST_OVERRIDE=127.0.0.1"
}

install_if_missing() {
  local missing=()
  command -v podman >/dev/null 2>&1 || missing+=(podman)
  command -v runc >/dev/null 2>&1 || missing+=(runc)
  command -v iptables >/dev/null 2>&1 || missing+=(iptables)
  [ ${#missing[@]} -eq 0 ] && return 0
  if ! command -v apt-get >/dev/null 2>&1; then
    say "skipping: ${missing[*]} not installed and no apt-get to install them"
    return 1
  fi
  say "installing ${missing[*]}"
  if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"; } >&2; then
    say "skipping: could not install ${missing[*]}"
    return 1
  fi
}

up() {
  if [ "$(id -u)" != 0 ]; then
    say "skipping: not root (rootful podman with a system socket needs root); the container tests will be skipped"
    return 0
  fi
  install_if_missing || return 0
  mkdir -p "$STATE_DIR" "$(dirname "$SOCKET")"
  cat >"$CONF" <<'CONF'
[containers]
default_ulimits = []

[engine]
cgroup_manager = "cgroupfs"
CONF
  export CONTAINERS_CONF="$CONF"
  if [ -S "$SOCKET" ] && ping_engine; then
    say "an engine already answers on $SOCKET; using it"
  else
    rm -f "$SOCKET"
    podman --runtime runc system service --time=0 "unix://$SOCKET" >"$STATE_DIR/podman.log" 2>&1 &
    echo $! >"$PIDFILE"
    for _ in $(seq 1 100); do
      ping_engine && break
      sleep 0.1
    done
    if ! ping_engine; then
      say "skipping: podman did not answer on $SOCKET within 10 s; its log:"
      tail -n 20 "$STATE_DIR/podman.log" >&2 || true
      LMCERT_ENGINE_STARTED=$(cat "$PIDFILE") down
      return 0
    fi
    say "podman $(podman --version | awk '{print $3}') answers on $SOCKET (pid $(cat "$PIDFILE"))"
    echo "export LMCERT_ENGINE_STARTED=$(cat "$PIDFILE")"
  fi
  print_env
}

# The offline mock images (fixtures/testcontainers/offline-mock-image.ts) are not removed when a new one is built:
# another checkout on the same engine storage may still use an older one between two of its containers. Here, at
# the end of a run that owned the engine, the ones no container uses (running, created or exited) and that are over
# an hour old go; a checkout that still needs one rebuilds it (the test fixture checks before each use).
prune_offline_images() {
  local cutoff used id created
  cutoff=$(( $(date +%s) - 3600 ))
  used=$(podman ps -a --format '{{.ImageID}}' 2>/dev/null | sort -u) || return 0
  podman images --filter label=dev.lmcert.offline-mock --format '{{.ID}}' --no-trunc 2>/dev/null | while read -r id; do
    created=$(podman image inspect --format '{{.Created.Unix}}' "$id" 2>/dev/null) || continue
    [ "$created" -lt "$cutoff" ] || continue
    if printf '%s\n' "$used" | grep -q "${id#sha256:}"; then continue; fi
    podman rmi "$id" >/dev/null 2>&1 && say "removed offline test image ${id#sha256:} (unused, over an hour old)"
  done
  return 0
}

# Only what `up` started: an engine `up` reused (another checkout's, or one the operator runs) is not ours to stop,
# even if a stale pidfile names it.
down() {
  export CONTAINERS_CONF="$CONF"
  local pid=${LMCERT_ENGINE_STARTED:-}
  if [ -z "$pid" ]; then
    say "nothing to stop: LMCERT_ENGINE_STARTED is not set (up reused an engine it did not start, or started none)"
    return 0
  fi
  if [ ! -f "$PIDFILE" ] || [ "$(cat "$PIDFILE")" != "$pid" ]; then
    say "not stopping pid $pid: $PIDFILE does not name it (another up has replaced the engine since)"
    return 0
  fi
  if ! ps -o args= -p "$pid" 2>/dev/null | grep -q 'podman.*system service'; then
    say "not stopping pid $pid: it is not a podman system service (the engine has already stopped)"
    rm -f "$PIDFILE"
    return 0
  fi
  prune_offline_images
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
  say "stopped podman (pid $pid)"
  rm -f "$PIDFILE" "$SOCKET"
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  env) print_env ;;
  *) echo "usage: $0 up|down|env" >&2; exit 2 ;;
esac
