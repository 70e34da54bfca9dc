/** Server text is redacted and capped at one choke point: reports stay small and tokenless whatever a host sends. */
import { mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { giantIdConfig } from "../fixtures/mock/faults.ts";
import { capText, MAX_LISTED_ITEMS, MAX_SERVER_TEXT, redactSecrets, rememberSecret, serverText, serverValue } from "../harness/server-text.ts";
import { runCli } from "./helpers/cli.ts";
import { writeInventory } from "./helpers/fleet.ts";
import { certify, LAN_STAND_IN, mockHost } from "./helpers/hosts.ts";

describe("the server-text choke point", () => {
  it("redacts a registered token, its URL-encoded form and its SDK halves, and any sk-lm- shaped token", () => {
    rememberSecret("sk-lm-Zz11Yy22:Xx33Ww44Vv55Uu66Tt77");
    const text = [
      "got sk-lm-Zz11Yy22:Xx33Ww44Vv55Uu66Tt77",
      `loc /login?auth=${encodeURIComponent("Bearer sk-lm-Zz11Yy22:Xx33Ww44Vv55Uu66Tt77")}`,
      "passkey Xx33Ww44Vv55Uu66Tt77 id Zz11Yy22",
      "someone else's sk-lm-Qq99Rr88:Pp77Oo66Nn55Mm44Ll33",
      "Authorization: Bearer abc.def-ghi",
    ].join("\n");
    const out = redactSecrets(text);
    for (const secret of ["Xx33Ww44Vv55Uu66Tt77", "Zz11Yy22", "Pp77Oo66Nn55Mm44Ll33", "Qq99Rr88", "abc.def-ghi"]) expect(out).not.toContain(secret);
    expect(out).toContain("Bearer [redacted]");
    expect(redactSecrets(out)).toBe(out);
  });

  it("caps a string at 512 characters with what was cut, and capping twice changes nothing", () => {
    const capped = serverText("x".repeat(3_000_000));
    expect(capped.length).toBeLessThanOrEqual(MAX_SERVER_TEXT);
    expect(capped).toMatch(/x… \(\d+ more\)$/);
    expect(capText(capped)).toBe(capped);
    expect(serverText("short")).toBe("short");
  });

  it("redacts before it cuts: a token across the cut leaves no readable part", () => {
    const text = `${"a".repeat(500)}sk-lm-Kk12Jj34:Hh56Gg78Ff90Ee12Dd34`;
    expect(serverText(text)).not.toMatch(/Kk12|Hh56/);
  });

  it("lists at most 50 items of an observed list, counts the rest, and keeps __proto__ a plain key", () => {
    const value = serverValue({ ids: Array.from({ length: 10_000 }, (_, i) => `m${i}`), n: 3, ok: true, none: null }) as Record<string, unknown>;
    expect((value["ids"] as string[]).length).toBe(MAX_LISTED_ITEMS + 1);
    expect((value["ids"] as string[]).at(-1)).toBe("… and 9950 more");
    expect([value["n"], value["ok"], value["none"]]).toEqual([3, true, null]);
    const hostile = serverValue(JSON.parse('{"__proto__": {"polluted": 1}}')) as Record<string, unknown>;
    expect(Object.keys(hostile)).toEqual(["__proto__"]);
    expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();
  });
});

describe("a giant model id (3 MB)", () => {
  it("gives a bounded certificate, and the checks still judge the host", async () => {
    const mock = await mockHost("compliant", giantIdConfig());
    const cert = await certify(mock.url, { timeoutMs: 10_000 });
    const size = JSON.stringify(cert).length;
    // Before the caps: the id appeared in full in a dozen places, a 42 MB certificate.
    expect(size).toBeLessThan(300_000);
    expect(cert.checks.find((c) => c.id === "listing.matches-standard")?.status).toBe("passed");
    expect(cert.checks.find((c) => c.id === "state.authoritative-surface")?.observed["loadedCount"]).toBe(3);
  }, 60_000);

  it("keeps every fleet report small: certificates, JUnit, Markdown, HTML, Prometheus, summary", async () => {
    const mock = await mockHost("compliant", giantIdConfig());
    const dir = mkdtempSync(join(tmpdir(), "lmcert-giant-"));
    const inventory = writeInventory(dir, mock.port, [{ name: "giant", url: mock.url }]);
    const r = await runCli(["fleet", inventory, "--out", join(dir, "out"), "--no-browser", "--probe-address", LAN_STAND_IN, "--timeout", "10000"]);
    expect(r.stdout.length + r.stderr.length).toBeLessThan(100_000);
    for (const file of ["lmcert.junit.xml", "lmcert.md", "lmcert.html", "lmcert.prom", "fleet-summary.json", join("giant", "latest.json")]) {
      expect(statSync(join(dir, "out", file)).size, file).toBeLessThan(400_000);
    }
    expect(readFileSync(join(dir, "out", "lmcert.prom"), "utf8")).toMatch(/lmcert_models_loaded\{host="giant"\} 3/);
  }, 60_000);
});

describe("cost", () => {
  it("a token just past the cap is still redacted, and an 8 MB text is cut before it is scanned", () => {
    rememberSecret("sk-lm-Wq12Er34:Ty56Ui78Op90As12Df34");
    const near = `${"b".repeat(MAX_SERVER_TEXT - 40)}Ty56Ui78Op90As12Df34${"c".repeat(5_000)}`;
    expect(serverText(near)).not.toMatch(/Ty56/);
    const huge = "d".repeat(8 * 1024 * 1024);
    const out = serverText(huge);
    expect(out.length).toBeLessThanOrEqual(MAX_SERVER_TEXT);
    // The count says how much was cut from the whole text, not from the scanned head.
    const more = Number(/\((\d+) more\)$/.exec(out)?.[1]);
    expect(more + out.indexOf("…")).toBe(huge.length);
  });
});
