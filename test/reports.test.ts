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
import { certify, closedPortUrl, LAN_STAND_IN, mockHost } from "./helpers/hosts.ts";
import { writeCertificate } from "../harness/certificate.ts";

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

describe.skipIf(!chromium.path)(`the operator's morning page in headless Chromium (${chromium.reason})`, () => {
  it("cards with URL, version, listing and a fix for a dead host; required markers; warnings amber, not red; a 30-run history strip", async () => {
    const ok = await mockHost("compliant"); // fails only the optional cors.private-network
    const ms2 = await mockHost("mac-studio-2");
    const dead = await closedPortUrl();
    const dir = tempDir();
    const out = join(dir, "out");
    const inventory = writeInventory(dir, ok.port, [
      { name: "ok-host", url: ok.url },
      { name: "mac-studio-2", url: ms2.url },
      { name: "dead-host", url: dead },
    ]);
    // 34 earlier nights for mac-studio-2: certified on 0.3.20, then an upgrade to 0.3.21 broke it 10 nights ago.
    const seed = await certify(ms2.url);
    for (let night = 34; night >= 1; night--) {
      const finishedAt = new Date(Date.parse(seed.finishedAt) - night * 86_400_000).toISOString();
      const upgraded = night <= 10;
      writeCertificate(out, { ...seed, host: { ...seed.host, name: "mac-studio-2", lmstudioVersion: upgraded ? "0.3.21" : "0.3.20" }, finishedAt, verdict: upgraded ? "not-certified" : "certified" });
    }
    const r = await runCli(["fleet", inventory, "--out", out, ...FAST]);
    expect(r.code).toBe(1);
    const browser = await playwright.launch({ executablePath: chromium.path as string, headless: true, chromiumSandbox: false, args: CHROMIUM_ARGS });
    try {
      const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
      const offline: string[] = [];
      page.on("request", (req) => {
        if (!req.url().startsWith("file:")) offline.push(req.url());
      });
      await page.goto(pathToFileURL(join(out, "lmcert.html")).toString());
      const card = (host: string) => page.locator(`section.card[data-host="${host}"]`);

      // The certified host with an optional failure: green card, an amber warning, no red anywhere in its column.
      expect(await card("ok-host").locator(".badge").innerText()).toBe("certified");
      expect(await card("ok-host").locator(".url").innerText()).toBe(ok.url);
      expect(await card("ok-host").locator(".warnings").innerText()).toMatch(/1 warning[\s\S]*cors\.private-network/);
      expect(await page.locator('td.cell[data-host="ok-host"].sev-failure').count()).toBe(0);
      const amber = page.locator('td.cell[data-host="ok-host"][data-check="cors.private-network"]');
      expect(await amber.getAttribute("data-severity")).toBe("warning");
      // The page runs in the browser, so its globals come from the page's window (no DOM types in this project).
    expect(await amber.evaluate((el) => (el.ownerDocument.defaultView as unknown as { getComputedStyle(e: unknown): { backgroundColor: string } }).getComputedStyle(el).backgroundColor)).toBe("rgb(255, 239, 176)");

      // mac-studio-2: version, listing behaviour, the fix; a history strip of 30 runs showing the upgrade night.
      expect(await card("mac-studio-2").locator(".version").innerText()).toMatch(/^(\d+\.\d+\.\d+|[<>=]+\d+\.\d+\.\d+.* \(not stated; implied by its surfaces\))/);
      expect(await card("mac-studio-2").locator(".listing").innerText()).toBe("all-available (standard: loaded-only)");
      expect(await card("mac-studio-2").locator(".fix").innerText()).toMatch(/listing\.matches-standard[\s\S]*Fix: In LM Studio: Developer → Server Settings → turn off/);
      const runs = card("mac-studio-2").locator(".history .run");
      expect(await runs.count()).toBe(30);
      const verdicts = await runs.evaluateAll((els) => els.map((e) => e.getAttribute("data-verdict")));
      expect(verdicts).toEqual([...Array(19).fill("certified"), ...Array(11).fill("not-certified")]);
      expect(await card("mac-studio-2").locator(".history .run.upgrade").count()).toBe(2); // 0.3.20 → 0.3.21, then → this run's version
      expect(await card("mac-studio-2").locator(".history .run.upgrade").first().getAttribute("title")).toMatch(/LM Studio 0\.3\.21 \(was 0\.3\.20\)/);

      // The dead host: its card says why and what to do.
      expect(await card("dead-host").locator(".badge").innerText()).toBe("incomplete");
      expect(await card("dead-host").locator(".version").innerText()).toBe("unknown (not reached)");
      expect(await card("dead-host").locator(".fix").innerText()).toMatch(/health\.greeting[\s\S]*Connection refused[\s\S]*Fix: [\s\S]*lms server start --port \d+/);
      expect(await card("dead-host").locator(".history .run").count()).toBe(1);

      // Required checks are marked in the grid.
      expect(await page.locator('#matrix th.check:has-text("listing.matches-standard") .req').innerText()).toBe("required");
      expect(await page.locator('#matrix th.check:has-text("cors.private-network") .req').innerText()).toBe("optional");

      await page.locator('td.cell[data-host="dead-host"][data-check="health.greeting"]').click();
      expect(await page.locator("#detail").innerText()).toMatch(/^dead-host · health\.greeting · error \(required\)[\s\S]*Fix: [\s\S]*lms server start --port \d+/);

      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: join(ARTIFACTS, "fleet-morning-page.png"), fullPage: true });
      await card("dead-host").screenshot({ path: join(ARTIFACTS, "fleet-dead-host-card.png") });
      expect(offline).toEqual([]); // one self-contained file
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
