/** @module `lmcert verify <cert>`: digest, signature, expiry, the verdict, and (with --strict) that it certifies. */
import { VerifyFlags } from "../../../contracts/cli.ts";
import { Certificate } from "../../../contracts/certificate.ts";
import { UsageError } from "../../errors.ts";
import { verdictFor, verdictReason } from "../../severity.ts";
import { parseCertificateText, verifyCertificate, type VerifyResult } from "../../signing.ts";
import { terminalSafe } from "../../reporters/terminal-text.ts";
import { parseCommandArgs, validateFlags } from "../args.ts";
import { readUserFile } from "../../read-user-file.ts";
import type { CommandIo } from "../io.ts";

export const VERIFY_HELP = `Usage: lmcert verify <certificate.json> [--key <public.pub>] [--strict] [--json]

Check a certificate: its sha256 digest against its content, its ed25519 signature (with --key), its validUntil
date, and that its verdict follows from its checks. The first line says the verdict, e.g.
  VALID · not-certified · 2 required checks failed
VALID means the certificate is genuine, not that the host is certified. --strict also rejects a certificate that
does not certify its host (not-certified, incomplete, a skipped required check, an interrupted run).
Says exactly what does not match.
Exit codes: 0 valid, 1 invalid (edited, truncated, wrong key, expired, strict), 2 usage (no such file, bad key).`;

interface VerifyReport extends VerifyResult {
  readonly verdict: string | null;
  readonly verdictReason: string | null;
}

export async function verifyCommand(argv: readonly string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseCommandArgs("verify", argv, { key: { type: "string" }, strict: { type: "boolean" }, json: { type: "boolean" } });
  if (positionals.length !== 1) throw new UsageError(`lmcert verify: expected exactly one <certificate.json>\n\n${VERIFY_HELP}`);
  const flags = validateFlags("verify", VerifyFlags, { certificate: positionals[0], key: values.key, strict: values.strict ?? false, json: values.json ?? false });
  const text = readUserFile(flags.certificate, "certificate");
  const publicPem = flags.key ? readUserFile(flags.key, "public key") : undefined;
  const result = verifyText(text, publicPem, flags.strict, flags.key);
  if (flags.json) io.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  const out = flags.json ? io.stderr : io.stdout;
  const verdict = result.verdict ? ` · ${result.verdict}${result.verdictReason ? ` · ${result.verdictReason}` : ""}` : "";
  out.write(`${result.valid ? "VALID" : "INVALID"}${verdict}: ${flags.certificate}\n`);
  for (const problem of result.problems) out.write(`  ✖ ${terminalSafe(problem)}\n`);
  for (const note of result.notes) out.write(`  · ${terminalSafe(note)}\n`);
  return result.valid ? 0 : 1;
}

/** A file that is there but is not a whole certificate (truncated, not JSON) is invalid (1), not a usage error. */
function verifyText(text: string, publicPem: string | undefined, strict: boolean, keyPath: string | undefined): VerifyReport {
  const read = parseCertificateText(text);
  if ("problems" in read) return { valid: false, problems: read.problems, notes: [], verdict: null, verdictReason: null };
  const { raw } = read;
  let result: VerifyResult;
  try {
    result = verifyCertificate(raw, { ...(publicPem ? { publicPem } : {}), strict });
  } catch (cause) {
    throw new UsageError(`lmcert verify: ${keyPath} is not a usable public key: ${(cause as Error).message}`, { cause });
  }
  const parsed = Certificate.safeParse(raw);
  if (!parsed.success) return { ...result, verdict: null, verdictReason: null };
  const cert = parsed.data;
  const problems = [...result.problems];
  const notes = [...result.notes];
  // The verdict must follow from the checks (the digest only proves nobody edited it since it was written).
  const recomputed = verdictFor(cert.checks);
  if (recomputed !== cert.verdict) problems.push(`the verdict says ${cert.verdict}, but its checks make it ${recomputed}`);
  if (cert.interrupted) notes.push(`the run was interrupted at ${cert.interrupted.at}: its results are partial`);
  const carried = cert.checks.filter((c) => c.carriedOver);
  if (carried.length > 0) notes.push(`${carried.length} passes carried over from an earlier run (--rerun-failed), the oldest from ${carried.map((c) => c.carriedOver?.at ?? "").sort()[0]}`);
  if (strict) {
    if (cert.verdict !== "certified") problems.push(`strict: the certificate does not certify ${cert.host.name}: it is ${cert.verdict} (${verdictReason(cert.checks)})`);
    if (cert.interrupted) problems.push("strict: the run was interrupted");
  }
  return { valid: problems.length === 0, problems, notes, verdict: cert.verdict, verdictReason: verdictReason(cert.checks) };
}
