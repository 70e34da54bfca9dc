/** @module The console checklist: one line per check with status and reason, the remedy under each failure. */
import type { Certificate, CheckRecord, CheckStatus } from "../../contracts/certificate.ts";
import type { HostTarget } from "../types.ts";
import type { Reporter, RunPlan } from "./reporter.ts";
import { palette, terminalSafe, type Palette } from "./terminal-text.ts";

const MARK: Record<CheckStatus, { symbol: string; colour: keyof Palette }> = {
  passed: { symbol: "✔", colour: "green" },
  failed: { symbol: "✖", colour: "red" },
  inconclusive: { symbol: "?", colour: "yellow" },
  skipped: { symbol: "-", colour: "dim" },
  error: { symbol: "!", colour: "red" },
};

export interface ConsoleStream {
  write(text: string): unknown;
  isTTY?: boolean;
}

export class ConsoleReporter implements Reporter {
  readonly #out: ConsoleStream;
  readonly #p: Palette;

  constructor(out: ConsoleStream = process.stderr) {
    this.#out = out;
    this.#p = palette(out);
  }

  onRunStart(plan: RunPlan): void {
    const p = this.#p;
    this.#out.write(
      `\n${p.bold(`lmcert · ${terminalSafe(plan.host.name)}`)} ${p.dim(`${plan.host.url} · standard ${plan.standardName} v${plan.standardVersion}`)}\n`,
    );
  }

  onCheckEnd(_host: HostTarget, result: CheckRecord): void {
    const p = this.#p;
    const mark = MARK[result.status];
    const tag = result.required ? "" : p.dim(" (optional)");
    const [first = "", ...rest] = terminalSafe(result.reason).split("\n");
    let text = `  ${p[mark.colour](`${mark.symbol} ${result.status.padEnd(12)}`)} ${result.id.padEnd(36)}${tag} ${first}\n`;
    for (const line of rest) text += `  ${" ".repeat(51)}${line}\n`;
    if (result.remedy) text += `  ${" ".repeat(14)}${p.yellow("fix:")} ${terminalSafe(result.remedy)}\n`;
    this.#out.write(text);
  }

  onHostEnd(certificate: Certificate): void {
    const p = this.#p;
    const c = certificate.counts;
    const label =
      certificate.verdict === "certified"
        ? p.green("CERTIFIED")
        : certificate.verdict === "not-certified"
          ? p.red("NOT CERTIFIED")
          : p.yellow("INCOMPLETE (not certified)");
    this.#out.write(
      `  ${p.bold("verdict:")} ${label} ${p.dim(`(${c.passed} passed, ${c.failed} failed, ${c.inconclusive} inconclusive, ${c.skipped} skipped, ${c.error} error)`)}\n`,
    );
  }
}
