/**
 * @module `npm run bench`: how much a full certification costs compared with the bare minimum, in one run.
 * Baseline: the four GETs any client needs (greeting + three surfaces) with undici, no validation.
 * Each case runs a bounded number of times against a loopback mock; ratios, not absolute times, are the result.
 */
import { request } from "undici";
import { preset } from "../fixtures/mock/presets.ts";
import { startMock } from "../fixtures/mock/server.ts";
import { certifyHost } from "../harness/certify-host.ts";
import { readModelState } from "../harness/model-state/read-model-state.ts";
import { DEFAULT_STANDARD } from "../harness/standard-file.ts";
import { checks } from "../suites/index.ts";

const ROUNDS = 60;
const PATHS = ["/lmstudio-greeting", "/v1/models", "/api/v0/models", "/api/v1/models"];

async function time(label: string, fn: () => Promise<unknown>): Promise<{ label: string; medianMs: number }> {
  for (let i = 0; i < 5; i++) await fn(); // warm-up: JIT, connection pools, schema compilation
  const samples: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const started = performance.now();
    await fn();
    samples.push(performance.now() - started);
  }
  samples.sort((a, b) => a - b);
  return { label, medianMs: samples[Math.floor(samples.length / 2)] ?? 0 };
}

const mock = await startMock(preset("mac-studio-2"));
try {
  const baseline = await time("baseline: 4 raw GETs", () =>
    Promise.all(PATHS.map(async (p) => (await request(`${mock.url}${p}`)).body.text())),
  );
  const cases = [
    await time("readModelState()", () => readModelState(mock.url)),
    await time("certify (all checks)", () =>
      certifyHost({ host: { name: "bench", url: mock.url }, standard: DEFAULT_STANDARD, checks }),
    ),
  ];
  console.log(`rounds per case: ${ROUNDS} (median)`);
  console.log(`${baseline.label.padEnd(28)} ${baseline.medianMs.toFixed(2).padStart(8)} ms   1.00x`);
  for (const c of cases) {
    console.log(`${c.label.padEnd(28)} ${c.medianMs.toFixed(2).padStart(8)} ms   ${(c.medianMs / baseline.medianMs).toFixed(2)}x`);
  }
} finally {
  await mock.close();
}
