/** @module `lmcert mock`: runs a mock LM Studio preset so people can test their cluster code without a Mac. */
import { MockFlags } from "../../../contracts/cli.ts";
import { PRESETS, isPresetName } from "../../../fixtures/mock/presets.ts";
import type { MockConfig } from "../../../fixtures/mock/config.ts";
import { startMock } from "../../../fixtures/mock/server.ts";
import { supportsAuth } from "../../../fixtures/mock/version.ts";
import { startReplay } from "../../../fixtures/replay/replay-server.ts";
import { loadHarFile } from "../../record/load-har.ts";
import { UsageError } from "../../errors.ts";
import { parseCommandArgs, validateFlags } from "../args.ts";
import type { CommandIo } from "../io.ts";

export const MOCK_HELP = `Usage: lmcert mock [--preset <name>] [--port <n>] [--host <address>]
       lmcert mock --replay <host.har> [--port <n>] [--host <address>]

Run a mock LM Studio server until Ctrl-C.

Options:
  --preset <name>     ${Object.keys(PRESETS).join(" | ")} (default: compliant)
                      mac-studio-1: JIT off, /v1/models lists loaded models only
                      mac-studio-2: JIT on, /v1/models lists every downloaded model
                      (both on LM Studio 0.4.6, as the cluster's Mac Studios were found)
                      compliant: what the built-in standard asks for, on LM Studio 0.4.18
  --port <n>          port to listen on (default 1234; 0 picks a free port)
  --lmstudio-version <v>  behave like this LM Studio version. Profiles from public reports:
                      0.3.5  /v1/models only (plus the SDK websocket)
                      0.3.20 adds /api/v0/models and GET /v1/models/{id}
                      0.4.2  adds /api/v1/models; with a token, answers requests without it
                             HTTP 200 "Unexpected endpoint or method"
                      0.4.18 401 invalid_api_key without the token; /api/v1/models items carry
                             description, variants, selected_variant (0.4.6+)
                      The SDK's system.version states the version.
  --auth-token-env <VAR>  turn on "Require Authentication" with the token in $VAR (LM Studio 0.4.0 and
                      later only: with an older --lmstudio-version it is a usage error)
                      (sk-lm-<8>:<20>, as LM Studio makes them)
  --cors-origin star|echo  with CORS on, answer Access-Control-Allow-Origin: * (default) or echo the
                      request's Origin
  --jit on|off        override the preset's Just-in-Time Model Loading
  --load-latency <duration>  how long each load takes: 1200 (ms), 1.2s
  --log-requests      print "METHOD /path" for every request received (to see what a client really sends)
  --replay <file>     serve a recording made by \`lmcert record\` instead of a preset: the recorded status,
                      headers and body for the same method, path and query; LM Studio's unknown-endpoint
                      answer for anything else. Any bearer token counts as the recorded (redacted) one.
                      Every request gets the recorded host's answers, on whichever interface it arrives (the
                      recording's probes of other addresses are not served); pass --host 0.0.0.0 to replay a
                      host that served on the network, as the bind checks expect.
  --host <address>    address to bind (default: the preset's, 0.0.0.0 for every preset, i.e. on the network
                      like "Serve on Local Network", as the built-in standard requires; 127.0.0.1 keeps the
                      mock on this machine; with --replay: 127.0.0.1)
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
    "cors-origin": { type: "string" },
    "auth-token-env": { type: "string" },
    replay: { type: "string" },
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
    corsOrigin: values["cors-origin"],
    authTokenEnv: values["auth-token-env"],
    replay: values.replay,
  });
  if (flags.replay) return replayCommand(flags.replay, values.preset !== undefined || values.jit !== undefined || values["lmstudio-version"] !== undefined || values["load-latency"] !== undefined || values["cors-origin"] !== undefined || values["auth-token-env"] !== undefined, flags, io);
  if (!isPresetName(flags.preset)) {
    throw new UsageError(`lmcert mock: --preset: unknown preset "${flags.preset}" (choose ${Object.keys(PRESETS).join(", ")})`);
  }
  const authToken = flags.authTokenEnv ? process.env[flags.authTokenEnv] : undefined;
  if (flags.authTokenEnv && !authToken) throw new UsageError(`lmcert mock: --auth-token-env: the environment variable ${flags.authTokenEnv} is not set`);
  const version = flags.lmstudioVersion ?? PRESETS[flags.preset].version;
  // A mock that printed "Require Authentication on" and let every request in would lie: before 0.4 there is none.
  if (flags.authTokenEnv && !supportsAuth(version)) {
    throw new UsageError(`lmcert mock: --auth-token-env: LM Studio ${version} has no Require Authentication (API tokens arrived in 0.4.0); use --lmstudio-version 0.4.2 or later, or drop --auth-token-env`);
  }
  const config: MockConfig = {
    ...PRESETS[flags.preset],
    ...(authToken ? { authToken } : {}),
    ...(flags.corsOrigin ? { corsStyle: flags.corsOrigin === "echo" ? "echo-origin" : "wildcard" } : {}),
    ...(flags.lmstudioVersion ? { version: flags.lmstudioVersion } : {}),
    ...(flags.jit ? { jit: flags.jit === "on" } : {}),
    ...(flags.loadLatencyMs !== undefined ? { loadLatencyMs: flags.loadLatencyMs } : {}),
    ...(flags.logRequests ? { onRequest: (method: string, path: string) => void io.stdout.write(`${method} ${path}\n`) } : {}),
  };
  // The preset's own bind address unless told otherwise: every preset serves on the network (0.0.0.0), as the
  // built-in standard requires, so `--preset compliant` started as documented is compliant (issue 12 §3).
  const host = flags.host ?? config.bindHost ?? "127.0.0.1";
  const mock = await listening(host, flags.port, () => startMock(config, { host, port: flags.port }));
  io.stdout.write(
    `mock LM Studio ${config.version} (${flags.preset}, JIT ${config.jit ? "on" : "off"}${authToken ? ", Require Authentication on" : ""}) listening on ${listeningUrl(host, mock.port)}\n` +
      everyInterfaceNote(host) +
      `try: curl ${mock.url}/v1/models   ·   stop with Ctrl-C\n`,
  );
  await untilAborted(io.signal);
  await mock.close();
  return 0;
}

/** `--replay host.har`: a recorded host instead of a preset. The knobs that shape a preset do not apply. */
async function replayCommand(file: string, presetKnobs: boolean, flags: MockFlags, io: CommandIo): Promise<number> {
  if (presetKnobs) throw new UsageError("lmcert mock: --replay serves the recording as it is; --preset, --jit, --lmstudio-version, --load-latency, --cors-origin and --auth-token-env do not apply");
  const har = loadHarFile(file);
  const host = flags.host ?? "127.0.0.1";
  const replay = await listening(host, flags.port, () => startReplay(har, { host, port: flags.port }));
  // The address it really listens on (0.0.0.0 is every interface, not 127.0.0.1), then a URL that reaches it.
  io.stdout.write(
    `replaying ${file} (${har.log.entries.length} recorded exchanges) on ${listeningUrl(host, replay.port)}\n` +
      everyInterfaceNote(host) +
      `try: curl ${replay.url}/v1/models   ·   stop with Ctrl-C\n`,
  );
  await untilAborted(io.signal);
  await replay.close();
  if (replay.unmatched.length > 0) {
    const distinct = [...new Set(replay.unmatched)];
    io.stderr.write(`not in the recording (answered as an unknown endpoint): ${distinct.slice(0, 10).join(", ")}${distinct.length > 10 ? ", …" : ""}\n`);
  }
  return 0;
}

/** Starts a server; an address or port it cannot take is the user's input, said as such. */
async function listening<T>(host: string, port: number, start: () => Promise<T>): Promise<T> {
  try {
    return await start();
  } catch (cause) {
    throw new UsageError(`lmcert mock: cannot listen on ${host}:${port}: ${(cause as Error).message}`, { cause });
  }
}

function listeningUrl(host: string, port: number): string {
  return `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
}

function everyInterfaceNote(host: string): string {
  return host === "0.0.0.0" || host === "::" ? `serving on every interface, like "Serve on Local Network" (--host 127.0.0.1 keeps it on this machine)\n` : "";
}

function untilAborted(signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    if (signal.aborted) resolve();
    signal.addEventListener("abort", () => resolve(), { once: true });
  });
}
