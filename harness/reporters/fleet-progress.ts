/** @module Fleet console output: one line per finished host; on a TTY, a live "n/N done" line as well. */
import type { Certificate } from "../../contracts/certificate.ts";
import type { Reporter } from "./reporter.ts";
import { palette, terminalSafe, type Palette } from "./terminal-text.ts";

export class FleetProgressReporter implements Reporter {
  readonly #out: { write(text: string): unknown; isTTY?: boolean };
  readonly #p: Palette;
  readonly #total: number;
  #done = 0;

  constructor(total: number, out: { write(text: string): unknown; isTTY?: boolean } = process.stderr) {
    this.#out = out;
    this.#p = palette(out);
    this.#total = total;
  }

  onHostEnd(cert: Certificate): void {
    this.#done += 1;
    const p = this.#p;
    const c = cert.counts;
    const verdict = cert.verdict === "certified" ? p.green("✔ certified") : cert.verdict === "not-certified" ? p.red("✖ not certified") : p.yellow("? incomplete");
    const failing = cert.checks.filter((x) => x.required && x.status !== "passed").map((x) => `${x.id} ${x.status}`);
    const clear = this.#out.isTTY ? "\r\u001b[K" : "";
    this.#out.write(
      `${clear}${verdict}  ${terminalSafe(cert.host.name)} ${p.dim(`(${c.passed} passed, ${c.failed} failed, ${c.inconclusive} inconclusive, ${c.error} error)`)}${failing.length ? `\n    ${terminalSafe(failing.slice(0, 4).join("; "))}` : ""}\n`,
    );
    if (this.#out.isTTY && this.#done < this.#total) this.#out.write(p.dim(`  … ${this.#done}/${this.#total} hosts done`));
  }
}
