#!/usr/bin/env bash
# A Docker-API container engine for lmcert's container tests and `lmcert certify --container`, from Debian's podman.
#
#   eval "$(bash scripts/container-engine.sh up)"     # installs if needed (root), starts the socket, prints exports
#   bash scripts/container-engine.sh down              # stops the engine `up` started (LMCERT_ENGINE_STARTED is
#                                                      # exported only when `up` started one rather than reusing it)
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
      down
      return 0
    fi
    say "podman $(podman --version | awk '{print $3}') answers on $SOCKET (pid $(cat "$PIDFILE"))"
    echo "export LMCERT_ENGINE_STARTED=$(cat "$PIDFILE")"
  fi
  print_env
}

down() {
  if [ -f "$PIDFILE" ]; then
    local pid
    pid=$(cat "$PIDFILE")
    if kill "$pid" 2>/dev/null; then
      for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -9 "$pid" 2>/dev/null || true
      say "stopped podman (pid $pid)"
    fi
    rm -f "$PIDFILE" "$SOCKET"
  fi
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  env) print_env ;;
  *) echo "usage: $0 up|down|env" >&2; exit 2 ;;
esac
