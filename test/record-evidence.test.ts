/** Check records make each evidence object safe once, and again whenever a token was registered since. */
import { describe, expect, it } from "vitest";
import { makeEvidence, recordEvidence } from "../harness/http/evidence.ts";
import { rememberSecret } from "../harness/server-text.ts";

describe("recordEvidence", () => {
  it("gives what makeEvidence gives, a fresh copy each time, and redacts a token registered after the first call", () => {
    const token = "sk-lm-Rc12Ev34:Id56Ce78Nn90Tt12Ss34";
    const seen = makeEvidence({ method: "GET", url: "http://h.test/v1/models", status: 200, headers: { server: "x" }, bodyExcerpt: `{"echo":"${token.slice(6)}"}` });
    const first = recordEvidence(seen);
    expect(first).toEqual(makeEvidence(seen));
    const second = recordEvidence(seen);
    expect(second).toEqual(first);
    expect(second).not.toBe(first);
    expect(second.headers).not.toBe(first.headers);
    expect(first.bodyExcerpt).toContain("Rc12Ev34");

    rememberSecret(token);
    const after = recordEvidence(seen);
    expect(after.bodyExcerpt).not.toContain("Rc12Ev34");
    expect(after).toEqual(makeEvidence(seen));
  });
});
