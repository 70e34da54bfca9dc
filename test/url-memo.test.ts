/** The URL memo behind the client, joinUrl and evidence: a remembered answer is exactly a fresh one. */
import { describe, expect, it } from "vitest";
import { makeEvidence, redactUrl } from "../harness/http/evidence.ts";
import { memoizeByString } from "../harness/http/url-memo.ts";
import { joinUrl } from "../harness/surfaces.ts";

describe("memoised URL work", () => {
  it("computes once per argument, never caches a throw, and starts over when full", () => {
    let calls = 0;
    const parse = memoizeByString((text: string) => {
      calls++;
      return new URL(text).host;
    });
    expect(parse("http://a.test/x")).toBe("a.test");
    expect(parse("http://a.test/x")).toBe("a.test");
    expect(calls).toBe(1);
    expect(() => parse("not a url")).toThrow();
    expect(() => parse("not a url")).toThrow();
    expect(calls).toBe(3);
    for (let i = 0; i < 5000; i++) parse(`http://h${i}.test/`);
    calls = 0;
    expect(parse("http://h4999.test/")).toBe("h4999.test"); // kept: added after the memo started over
    expect(parse("http://a.test/x")).toBe("a.test"); // dropped when the memo filled up, computed again
    expect(calls).toBe(1);
  });

  it("joins and redacts like a fresh parse, call after call", () => {
    for (let i = 0; i < 2; i++) {
      expect(joinUrl("http://h.test:1234", "v1/models")).toBe("http://h.test:1234/v1/models");
      expect(joinUrl("http://h.test:1234/", "v1/models")).toBe("http://h.test:1234/v1/models");
      expect(joinUrl("http://h.test:1234/base", "v1/models")).toBe("http://h.test:1234/base/v1/models");
      expect(redactUrl("http://user:pw@h.test/x")).toBe("http://redacted@h.test/x");
      expect(redactUrl("http://h.test")).toBe("http://h.test/");
      expect(redactUrl("not a url")).toBe("not a url");
    }
    expect(() => joinUrl("not a base", "v1/models")).toThrow();
  });

  it("evidence headers keep a header named __proto__ as a plain member", () => {
    const evidence = makeEvidence({ method: "GET", url: "http://h.test/", headers: JSON.parse('{"__proto__":"x","server":"y"}') as Record<string, string> });
    expect(Object.keys(evidence.headers)).toEqual(["__proto__", "server"]);
    expect(Object.getPrototypeOf(evidence.headers)).toBe(Object.prototype);
  });
});
