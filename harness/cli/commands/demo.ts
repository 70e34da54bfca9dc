/** @module `lmcert demo` (= `npm start`): the users' two Mac Studios, mocked, certified side by side, explained. */
import { resolve } from "node:path";
import type { Certificate } from "../../../contracts/certificate.ts";
import { preset } from "../../../fixtures/mock/presets.ts";
import { startMock, type RunningMock } from "../../../fixtures/mock/server.ts";
import { checks } from "../../../suites/index.ts";
import { writeCertificate } from "../../certificate.ts";
import { findChromium } from "../../browser/find-chromium.ts";
import { fleetConsistency } from "../../fleet/consistency.ts";
import { summarizeCertificate } from "../../fleet/host-summary.ts";
import { concreteRemedy } from "../../reporters/what-to-fix.ts";
import { certifyHost } from "../../certify-host.ts";
import { readModelState, type ModelState } from "../../model-state/read-model-state.ts";
import { ConsoleReporter } from "../../reporters/console.ts";
import { DEFAULT_STANDARD } from "../../standard-file.ts";
import { parseCommandArgs } from "../args.ts";
import type { CommandIo } from "../io.ts";

export const DEMO_HELP = `Usage: lmcert demo [--out <dir>]

Start two mock LM Studio hosts on free ports: mac-studio-1 (JIT off) and mac-studio-2 (JIT on, LM Studio's
default). Certify both against the built-in standard (listing: loaded-only; bind.port set to each mock's port),
using 127.0.0.2 as the stand-in LAN address and a system Chromium if one is found. Show what readModelState()
returns for each, write the certificates (default ./lmcert-out/) and explain what to change on the failing host.
Exits 0 when the demo ran as intended (one host certified, one failing), 2 otherwise.`;

const HOSTS = ["mac-studio-1", "mac-studio-2"] as const;
/** Loopback, yet only reaches servers bound to 0.0.0.0: a faithful stand-in for a LAN address on one machine. */
const DEMO_LAN_ADDRESS = "127.0.0.2";

export async function demoCommand(argv: readonly string[], io: CommandIo): Promise<number> {
  const { values } = parseCommandArgs("demo", argv, { out: { type: "string" } });
  const outDir = resolve(values.out ?? "lmcert-out");
  const mocks: RunningMock[] = [];
  try {
    for (const name of HOSTS) mocks.push(await startMock(preset(name)));
    const chromium = findChromium();
    io.stdout.write(
      `Demo setup: both mock hosts serve on 0.0.0.0 (like "Serve on Local Network") on free ports, so the demo\n` +
        `standard is the built-in one with bind.port set to each mock's port; ${DEMO_LAN_ADDRESS} stands in for the\n` +
        `LAN address in bind.reachable-off-loopback, so no traffic leaves loopback. Browser check: ${chromium.reason}.\n`,
    );
    const results: { name: string; certificate: Certificate; state: ModelState; listed: string[] }[] = [];
    for (const [i, name] of HOSTS.entries()) {
      const mock = mocks[i] as RunningMock;
      const certificate = await certifyHost({
        host: { name, url: mock.url },
        standard: { ...DEFAULT_STANDARD, bind: { ...DEFAULT_STANDARD.bind, port: mock.port } },
        checks,
        reporters: [new ConsoleReporter(io.stdout)],
        signal: io.signal,
        probeAddresses: [DEMO_LAN_ADDRESS],
        chromium,
      });
      writeCertificate(outDir, certificate);
      const state = await readModelState(mock.url);
      const listed = ((await (await fetch(`${mock.url}/v1/models`)).json()) as { data: { id: string }[] }).data.map((m) => m.id);
      results.push({ name, certificate, state, listed });
    }
    io.stdout.write(explain(results, outDir));
    return ranAsIntended(results.map((r) => r.certificate)) ? 0 : 2;
  } finally {
    await Promise.all(mocks.map((m) => m.close()));
  }
}

function listingBehaviour(certificate: Certificate): unknown {
  return certificate.checks.find((c) => c.id === "listing.matches-standard")?.observed["behaviour"];
}

function ranAsIntended([ms1, ms2]: Certificate[]): boolean {
  return ms1?.verdict === "certified" && ms2?.verdict === "not-certified" && listingBehaviour(ms2) === "all-available";
}

function explain(results: { name: string; certificate: Certificate; state: ModelState; listed: string[] }[], outDir: string): string {
  const lines = ["", "What the cluster code sees vs what is really loaded:"];
  for (const r of results) {
    lines.push(
      `  ${r.name}: GET /v1/models lists [${r.listed.join(", ")}]`,
      `  ${" ".repeat(r.name.length)}  readModelState() → loaded [${(r.state.loaded ?? []).join(", ")}] (source: ${r.state.source})`,
    );
  }
  const consistency = fleetConsistency(results.map((r) => summarizeCertificate(r.certificate, null)));
  for (const finding of consistency.findings) lines.push("", `Fleet consistency: ${finding}`);
  const failing = results.filter((r) => r.certificate.verdict !== "certified");
  lines.push(
    "",
    "The old router code `new Set(data.data.map(m => m.id))` would think mac-studio-2 has every model loaded.",
    "readModelState() returns the same, correct loaded set on both hosts, whatever /v1/models means there.",
    "",
  );
  for (const r of failing) {
    const check = r.certificate.checks.find((c) => c.status === "failed" && c.required);
    // With model names filled in from what the check saw, as the "what to fix" block does.
    lines.push(`To certify ${r.name}: ${(check && concreteRemedy(check, r.certificate.host.url)) ?? "see the checklist above"}`);
  }
  lines.push(`Certificates written to ${outDir}/<host>/latest.json`, "");
  return lines.join("\n");
}
