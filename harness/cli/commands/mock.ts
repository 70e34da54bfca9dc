/** @module `lmcert mock`: runs a mock LM Studio preset so people can test their cluster code without a Mac. */
import { MockFlags } from "../../../contracts/cli.ts";
import { PRESETS, isPresetName } from "../../../fixtures/mock/presets.ts";
import type { MockConfig } from "../../../fixtures/mock/config.ts";
import { startMock } from "../../../fixtures/mock/server.ts";
import { UsageError } from "../../errors.ts";
import { parseCommandArgs, validateFlags } from "../args.ts";
import type { CommandIo } from "../io.ts";

export const MOCK_HELP = `Usage: lmcert mock [--preset <name>] [--port <n>] [--host <address>]

Run a mock LM Studio server until Ctrl-C.

Options:
  --preset <name>     ${Object.keys(PRESETS).join(" | ")} (default: compliant)
                      mac-studio-1: JIT off, /v1/models lists loaded models only
                      mac-studio-2: JIT on, /v1/models lists every downloaded model
  --port <n>          port to listen on (default 1234; 0 picks a free port)
  --lmstudio-version <v>  behave like this LM Studio version (0.3.5: /v1 only; 0.3.6+: /api/v0; 0.4+: /api/v1)
  --jit on|off        override the preset's Just-in-Time Model Loading
  --load-latency <duration>  how long each load takes: 1200 (ms), 1.2s
  --log-requests      print "METHOD /path" for every request received (to see what a client really sends)
  --host <address>    address to bind (default: the preset's, 0.0.0.0 for every preset, i.e. on the network
                      like "Serve on Local Network", as the built-in standard requires; 127.0.0.1 keeps the
                      mock on this machine)
  -h, --help          show this help`;

export async function mockCommand(argv: readonly string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseCommandArgs("mock", argv, {
    preset: { type: "string" },
    port: { type: "string" },
    host: { type: "string" },
    "lmstudio-version": { type: "string" },
    jit: { type: "string" },
    "load-latency": { type: "string" },
    "log-requests": { type: "boolean" },
  });
  if (positionals.length > 0) throw new UsageError(`lmcert mock: unexpected argument "${positionals[0]}"\n\n${MOCK_HELP}`);
  const flags = validateFlags("mock", MockFlags, {
    preset: values.preset,
    port: values.port,
    host: values.host,
    lmstudioVersion: values["lmstudio-version"],
    jit: values.jit,
    loadLatencyMs: values["load-latency"],
    logRequests: values["log-requests"] ?? false,
  });
  if (!isPresetName(flags.preset)) {
    throw new UsageError(`lmcert mock: --preset: unknown preset "${flags.preset}" (choose ${Object.keys(PRESETS).join(", ")})`);
  }
  const config: MockConfig = {
    ...PRESETS[flags.preset],
    ...(flags.lmstudioVersion ? { version: flags.lmstudioVersion } : {}),
    ...(flags.jit ? { jit: flags.jit === "on" } : {}),
    ...(flags.loadLatencyMs !== undefined ? { loadLatencyMs: flags.loadLatencyMs } : {}),
    ...(flags.logRequests ? { onRequest: (method: string, path: string) => void io.stdout.write(`${method} ${path}\n`) } : {}),
  };
  // The preset's own bind address unless told otherwise: every preset serves on the network (0.0.0.0), as the
  // built-in standard requires, so `--preset compliant` started as documented is compliant (issue 12 §3).
  const host = flags.host ?? config.bindHost ?? "127.0.0.1";
  let mock;
  try {
    mock = await startMock(config, { host, port: flags.port });
  } catch (cause) {
    throw new UsageError(`lmcert mock: cannot listen on ${host}:${flags.port}: ${(cause as Error).message}`, { cause });
  }
  io.stdout.write(
    `mock LM Studio ${config.version} (${flags.preset}, JIT ${config.jit ? "on" : "off"}) listening on http://${host.includes(":") ? `[${host}]` : host}:${mock.port}\n` +
      (host === "0.0.0.0" || host === "::" ? `serving on every interface, like "Serve on Local Network" (--host 127.0.0.1 keeps it on this machine)\n` : "") +
      `try: curl ${mock.url}/v1/models   ·   stop with Ctrl-C\n`,
  );
  await new Promise<void>((resolve) => {
    if (io.signal.aborted) resolve();
    io.signal.addEventListener("abort", () => resolve(), { once: true });
  });
  await mock.close();
  return 0;
}
