/** @module Timing helpers for benchmarks: min/median/max over repeated runs, and ratio lines. */

export interface Sample {
  readonly label: string;
  readonly min: number;
  readonly median: number;
  readonly max: number;
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

export function printTable(title: string, baseline: Sample, others: readonly Sample[]): void {
  console.log(`\n${title}`);
  const row = (s: Sample) =>
    `  ${s.label.padEnd(36)} min ${s.min.toFixed(1).padStart(8)} ms  median ${s.median.toFixed(1).padStart(8)} ms  max ${s.max.toFixed(1).padStart(8)} ms  ${(s.median / baseline.median).toFixed(2)}x`;
  console.log(row(baseline));
  for (const s of others) console.log(row(s));
}
