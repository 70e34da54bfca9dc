/** @module `lmcert keygen`: an ed25519 key pair for signing certificates. */
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { KeygenFlags } from "../../../contracts/cli.ts";
import { UsageError } from "../../errors.ts";
import { generateKeyPair } from "../../signing.ts";
import { parseCommandArgs, validateFlags } from "../args.ts";
import type { CommandIo } from "../io.ts";

export const KEYGEN_HELP = `Usage: lmcert keygen [--out-dir <dir>] [--name <name>] [--force]

Make an ed25519 key pair (node:crypto): <name>.key (private, PKCS#8 PEM, mode 0600) and <name>.pub (public,
SPKI PEM). Sign with \`lmcert certify|fleet --sign-key <name>.key\`; check with \`lmcert verify <cert> --key <name>.pub\`.
Refuses to overwrite existing files unless --force. Default name: lmcert-signing.`;

export async function keygenCommand(argv: readonly string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseCommandArgs("keygen", argv, { "out-dir": { type: "string" }, name: { type: "string" }, force: { type: "boolean" } });
  if (positionals.length > 0) throw new UsageError(`lmcert keygen: unexpected argument "${positionals[0]}"`);
  const flags = validateFlags("keygen", KeygenFlags, { outDir: values["out-dir"], name: values.name, force: values.force ?? false });
  const keyPath = join(flags.outDir, `${flags.name}.key`);
  const pubPath = join(flags.outDir, `${flags.name}.pub`);
  for (const path of [keyPath, pubPath]) {
    if (existsSync(path) && !flags.force) throw new UsageError(`lmcert keygen: ${path} exists (use --force to replace it)`);
  }
  const pair = generateKeyPair();
  // Like `init --dir`: a folder that does not exist yet is made, rather than failing with a raw ENOENT.
  mkdirSync(flags.outDir, { recursive: true });
  writeFileSync(keyPath, pair.privatePem, { mode: 0o600 });
  writeFileSync(pubPath, pair.publicPem, { mode: 0o644 });
  io.stdout.write(`key id ${pair.keyId}\nprivate key: ${keyPath} (keep it secret)\npublic key:  ${pubPath}\n`);
  return 0;
}
