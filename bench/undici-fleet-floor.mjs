// Floor D for benchmark 2: a bare Node process that sends, to every host of a fleet, the HTTP requests one read-only
// `lmcert certify` sends (recorded from lmcert's own exchanges with `lmcert record`), with undici (the whole package,
// default settings) and the same number of hosts at once. No validation, no evidence, no files: what the requests
// alone cost this machine. Input: a JSON file { urls, requests: [{ method, path, headers, body }], concurrency }.
import { readFileSync } from "node:fs";
import { Agent, request } from "undici";

const { urls, requests, concurrency } = JSON.parse(readFileSync(process.argv[2], "utf8"));
const dispatcher = new Agent({ connections: 4 });
let next = 0;
async function worker() {
  while (next < urls.length) {
    const url = urls[next++];
    for (const { method, path, headers, body } of requests) {
      const response = await request(`${url}${path}`, { method, headers, body, dispatcher });
      await response.body.dump();
    }
  }
}
await Promise.all(Array.from({ length: concurrency }, worker));
await dispatcher.close();
console.log(JSON.stringify({ hosts: urls.length, requestsPerHost: requests.length }));
