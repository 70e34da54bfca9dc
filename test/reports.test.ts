/** Reports from one result tree: the HTML page in real Chromium, and hostile server strings in every format. */
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium as playwright } from "playwright-core";
import { describe, expect, it } from "vitest";
import type { Certificate } from "../contracts/certificate.ts";
import { CHROMIUM_ARGS } from "../harness/browser/browser-fetch.ts";
import { findChromium } from "../harness/browser/find-chromium.ts";
import { runCli } from "./helpers/cli.ts";
import { tempDir, writeInventory } from "./helpers/fleet.ts";
import { LAN_STAND_IN, mockHost } from "./helpers/hosts.ts";

const FAST = ["--no-browser", "--probe-address", LAN_STAND_IN, "--timeout", "1000"];
const ARTIFACTS = join(import.meta.dirname, "..", "test-artifacts");

async function twoHostFleet(overrides: Parameters<typeof mockHost>[1] = {}) {
  const ms1 = await mockHost("mac-studio-1", overrides);
  const ms2 = await mockHost("mac-studio-2", overrides);
  const dir = tempDir();
  const out = join(dir, "out");
  const inventory = writeInventory(dir, ms1.port, [
    { name: "mac-studio-1", url: ms1.url },
    { name: "mac-studio-2", url: ms2.url },
  ]);
  const r = await runCli(["fleet", inventory, "--out", out, ...FAST]);
  const certs = ["mac-studio-1", "mac-studio-2"].map((h) => JSON.parse(readFileSync(join(out, h, "latest.json"), "utf8")) as Certificate);
  return { out, r, certs };
}

const chromium = findChromium();

describe.skipIf(!chromium.path)(`the HTML fleet page in headless Chromium (${chromium.reason})`, () => {
  it("renders the host × check matrix, shows evidence on click, filters to problems; screenshot saved", async () => {
    const { out, certs } = await twoHostFleet();
    const browser = await playwright.launch({ executablePath: chromium.path as string, headless: true, chromiumSandbox: false, args: CHROMIUM_ARGS });
    try {
      const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
      const blocked: string[] = [];
      page.on("request", (req) => {
        if (!req.url().startsWith("file:")) blocked.push(req.url());
      });
      await page.goto(pathToFileURL(join(out, "lmcert.html")).toString());
      const checkCount = certs[0]!.checks.length;
      expect(await page.locator("td.cell").count()).toBe(2 * checkCount);
      expect(await page.locator("td.cell.failed").count()).toBe(certs.reduce((n, c) => n + c.counts.failed, 0));
      expect(await page.locator(".finding").innerText()).toMatch(/mac-studio-1 lists loaded-only; mac-studio-2 lists all-available/);
      await page.locator('td.cell.failed[data-host="mac-studio-2"][data-check="listing.matches-standard"]').click();
      expect(await page.locator("#detail").innerText()).toMatch(/all-available, but the standard says loaded-only[\s\S]*Evidence:[\s\S]*"method": "GET"/);
      await page.locator("#only-problems").check();
      const visibleRows = await page.locator("#matrix tr.has-problem").count();
      expect(await page.locator("#matrix tr.all-passed:visible").count()).toBe(0);
      expect(visibleRows).toBeGreaterThan(0);
      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: join(ARTIFACTS, "fleet-report.png"), fullPage: true });
      expect(blocked).toEqual([]); // self-contained: no external assets
    } finally {
      await browser.close();
    }
  }, 60_000);
});

describe("hostile strings from a server", () => {
  const EVIL = ["<script>alert(1)</script>", "x]]>y", "a|b", "\u001b[31mred\u001b[0m", 'q"uote\\back'];
  it("are escaped in every report format", async () => {
    const rename = (path: string, body: unknown) => {
      if (path === "/v1/models") {
        const list = body as { data: { id: string }[] };
        for (const id of EVIL) list.data.push({ id, object: "model", owned_by: "organization_owner" } as { id: string });
      }
      return body;
    };
    const { out, r } = await twoHostFleet({ rewrite: rename });
    const files = Object.fromEntries(["lmcert.html", "lmcert.junit.xml", "lmcert.md", "lmcert.prom"].map((f) => [f, readFileSync(join(out, f), "utf8")]));
    for (const [name, text] of Object.entries({ ...files, stderr: r.stderr })) {
      expect(text, name).not.toContain("\u001b[31m");
      // Markup only matters where it could be interpreted; the console shows it as the plain text it is.
      if (name !== "stderr") expect(text, name).not.toContain("<script>alert(1)");
    }
    expect(files["lmcert.html"]).toContain("\\u003cscript>alert(1)\\u003c/script>");
    expect(files["lmcert.junit.xml"]).toContain("x]]&gt;y");
    expect(files["lmcert.md"]).toContain("a\\|b");
    expect(files["lmcert.md"]).not.toMatch(/[^\\]a\|b/);
  }, 60_000);
});
