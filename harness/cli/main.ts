/** @module The CLI entry: dispatches commands, maps errors to exit codes (0 ok, 1 not certified, 2 usage/harness). */
import { LmcertError, UsageError, describeError } from "../errors.ts";
import { HARNESS_VERSION } from "../version.ts";
import { didYouMean } from "./did-you-mean.ts";
import type { CommandIo } from "./io.ts";
import { handleInterrupts } from "./interrupts.ts";

export const MAIN_HELP = `lmcert ${HARNESS_VERSION}: certify LM Studio servers against your team's standard

Usage: lmcert <command> [options]

Commands:
  certify <url>   certify one host and write its certificate
  fleet <inv>     certify every host in an inventory; roll-up, JUnit, Markdown, HTML, Prometheus
  verify <cert>   check a certificate's digest, signature and expiry
  diff <a> <b>    after an upgrade: what changed between two certificates or fleet summaries
  pact verify <url>  verify the cluster router's Pact contract against a host (--allow-mutations)
  init            write a commented standard.yaml and inventory.yaml to start from
  keygen          make an ed25519 key pair for --sign-key
  checks          list every check (id, required, mutates, MUST)
  demo            mock Mac Studio 1 + 2, certify both, explain the difference (what \`npm start\` runs)
  mock            run a mock LM Studio (--preset mac-studio-1 | mac-studio-2 | compliant, or --replay host.har)
  record <url>    run the read-only checks and save every exchange as a HAR file for a bug report
  restore <file>  put a host back from a restore journal after a killed --allow-mutations run

Run \`lmcert <command> --help\` for a command's options.
Exit codes: 0 certified / ok, 1 not certified, 2 usage or harness error.`;

interface Command {
  readonly run: (argv: readonly string[], io: CommandIo) => Promise<number>;
  readonly help: string;
}

// Commands load on first use: a cold `lmcert certify` then never parses the mock server, the reporters, Pact or
// the signing code, which is most of a cold start's module work.
const COMMANDS: Record<string, () => Promise<Command>> = {
  certify: async () => { const m = await import("./commands/certify.ts"); return { run: m.certifyCommand, help: m.CERTIFY_HELP }; },
  init: async () => { const m = await import("./commands/init.ts"); return { run: m.initCommand, help: m.INIT_HELP }; },
  checks: async () => { const m = await import("./commands/checks.ts"); return { run: m.checksCommand, help: m.CHECKS_HELP }; },
  demo: async () => { const m = await import("./commands/demo.ts"); return { run: m.demoCommand, help: m.DEMO_HELP }; },
  mock: async () => { const m = await import("./commands/mock.ts"); return { run: m.mockCommand, help: m.MOCK_HELP }; },
  restore: async () => { const m = await import("./commands/restore.ts"); return { run: m.restoreCommand, help: m.RESTORE_HELP }; },
  fleet: async () => { const m = await import("./commands/fleet.ts"); return { run: m.fleetCommand, help: m.FLEET_HELP }; },
  keygen: async () => { const m = await import("./commands/keygen.ts"); return { run: m.keygenCommand, help: m.KEYGEN_HELP }; },
  verify: async () => { const m = await import("./commands/verify.ts"); return { run: m.verifyCommand, help: m.VERIFY_HELP }; },
  diff: async () => { const m = await import("./commands/diff.ts"); return { run: m.diffCommand, help: m.DIFF_HELP }; },
  pact: async () => { const m = await import("./commands/pact.ts"); return { run: m.pactCommand, help: m.PACT_HELP }; },
  record: async () => { const m = await import("./commands/record.ts"); return { run: m.recordCommand, help: m.RECORD_HELP }; },
};

/**
 * `lmcert checks | head` closes the pipe early. Writes after that fail with EPIPE, which would otherwise crash
 * the process with a stack trace. The output nobody reads is dropped; the command finishes and exits with its own
 * code (it may still be restoring a host).
 */
function ignoreClosedPipes(): void {
  for (const stream of [process.stdout, process.stderr]) {
    if (stream.listenerCount("error") > 0) continue;
    stream.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code !== "EPIPE") throw error;
    });
  }
}

/**
 * Where a fleet worker thread starts (bin/fleet-thread.js): the threads run this same bundle. Loaded on first use,
 * like the commands, so that no other command pays for it.
 */
export async function fleetThreadMain(): Promise<void> {
  const thread = await import("./fleet-thread.ts");
  await thread.fleetThreadMain();
}

export async function main(argv: readonly string[], ioOverride?: Partial<CommandIo>): Promise<number> {
  if (!ioOverride?.stdout) ignoreClosedPipes();
  const controller = new AbortController();
  const stopHandling = handleInterrupts({ controller, stderr: process.stderr });
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
    const load = Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined;
    if (!load) {
      const hint = command.startsWith("-") ? "" : didYouMean(command, [...Object.keys(COMMANDS), "help"]);
      throw new UsageError(`lmcert: unknown command "${command}".${hint}\n\n${MAIN_HELP}`);
    }
    if (rest.includes("--help") || rest.includes("-h")) {
      io.stdout.write(`${(await load()).help}\n`);
      return 0;
    }
    return await (await load()).run(rest, io);
  } catch (error) {
    const prefix = error instanceof LmcertError ? "" : "lmcert: internal error: ";
    io.stderr.write(`${prefix}${describeError(error)}\n`);
    return 2;
  } finally {
    stopHandling();
  }
}
