/**
 * @module Fleet console output: one line per finished host (the reason, when it failed); on a TTY, a live line that
 * counts finished hosts and names the ones in flight.
 */
import type { Certificate } from "../../contracts/certificate.ts";
import { severityCounts } from "../severity.ts";
import { countsText } from "./console.ts";
import type { Reporter, RunPlan } from "./reporter.ts";
import { palette, terminalSafe, type Palette } from "./terminal-text.ts";
import { blockingChecks } from "./what-to-fix.ts";

export interface FleetProgressOptions {
  /** --problems: no line for a host that is certified without warnings. */
  readonly problemsOnly?: boolean;
}

export class FleetProgressReporter implements Reporter {
  readonly #out: { write(text: string): unknown; isTTY?: boolean };
  readonly #p: Palette;
  readonly #total: number;
  readonly #problemsOnly: boolean;
  readonly #inFlight = new Set<string>();
  #done = 0;

  constructor(total: number, out: { write(text: string): unknown; isTTY?: boolean } = process.stderr, options: FleetProgressOptions = {}) {
    this.#out = out;
    this.#p = palette(out);
    this.#total = total;
    this.#problemsOnly = options.problemsOnly ?? false;
  }

  onRunStart(plan: RunPlan): void {
    this.#inFlight.add(plan.host.name);
    this.#live();
  }

  onHostEnd(cert: Certificate): void {
    this.#done += 1;
    this.#inFlight.delete(cert.host.name);
    const p = this.#p;
    const clear = this.#out.isTTY ? "\r\u001b[K" : "";
    const warnings = severityCounts(cert.checks).warning;
    if (this.#problemsOnly && cert.verdict === "certified" && warnings === 0 && !cert.interrupted) {
      if (clear) this.#out.write(clear);
      this.#live();
      return;
    }
    const verdict = cert.verdict === "certified" ? p.green("✔ certified") : cert.verdict === "not-certified" ? p.red("✖ not certified") : p.yellow("? incomplete");
    const interrupted = cert.interrupted ? ` ${p.yellow("(interrupted)")}` : "";
    // The first blocking check with its reason (a dead host says why: "connection refused", not just "error").
    const [first, ...others] = blockingChecks(cert);
    const why = first ? `\n    ${first.id} ${first.status}: ${terminalSafe(first.reason.split("\n")[0] ?? "")}${others.length ? `; also ${others.slice(0, 3).map((x) => `${x.id} ${x.status}`).join(", ")}${others.length > 3 ? ` and ${others.length - 3} more` : ""}` : ""}` : "";
    this.#out.write(`${clear}${verdict}${interrupted}  ${terminalSafe(cert.host.name)} ${p.dim(`(${countsText(cert.checks)})`)}${why}\n`);
    this.#live();
  }

  /** TTY only: "… 3/10 hosts done · running: ms-1, ms-2", rewritten in place. */
  #live(): void {
    if (!this.#out.isTTY || this.#done >= this.#total) return;
    const names = [...this.#inFlight];
    const running = names.length ? ` · running: ${terminalSafe(names.slice(0, 4).join(", "))}${names.length > 4 ? ` +${names.length - 4}` : ""}` : "";
    this.#out.write(`\r\u001b[K${this.#p.dim(`  … ${this.#done}/${this.#total} hosts done${running}`)}`);
  }
}
