/**
 * @module Writes fixtures/recordings/: each mock host below recorded with `lmcert record`, and beside it what
 * certifying that host gave (`<name>.expected.json`). test/record-replay.test.ts certifies every recording and
 * compares. Run after a change that should change a verdict: `npx tsx test/helpers/write-recordings.ts`.
 * A recording from a real host is added the same way: its HAR, and an expected file written by hand.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Standard } from "../../contracts/standard.ts";
import type { MockConfig } from "../../fixtures/mock/config.ts";
import { preset, type PresetName } from "../../fixtures/mock/presets.ts";
import { startMock } from "../../fixtures/mock/server.ts";
import { certifyOutcome, recordWithCli, standardFor } from "./recordings.ts";

interface RecordingSpec {
  readonly name: string;
  readonly description: string;
  readonly preset: PresetName;
  readonly overrides?: Partial<MockConfig>;
  readonly standard?: Partial<Pick<Standard, "auth" | "listing">>;
}

const TOKEN = "sk-lm-Fixture0:NotARealTokenForTest";

export const RECORDINGS: readonly RecordingSpec[] = [
  { name: "mac-studio-1", description: "mock preset mac-studio-1: LM Studio 0.4.6, JIT off (lists loaded models only)", preset: "mac-studio-1" },
  { name: "mac-studio-2", description: "mock preset mac-studio-2: LM Studio 0.4.6, JIT on (lists every downloaded model)", preset: "mac-studio-2" },
  { name: "compliant", description: "mock preset compliant: what the built-in standard asks for", preset: "compliant" },
  {
    name: "compliant-auth-token",
    description: "mock preset compliant with Require Authentication on, recorded with --token-env (the token is redacted)",
    preset: "compliant",
    overrides: { authToken: TOKEN },
    standard: { auth: "token" },
  },
  {
    name: "lmstudio-0.3.20-jit-off",
    description: "mock preset mac-studio-1 as LM Studio 0.3.20: /api/v0 and the SDK websocket, no /api/v1",
    preset: "mac-studio-1",
    overrides: { version: "0.3.20" },
  },
  {
    name: "lmstudio-0.3.20-jit-on",
    description: "mock preset mac-studio-2 as LM Studio 0.3.20: JIT on, /api/v0 and the SDK websocket",
    preset: "mac-studio-2",
    overrides: { version: "0.3.20" },
  },
  {
    name: "lmstudio-0.3.5",
    description: "mock preset mac-studio-1 as LM Studio 0.3.5: /v1/models and the SDK websocket only",
    preset: "mac-studio-1",
    overrides: { version: "0.3.5" },
  },
  {
    name: "lmstudio-0.4.2-auth-token",
    description: "mock preset compliant as LM Studio 0.4.2 with Require Authentication on: a request without the token gets HTTP 200 \"Unexpected endpoint or method\" (early 0.4), recorded with --token-env",
    preset: "compliant",
    overrides: { version: "0.4.2", authToken: TOKEN },
    standard: { auth: "token" },
  },
  {
    name: "lmstudio-0.4.18",
    description: "mock preset compliant as LM Studio 0.4.18",
    preset: "compliant",
    overrides: { version: "0.4.18" },
  },
  {
    name: "mac-studio-1-cors-off",
    description: "mock preset mac-studio-1 with Enable CORS off: preflights get LM Studio's unknown-endpoint answer",
    preset: "mac-studio-1",
    overrides: { cors: false },
  },
];

async function writeRecording(spec: RecordingSpec, dir: string): Promise<void> {
  const mock = await startMock(preset(spec.preset, spec.overrides ?? {}));
  try {
    const standard = standardFor(mock.url, spec.standard ?? {});
    const token = spec.overrides?.authToken;
    const expected = await certifyOutcome(mock.url, standard, token);
    if (token) process.env["LMCERT_FIXTURE_TOKEN"] = token;
    const recorded = await recordWithCli(mock.url, join(dir, `${spec.name}.har`), standard, token ? ["--token-env", "LMCERT_FIXTURE_TOKEN"] : []);
    if (recorded.code !== 0) throw new Error(`lmcert record failed for ${spec.name}:\n${recorded.stderr}`);
    const file = { recordedFrom: spec.description, standard: spec.standard ?? {}, ...expected };
    writeFileSync(join(dir, `${spec.name}.expected.json`), `${JSON.stringify(file, null, 2)}\n`);
    console.log(`${spec.name}: ${expected.verdict}, listing ${expected.listing}`);
  } finally {
    await mock.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const dir = join(import.meta.dirname, "..", "..", "fixtures", "recordings");
  mkdirSync(dir, { recursive: true });
  for (const spec of RECORDINGS) await writeRecording(spec, dir);
}
