// Floor C for benchmark 1: a bare Node process making the same HTTP requests with undici, as any script that picks
// undici would (the whole package, default settings), one after another on a kept-alive connection. lmcert's own
// HTTP client is undici too, so this is the floor its cold start is held to.
import { Agent, request } from "undici";

const dispatcher = new Agent();
const requests = JSON.parse(process.argv[2]);
for (const { method, url, headers, body } of requests) {
  const response = await request(url, { method, headers, body, dispatcher });
  await response.body.dump();
}
await dispatcher.close();
