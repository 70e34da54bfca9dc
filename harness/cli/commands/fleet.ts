/** @module `lmcert fleet <inventory.yaml>`: every host, concurrently, with a roll-up and every report format. */
import { availableParallelism } from "node:os";
import { setFlagsFromString } from "node:v8";
import { FleetFlags } from "../../../contracts/cli.ts";
import { checks } from "../../../suites/index.ts";
import { BROWSER_DISABLED, findChromium } from "../../browser/find-chromium.ts";
import { UsageError } from "../../errors.ts";
import { loadInventory } from "../../fleet/inventory-file.ts";
import { fleetThreads, runFleet } from "../../fleet/run-fleet.ts";
import { FleetProgressReporter } from "../../reporters/fleet-progress.ts";
import { parseCommandArgs, splitList, validateFlags } from "../args.ts";
import { readUserFile } from "../../read-user-file.ts";
import type { CommandIo } from "../io.ts";
import { harnessProblemExit } from "../harness-exit.ts";
import { renderWhatToFix } from "../../reporters/what-to-fix.ts";
import { palette } from "../../reporters/terminal-text.ts";
import { settleUnfinishedRestores } from "../unfinished-restores.ts";

export const FLEET_HELP = `Usage: lmcert fleet <inventory.yaml> [options]

Certify every server in an inventory (schema: contracts/json/lmcert.Inventory.schema.json), concurrently, each
with its own deadline, and roll up: per-host verdicts and the fleet consistency finding (e.g. one host lists
loaded-only, another all-available).

Writes to --out (default ./lmcert-out):
  <host>/<timestamp>.json, <host>/latest.json   per-host certificates
  fleet-summary.json                            the roll-up (lmcert diff reads it)
  lmcert.junit.xml, lmcert.md, lmcert.html      JUnit for CI, a Markdown checklist, the HTML fleet page
  lmcert.prom                                   Prometheus textfile for node_exporter

Options:
  --standard <file>      overrides the inventory's standard
  --concurrency <n>      hosts certified at once (default 4)
  --threads <n>          threads that certify hosts: 1 = lmcert's main thread alone; more = that many worker
                         threads, with --concurrency shared between them (default: one per core but one, at
                         most 4, for a read-only fleet of 16 hosts or more, else 1; --allow-mutations and
                         container: hosts always use the main thread alone)
  --out <dir>            output folder (default ./lmcert-out)
  --json                 print the fleet summary JSON on stdout
  --timeout <duration>   per request: 5000 (ms), 5s, 2m (default 5s)
  --host-timeout <dur>   per host, so one dead or slow host cannot stall the run (default 5m)
                         (a bare number below 100 is refused for either: 5 would be 5 ms, write 5s)
  --allow-mutations      run the load/unload checks on every host (each host is restored)
  --restore-first        finish any restore an earlier run left unfinished on a host before certifying it
                         (without it, lmcert names the journals and stops, exit 2)
  --sign-key <file>      sign every certificate with this ed25519 private key (see \`lmcert keygen\`)
  --probe-address <ip>   as for certify (repeatable)
  --chromium <path>, --no-browser   as for certify
  --problems, --quiet    print a line only for hosts that need attention (not certified, warnings, interrupted)

Exit codes: 0 every host certified, 1 any host not certified, 2 bad inventory/usage or a failed restore.`;

export async function fleetCommand(argv: readonly string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseCommandArgs("fleet", argv, {
    standard: { type: "string" },
    concurrency: { type: "string" },
    threads: { type: "string" },
    out: { type: "string" },
    json: { type: "boolean" },
    timeout: { type: "string" },
    "host-timeout": { type: "string" },
    "allow-mutations": { type: "boolean" },
    "sign-key": { type: "string" },
    "probe-address": { type: "string", multiple: true },
    chromium: { type: "string" },
    "no-browser": { type: "boolean" },
    problems: { type: "boolean" },
    quiet: { type: "boolean" },
    "restore-first": { type: "boolean" },
  });
  if (positionals.length !== 1) throw new UsageError(`lmcert fleet: expected exactly one <inventory.yaml>\n\n${FLEET_HELP}`);
  const flags = validateFlags("fleet", FleetFlags, {
    inventory: positionals[0],
    standard: values.standard,
    concurrency: values.concurrency,
    threads: values.threads,
    out: values.out,
    json: values.json ?? false,
    timeoutMs: values.timeout,
    hostTimeoutMs: values["host-timeout"],
    allowMutations: values["allow-mutations"] ?? false,
    signKey: values["sign-key"],
    probeAddress: splitList(values["probe-address"]),
    chromium: values.chromium,
    browser: !(values["no-browser"] ?? false),
    problems: (values.problems ?? false) || (values.quiet ?? false),
    restoreFirst: values["restore-first"] ?? false,
  });
  const inventory = loadInventory(flags.inventory, flags.standard ? { standardOverride: flags.standard } : {});
  for (const note of inventory.notes ?? []) io.stderr.write(`note: ${note}\n`);
  const signKeyPem = flags.signKey ? readUserFile(flags.signKey, "signing key") : undefined;
  // Containers are started fresh: no earlier run can have left one half-restored.
  const urlHosts = inventory.hosts.flatMap((h) => (h.url === null ? [] : [{ ...h, url: h.url }]));
  const unfinished = await settleUnfinishedRestores(urlHosts, { out: flags.out, restoreFirst: flags.restoreFirst, io });
  if (unfinished !== null) return unfinished;
  const threads = flags.threads ?? defaultThreads(inventory.hosts.length);
  // No worker thread will load the bundle: V8 may now keep WebAssembly on its baseline tier, as every other
  // command does (bin/lmcert.js says why; set later, it would cost the threads V8's code cache).
  if (fleetThreads({ allowMutations: flags.allowMutations, inventory, threads }) === 1) setFlagsFromString("--liftoff-only");
  const { summary, certificates, reports } = await runFleet({
    inventory,
    checks,
    concurrency: flags.concurrency,
    threads,
    hostDeadlineMs: flags.hostTimeoutMs,
    timeoutMs: flags.timeoutMs,
    out: flags.out,
    allowMutations: flags.allowMutations,
    signKeyPem,
    reporters: [new FleetProgressReporter(inventory.hosts.length, io.stderr, { problemsOnly: flags.problems })],
    signal: io.signal,
    probeAddresses: flags.probeAddress.length > 0 ? flags.probeAddress : null,
    chromium: flags.browser ? findChromium(flags.chromium) : BROWSER_DISABLED,
  });
  const c = summary.counts;
  io.stderr.write(`\nfleet: ${c.certified} of ${c.hosts} certified, ${c.notCertified} not certified, ${c.incomplete} incomplete\n`);
  for (const finding of summary.consistency.findings) io.stderr.write(`fleet consistency: ${finding}\n`);
  if (summary.interrupted) io.stderr.write("fleet: the run was interrupted; fleet-summary.json and lmcert.prom record it, and `lmcert diff` will not take it as a result\n");
  io.stderr.write(renderWhatToFix(certificates, palette(io.stderr)));
  io.stderr.write(`reports: ${Object.values(reports).join(", ")}\n`);
  if (flags.json) io.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  return harnessProblemExit(certificates, io) ?? (c.certified === c.hosts ? 0 : 1);
}

/**
 * Worker threads pay off only where cores are spare: one thread per core but one (the main thread hands out hosts
 * and writes the reports, and the sockets need the kernel), at most 4, and only for 16 hosts or more (a thread costs
 * ~0.1 s to start and ~30-50 MB). On 2 cores that is the main thread alone, which measured faster than two threads
 * there (bench/RESULTS.md).
 */
export function defaultThreads(hosts: number, cores = availableParallelism()): number {
  return hosts < 16 ? 1 : Math.max(1, Math.min(cores - 1, 4));
}
