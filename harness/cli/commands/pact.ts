/** @module `lmcert pact verify <url>`: the router's consumer contract against a real or mock host. */
import { existsSync } from "node:fs";
import type { CheckRecord } from "../../../contracts/certificate.ts";
import { CertifyFlags } from "../../../contracts/cli.ts";
import { PACT_FILE } from "../../../contracts/pact-states.ts";
import { packageFile } from "../../package-files.ts";
import { checks } from "../../../suites/index.ts";
import { BROWSER_DISABLED } from "../../browser/find-chromium.ts";
import { writeCertificate } from "../../certificate.ts";
import { certifyHost, defaultHostName } from "../../certify-host.ts";
import { UsageError } from "../../errors.ts";
import { ConsoleReporter } from "../../reporters/console.ts";
import type { Reporter } from "../../reporters/reporter.ts";
import { palette } from "../../reporters/terminal-text.ts";
import { loadStandard } from "../../standard-file.ts";
import { parseCommandArgs, validateFlags } from "../args.ts";
import type { CommandIo } from "../io.ts";
import { harnessProblemExit } from "../harness-exit.ts";
import { tokenFromEnv } from "../token.ts";
import { hostUrlArgument } from "../host-url.ts";

export const PACT_HELP = `Usage: lmcert pact verify <url> --allow-mutations [options]

Verify the cluster router's consumer contract (default: ${PACT_FILE}, written by the consumer tests) against
a host with the Pact Verifier. Each interaction runs in its provider state ("model is loaded", "model is
downloaded but not loaded", "only this model is loaded"): lmcert really loads and unloads models to get there,
so --allow-mutations is required, and the host's loaded models are restored afterwards.
The states use a model the host has: --lifecycle-model, else the standard's lifecycle.model, else the smallest
downloaded LLM that is not loaded. The verifier injects it in place of the contract's example model.
The result is the certificate check contract.pact-verified. Pact's report goes to stdout (uncoloured), the
result to stderr.

Options:
  --allow-mutations     required: lets lmcert load and unload models to set up each provider state
  --pact <file>         the contract to verify (default: ${PACT_FILE})
  --lifecycle-model <m> the model the provider states load and unload
  --token-env <VAR>     read the API token from environment variable VAR (hosts with Require Authentication)
  --standard <file>     standard YAML (its lifecycle.model and loadTimeoutSeconds apply)
  --out <dir>           also write the certificate to <dir>/<host>/
  --name <name>         host name in the certificate (default: host_port from the URL)
  --timeout <duration>  per-request timeout for lmcert's own requests: 5000 (ms), 5s (default 5s); a bare
                        number below 100 is refused (5 would be 5 ms: write 5s)
  -h, --help            show this help

Exit codes: 0 the contract holds, 1 it does not (or could not be checked), 2 usage error, an interrupted run or a
failed restore.`;

const SELECTED = ["health.greeting", "contract.pact-verified"];

export async function pactCommand(argv: readonly string[], io: CommandIo): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub !== "verify") throw new UsageError(`lmcert pact: expected the subcommand "verify"\n\n${PACT_HELP}`);
  const { values, positionals } = parseCommandArgs("pact verify", rest, {
    pact: { type: "string" },
    "allow-mutations": { type: "boolean" },
    out: { type: "string" },
    name: { type: "string" },
    standard: { type: "string" },
    "lifecycle-model": { type: "string" },
    "token-env": { type: "string" },
    timeout: { type: "string" },
  });
  if (positionals.length !== 1) throw new UsageError(`lmcert pact verify: expected exactly one <url>\n\n${PACT_HELP}`);
  const flags = validateFlags("pact verify", CertifyFlags, {
    url: hostUrlArgument(positionals[0], io),
    out: values.out,
    name: values.name,
    standard: values.standard,
    lifecycleModel: values["lifecycle-model"],
    tokenEnv: values["token-env"],
    timeoutMs: values.timeout,
    allowMutations: values["allow-mutations"] ?? false,
  });
  if (!flags.allowMutations) {
    throw new UsageError(
      "lmcert pact verify: --allow-mutations is required: each provider state is set up by really loading and unloading models (the loaded models are restored afterwards)",
    );
  }
  // The shipped contract sits in the package, wherever lmcert is run from (npx runs it from any folder).
  const pactFile = values.pact ?? packageFile(PACT_FILE);
  if (!existsSync(pactFile)) throw new UsageError(`lmcert pact verify: no pact file at ${pactFile} (run the consumer tests, or pass --pact)`);
  const standard = loadStandard(flags.standard);
  const certificate = await certifyHost({
    host: { name: flags.name ?? defaultHostName(flags.url), url: flags.url },
    standard,
    // Only the two checks this command is about: the rest of the catalogue is not "skipped", it is not this run.
    checks: checks.filter((c) => SELECTED.includes(c.id)),
    token: tokenFromEnv(flags.tokenEnv),
    tokenEnv: flags.tokenEnv ?? null,
    timeoutMs: flags.timeoutMs,
    // Every provider state may load a model: give each of them the standard's load timeout, plus the verification.
    checkTimeoutMs: standard.lifecycle.loadTimeoutSeconds * 1_000 * 4 + 60_000,
    allowMutations: true,
    lifecycleModel: flags.lifecycleModel ?? null,
    pactFile,
    chromium: BROWSER_DISABLED,
    reporters: [pactReporter(io)],
    toolOutput: (text) => io.stdout.write(text),
    signal: io.signal,
  });
  if (flags.out) io.stderr.write(`  certificate: ${writeCertificate(flags.out, certificate).path}\n`);
  const contract = certificate.checks.find((c) => c.id === "contract.pact-verified");
  const problem = harnessProblemExit([certificate], io);
  io.stderr.write(`${summary(contract, flags.url, io)}\n`);
  return problem ?? (contract?.status === "passed" ? 0 : 1);
}

/** The checklist lines for this command's checks; no verdict line (this run is not a certification). */
function pactReporter(io: CommandIo): Reporter {
  const checklist = new ConsoleReporter(io.stderr);
  return {
    onRunStart: (plan) => checklist.onRunStart(plan),
    onCheckEnd: (host, record) => checklist.onCheckEnd(host, record),
  };
}

/** The last line: whether the contract holds, in words a script's log and a person both read. */
function summary(contract: CheckRecord | undefined, url: string, io: CommandIo): string {
  const p = palette(io.stderr);
  if (contract?.status === "passed") return `  ${p.green("✔ PASSED")}: the router's contract holds on ${url}`;
  if (contract?.status === "failed") return `  ${p.red("✖ FAILED")}: the router's contract does not hold on ${url}`;
  return `  ${p.yellow(`? NOT VERIFIED (${contract?.status ?? "not run"})`)}: the contract could not be checked on ${url}`;
}
