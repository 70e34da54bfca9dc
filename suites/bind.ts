/** @module bind: the server listens on the standard's port and accepts connections from other machines. */
import { couldNotAsk, readSurface } from "../harness/surfaces.ts";
import { isLoopbackHost, isWildcardAddress, nonLoopbackInterfaceAddresses, portOf, urlFor } from "../harness/net/addresses.ts";
import { listeningAddresses } from "../harness/net/listening-sockets.ts";
import { difference, sameSet, sortedUnique } from "../harness/model-state/ids.ts";
import { readLiveState, type LiveState } from "../harness/model-state/live-state.ts";
import { defineCheck } from "../harness/types.ts";
import type { Standard } from "../contracts/standard.ts";
import { onlyWhen } from "./applicability.ts";
import { lmsServerRestart, lmsServerStart } from "./remedies.ts";

const SERVE_ON_NETWORK = (s: Standard): string =>
  `In LM Studio: Developer → Server Settings → turn on "Serve on Local Network", or restart the server with \`${lmsServerRestart(s)}\` (without --bind the server listens on 127.0.0.1 only, whatever the saved setting says, so other machines and containers cannot connect).`;
const SERVER_PORT = (s: Standard): string =>
  `In LM Studio: Developer → Server Settings → Server Port → ${s.bind.port}, or restart the server with \`${lmsServerRestart(s)}\`.`;

const port = defineCheck({
  id: "bind.port",
  title: "Listens on the standard's port",
  must: "The server MUST answer on the standard's port (default 1234).",
  concern: "bind",
  required: true,
  mutates: false,
  needs: ["health.greeting"],
  remedy: SERVER_PORT,
  async run(ctx) {
    const url = new URL(ctx.host.url);
    const want = ctx.standard.bind.port;
    const used = portOf(url);
    const observed = { urlPort: used, standardPort: want, ...(ctx.host.servedPort === undefined ? {} : { servedPort: ctx.host.servedPort }) };
    if (ctx.host.servedPort !== undefined) {
      // A container reached through a published port: the port inside is what LM Studio was told to use. Asking
      // the standard port on this machine would reach some other server.
      if (ctx.host.servedPort === want) return { status: "passed", reason: `LM Studio answers on port ${want} inside the container (published as ${used})`, observed };
      return {
        status: "failed",
        reason: `LM Studio answers on port ${ctx.host.servedPort} inside the container, not on the standard's ${want}`,
        observed,
        remedy: (s) => `Start the server inside the image with \`${lmsServerStart(s)}\` (and --container-port ${s.bind.port}).`,
      };
    }
    if (used === want) return { status: "passed", reason: `LM Studio answers on port ${want}`, observed };
    // The URL names another port: ask the standard port on the same host before judging.
    const reading = await readSurface(ctx.http, urlFor(url.hostname.replace(/^\[|\]$/g, ""), want), "/lmstudio-greeting");
    const evidence = [reading.evidence];
    if (reading.state === "present") {
      // A greeting on the standard port proves an LM Studio is there, not that it is this one: another instance
      // (or another user's server) may hold it. Same models and the same loaded instances, or it is not the same.
      const discovery = await ctx.discovery();
      const [here, there] = await Promise.all([
        readLiveState(ctx.http, discovery),
        readLiveState(ctx.http, { ...discovery, baseUrl: urlFor(url.hostname.replace(/^\[|\]$/g, ""), want) }),
      ]);
      const both = [...evidence, ...here.evidence, ...there.evidence];
      const differences = identityDifferences(fingerprint(here), fingerprint(there));
      const compared = { urlPort: fingerprint(here), standardPort: fingerprint(there) };
      if (differences === null) {
        return { status: "inconclusive", reason: `LM Studio answers on port ${want}, but neither port states its models, so lmcert cannot tell whether it is the same server as on port ${used}`, observed: { ...observed, compared }, evidence: both };
      }
      if (differences.length > 0) {
        return {
          status: "failed",
          reason: `port ${want} answers, but as a different LM Studio server than port ${used}: ${differences.join("; ")}`,
          observed: { ...observed, compared },
          evidence: both,
          remedy: (s) =>
            `Another LM Studio server holds port ${want} at this address (\`lsof -nP -iTCP:${want} -sTCP:LISTEN\` on the host names its process). Stop it, then move this server to port ${want}: Developer → Server Settings → Server Port → ${want}, or \`${lmsServerRestart(s)}\`.`,
        };
      }
      return { status: "passed", reason: `LM Studio also answers on port ${want} (the URL used ${used}), with the same models and loaded instances`, observed: { ...observed, compared }, evidence: both };
    }
    if (reading.errorKind === "refused" || reading.state !== "error") {
      return {
        status: "failed",
        reason: `nothing LM Studio answers on port ${want}; the server listens on ${used} (${reading.reason})`,
        observed,
        evidence,
      };
    }
    return { status: "inconclusive", reason: `could not tell whether port ${want} answers: ${reading.reason}`, observed, evidence };
  },
});

/** What a server says about its models: enough to tell two servers apart without changing either. */
interface Fingerprint {
  readonly available: readonly string[] | null;
  readonly instances: readonly string[] | null;
  readonly listed: readonly string[] | null;
}

function fingerprint(state: LiveState): Fingerprint {
  const view = state.v1 ?? state.v0;
  return {
    available: view?.available ? sortedUnique(view.available) : null,
    instances: view?.instances ? sortedUnique(view.instances.map((i) => i.id)) : view?.loaded ? sortedUnique(view.loaded) : null,
    listed: state.listed ? sortedUnique(state.listed) : null,
  };
}

/** Differences in words; null when no field could be compared at all. */
function identityDifferences(a: Fingerprint, b: Fingerprint): string[] | null {
  const fields = [
    ["downloaded models", a.available, b.available],
    ["loaded instances", a.instances, b.instances],
    ["/v1/models", a.listed, b.listed],
  ] as const;
  const comparable = fields.filter(([, x, y]) => x !== null || y !== null);
  if (comparable.length === 0) return null;
  return comparable.flatMap(([what, x, y]) => {
    if (x === null || y === null) return [`${what}: stated on one port only`];
    if (sameSet(x, y)) return [];
    const only = (p: readonly string[], q: readonly string[]) => difference(p, q).join(", ") || "nothing";
    return [`${what} differ (only on the URL's port: ${only(x, y)}; only on the standard's: ${only(y, x)})`];
  });
}

const reachableOffLoopback = onlyWhen((s) => isWildcardAddress(s.bind.address), (s) => `the standard binds ${s.bind.address}`, defineCheck({
  id: "bind.reachable-off-loopback",
  title: "Reachable from other machines",
  must: "The server MUST accept connections on a non-loopback address (bound to 0.0.0.0, not 127.0.0.1).",
  concern: "bind",
  required: true,
  mutates: false,
  needs: ["health.greeting"],
  remedy: SERVE_ON_NETWORK,
  async run(ctx) {
    const url = new URL(ctx.host.url);
    const { greeting } = await ctx.discovery();
    if (!isLoopbackHost(url.hostname)) {
      return { status: "passed", reason: `reached LM Studio at ${url.hostname}, which is not a loopback address`, evidence: [greeting.evidence] };
    }
    const candidates = ctx.probeAddresses ?? nonLoopbackInterfaceAddresses();
    const observed: Record<string, unknown> = { urlHost: url.hostname, probed: candidates };
    if (candidates.length === 0) {
      return { status: "inconclusive", reason: "the URL is loopback and this machine has no other interface address to try", observed };
    }
    const readings = await Promise.all(candidates.map((a) => readSurface(ctx.anonymousHttp, urlFor(a, portOf(url)), "/lmstudio-greeting")));
    const evidence = readings.map((r) => r.evidence);
    const answered = candidates.filter((_, i) => readings[i]?.state === "present");
    observed["answered"] = answered;
    if (answered.length > 0) return { status: "passed", reason: `LM Studio also answers on ${answered.join(", ")}`, observed, evidence };
    if (readings.every((r) => r.errorKind === "refused")) {
      return { status: "failed", reason: `bound to loopback only: connections to ${candidates.join(", ")} on port ${portOf(url)} were refused`, observed, evidence };
    }
    const why = readings.map((r, i) => `${candidates[i]}: ${couldNotAsk(r) ? r.reason : r.state}`).join("; ");
    return { status: "inconclusive", reason: `could not decide from here: ${why}`, observed, evidence };
  },
}));

const allInterfaces = defineCheck({
  id: "bind.all-interfaces",
  title: "The listening socket is bound to all interfaces",
  must: "With --local, the server's listening socket on the port MUST be bound to 0.0.0.0, :: or * (not 127.0.0.1, not one specific address).",
  concern: "bind",
  required: (s, run) => run.local && isWildcardAddress(s.bind.address),
  mutates: false,
  remedy: SERVE_ON_NETWORK,
  async run(ctx) {
    if (!ctx.local) return { status: "skipped", reason: "runs only with --local (lmcert on the server itself, reading its sockets)" };
    const listenPort = portOf(new URL(ctx.host.url));
    const sockets = await listeningAddresses(listenPort);
    const observed = { port: listenPort, listening: sockets.addresses, source: sockets.source, standard: ctx.standard.bind.address };
    if (sockets.addresses.length === 0) {
      return { status: "inconclusive", reason: `no socket listens on port ${listenPort} here (${sockets.source}); is lmcert running on the server itself?`, observed };
    }
    const want = ctx.standard.bind.address;
    if (isWildcardAddress(want) ? sockets.addresses.some(isWildcardAddress) : sockets.addresses.includes(want)) {
      return { status: "passed", reason: `listening on ${sockets.addresses.join(", ")} port ${listenPort}`, observed };
    }
    const loopbackOnly = sockets.addresses.every(isLoopbackHost);
    return {
      status: "failed",
      reason: loopbackOnly
        ? `bound to loopback only (${sockets.addresses.join(", ")})`
        : `bound to ${sockets.addresses.join(", ")} only: not all interfaces (other interfaces, e.g. after a VPN connects, cannot reach it)`,
      observed,
    };
  },
});

export const bindChecks = [port, reachableOffLoopback, allInterfaces];
