// Floor B for benchmark 1: a bare Node process (no lmcert, no dependencies) making the same HTTP requests
// as the curl floor, one after another on a kept-alive connection. It shows what any Node CLI pays to start.
import { Agent, request } from "node:http";

const agent = new Agent({ keepAlive: true });
const requests = JSON.parse(process.argv[2]);
for (const { method, url, headers, body } of requests) {
  await new Promise((resolve, reject) => {
    const req = request(url, { method, headers, agent }, (res) => {
      res.resume();
      res.on("end", resolve);
    });
    req.on("error", reject);
    req.end(body);
  });
}
agent.destroy();
