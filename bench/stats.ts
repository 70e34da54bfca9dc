/** @module Timing helpers for benchmarks: min/median/max over repeated runs, and ratio lines. */

export interface Sample {
  readonly label: string;
  readonly min: number;
  readonly median: number;
  readonly max: number;
  /** Median peak RSS and CPU time (user + system) of the measured process, when the case reports them. */
  readonly peakRssMb?: number;
  readonly cpuMs?: number;
}

/** What a measured process reports on exit (bench/report-peak-rss.mjs). */
export interface ProcessCost {
  readonly peakRssKb: number;
  readonly cpuMs: number;
}

export async function measure(label: string, runs: number, fn: () => Promise<unknown>, warmup = 1): Promise<Sample> {
  for (let i = 0; i < warmup; i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await fn();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return { label, min: times[0] ?? NaN, median: times[Math.floor(times.length / 2)] ?? NaN, max: times[times.length - 1] ?? NaN };
}

/** Runs `fn` like measure(); `fn` resolves with the cost of the process it ran, whose medians are kept. */
export async function measureWithCost(label: string, runs: number, fn: () => Promise<ProcessCost>, warmup = 1): Promise<Sample> {
  const costs: ProcessCost[] = [];
  const sample = await measure(label, runs, async () => costs.push(await fn()), warmup);
  costs.splice(0, warmup);
  const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;
  return { ...sample, peakRssMb: median(costs.map((c) => c.peakRssKb)) / 1024, cpuMs: median(costs.map((c) => c.cpuMs)) };
}

export function printTable(title: string, baseline: Sample, others: readonly Sample[]): void {
  console.log(`\n${title}`);
  const row = (s: Sample) =>
    `  ${s.label.padEnd(36)} min ${s.min.toFixed(1).padStart(8)} ms  median ${s.median.toFixed(1).padStart(8)} ms  max ${s.max.toFixed(1).padStart(8)} ms  ${(s.median / baseline.median).toFixed(2)}x${s.cpuMs === undefined ? "" : `  CPU ${s.cpuMs.toFixed(0)} ms`}${s.peakRssMb === undefined ? "" : `  peak RSS ${s.peakRssMb.toFixed(0)} MB`}`;
  console.log(row(baseline));
  for (const s of others) console.log(row(s));
}
