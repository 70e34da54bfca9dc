/** @module `lmcert certify <url>`: one host against the standard; certificate to --out and/or stdout (--json). */
import { CertifyFlags } from "../../../contracts/cli.ts";
import { checks } from "../../../suites/index.ts";
import { BROWSER_DISABLED, findChromium } from "../../browser/find-chromium.ts";
import { join } from "node:path";
import type { Certificate } from "../../../contracts/certificate.ts";
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
import { readUserFile } from "../../read-user-file.ts";
import { publicPemOf, signCertificate } from "../../signing.ts";
import { carryOverRefusal, checksToRerun, verifiedPreviousCertificate } from "../../rerun.ts";
import { renderWhatToFix } from "../../reporters/what-to-fix.ts";
import { palette } from "../../reporters/terminal-text.ts";
import type { CommandIo } from "../io.ts";
import { closest } from "../did-you-mean.ts";
import { certifyContainer } from "../../container/certify-container.ts";
import { containerHostName, containerTargetFromFlags } from "../container-flags.ts";

export const CERTIFY_HELP = `Usage: lmcert certify <url> [options]
       lmcert certify [<url>] --rerun-failed <certificate.json> [options]
       lmcert certify --container <image> [--container-…] [options]

Certify one LM Studio host against a standard and write its certificate.

Options:
  --standard <file>     standard YAML (default: the built-in cluster standard, listing: loaded-only)
  --json                print the certificate JSON on stdout (the checklist still goes to stderr)
  --out <dir>           write <dir>/<host>/<timestamp>.json and <dir>/<host>/latest.json
  --token-env <VAR>     read the API token from environment variable VAR (never pass a token itself)
  --name <name>         host name in the certificate (default: host_port from the URL)
  --timeout <duration>  per-request timeout: 5000 (ms), 500ms, 5s, 2m (default 5s); a bare number below 100
                        is refused (5 would be 5 ms: write 5s)
  --only <ids>          run only these check ids (comma-separated; see \`lmcert checks\`)
  --rerun-failed <cert> run exactly the checks that did not pass in that certificate (plus the checks they
                        need), against its host unless <url> is given. Its other passes are carried over
                        (marked carriedOver, with their time), so a fixed host comes out certified; a partial
                        result never replaces a complete latest.json. That certificate is verified first, as
                        \`lmcert verify\` does: an edited, forged or expired one is refused (exit 2; run a full
                        certify instead). With --sign-key it must be signed by that same key
  --rerun-key <pub>     the public key the --rerun-failed certificate must be signed with (instead of the
                        --sign-key's own). Without either key only its digest is checked
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

Upgrade rehearsal: start the host from an image (Docker, or podman's Docker-API socket; through testcontainers),
certify it like any host through its published port, then remove the container (also on failure and Ctrl-C):
  --container <image>   the image, e.g. a new LM Studio build (pulled if the engine does not have it)
  --container-port <n>  the port LM Studio listens on inside the container (default 1234)
  --container-env K=V   environment for the container (repeatable); K alone passes lmcert's own value of K.
                        Values are never recorded
  --container-cmd <cmd> the command after the image's entrypoint: a JSON array ('["sh","-c","…"]') or
                        words separated by spaces
  --container-models <dir>[:<path>]  mount a models folder read-only (default path inside:
                        /root/.lmstudio/models, a GUESS for LM Studio's image)
  --container-timeout <ms>  how long to wait for GET /lmstudio-greeting (default 180000)
  The certificate records the image, its id and registry digest. A container that exits or never answers gets a
  not-certified certificate with its last log lines (exit 1); no engine or an image that cannot be pulled exits 2.

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
    "rerun-key": { type: "string" },
    problems: { type: "boolean" },
    quiet: { type: "boolean" },
    "restore-first": { type: "boolean" },
    container: { type: "string" },
    "container-port": { type: "string" },
    "container-env": { type: "string", multiple: true },
    "container-cmd": { type: "string" },
    "container-models": { type: "string" },
    "container-timeout": { type: "string" },
  });
  if (values["rerun-key"] !== undefined && values["rerun-failed"] === undefined) throw new UsageError("lmcert certify: --rerun-key only makes sense with --rerun-failed <certificate.json>");
  const signKeyPem = values["sign-key"] ? readUserFile(values["sign-key"], "signing key") : undefined;
  const previous = values["rerun-failed"] ? readPreviousCertificate(values["rerun-failed"], values["rerun-key"], signKeyPem === undefined ? undefined : { path: values["sign-key"] ?? "", pem: signKeyPem }) : null;
  if (previous?.signature && values["rerun-key"] === undefined && signKeyPem === undefined) {
    io.stderr.write(`--rerun-failed: note: ${values["rerun-failed"]} is signed (key ${previous.signature.keyId}), but only its digest was checked: give --rerun-key <public.pem> to check the signature too\n`);
  }
  if (previous && values.only) throw new UsageError("lmcert certify: --rerun-failed and --only cannot be combined");
  const image = values.container;
  if (image !== undefined && (positionals.length > 0 || previous)) throw new UsageError("lmcert certify: --container starts the host itself; give no <url> and no --rerun-failed with it");
  if (image === undefined) {
    const stray = ["container-port", "container-env", "container-cmd", "container-models", "container-timeout"].find((f) => values[f as keyof typeof values] !== undefined);
    if (stray) throw new UsageError(`lmcert certify: --${stray} needs --container <image>`);
  }
  const url = image === undefined ? (hostUrlArgument(positionals[0], io) ?? previous?.host.url) : undefined;
  if (image === undefined && (positionals.length > 1 || url === undefined)) throw new UsageError(`lmcert certify: expected exactly one <url>, got ${positionals.length}\n\n${CERTIFY_HELP}`);
  const flags = validateFlags("certify", CertifyFlags.partial({ url: true }), {
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
    rerunKey: values["rerun-key"],
    problems: (values.problems ?? false) || (values.quiet ?? false),
    restoreFirst: values["restore-first"] ?? false,
    container: image,
    containerPort: values["container-port"],
    containerEnv: values["container-env"],
    containerCmd: values["container-cmd"],
    containerModels: values["container-models"],
    containerTimeoutMs: values["container-timeout"],
  });
  if (flags.local && flags.container) throw new UsageError("lmcert certify: --local reads this machine's sockets and files, so it cannot be combined with --container");
  if (flags.lmstudioHome && !flags.local) throw new UsageError("lmcert certify: --lmstudio-home only makes sense with --local");
  const known = new Set(checks.map((c) => c.id));
  const unknown = [...flags.only, ...flags.skip].filter((id) => !known.has(id));
  if (unknown.length > 0) {
    const named = unknown.map((id) => `${id}${((m) => (m ? ` (did you mean ${m}?)` : ""))(closest(id, [...known]))}`);
    throw new UsageError(`lmcert certify: unknown check id(s): ${named.join(", ")} (see \`lmcert checks\`)`);
  }
  const standard = loadStandard(flags.standard);
  const token = tokenFromEnv(flags.tokenEnv);
  const container = containerTargetFromFlags(flags);
  const hostUrl = flags.url ?? "";
  const hostName = flags.name ?? (container ? containerHostName(container.image) : defaultHostName(hostUrl));
  const refusal = previous ? carryOverRefusal(previous, hostUrl, standard) : null;
  if (previous && refusal) io.stderr.write(`--rerun-failed: earlier passes are not carried over: ${refusal}\n`);
  // A container is started fresh: no earlier run can have left it half-restored.
  const unfinished = container ? null : await settleUnfinishedRestores([{ name: hostName, url: hostUrl, token }], { out: flags.out, restoreFirst: flags.restoreFirst, io });
  if (unfinished !== null) return unfinished;
  const options = {
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
  };
  const unsigned = container
    ? await certifyContainer({ ...options, name: hostName, container })
    : await certifyHost({ ...options, host: { name: hostName, url: hostUrl } });
  if (unsigned.host.container && unsigned.host.container.startup !== "answered") {
    const c = unsigned.host.container;
    io.stderr.write(`  container ${c.image}: ${c.detail}\n${c.logTail.map((line) => `    | ${line}\n`).join("")}`);
  }
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

/**
 * The certificate a rerun builds on, verified (harness/rerun.ts): against --rerun-key if given, else against the
 * public half of --sign-key (a signing run only builds on its own signatures), else by digest only.
 */
function readPreviousCertificate(path: string, rerunKeyPath: string | undefined, signKey: { path: string; pem: string } | undefined): Certificate {
  const text = readUserFile(path, "--rerun-failed certificate");
  if (rerunKeyPath !== undefined) {
    return verifiedPreviousCertificate(text, path, { publicPem: readUserFile(rerunKeyPath, "--rerun-key public key"), keySource: `--rerun-key ${rerunKeyPath}` });
  }
  if (signKey !== undefined) {
    let publicPem: string;
    try {
      publicPem = publicPemOf(signKey.pem);
    } catch (cause) {
      throw new UsageError(`--sign-key ${signKey.path}: not an ed25519 private key (${(cause as Error).message})`, { cause });
    }
    return verifiedPreviousCertificate(text, path, { publicPem, keySource: `the public key of --sign-key ${signKey.path}` });
  }
  return verifiedPreviousCertificate(text, path);
}
