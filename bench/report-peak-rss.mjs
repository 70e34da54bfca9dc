// Preloaded with `node --import` into a benchmarked process: on exit, writes its peak RSS and the CPU time it used
// (user + system) to stderr as one JSON line, so the benchmark measures the real CLI without an external `time` tool.
// CPU time is what the process itself cost; on a shared, busy machine it moves far less than wall time does.
import { writeSync } from "node:fs";

process.on("exit", () => {
  const usage = process.resourceUsage();
  writeSync(2, `\n${JSON.stringify({ peakRssKb: usage.maxRSS, cpuMs: Math.round((usage.userCPUTime + usage.systemCPUTime) / 1000) })}\n`);
});
