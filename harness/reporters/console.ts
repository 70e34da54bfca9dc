/** @module The console checklist: one line per check with status and reason, the remedy under each failure. */
import type { Certificate, CheckRecord } from "../../contracts/certificate.ts";
import { severityCounts, severityOf, type Severity } from "../severity.ts";
import type { HostTarget } from "../types.ts";
import type { Reporter, RunPlan } from "./reporter.ts";
import { palette, terminalSafe, type Palette } from "./terminal-text.ts";
import { concreteRemedy } from "./what-to-fix.ts";

/** By severity, so an optional check that did not pass reads `⚠ warned`, never `✖ failed`. */
function markFor(check: CheckRecord): { symbol: string; label: string; colour: keyof Palette } {
  const bySeverity: Record<Severity, { symbol: string; label: string; colour: keyof Palette }> = {
    ok: { symbol: "✔", label: "passed", colour: "green" },
    failure: { symbol: "✖", label: "failed", colour: "red" },
    incomplete: { symbol: check.status === "error" ? "!" : check.status === "skipped" ? "-" : "?", label: check.status, colour: check.status === "error" ? "red" : "yellow" },
    warning: { symbol: "⚠", label: "warned", colour: "yellow" },
    skipped: { symbol: "-", label: "skipped", colour: "dim" },
    interrupted: { symbol: "-", label: "not run", colour: "dim" },
  };
  return bySeverity[severityOf(check)];
}

/** "13 passed, 1 warning, 2 skipped": the verdict's counts in the severity model's words; zero counts left out. */
export function countsText(checks: readonly CheckRecord[]): string {
  const s = severityCounts(checks);
  const undecided = checks.filter((c) => severityOf(c) === "incomplete");
  const parts = [
    `${s.ok} passed`,
    s.failure > 0 ? `${s.failure} failed` : "",
    ...(["inconclusive", "error", "skipped"] as const).map((status) => {
      const n = undecided.filter((c) => c.status === status).length;
      return n > 0 ? `${n} required ${status}` : "";
    }),
    s.warning > 0 ? `${s.warning} warning${s.warning === 1 ? "" : "s"}` : "",
    s.skipped > 0 ? `${s.skipped} skipped` : "",
    s.interrupted > 0 ? `${s.interrupted} not run (interrupted)` : "",
  ];
  return parts.filter(Boolean).join(", ");
}

export interface ConsoleOptions {
  /** --problems/--quiet: only lines that need attention (failures, undecided required checks, warnings). */
  readonly problemsOnly?: boolean;
}

export class ConsoleReporter implements Reporter {
  readonly #out: ConsoleStream;
  readonly #p: Palette;
  readonly #problemsOnly: boolean;

  constructor(out: ConsoleStream = process.stderr, options: ConsoleOptions = {}) {
    this.#out = out;
    this.#p = palette(out);
    this.#problemsOnly = options.problemsOnly ?? false;
  }

  onRunStart(plan: RunPlan): void {
    const p = this.#p;
    this.#out.write(
      `\n${p.bold(`lmcert · ${terminalSafe(plan.host.name)}`)} ${p.dim(`${plan.host.url} · standard ${plan.standardName} v${plan.standardVersion}`)}\n`,
    );
  }

  onCheckEnd(host: HostTarget, result: CheckRecord): void {
    const severity = severityOf(result);
    if (this.#problemsOnly && (severity === "ok" || severity === "skipped" || severity === "interrupted")) return;
    const p = this.#p;
    const mark = markFor(result);
    const tag = result.required ? "" : p.dim(severity === "warning" ? ` (optional, ${result.status})` : " (optional)");
    const carried = result.carriedOver ? p.dim(` [carried over: passed at ${result.carriedOver.at}, not re-run]`) : "";
    const [first = "", ...rest] = terminalSafe(result.reason).split("\n");
    let text = `  ${p[mark.colour](`${mark.symbol} ${mark.label.padEnd(12)}`)} ${result.id.padEnd(36)}${tag} ${first}${carried}\n`;
    for (const line of rest) text += `  ${" ".repeat(51)}${line}\n`;
    const fix = concreteRemedy(result, host.url);
    if (fix) text += `  ${" ".repeat(14)}${p.yellow("fix:")} ${terminalSafe(fix)}\n`;
    this.#out.write(text);
  }

  onHostEnd(certificate: Certificate): void {
    const p = this.#p;
    const label =
      certificate.verdict === "certified"
        ? p.green("CERTIFIED")
        : certificate.verdict === "not-certified"
          ? p.red("NOT CERTIFIED")
          : p.yellow("INCOMPLETE (not certified)");
    const interrupted = certificate.interrupted ? ` ${p.yellow("· INTERRUPTED (partial results)")}` : "";
    this.#out.write(`  ${p.bold("verdict:")} ${label}${interrupted} ${p.dim(`(${countsText(certificate.checks)})`)}\n`);
  }
}

export interface ConsoleStream {
  write(text: string): unknown;
  isTTY?: boolean;
}
