/** @module config: LM Studio's saved server settings, against the standard and against what the host did. */
import { describeJitUnload, jitUnloadHeadline, readLmStudioSettings, type LmStudioSettings } from "../harness/local/lmstudio-settings.ts";
import { isWildcardAddress, portOf } from "../harness/net/addresses.ts";
import { defineCheck, type CheckContext } from "../harness/types.ts";
import { lmsServerRestart } from "./remedies.ts";

/** Settings that contradict the standard. */
function againstStandard(s: LmStudioSettings, ctx: CheckContext): string[] {
  const std = ctx.standard;
  const out: string[] = [];
  if (s.port !== null && s.port !== std.bind.port) out.push(`Server Port is ${s.port}; the standard says ${std.bind.port}`);
  if (s.networkInterface !== null) {
    const same = isWildcardAddress(std.bind.address) ? isWildcardAddress(s.networkInterface) : s.networkInterface === std.bind.address;
    if (!same) out.push(`network interface is ${s.networkInterface}; the standard says ${std.bind.address}`);
  }
  if (s.cors !== null && s.cors !== (std.cors === "any-origin")) out.push(`CORS is ${s.cors ? "on" : "off"}; the standard says cors: ${std.cors}`);
  if (s.jit !== null && s.jit !== (std.listing === "all-available")) out.push(`JIT loading is ${s.jit ? "on" : "off"}; the standard says listing: ${std.listing}`);
  return out;
}

/** Settings that contradict what the other checks observed: the saved file and the running server disagree. */
function againstBehaviour(s: LmStudioSettings, ctx: CheckContext): string[] {
  const out: string[] = [];
  const urlPort = portOf(new URL(ctx.host.url));
  if (s.port !== null && s.port !== urlPort) out.push(`settings say port ${s.port}, but the server answered on ${urlPort}`);
  const behaviour = ctx.result("listing.matches-standard")?.observed["behaviour"];
  if (s.jit !== null && (behaviour === "loaded-only" || behaviour === "all-available")) {
    const expected = s.jit ? "all-available" : "loaded-only";
    if (behaviour !== expected) out.push(`settings say JIT ${s.jit ? "on" : "off"}, but /v1/models behaves ${behaviour}`);
  }
  const preflight = ctx.result("cors.preflight")?.status;
  if (s.cors !== null && (preflight === "passed" || preflight === "failed") && s.cors !== (preflight === "passed")) {
    out.push(`settings say CORS ${s.cors ? "on" : "off"}, but preflights ${preflight}`);
  }
  const listening = ctx.result("bind.all-interfaces")?.observed["listening"];
  if (s.networkInterface !== null && Array.isArray(listening) && listening.length > 0) {
    const wildcard = isWildcardAddress(s.networkInterface);
    const matches = wildcard ? listening.some((a) => isWildcardAddress(String(a))) : listening.includes(s.networkInterface);
    if (!matches) out.push(`settings say network interface ${s.networkInterface}, but the socket listens on ${listening.join(", ")}`);
  }
  return out;
}

export const configChecks = [
  defineCheck({
    id: "config.local-settings",
    title: "LM Studio's saved server settings match the standard and the behaviour",
    must: "With --local, LM Studio's saved server settings (port, networkInterface, cors, justInTimeModelLoading) MUST match the standard and what the server does; the JIT TTL and auto-evict settings are reported.",
    concern: "config",
    required: false,
    mutates: false,
    remedy: (standard) =>
      `Change the setting in LM Studio: Developer → Server Settings (Server Port, Serve on Local Network, Enable CORS, Just-in-Time Model Loading), then restart the server so the running server and the saved settings agree (Developer → Stop/Start Server, or \`${lmsServerRestart(standard)}\`).`,
    async run(ctx) {
      if (!ctx.local) return { status: "skipped", reason: "runs only with --local (lmcert on the server itself, reading LM Studio's files)" };
      const read = await readLmStudioSettings(ctx.local.lmstudioHome);
      if (!read.ok) return { status: "skipped", reason: read.reason };
      const s = read.settings;
      const mismatches = againstStandard(s, ctx);
      const drift = againstBehaviour(s, ctx);
      const jitUnload = { ...s.jitUnload, summary: describeJitUnload(s.jitUnload) };
      const observed = {
        settings: { port: s.port, networkInterface: s.networkInterface, cors: s.cors, jit: s.jit },
        serverOptions: s.serverOptions,
        jitUnload,
        otherFields: s.otherFields,
        mismatches,
        drift,
        path: s.path,
        notes: s.notes,
      };
      // Always in the reason, so the console line and every report show it, not only the certificate's JSON (issue
      // 11.2). TTL and auto-evict act on JIT-loaded models only: with JIT off they wait for the day it is turned on.
      const headline = `${jitUnloadHeadline(s.jitUnload)}${s.jit === false ? " (JIT is off, so they act only once it is on)" : ""}`;
      const problems = [...mismatches, ...drift.map((d) => `drift: ${d}`)];
      if (problems.length > 0) return { status: "failed", reason: `${problems.join("\n")}\n${headline}: ${jitUnload.summary}`, observed };
      const unknown = (["port", "networkInterface", "cors", "jit"] as const).filter((k) => s[k] === null);
      const note = unknown.length > 0 ? ` (not in the file: ${unknown.map((k) => (k === "jit" ? "justInTimeModelLoading" : k)).join(", ")})` : "";
      return { status: "passed", reason: `${s.path} agrees with the standard and the observed behaviour${note}; ${headline}\n${jitUnload.summary}`, observed };
    },
  }),
];
