/** @module Runs one fleet certification in its own process and reports wall time and peak RSS as JSON. */
import { checks } from "../suites/index.ts";
import { loadInventory } from "../harness/fleet/inventory-file.ts";
import { runFleet } from "../harness/fleet/run-fleet.ts";

const [inventoryPath, concurrency] = process.argv.slice(2);
const started = performance.now();
const { summary } = await runFleet({
  inventory: loadInventory(inventoryPath as string),
  checks,
  concurrency: Number(concurrency ?? 16),
  hostDeadlineMs: 60_000,
  timeoutMs: 5_000,
  out: null,
  allowMutations: false,
  probeAddresses: ["127.0.0.2"],
  chromium: { path: null, reason: "bench" },
});
console.log(JSON.stringify({ wallMs: performance.now() - started, maxRssKb: process.resourceUsage().maxRSS, hosts: summary.counts.hosts, certified: summary.counts.certified }));
