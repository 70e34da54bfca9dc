/** @module `lmcert verify <cert>`: digest, signature, expiry and (with --strict) completeness. */
import { VerifyFlags } from "../../../contracts/cli.ts";
import { UsageError } from "../../errors.ts";
import { verifyCertificate } from "../../signing.ts";
import { parseCommandArgs, validateFlags } from "../args.ts";
import { readUserFile, readUserJson } from "../read-text-file.ts";
import type { CommandIo } from "../io.ts";

export const VERIFY_HELP = `Usage: lmcert verify <certificate.json> [--key <public.pub>] [--strict] [--json]

Check a certificate: its sha256 digest against its content, its ed25519 signature (with --key), and its
validUntil date. --strict also rejects a certificate that skipped a required check.
Says exactly what does not match. Exit codes: 0 valid, 1 invalid (edited, wrong key, expired, strict), 2 usage.`;

export async function verifyCommand(argv: readonly string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseCommandArgs("verify", argv, { key: { type: "string" }, strict: { type: "boolean" }, json: { type: "boolean" } });
  if (positionals.length !== 1) throw new UsageError(`lmcert verify: expected exactly one <certificate.json>\n\n${VERIFY_HELP}`);
  const flags = validateFlags("verify", VerifyFlags, { certificate: positionals[0], key: values.key, strict: values.strict ?? false, json: values.json ?? false });
  const raw = readUserJson(flags.certificate, "certificate");
  const publicPem = flags.key ? readUserFile(flags.key, "public key") : undefined;
  let result;
  try {
    result = verifyCertificate(raw, { ...(publicPem ? { publicPem } : {}), strict: flags.strict });
  } catch (cause) {
    throw new UsageError(`lmcert verify: ${flags.key} is not a usable public key: ${(cause as Error).message}`, { cause });
  }
  if (flags.json) io.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  const out = flags.json ? io.stderr : io.stdout;
  out.write(result.valid ? `VALID: ${flags.certificate}\n` : `INVALID: ${flags.certificate}\n`);
  for (const problem of result.problems) out.write(`  ✖ ${problem}\n`);
  for (const note of result.notes) out.write(`  · ${note}\n`);
  return result.valid ? 0 : 1;
}
