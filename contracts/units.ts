/**
 * @module Values people type with units: durations on the command line (`5s`, `2m`) and byte sizes in the standard
 * (`64GB`, `48GiB`). A plain number keeps its old meaning (milliseconds, bytes), so existing scripts still work.
 */
import { z } from "zod";

const DURATION_UNITS: Readonly<Record<string, number>> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

export const DURATION_RULE = "use milliseconds or a unit: 5000, 500ms, 5s, 2m, 1h";

/** `5s` → 5000, `5000` → 5000, `1.5s` → 1500; null when it is not a duration (or is 0 without allowZero). */
export function parseDurationMs(text: string, options: { allowZero?: boolean } = {}): number | null {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/i.exec(text);
  if (!match) return null;
  const ms = Math.round(Number(match[1]) * (DURATION_UNITS[(match[2] ?? "ms").toLowerCase()] ?? Number.NaN));
  return Number.isFinite(ms) && (ms > 0 || (options.allowZero === true && ms === 0)) ? ms : null;
}

/**
 * Why a bare number is refused, or null: below `minBareMs` (a timeout of a few milliseconds) it was almost certainly
 * meant as seconds (`--timeout 5`), and silently waiting 5 ms would make every request time out.
 */
export function bareDurationProblem(text: string, minBareMs: number): string | null {
  const bare = /^\s*(\d+(?:\.\d+)?)\s*$/.exec(text)?.[1];
  if (bare === undefined || Number(bare) === 0 || Number(bare) >= minBareMs) return null;
  const asMs = Number((Number(bare) * 1000).toFixed(3));
  return `"${text.trim()}" would be ${bare} milliseconds, which is almost certainly not meant: use ${bare}s or ${asMs} (milliseconds)`;
}

/**
 * A CLI duration flag: a string as typed (or a number), in milliseconds after parsing. With `minBareMs`, a bare
 * number below it is refused (see bareDurationProblem); a number with a unit (`50ms`) is always taken as typed.
 */
export function durationMs(options: { allowZero?: boolean; minBareMs?: number } = {}) {
  return z.union([z.string(), z.number()]).transform((value, ctx) => {
    const tooSmall = options.minBareMs === undefined ? null : bareDurationProblem(String(value), options.minBareMs);
    if (tooSmall !== null) {
      ctx.addIssue({ code: "custom", message: tooSmall });
      return z.NEVER;
    }
    const ms = parseDurationMs(String(value), options);
    if (ms === null) {
      ctx.addIssue({ code: "custom", message: `"${value}" is not a ${options.allowZero ? "" : "positive "}duration: ${DURATION_RULE}` });
      return z.NEVER;
    }
    return ms;
  });
}

/** A timeout flag (--timeout, --host-timeout): a bare number below 100 is refused as probably meant in seconds. */
export const DurationMs = durationMs({ minBareMs: 100 });

/**
 * Decimal units are powers of 1000 (GB = 10^9 bytes, as macOS Finder and LM Studio's model sizes count); binary
 * units are powers of 1024 (GiB = 2^30). `64G` is refused: it could mean either.
 */
const BYTE_UNITS: Readonly<Record<string, number>> = {
  b: 1,
  kb: 1e3, mb: 1e6, gb: 1e9, tb: 1e12,
  kib: 2 ** 10, mib: 2 ** 20, gib: 2 ** 30, tib: 2 ** 40,
};

export const BYTE_SIZE_RULE =
  "use a number of bytes or a size with a unit: 64GB (decimal, 64 × 10^9 bytes) or 64GiB (binary, 64 × 2^30 bytes); KB/MB/GB/TB and KiB/MiB/GiB/TiB are accepted";

/** `64GB` → 64000000000; `64GiB` → 68719476736; null when it is not a positive whole number of bytes. */
export function parseByteSize(value: string | number): number | null {
  if (typeof value === "number") return Number.isSafeInteger(value) && value > 0 ? value : null;
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(value);
  if (!match) return null;
  const factor = BYTE_UNITS[(match[2] || "b").toLowerCase()];
  if (factor === undefined) return null;
  const bytes = Number(match[1]) * factor;
  return Number.isSafeInteger(bytes) && bytes > 0 ? bytes : null;
}

export const ByteSize = z
  .union([z.number(), z.string().regex(/^\s*\d+(\.\d+)?\s*([KkMmGgTt][Ii]?[Bb]|[Bb])?\s*$/, BYTE_SIZE_RULE)])
  .transform((value, ctx) => {
    const bytes = parseByteSize(value);
    if (bytes === null) {
      ctx.addIssue({ code: "custom", message: `${JSON.stringify(value)} is not a size: ${BYTE_SIZE_RULE}` });
      return z.NEVER;
    }
    return bytes;
  })
  .meta({ description: `A size: ${BYTE_SIZE_RULE.replace(/^use /, "")}.` });
