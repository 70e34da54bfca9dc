/**
 * Review of the fleet lanes (r1): regressions found in `lmcert fleet --threads`, each failing on main at 29f882f.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "./helpers/cli.ts";
import { tempDir, writeInventory } from "./helpers/fleet.ts";
import { LAN_STAND_IN, mockHost } from "./helpers/hosts.ts";

describe("lmcert fleet: lmcert failing on one host", () => {
  for (const threads of ["1", "2"]) {
    it(`does not record the other hosts as interrupted by Ctrl-C (--threads ${threads})`, async () => {
      // host-0 answers at once and lmcert then fails writing its folder; the others are still in flight then.
      const fast = await mockHost("compliant");
      const slow = await Promise.all(Array.from({ length: 3 }, () => mockHost("compliant", { faults: [{ fault: { kind: "slow", delayMs: 1_500 } }] })));
      const dir = tempDir();
      const out = join(dir, "out");
      const inventory = writeInventory(dir, fast.port, [fast, ...slow].map((m, i) => ({ name: `host-${i}`, url: m.url })));
      mkdirSync(out);
      writeFileSync(join(out, "host-0"), "a file where lmcert wants the host's folder\n");
      const r = await runCli(["fleet", inventory, "--out", out, "--threads", threads, "--concurrency", "4", "--no-browser", "--probe-address", LAN_STAND_IN, "--timeout", "10s", "--host-timeout", "30s"]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/lmcert failed while certifying host-0/);
      // Nobody pressed Ctrl-C: whatever the other hosts' certificates say, it must not be that.
      for (const host of ["host-1", "host-2", "host-3"]) {
        if (!existsSync(join(out, host))) continue;
        const files = readdirSync(join(out, host)).filter((f) => f.endsWith(".json"));
        for (const file of files) expect(readFileSync(join(out, host, file), "utf8"), `${host}/${file}`).not.toMatch(/Ctrl-C or SIGTERM/);
      }
    }, 60_000);
  }
});
