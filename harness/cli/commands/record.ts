/** @module `lmcert record <url> --out host.har`: the read-only checks against a host, every exchange saved as HAR 1.2. */
import { existsSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { Har } from "../../../contracts/har.ts";
import { RecordFlags } from "../../../contracts/cli.ts";
import { checks } from "../../../suites/index.ts";
import { BROWSER_DISABLED } from "../../browser/find-chromium.ts";
import { writeAtomic } from "../../certificate.ts";
import { certifyHost, defaultHostName } from "../../certify-host.ts";
import { UsageError } from "../../errors.ts";
import { HarRecorder } from "../../record/har-recorder.ts";
import { readSdkSurface, readSdkVersion } from "../../sdk/sdk-reading.ts";
import type { HarSdkState } from "../../../contracts/har.ts";
import { ConsoleReporter } from "../../reporters/console.ts";
import { loadStandard } from "../../standard-file.ts";
import { parseCommandArgs, splitList, validateFlags } from "../args.ts";
import { harnessProblemExit } from "../harness-exit.ts";
import type { CommandIo } from "../io.ts";
import { tokenFromEnv } from "../token.ts";
import { hostUrlArgument } from "../host-url.ts";

export const RECORD_HELP = `Usage: lmcert record <url> [--out host.har] [options]

Run the read-only checks against a host and save every HTTP exchange as a HAR 1.2 file (the format browsers'
devtools open). Tokens and Authorization headers are redacted. Attach the file to a bug report: the lmcert
maintainers replay it with \`lmcert mock --replay host.har\` and certify the replay as if it were your host.
Nothing is loaded or unloaded, and the real-browser check does not run (its traffic is not lmcert's to record).

Options:
  --out <file>          where to write the recording (default: <host>_<port>.har in this folder)
  --standard <file>     standard YAML the checks use (default: the built-in cluster standard)
  --token-env <VAR>     read the API token from environment variable VAR (it is sent, never recorded)
  --name <name>         host name in the output (default: host_port from the URL)
  --timeout <duration>  per-request timeout: 5000 (ms), 5s (default 5s); a bare number below 100 is refused
                        (5 would be 5 ms: write 5s)
  --probe-address <ip>  as for certify: the address to prove off-loopback reachability with (repeatable)
  -h, --help            show this help

Exit codes: 0 the recording was written (whatever the host's verdict), 2 usage error, interrupted run, or the
file could not be written.`;

export async function recordCommand(argv: readonly string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseCommandArgs("record", argv, {
    out: { type: "string" },
    standard: { type: "string" },
    "token-env": { type: "string" },
    name: { type: "string" },
    timeout: { type: "string" },
    "probe-address": { type: "string", multiple: true },
  });
  if (positionals.length !== 1) throw new UsageError(`lmcert record: expected exactly one <url>\n\n${RECORD_HELP}`);
  const flags = validateFlags("record", RecordFlags, {
    url: hostUrlArgument(positionals[0], io),
    out: values.out,
    standard: values.standard,
    tokenEnv: values["token-env"],
    name: values.name,
    timeoutMs: values.timeout,
    probeAddress: splitList(values["probe-address"]),
  });
  const standard = loadStandard(flags.standard);
  const token = tokenFromEnv(flags.tokenEnv);
  const hostName = flags.name ?? defaultHostName(flags.url);
  const out = flags.out ?? `${hostName}.har`;
  // Before any request: a run whose recording cannot be saved is wasted on the host.
  if (!existsSync(dirname(resolve(out)))) throw new UsageError(`lmcert record: --out ${out}: no such folder: ${dirname(resolve(out))}`);
  const recorder = new HarRecorder(token ? [token] : []);
  const certificate = await certifyHost({
    host: { name: hostName, url: flags.url },
    standard,
    checks,
    token,
    timeoutMs: flags.timeoutMs,
    allowMutations: false,
    probeAddresses: flags.probeAddress.length > 0 ? flags.probeAddress : null,
    chromium: BROWSER_DISABLED,
    onExchange: recorder.listener,
    reporters: [new ConsoleReporter(io.stderr)],
    signal: io.signal,
  });
  const listing = certificate.checks.find((c) => c.id === "listing.matches-standard")?.observed["behaviour"];
  const sdk = await sdkState(flags.url, flags.timeoutMs, token, certificate.host.surfaces.includes("sdk"));
  const har = Har.parse(
    recorder.toHar(
      `lmcert record of ${flags.url} at ${certificate.startedAt}: verdict ${certificate.verdict}, listing ${typeof listing === "string" ? listing : "unknown"}, ` +
        `LM Studio ${certificate.host.lmstudioVersion ?? "version unknown"}, standard ${standard.standard} v${standard.version}`,
      sdk,
      flags.url,
    ),
  );
  try {
    writeAtomic(out, `${JSON.stringify(har, null, 2)}\n`);
  } catch (cause) {
    throw new UsageError(`lmcert record: cannot write ${out}: ${(cause as NodeJS.ErrnoException).code ?? String(cause)}`, { cause });
  }
  const problem = harnessProblemExit([certificate], io);
  if (har.log.entries.every((e) => e.response.status === 0)) {
    io.stderr.write(`\n  note: ${flags.url} never answered, so the recording only shows that (see the reasons above).\n`);
  }
  io.stderr.write(
    `\n  recording: ${out} (${recorder.size} exchanges; tokens and Authorization headers redacted). Attach ${out} to the bug report.\n` +
      `  Report it in lmcert's issue tracker with this file and the certificate JSON of the host (\`lmcert certify ${flags.url} --json > cert.json\`).\n`,
  );
  return problem ?? 0;
}

/**
 * What the SDK websocket said, read once more after the run (a HAR has no entries for websocket traffic): the
 * version, and the downloads and loaded instances where the checks used them (`surface`). Null if it does not answer.
 */
async function sdkState(url: string, timeoutMs: number, token: string | undefined, surface: boolean): Promise<HarSdkState | null> {
  if (!surface) {
    const version = await readSdkVersion(url, timeoutMs, token);
    return version.version ? { version: version.version } : null;
  }
  const reading = await readSdkSurface(url, timeoutMs, token);
  if (reading.state !== "present" || !reading.catalogue || !reading.view || reading.version === null) return null;
  return {
    version: reading.version,
    downloaded: reading.catalogue.map((m) => ({ key: m.key, type: m.type, sizeBytes: m.sizeBytes })),
    loaded: (reading.view.instances ?? []).map((i) => ({ id: i.id, model: i.model })),
  };
}
