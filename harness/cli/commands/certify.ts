/** @module `lmcert certify <url>`: one host against the standard; certificate to --out and/or stdout (--json). */
import { CertifyFlags } from "../../../contracts/cli.ts";
import { checks } from "../../../suites/index.ts";
import { BROWSER_DISABLED, findChromium } from "../../browser/find-chromium.ts";
import { join } from "node:path";
import { Certificate as CertificateSchema, type Certificate } from "../../../contracts/certificate.ts";
import { hostSlug, writeCertificate } from "../../certificate.ts";
import { defaultLmStudioHome } from "../../local/lmstudio-settings.ts";
import { certifyHost, defaultHostName } from "../../certify-host.ts";
import { UsageError } from "../../errors.ts";
import { ConsoleReporter } from "../../reporters/console.ts";
import { loadStandard } from "../../standard-file.ts";
import { exitCodeFor } from "../../verdict.ts";
import { parseCommandArgs, splitList, validateFlags } from "../args.ts";
import { tokenFromEnv } from "../token.ts";
import { hostUrlArgument } from "../host-url.ts";
import { harnessProblemExit } from "../harness-exit.ts";
import { settleUnfinishedRestores } from "../unfinished-restores.ts";
import { readUserFile, readUserJson } from "../read-text-file.ts";
import { signCertificate } from "../../signing.ts";
import { carryOverRefusal, checksToRerun } from "../../rerun.ts";
import { renderWhatToFix } from "../../reporters/what-to-fix.ts";
import { palette } from "../../reporters/terminal-text.ts";
import type { CommandIo } from "../io.ts";

export const CERTIFY_HELP = `Usage: lmcert certify <url> [options]
       lmcert certify [<url>] --rerun-failed <certificate.json> [options]

Certify one LM Studio host against a standard and write its certificate.

Options:
  --standard <file>     standard YAML (default: the built-in cluster standard, listing: loaded-only)
  --json                print the certificate JSON on stdout (the checklist still goes to stderr)
  --out <dir>           write <dir>/<host>/<timestamp>.json and <dir>/<host>/latest.json
  --token-env <VAR>     read the API token from environment variable VAR (never pass a token itself)
  --name <name>         host name in the certificate (default: host_port from the URL)
  --timeout <duration>  per-request timeout: 5000 (ms), 500ms, 5s, 2m (default 5s)
  --only <ids>          run only these check ids (comma-separated; see \`lmcert checks\`)
  --rerun-failed <cert> run exactly the checks that did not pass in that certificate (plus the checks they
                        need), against its host unless <url> is given. Its other passes are carried over
                        (marked carriedOver, with their time), so a fixed host comes out certified; a partial
                        result never replaces a complete latest.json
  --skip <ids>          skip these check ids (recorded in the certificate; required ones leave it incomplete)
  --allow-mutations     run the checks that load and unload models (lifecycle.*, memory.over-budget-refused,
                        the listing tie-breaker). lmcert snapshots the loaded models first, journals every
                        change, and puts the host back afterwards, also on failure and Ctrl-C
  --restore-first       if an earlier run left a restore journal for this host unfinished (killed mid-run),
                        finish that restore first (as \`lmcert restore\` would), then certify. Without it,
                        lmcert says where the journal is and stops (exit 2) before touching the host
  --sign-key <file>     sign the certificate with this ed25519 private key (see \`lmcert keygen\`)
  --lifecycle-model <m> the model lifecycle checks load (default: the standard's lifecycle.model, else the
                        smallest downloaded LLM that is not loaded)
  --local               lmcert runs on the server itself: also read the listening socket and LM Studio's
                        settings file (bind.all-interfaces, config.local-settings)
  --lmstudio-home <dir> LM Studio's home folder for --local (default ~/.lmstudio)
  --probe-address <ip>  for a loopback URL, try this address instead of this machine's own interface
                        addresses to prove the server accepts off-loopback connections (repeatable)
  --chromium <path>     Chromium for the real-browser CORS check (default: LMCERT_CHROMIUM, /usr/bin/chromium, …)
  --no-browser          skip the real-browser CORS check
  --problems, --quiet   list only the checks that need attention (failures, undecided required checks, warnings)
  -h, --help            show this help

Exit codes: 0 certified, 1 not certified (or incomplete), 2 usage or harness error, an interrupted run, or a
failed restore (then run \`lmcert restore <journal>\`).`;

export async function certifyCommand(argv: readonly string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseCommandArgs("certify", argv, {
    standard: { type: "string" },
    json: { type: "boolean" },
    out: { type: "string" },
    "token-env": { type: "string" },
    name: { type: "string" },
    timeout: { type: "string" },
    only: { type: "string", multiple: true },
    skip: { type: "string", multiple: true },
    "allow-mutations": { type: "boolean" },
    local: { type: "boolean" },
    "lmstudio-home": { type: "string" },
    "probe-address": { type: "string", multiple: true },
    chromium: { type: "string" },
    "no-browser": { type: "boolean" },
    "lifecycle-model": { type: "string" },
    "sign-key": { type: "string" },
    "rerun-failed": { type: "string" },
    problems: { type: "boolean" },
    quiet: { type: "boolean" },
    "restore-first": { type: "boolean" },
  });
  const previous = values["rerun-failed"] ? readPreviousCertificate(values["rerun-failed"]) : null;
  if (previous && values.only) throw new UsageError("lmcert certify: --rerun-failed and --only cannot be combined");
  const url = hostUrlArgument(positionals[0], io) ?? previous?.host.url;
  if (positionals.length > 1 || url === undefined) throw new UsageError(`lmcert certify: expected exactly one <url>, got ${positionals.length}\n\n${CERTIFY_HELP}`);
  const flags = validateFlags("certify", CertifyFlags, {
    url,
    standard: values.standard,
    json: values.json ?? false,
    out: values.out,
    tokenEnv: values["token-env"],
    name: values.name ?? previous?.host.name,
    timeoutMs: values.timeout,
    only: previous ? checksToRerun(previous, checks) : splitList(values.only),
    skip: splitList(values.skip),
    local: values.local ?? false,
    lmstudioHome: values["lmstudio-home"],
    probeAddress: splitList(values["probe-address"]),
    chromium: values.chromium,
    browser: !(values["no-browser"] ?? false),
    allowMutations: values["allow-mutations"] ?? false,
    lifecycleModel: values["lifecycle-model"],
    signKey: values["sign-key"],
    problems: (values.problems ?? false) || (values.quiet ?? false),
    restoreFirst: values["restore-first"] ?? false,
  });
  if (flags.lmstudioHome && !flags.local) throw new UsageError("lmcert certify: --lmstudio-home only makes sense with --local");
  const known = new Set(checks.map((c) => c.id));
  const unknown = [...flags.only, ...flags.skip].filter((id) => !known.has(id));
  if (unknown.length > 0) throw new UsageError(`lmcert certify: unknown check id(s): ${unknown.join(", ")} (see \`lmcert checks\`)`);
  const standard = loadStandard(flags.standard);
  const token = tokenFromEnv(flags.tokenEnv);
  const signKeyPem = flags.signKey ? readUserFile(flags.signKey, "signing key") : undefined;
  const hostName = flags.name ?? defaultHostName(flags.url);
  const refusal = previous ? carryOverRefusal(previous, flags.url, standard) : null;
  if (previous && refusal) io.stderr.write(`--rerun-failed: earlier passes are not carried over: ${refusal}\n`);
  const unfinished = await settleUnfinishedRestores([{ name: hostName, url: flags.url, token }], { out: flags.out, restoreFirst: flags.restoreFirst, io });
  if (unfinished !== null) return unfinished;
  const unsigned = await certifyHost({
    host: { name: hostName, url: flags.url },
    standard,
    checks,
    token,
    allowMutations: flags.allowMutations,
    timeoutMs: flags.timeoutMs,
    local: flags.local ? { lmstudioHome: flags.lmstudioHome ?? (await defaultLmStudioHome()) } : null,
    probeAddresses: flags.probeAddress.length > 0 ? flags.probeAddress : null,
    chromium: flags.browser ? findChromium(flags.chromium) : BROWSER_DISABLED,
    lifecycleModel: flags.lifecycleModel ?? null,
    tokenEnv: flags.tokenEnv ?? null,
    // The journal sits next to the certificate, so whoever finds one finds the other.
    ...(flags.out ? { journalDir: join(flags.out, hostSlug(hostName)) } : {}),
    only: flags.only,
    skip: flags.skip,
    reporters: [new ConsoleReporter(io.stderr, { problemsOnly: flags.problems })],
    signal: io.signal,
    rerunOf: previous && !refusal ? previous : null,
  });
  const certificate = signKeyPem ? signCertificate(unsigned, signKeyPem) : unsigned;
  if (flags.out) {
    const written = writeCertificate(flags.out, certificate);
    io.stderr.write(`  certificate: ${written.path}\n`);
    if (written.latestKept) io.stderr.write(`  latest.json kept: ${written.latestKept}\n`);
  }
  io.stderr.write(renderWhatToFix([certificate], palette(io.stderr)));
  if (flags.json) io.stdout.write(`${JSON.stringify(certificate, null, 2)}\n`);
  return finalExitCode(certificate, io);
}

/** A failed restore or an interrupted run outranks the verdict: the harness did not finish its job. */
function finalExitCode(certificate: Certificate, io: CommandIo): number {
  const m = certificate.mutations;
  if (m.performed || m.restore === "failed") io.stderr.write(`  mutations (${m.driver}): ${m.detail}\n`);
  return harnessProblemExit([certificate], io) ?? exitCodeFor(certificate.verdict);
}

function readPreviousCertificate(path: string): Certificate {
  const parsed = CertificateSchema.safeParse(readUserJson(path, "certificate"));
  if (!parsed.success) throw new UsageError(`--rerun-failed: ${path} is not an lmcert certificate (${parsed.error.issues[0]?.message ?? ""})`);
  return parsed.data;
}
