/**
 * @module A host's run history in `--out`: each written certificate appends one line to `<host>/history.jsonl`, so
 * the HTML page can draw the last 30 verdicts without parsing 30 full certificates per host. Folders written
 * before the index existed are read from their `<timestamp>.json` files instead (newest 30 only).
 */
import { appendFileSync, existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { Certificate, Verdict } from "../contracts/certificate.ts";

export const HISTORY_FILE = "history.jsonl";

export const HistoryEntry = z.object({
  finishedAt: z.iso.datetime(),
  verdict: Verdict,
  interrupted: z.boolean(),
  /** A rerun or a run that left required checks out: kept in the history, but not as `latest.json`. */
  partial: z.boolean(),
  lmstudioVersion: z.string().nullable(),
  file: z.string(),
});
export type HistoryEntry = z.infer<typeof HistoryEntry>;

export function historyEntry(cert: Certificate, file: string, partial: boolean): HistoryEntry {
  return { finishedAt: cert.finishedAt, verdict: cert.verdict, interrupted: cert.interrupted !== undefined, partial, lmstudioVersion: cert.host.lmstudioVersion, file };
}

/** One line per run; appends are atomic enough for one writer per host folder (a line is far below PIPE_BUF). */
export function appendHistory(hostDir: string, entry: HistoryEntry): void {
  appendFileSync(join(hostDir, HISTORY_FILE), `${JSON.stringify(entry)}\n`);
}

/** The host's last `limit` runs, oldest first. Unreadable lines or files are left out, never guessed. */
export function readHistory(hostDir: string, limit = 30): HistoryEntry[] {
  const index = join(hostDir, HISTORY_FILE);
  if (existsSync(index)) {
    const lines = readFileSync(index, "utf8").split("\n").filter(Boolean);
    return lines.flatMap((line) => {
      try {
        const parsed = HistoryEntry.safeParse(JSON.parse(line));
        return parsed.success ? [parsed.data] : [];
      } catch {
        return [];
      }
    }).slice(-limit);
  }
  if (!existsSync(hostDir)) return [];
  // Timestamp names (ISO with ":" and "." replaced) sort in time order.
  const files = readdirSync(hostDir).filter((f) => f.endsWith(".json") && f !== "latest.json").sort().slice(-limit);
  return files.flatMap((file) => {
    try {
      const cert = Certificate.safeParse(JSON.parse(readFileSync(join(hostDir, file), "utf8")));
      return cert.success ? [historyEntry(cert.data, file, false)] : [];
    } catch {
      return [];
    }
  });
}
