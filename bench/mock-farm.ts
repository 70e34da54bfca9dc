/**
 * @module A process serving N compliant mock hosts on ephemeral loopback ports (bound to 0.0.0.0), for benchmarks.
 *
 * The farm shares the machine's cores with the lmcert process being measured, while a real fleet's hosts are other
 * machines: the less CPU it spends during a measured run, the more honest the run. A cold process spends about
 * twice the CPU of a warm one on the same requests (V8 has not optimized the HTTP server's or the mock's code yet),
 * and the bench reaches most farms for the first time inside a measured run. So before it prints the URLs (the
 * bench starts measuring after that), the farm serves the traffic of `WARM_UP_HOSTS` hosts to a throwaway mock of
 * the same preset; the hosts it then serves start with their own fresh state and empty request logs.
 * Measured (50 hosts, one `lmcert fleet` run): farm CPU on its first run 440-520 ms cold, 230-250 ms warmed up,
 * 170-200 ms once fully warm; the warm-up costs ~0.7 s of CPU at start-up. MOCK_FARM_WARM_UP_HOSTS=0 turns it off.
 */
import { Agent, request } from "node:http";
import WebSocket from "ws";
import { preset } from "../fixtures/mock/presets.ts";
import { startMock } from "../fixtures/mock/server.ts";

const WARM_UP_HOSTS = Number(process.env["MOCK_FARM_WARM_UP_HOSTS"] ?? 60);
const WARM_UP_CONCURRENCY = 8;

const count = Number(process.argv[2] ?? 25);
await warmUp(WARM_UP_HOSTS);
const mocks = await Promise.all(Array.from({ length: count }, () => startMock(preset("compliant"))));
console.log(JSON.stringify(mocks.map((m) => m.url)));
process.on("SIGTERM", () => void Promise.all(mocks.map((m) => m.close())).then(() => process.exit(0)));

async function warmUp(hosts: number): Promise<void> {
  const mock = await startMock(preset("compliant"), { host: "127.0.0.1" });
  try {
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next++ < hosts) await oneHost(mock.url);
    };
    await Promise.all(Array.from({ length: WARM_UP_CONCURRENCY }, worker));
  } finally {
    await mock.close();
  }
}

/**
 * About what `lmcert fleet` asks of one host: the listings, CORS preflights with and without an origin, chats,
 * unknown routes, over a few kept-alive connections that are then closed, and one SDK websocket session.
 */
async function oneHost(url: string): Promise<void> {
  const agent = new Agent({ keepAlive: true, maxSockets: 3 });
  const get = (path: string, headers: Record<string, string> = {}) => call(agent, url, "GET", path, headers);
  const preflight = (path: string, origin: string) =>
    call(agent, url, "OPTIONS", path, { origin, "access-control-request-method": "POST", "access-control-request-headers": "content-type, authorization" });
  const chat = (model: string) => call(agent, url, "POST", "/v1/chat/completions", {}, JSON.stringify({ model, messages: [{ role: "user", content: "hi" }], max_tokens: 1 }));
  try {
    await Promise.all([get("/lmstudio-greeting"), get("/v1/models"), get("/api/v0/models"), get("/api/v1/models")]);
    await Promise.all(["http://a.example", "null", "http://b.example", "http://c.example"].flatMap((o) => [preflight("/v1/models", o), preflight("/v1/chat/completions", o)]));
    await Promise.all([get("/v1/models", { origin: "http://a.example" }), chat("qwen2.5-0.5b-instruct"), call(agent, url, "OPTIONS", "/v1/models")]);
    await Promise.all([get("/lmstudio-greeting"), get("/api/v1/models"), get("/v1/models"), get("/api/v0/models"), get("/v1/nope"), chat("not-downloaded")]);
    await sdkSession(url);
  } finally {
    agent.destroy();
  }
}

function call(agent: Agent, url: string, method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<void> {
  const sent = body === undefined ? headers : { ...headers, "content-type": "application/json", "content-length": String(Buffer.byteLength(body)) };
  return new Promise((resolve, reject) => {
    const req = request(`${url}${path}`, { method, agent, headers: sent }, (res) => res.resume().on("end", resolve).on("error", reject));
    req.on("error", reject);
    req.end(body);
  });
}

/** The handshake, a guest's auth packet and `system.version`, as `lms` and @lmstudio/sdk open a session. */
function sdkSession(url: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${url.replace(/^http/, "ws")}/system`);
    ws.on("open", () => ws.send(JSON.stringify({ authVersion: 1, clientIdentifier: "guest:warm-up", clientPasskey: "warm-up" })));
    ws.on("message", (data) => {
      const message = JSON.parse(String(data)) as { success?: boolean; type?: string };
      if (message.success) ws.send(JSON.stringify({ type: "rpcCall", callId: 0, endpoint: "version", parameter: undefined }));
      else ws.close();
    });
    ws.on("close", () => resolve());
    ws.on("error", reject);
  });
}
