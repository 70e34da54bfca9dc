import v8 from "node:v8";
import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";
import { HttpError } from "../harness/errors.ts";
import { errors, MockAgent } from "undici";
import { HttpClient } from "../harness/http/client.ts";
import { pollUntil } from "../harness/lifecycle/poll.ts";
import type { Certificate } from "../contracts/certificate.ts";
import { runCli } from "./helpers/cli.ts";
import { closedPortUrl, LAN_STAND_IN, mockHost, plainHost } from "./helpers/hosts.ts";

async function failure(promise: Promise<unknown>): Promise<HttpError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(HttpError);
  return error as HttpError;
}

function client(options: ConstructorParameters<typeof HttpClient>[0] = {}): HttpClient {
  return new HttpClient({ timeoutMs: 500, ...options });
}

describe("HttpClient", () => {
  it("records evidence for a good exchange: method, url, status, selected headers, body excerpt", async () => {
    const mock = await mockHost("compliant");
    const http = client();
    const { exchange, json } = await http.getJson(`${mock.url}/lmstudio-greeting`);
    await http.close();
    expect(json).toEqual({ lmstudio: true });
    expect(exchange.evidence).toMatchObject({
      method: "GET",
      url: `${mock.url}/lmstudio-greeting`,
      status: 200,
      headers: { "content-type": "application/json; charset=utf-8", "x-powered-by": "Express" },
      bodyExcerpt: '{"lmstudio":true}',
      error: null,
    });
  });

  it("a closed port is a typed `refused` error", async () => {
    const http = client();
    const error = await failure(http.send("GET", `${await closedPortUrl()}/v1/models`));
    expect(error.kind).toBe("refused");
    expect(error.message).toMatch(/Connection refused.*GET http:\/\/127\.0\.0\.1:\d+\/v1\/models/);
    expect(error.evidence.error).toBe(error.message);
  });

  it("a hung server is a typed `timeout` after the per-request timeout", async () => {
    const mock = await mockHost("compliant", { faults: [{ fault: { kind: "hang" } }] });
    const http = client({ timeoutMs: 200 });
    const error = await failure(http.send("GET", `${mock.url}/v1/models`));
    await http.close();
    expect(error.kind).toBe("timeout");
    expect(error.message).toMatch(/within 200 ms/);
  });

  it("the timeout fires even when garbage collection runs while the request waits (nodejs/node#57736)", async () => {
    // AbortSignal.timeout() inside AbortSignal.any() can be collected before it fires on Node 20: a request to a hung
    // server then never ended. Collect garbage continuously while waiting, as a busy fleet run does.
    v8.setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as () => void;
    const mock = await mockHost("compliant", { faults: [{ fault: { kind: "hang" } }] });
    const http = client({ timeoutMs: 200 });
    const collecting = setInterval(gc, 10);
    let guard: NodeJS.Timeout | undefined;
    const hung = new Promise<"hung">((resolve) => (guard = setTimeout(() => resolve("hung"), 5_000)));
    try {
      const outcome = await Promise.race([failure(http.send("GET", `${mock.url}/v1/models`)), hung]);
      expect(outcome === "hung" ? "hung" : outcome.kind).toBe("timeout");
    } finally {
      clearInterval(collecting);
      clearTimeout(guard);
      await http.close();
    }
  });

  it("the overall deadline caps every request, whatever the per-request timeout", async () => {
    const mock = await mockHost("compliant", { faults: [{ fault: { kind: "hang" } }] });
    const http = client({ timeoutMs: 60_000, deadline: Date.now() + 150 });
    expect((await failure(http.send("GET", `${mock.url}/v1/models`))).kind).toBe("timeout");
    await http.close();
  });

  it.each([
    ["before any response header", "reset"],
    ["mid-body", "reset-mid-body"],
  ] as const)("a connection reset %s is a typed `reset`", async (_when, kind) => {
    const mock = await mockHost("compliant", { faults: [{ fault: { kind } }] });
    const http = client();
    const error = await failure(http.send("GET", `${mock.url}/v1/models`));
    await http.close();
    expect(error.kind).toBe("reset");
  });

  it("a 50 MB body is a typed `body-too-large` error, not an out-of-memory crash", async () => {
    const mock = await mockHost("compliant", { faults: [{ fault: { kind: "huge-body", bytes: 50 * 1024 * 1024 } }] });
    const http = client({ timeoutMs: 5_000 });
    const error = await failure(http.send("GET", `${mock.url}/v1/models`));
    await http.close();
    expect(error.kind).toBe("body-too-large");
    expect(error.message).toMatch(/larger than 8388608 bytes/);
  });

  it("malformed JSON and non-JSON content types are typed errors", async () => {
    const bad = await mockHost("compliant", { faults: [{ fault: { kind: "malformed-json" } }] });
    const html = await mockHost("compliant", { faults: [{ fault: { kind: "html" } }] });
    const http = client();
    expect((await failure(http.getJson(`${bad.url}/v1/models`))).kind).toBe("bad-json");
    const wrong = await failure(http.getJson(`${html.url}/v1/models`));
    expect(wrong.kind).toBe("wrong-content-type");
    expect(wrong.message).toMatch(/text\/html/);
    await http.close();
  });

  it("an HTTP 500 is a completed exchange (the caller decides), with the status in evidence", async () => {
    const mock = await mockHost("compliant", { faults: [{ fault: { kind: "status", status: 500 } }] });
    const http = client();
    const exchange = await http.send("GET", `${mock.url}/v1/models`);
    await http.close();
    expect(exchange.status).toBe(500);
    expect(exchange.evidence.status).toBe(500);
  });

  it("sends the token but never records it: Authorization and echoed secrets are redacted", async () => {
    const token = "sk-lm-abcd1234:secretsecretsecret12";
    const url = await plainHost((req, res) => {
      res.writeHead(200, { "content-type": "application/json", authorization: String(req.headers.authorization) });
      res.end(JSON.stringify({ echoed: req.headers.authorization }));
    });
    const http = client({ token });
    const exchange = await http.send("GET", `${url}/x`);
    await http.close();
    expect(exchange.bodyText).toContain(token);
    const recorded = JSON.stringify(exchange.evidence);
    expect(recorded).not.toContain(token);
    expect(recorded).not.toContain("secretsecret");
    expect(exchange.evidence.headers["authorization"]).toBe("[redacted]");
  });

  it("an invalid URL or a scheme other than http/https is a typed error", async () => {
    const http = client();
    expect((await failure(http.send("GET", "http://[::1"))).kind).toBe("invalid-url");
    expect((await failure(http.send("GET", "ftp://127.0.0.1/v1/models"))).kind).toBe("invalid-url");
  });

  it("sends a JSON body whole, with its length, and reuses kept-alive connections", async () => {
    const seen: { body: string; length: string | undefined; type: string | undefined }[] = [];
    const sockets = new Set<object>();
    const url = await plainHost((req, res) => {
      let body = "";
      req.setEncoding("utf8");
      req.on("data", (chunk: string) => (body += chunk));
      req.on("end", () => {
        sockets.add(req.socket);
        seen.push({ body, length: req.headers["content-length"], type: req.headers["content-type"] });
        res.writeHead(200, { "content-type": "application/json" });
        res.end("{}");
      });
    });
    const http = client();
    await http.send("POST", `${url}/api/v1/models/load`, { json: { model: "qwen/qwen3-8b", note: "é" } });
    for (let i = 0; i < 9; i++) await http.send("GET", `${url}/v1/models`);
    await http.close();
    expect(seen[0]).toEqual({ body: '{"model":"qwen/qwen3-8b","note":"é"}', length: "37", type: "application/json" });
    // Ten requests one after another: undici checks an idle connection for a pending close before it reuses it,
    // and meanwhile may open a second one; never one per request.
    expect(sockets.size).toBeLessThanOrEqual(2);
  });

  it("a GET the server drops by closing the connection is sent once more; a POST is not; nothing is sent a third time", async () => {
    // What a server closing an idle kept-alive connection does to a request that was already under way.
    let requests = 0;
    const dropped = new Set([2, 4, 5, 6]);
    const url = await plainHost((req, res) => {
      requests++;
      if (dropped.has(requests)) return void req.socket.destroy();
      res.writeHead(200, { "content-type": "application/json" });
      res.end("{}");
    });
    const http = client();
    expect((await http.send("GET", `${url}/v1/models`)).status).toBe(200);
    expect((await http.send("GET", `${url}/v1/models`)).status).toBe(200); // request 2 dropped, 3 answered
    expect(requests).toBe(3);
    const post = await failure(http.send("POST", `${url}/api/v1/models/load`, { json: { model: "m" } })); // 4
    expect(post.kind).toBe("reset");
    expect(requests).toBe(4);
    const get = await failure(http.send("GET", `${url}/v1/models`)); // 5 and its one retry, 6
    await http.close();
    expect(get.kind).toBe("reset");
    expect(requests).toBe(6);
  });

  it("a body trickling in below the idle timeout is still cut off as a `timeout` (slow body)", async () => {
    const mock = await mockHost("compliant", { faults: [{ fault: { kind: "slow-drip", intervalMs: 50 } }] });
    const http = client({ timeoutMs: 300 });
    const error = await failure(http.send("GET", `${mock.url}/v1/models`));
    await http.close();
    expect(error.kind).toBe("timeout");
    expect(error.evidence.status).toBe(200);
    expect(error.message).toMatch(/No complete response within 300 ms: GET/);
  });

  it("a name that does not resolve is a typed `dns` error that says so (DNS failure)", async () => {
    // `.invalid` can never resolve (RFC 2606); the lookup fails whether or not a resolver is reachable.
    const http = client({ timeoutMs: 5_000 });
    const error = await failure(http.send("GET", "http://lmstudio.invalid:1234/v1/models"));
    expect(error.kind).toBe("dns");
    expect(error.message).toBe("The host name does not resolve (DNS lookup failed): GET http://lmstudio.invalid:1234/v1/models");
  });

  it("Ctrl-C during a request is reported as interrupted, not as a timeout", async () => {
    const mock = await mockHost("compliant", { faults: [{ fault: { kind: "hang" } }] });
    const ctrlC = new AbortController();
    const http = client({ timeoutMs: 5_000, signal: ctrlC.signal });
    const pending = failure(http.send("GET", `${mock.url}/v1/models`));
    expect((await pollUntil(async () => mock.requests.length, (n) => n > 0, { timeoutMs: 2_000 })).ok).toBe(true);
    ctrlC.abort(new Error("interrupted"));
    const error = await pending;
    await http.close();
    expect(error.kind).toBe("interrupted");
    expect(error.message).toMatch(/^Interrupted \(Ctrl-C or SIGTERM\) before the response was complete: GET /);
    expect(error.message).not.toMatch(/within/);
    // A request after Ctrl-C is not sent at all.
    expect((await failure(http.send("GET", `${mock.url}/v1/models`))).kind).toBe("interrupted");
  });

  it("Ctrl-C during a certify run: the check that was waiting says it was interrupted, never 'No complete response'", async () => {
    const mock = await mockHost("compliant", { faults: [{ fault: { kind: "hang" }, paths: ["/v1/chat/completions"] }] });
    const ctrlC = new AbortController();
    const run = runCli(["certify", mock.url, "--json", "--no-browser", "--probe-address", LAN_STAND_IN, "--timeout", "5000"], ctrlC.signal);
    expect((await pollUntil(async () => mock.requests.some((r) => r.path === "/v1/chat/completions"), Boolean, { timeoutMs: 5_000 })).ok).toBe(true);
    ctrlC.abort(new Error("interrupted"));
    const r = await run;
    expect(r.code).toBe(2);
    const reasons = (JSON.parse(r.stdout) as Certificate).checks.map((c) => c.reason).join("\n");
    expect(reasons).toMatch(/Interrupted \(Ctrl-C or SIGTERM\) before the response was complete: [A-Z]+ http:\/\/127\.0\.0\.1:\d+\/v1\/chat\/completions/);
    expect(`${reasons}\n${r.stderr}`).not.toMatch(/No complete response/);
  });

  it("a request cut short by the host's time limit says so, instead of naming a timeout that never ran out", async () => {
    const mock = await mockHost("compliant", { faults: [{ fault: { kind: "hang" } }] });
    const http = client({ timeoutMs: 30_000, deadline: Date.now() + 200 });
    const error = await failure(http.send("GET", `${mock.url}/v1/models`));
    expect(error.message).toMatch(/^No complete response before the host's deadline ran out \(\d+ ms of it were left; --host-timeout\)/);
    expect(error.message).not.toMatch(/30000/);
    const late = await failure(http.send("GET", `${mock.url}/v1/models`));
    await http.close();
    expect([late.kind, late.message]).toEqual(["timeout", `Not sent: this host's deadline had already run out (--host-timeout): GET ${mock.url}/v1/models`]);
  });

});

describe("HttpClient on undici's MockAgent (failures a loopback socket cannot produce)", () => {
  it.each([
    ["a connect timeout (a host that drops SYNs)", new errors.ConnectTimeoutError(), "timeout"],
    ["a DNS resolver that cannot be reached", Object.assign(new Error("getaddrinfo EAI_AGAIN lmstudio.lan"), { code: "EAI_AGAIN" }), "dns"],
    ["a host unreachable", Object.assign(new Error("connect EHOSTUNREACH 10.0.0.102:1234"), { code: "EHOSTUNREACH" }), "network"],
  ] as const)("%s is a typed error of the right kind", async (_what, thrown, kind) => {
    const agent = new MockAgent();
    agent.disableNetConnect();
    agent.get("http://10.0.0.102:1234").intercept({ path: "/v1/models" }).replyWithError(thrown);
    const http = client({ agent });
    const error = await failure(http.send("GET", "http://10.0.0.102:1234/v1/models"));
    await agent.close();
    expect(error.kind).toBe(kind);
    expect(error.evidence.error).toBe(error.message);
  });
});
