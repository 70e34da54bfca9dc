// Preloaded with `node --import` into a benchmarked lmcert process: on exit, writes the process's peak RSS to
// stderr as one JSON line, so the benchmark measures the real CLI without an external `time` tool.
import { writeSync } from "node:fs";

process.on("exit", () => {
  writeSync(2, `\n${JSON.stringify({ peakRssKb: process.resourceUsage().maxRSS })}\n`);
});
