/**
 * @module `npm run bench`: how much a full certification costs compared with the bare minimum, in one run.
 * Baseline: the four GETs any client needs (greeting + three surfaces) with node:http, no validation.
 * Each case runs a bounded number of times against a loopback mock; ratios, not absolute times, are the result.
 * `npm run bench -- cold fleet` runs only the sections named (in-process, cold, fleet); no name runs all.
 */
import { Agent, get } from "node:http";
import { availableParallelism, loadavg } from "node:os";
import { preset } from "../fixtures/mock/presets.ts";
import { startMock } from "../fixtures/mock/server.ts";
import { certifyHost } from "../harness/certify-host.ts";
import { readModelState } from "../harness/model-state/read-model-state.ts";
import { DEFAULT_STANDARD } from "../harness/standard-file.ts";
import { checks } from "../suites/index.ts";
import { coldCertifyBench } from "./cold-certify.ts";
import { measure, printTable } from "./stats.ts";
import { fleetScaleBench } from "./fleet-scale.ts";

const ROUNDS = 60;
const chosen = process.argv.slice(2);
const wants = (section: "in-process" | "cold" | "fleet") => chosen.length === 0 || chosen.includes(section);
console.log(`load before the run (uptime): ${loadavg().map((l) => l.toFixed(2)).join(", ")} on ${availableParallelism()} cores`);

if (wants("in-process")) await inProcessBench();
if (wants("cold")) await coldCertifyBench();
if (wants("fleet")) await fleetScaleBench();

async function inProcessBench(): Promise<void> {
  console.log("0. in-process costs (ratios against four raw GETs)");
  const PATHS = ["/lmstudio-greeting", "/v1/models", "/api/v0/models", "/api/v1/models"];

  /** One raw GET on a kept-alive connection, body read and discarded: what any client pays at least. */
  const rawAgent = new Agent({ keepAlive: true });
  function rawGet(url: string): Promise<void> {
    return new Promise((resolve, reject) => {
      get(url, { agent: rawAgent }, (res) => {
        res.resume();
        res.on("end", resolve);
        res.on("error", reject);
      }).on("error", reject);
    });
  }

  const mock = await startMock(preset("mac-studio-2"));
  try {
    const baseline = await measure("baseline: 4 raw GETs", ROUNDS, () =>
      Promise.all(PATHS.map((p) => rawGet(`${mock.url}${p}`))),
      5,
    );
    const cases = [
      await measure("readModelState()", ROUNDS, () => readModelState(mock.url), 5),
      // Loopback only (127.0.0.2 stands in for the LAN address) and no browser: this measures lmcert, not Chromium.
      await measure("certify (all checks)", ROUNDS, () =>
        certifyHost({
          host: { name: "bench", url: mock.url },
          standard: DEFAULT_STANDARD,
          checks,
          probeAddresses: ["127.0.0.2"],
          chromium: { path: null, reason: "bench" },
        }),
        5,
      ),
    ];
    printTable(`rounds per case: ${ROUNDS}`, baseline, cases);
  } finally {
    rawAgent.destroy();
    await mock.close();
  }

  /**
   * Polling overhead: lifecycle.load's time to "every surface agrees" against the mock's own load latency.
   * The ratio is how much waiting lmcert adds on top of what the host itself takes.
   */
  const LOAD_LATENCY_MS = 200;
  const slow = await startMock(preset("mac-studio-1", { loadLatencyMs: LOAD_LATENCY_MS, dedupeLoads: true }));
  try {
    const samples: number[] = [];
    for (let i = 0; i < 8; i++) {
      const cert = await certifyHost({
        host: { name: "bench", url: slow.url },
        standard: DEFAULT_STANDARD,
        checks,
        allowMutations: true,
        probeAddresses: ["127.0.0.2"],
        only: ["health.greeting", "surfaces.discovered", "listing.matches-standard", "lifecycle.load", "lifecycle.unload"],
        chromium: { path: null, reason: "bench" },
      });
      const converged = cert.checks.find((c) => c.id === "lifecycle.load")?.observed["convergedAfterMs"];
      if (typeof converged === "number") samples.push(converged);
    }
    samples.sort((a, b) => a - b);
    const median = samples[Math.floor(samples.length / 2)] ?? NaN;
    console.log(`\nlifecycle.load: mock load latency ${LOAD_LATENCY_MS} ms, load-to-agreement median ${median} ms over ${samples.length} runs`);
    console.log(`${"polling overhead".padEnd(28)} ${(median - LOAD_LATENCY_MS).toFixed(0).padStart(8)} ms   ${(median / LOAD_LATENCY_MS).toFixed(2)}x the host's own latency`);
  } finally {
    await slow.close();
  }
}
