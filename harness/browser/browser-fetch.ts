/**
 * @module Asks a real headless Chromium to fetch a URL cross-origin from a page served on another loopback port,
 * and reports what the browser itself said. The browser's verdict, not ours, is the evidence.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { loadOnDemand } from "../load-on-demand.ts";

/** The flags this workplace's Chromium needs (no sandbox as root, no background traffic to Google). */
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--no-first-run",
];

export interface BrowserFetchResult {
  readonly pageOrigin: string;
  /** True only when the page's own fetch() resolved and it could read the JSON body. */
  readonly ok: boolean;
  readonly status: number | null;
  /** What the page got: the JSON (trimmed), or the error the browser raised. */
  readonly pageResult: string;
  /** The browser's console messages, e.g. "Access to fetch at … has been blocked by CORS policy". */
  readonly console: readonly string[];
}

const PAGE = `<!doctype html><meta charset="utf-8"><title>lmcert CORS probe</title>
<script>
window.probe = async (url, token) => {
  try {
    const headers = token ? { authorization: "Bearer " + token } : {};
    const res = await fetch(url, { headers });
    const body = await res.json();
    return { ok: true, status: res.status, text: JSON.stringify(body).slice(0, 400) };
  } catch (e) {
    return { ok: false, status: null, text: String(e) };
  }
};
</script>`;

export async function browserFetch(
  executablePath: string,
  targetUrl: string,
  options: { token?: string | undefined; timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<BrowserFetchResult> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    res.end(PAGE);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const pageOrigin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // The page server must close whatever happens below: a server left listening keeps the CLI from exiting.
  try {
    // Loaded on demand: playwright-core is only needed when a browser really runs.
    const { chromium } = loadOnDemand<typeof import("playwright-core")>("playwright-core");
    // Playwright's own Ctrl-C handling calls process.exit(130): lmcert's (harness/cli/interrupts.ts) must run
    // instead, so that an interrupted run is recorded and a changed host is put back.
    const browser = await chromium.launch({
      executablePath, headless: true, chromiumSandbox: false, args: CHROMIUM_ARGS, timeout: options.timeoutMs ?? 15_000,
      handleSIGINT: false, handleSIGTERM: false, handleSIGHUP: false,
    });
    // Ctrl-C closes the browser, so the page's request does not hold the run up (the check ends as an error).
    const closeOnAbort = () => void browser.close();
    options.signal?.addEventListener("abort", closeOnAbort, { once: true });
    try {
      const page = await browser.newPage();
      const consoleLines: string[] = [];
      page.on("console", (message) => consoleLines.push(message.text()));
      await page.goto(pageOrigin, { timeout: options.timeoutMs ?? 15_000 });
      const result = (await page.evaluate(
        ([url, token]) => (globalThis as unknown as { probe(u: string, t: string | null): Promise<unknown> }).probe(url as string, token as string | null),
        [targetUrl, options.token ?? null],
      )) as { ok: boolean; status: number | null; text: string };
      // Console messages arrive asynchronously; give the CORS error line a moment to land.
      if (!result.ok) await page.waitForEvent("console", { timeout: 1_000 }).catch(() => undefined);
      return { pageOrigin, ok: result.ok, status: result.status, pageResult: result.text, console: consoleLines };
    } finally {
      options.signal?.removeEventListener("abort", closeOnAbort);
      await browser.close();
    }
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
