import { describe, expect, it } from "vitest";
import { canonicalJson } from "../harness/canonical-json.ts";
import { redactSecrets, rememberSecret, REDACTED } from "../harness/server-text.ts";

describe("canonicalJson: the bytes digests and signatures cover", () => {
  it("sorts keys by UTF-16 code units at every depth, drops undefined members, keeps __proto__ as a member", () => {
    const value = JSON.parse('{"x":"y","__proto__":{"b":1,"a":[1,{"z":null,"é":2,"E":3,"10":1,"9":2}]}}') as unknown;
    expect(canonicalJson(value)).toBe('{"__proto__":{"a":[1,{"9":2,"10":1,"E":3,"z":null,"é":2}],"b":1},"x":"y"}');
    expect(canonicalJson({ b: [undefined, 1], a: undefined, "\uffff": 2, "\ud83d\ude00": 1, "": 0, d: new Date(0), n: null })).toBe(
      '{"":0,"b":[null,1],"d":{},"n":null,"\ud83d\ude00":1,"\uffff":2}',
    );
  });
});

describe("redactSecrets after a secret is remembered mid-run", () => {
  it("redacts a token remembered after earlier calls (the sorted list is not stale), longest piece first", () => {
    expect(redactSecrets("plain text, nothing to hide")).toBe("plain text, nothing to hide");
    const token = "sk-lm-AbCd1234:0123456789abcdefghij";
    rememberSecret(token);
    expect(redactSecrets(`echo ${token} and half AbCd1234`)).toBe(`echo ${REDACTED} and half ${REDACTED}`);
    expect(redactSecrets("Authorization: BEARER abc.def")).toBe(`Authorization: BEARER ${REDACTED}`);
    expect(redactSecrets("id Sk-Lm-zzzz:yyyy end")).toBe(`id sk-lm-${REDACTED} end`);
  });
});
