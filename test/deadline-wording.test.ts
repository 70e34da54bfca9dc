/** A request that did not finish says which limit stopped it: its own timeout, the host's deadline, or Ctrl-C. */
import { describe, expect, it } from "vitest";
import { HttpClient } from "../harness/http/client.ts";
import { plainHost } from "./helpers/hosts.ts";

const hung = () => plainHost(() => undefined);

async function failure(client: HttpClient, url: string, timeoutMs?: number): Promise<string> {
  try {
    await client.send("GET", url, timeoutMs === undefined ? {} : { timeoutMs });
  } catch (error) {
    return (error as Error).message;
  } finally {
    await client.close();
  }
  throw new Error("the request to a hung server did not fail");
}

describe("deadline wording (issue 12: 'within 30000 ms' after ~3 s)", () => {
  it("the request's own timeout", async () => {
    expect(await failure(new HttpClient({ timeoutMs: 200 }), await hung())).toMatch(/^No complete response within 200 ms: GET /);
  });

  it("the host's deadline, when it runs out before the request's timeout", async () => {
    const message = await failure(new HttpClient({ timeoutMs: 30_000, deadline: Date.now() + 300 }), await hung(), 30_000);
    expect(message).toMatch(/^No complete response before the host's deadline ran out \(\d+ ms of it were left; --host-timeout\)/);
    expect(message).not.toMatch(/30000/);
  });

  it("an interruption is not a timeout", async () => {
    const controller = new AbortController();
    const client = new HttpClient({ timeoutMs: 30_000, signal: controller.signal });
    setTimeout(() => controller.abort(new Error("interrupted")), 100);
    expect(await failure(client, await hung())).toMatch(/^Interrupted \(Ctrl-C or SIGTERM\) before the response was complete/);
  });
});
