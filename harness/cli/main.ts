/** @module The CLI entry: dispatches commands, maps errors to exit codes (0 ok, 1 not certified, 2 usage/harness). */
import { LmcertError, UsageError, describeError } from "../errors.ts";
import { HARNESS_VERSION } from "../version.ts";
import { CERTIFY_HELP, certifyCommand } from "./commands/certify.ts";
import { CHECKS_HELP, checksCommand } from "./commands/checks.ts";
import { DEMO_HELP, demoCommand } from "./commands/demo.ts";
import { MOCK_HELP, mockCommand } from "./commands/mock.ts";
import { RESTORE_HELP, restoreCommand } from "./commands/restore.ts";
import { FLEET_HELP, fleetCommand } from "./commands/fleet.ts";
import { DIFF_HELP, diffCommand } from "./commands/diff.ts";
import { PACT_HELP, pactCommand } from "./commands/pact.ts";
import { KEYGEN_HELP, keygenCommand } from "./commands/keygen.ts";
import { VERIFY_HELP, verifyCommand } from "./commands/verify.ts";
import type { CommandIo } from "./io.ts";

export const MAIN_HELP = `lmcert ${HARNESS_VERSION}: certify LM Studio servers against your team's standard

Usage: lmcert <command> [options]

Commands:
  certify <url>   certify one host and write its certificate
  fleet <inv>     certify every host in an inventory; roll-up, JUnit, Markdown, HTML, Prometheus
  verify <cert>   check a certificate's digest, signature and expiry
  diff <a> <b>    after an upgrade: what changed between two certificates or fleet summaries
  pact verify <url>  verify the cluster router's Pact contract against a host (--allow-mutations)
  keygen          make an ed25519 key pair for --sign-key
  checks          list every check (id, required, mutates, MUST)
  demo            mock Mac Studio 1 + 2, certify both, explain the difference (what \`npm start\` runs)
  mock            run a mock LM Studio (--preset mac-studio-1 | mac-studio-2 | compliant)
  restore <file>  put a host back from a restore journal after a killed --allow-mutations run

Run \`lmcert <command> --help\` for a command's options.
Exit codes: 0 certified / ok, 1 not certified, 2 usage or harness error.`;

interface Command {
  readonly run: (argv: readonly string[], io: CommandIo) => Promise<number>;
  readonly help: string;
}

const COMMANDS: Record<string, Command> = {
  certify: { run: certifyCommand, help: CERTIFY_HELP },
  checks: { run: checksCommand, help: CHECKS_HELP },
  demo: { run: demoCommand, help: DEMO_HELP },
  mock: { run: mockCommand, help: MOCK_HELP },
  restore: { run: restoreCommand, help: RESTORE_HELP },
  fleet: { run: fleetCommand, help: FLEET_HELP },
  keygen: { run: keygenCommand, help: KEYGEN_HELP },
  verify: { run: verifyCommand, help: VERIFY_HELP },
  diff: { run: diffCommand, help: DIFF_HELP },
  pact: { run: pactCommand, help: PACT_HELP },
};

export async function main(argv: readonly string[], ioOverride?: Partial<CommandIo>): Promise<number> {
  const controller = new AbortController();
  const onSignal = () => controller.abort(new Error("interrupted"));
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  const io: CommandIo = { stdout: process.stdout, stderr: process.stderr, signal: controller.signal, ...ioOverride };
  const [command, ...rest] = argv;
  try {
    if (command === undefined || command === "help" || command === "--help" || command === "-h") {
      io.stdout.write(`${MAIN_HELP}\n`);
      return command === undefined ? 2 : 0;
    }
    if (command === "--version" || command === "-v") {
      io.stdout.write(`${HARNESS_VERSION}\n`);
      return 0;
    }
    const entry = COMMANDS[command];
    if (!entry) throw new UsageError(`lmcert: unknown command "${command}"\n\n${MAIN_HELP}`);
    if (rest.includes("--help") || rest.includes("-h")) {
      io.stdout.write(`${entry.help}\n`);
      return 0;
    }
    return await entry.run(rest, io);
  } catch (error) {
    const prefix = error instanceof LmcertError ? "" : "lmcert: internal error: ";
    io.stderr.write(`${prefix}${describeError(error)}\n`);
    return 2;
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}
