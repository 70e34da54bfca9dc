/** @module `lmcert pact verify <url>`: the router's consumer contract against a real or mock host. */
import { existsSync } from "node:fs";
import { CertifyFlags } from "../../../contracts/cli.ts";
import { PACT_FILE } from "../../../contracts/pact-states.ts";
import { checks } from "../../../suites/index.ts";
import { BROWSER_DISABLED } from "../../browser/find-chromium.ts";
import { writeCertificate } from "../../certificate.ts";
import { certifyHost, defaultHostName } from "../../certify-host.ts";
import { UsageError } from "../../errors.ts";
import { ConsoleReporter } from "../../reporters/console.ts";
import { loadStandard } from "../../standard-file.ts";
import { parseCommandArgs, validateFlags } from "../args.ts";
import type { CommandIo } from "../io.ts";
import { harnessProblemExit } from "../harness-exit.ts";

export const PACT_HELP = `Usage: lmcert pact verify <url> --allow-mutations [--pact <file>] [--out <dir>] [--name <name>]

Verify the cluster router's consumer contract (default: ${PACT_FILE}, written by the consumer tests) against
a host with the Pact Verifier. Each interaction runs in its provider state ("model is loaded", "model is
downloaded but not loaded", "only this model is loaded"): lmcert really loads and unloads models to get there,
so --allow-mutations is required, and the host's loaded models are restored afterwards.
The result is the certificate check contract.pact-verified.

Exit codes: 0 the contract holds, 1 it does not (or could not be checked), 2 usage error or failed restore.`;

export async function pactCommand(argv: readonly string[], io: CommandIo): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub !== "verify") throw new UsageError(`lmcert pact: expected the subcommand "verify"\n\n${PACT_HELP}`);
  const { values, positionals } = parseCommandArgs("pact verify", rest, {
    pact: { type: "string" },
    "allow-mutations": { type: "boolean" },
    out: { type: "string" },
    name: { type: "string" },
    standard: { type: "string" },
  });
  if (positionals.length !== 1) throw new UsageError(`lmcert pact verify: expected exactly one <url>\n\n${PACT_HELP}`);
  const flags = validateFlags("pact verify", CertifyFlags, {
    url: positionals[0],
    out: values.out,
    name: values.name,
    standard: values.standard,
    allowMutations: values["allow-mutations"] ?? false,
  });
  const pactFile = values.pact ?? PACT_FILE;
  if (!existsSync(pactFile)) throw new UsageError(`lmcert pact verify: no pact file at ${pactFile} (run the consumer tests, or pass --pact)`);
  const certificate = await certifyHost({
    host: { name: flags.name ?? defaultHostName(flags.url), url: flags.url },
    standard: loadStandard(flags.standard),
    checks,
    only: ["health.greeting", "contract.pact-verified"],
    allowMutations: flags.allowMutations,
    pactFile,
    chromium: BROWSER_DISABLED,
    reporters: [new ConsoleReporter(io.stderr)],
    signal: io.signal,
  });
  if (flags.out) io.stderr.write(`  certificate: ${writeCertificate(flags.out, certificate).path}\n`);
  return harnessProblemExit([certificate], io) ?? (certificate.checks.find((c) => c.id === "contract.pact-verified")?.status === "passed" ? 0 : 1);
}
