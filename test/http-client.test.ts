import v8 from "node:v8";
import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";
import { HttpError } from "../harness/errors.ts";
import { HttpClient } from "../harness/http/client.ts";
import { closedPortUrl, mockHost, plainHost } from "./helpers/hosts.ts";

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

  it("sends a JSON body whole, with its length, and reuses one kept-alive connection per host", async () => {
    const seen: { body: string; length: string | undefined; type: string | undefined; socket: number }[] = [];
    const sockets = new Map<object, number>();
    const url = await plainHost((req, res) => {
      let body = "";
      req.setEncoding("utf8");
      req.on("data", (chunk: string) => (body += chunk));
      req.on("end", () => {
        if (!sockets.has(req.socket)) sockets.set(req.socket, sockets.size);
        seen.push({ body, length: req.headers["content-length"], type: req.headers["content-type"], socket: sockets.get(req.socket)! });
        res.writeHead(200, { "content-type": "application/json" });
        res.end("{}");
      });
    });
    const http = client();
    await http.send("POST", `${url}/api/v1/models/load`, { json: { model: "qwen/qwen3-8b", note: "é" } });
    await http.send("POST", `${url}/api/v1/models/load`, { json: { model: "x" } });
    await http.close();
    expect(seen[0]).toEqual({ body: '{"model":"qwen/qwen3-8b","note":"é"}', length: "37", type: "application/json", socket: 0 });
    expect(seen[1]?.socket).toBe(0);
  });

  it("a GET on a kept-alive connection the server drops as it arrives is sent once more; a POST is not", async () => {
    // The server answers the first request on each connection and drops the connection on the second: what a
    // server closing an idle connection does to a request that was already under way.
    const perSocket = new Map<object, number>();
    let requests = 0;
    const url = await plainHost((req, res) => {
      requests++;
      const n = (perSocket.get(req.socket) ?? 0) + 1;
      perSocket.set(req.socket, n);
      if (n > 1) return void req.socket.destroy();
      res.writeHead(200, { "content-type": "application/json" });
      res.end("{}");
    });
    const http = client();
    expect((await http.send("GET", `${url}/v1/models`)).status).toBe(200);
    expect((await http.send("GET", `${url}/v1/models`)).status).toBe(200);
    expect(requests).toBe(3);
    const post = await failure(http.send("POST", `${url}/api/v1/models/load`, { json: { model: "m" } }));
    await http.close();
    expect(post.kind).toBe("reset");
  });
});
