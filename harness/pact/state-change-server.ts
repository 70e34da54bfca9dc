/**
 * @module The provider-state endpoint the Pact verifier calls before (and after) each interaction.
 *
 * Pact's documented state-change protocol: the verifier POSTs `{"state", "params", "action": "setup"|"teardown"}`
 * to the URL it was given; a JSON object in the answer holds the provider-state values it injects into the
 * request and response (`fromProviderState("${model}", …)` in the consumer test). A non-2xx answer fails that
 * interaction, so a state lmcert could not set up is reported, not hidden.
 * (docs.pact.io/getting_started/provider_states; pact-js examples/v3/provider-state-injected.)
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { z } from "zod";
import { describeError } from "../errors.ts";

const StateChangeRequest = z.object({
  state: z.string(),
  params: z.record(z.string(), z.unknown()).nullish(),
  action: z.enum(["setup", "teardown"]).default("setup"),
});
export type StateChangeRequest = z.infer<typeof StateChangeRequest>;

/** Sets up one state; the returned values are what the verifier injects. */
export type StateHandler = (request: StateChangeRequest) => Promise<Readonly<Record<string, string>>>;

export interface StateChangeServer {
  readonly url: string;
  close(): Promise<void>;
}

const MAX_BODY = 64 * 1024;

/** Listens on loopback only: the verifier runs on this machine, and nothing else should set states. */
export async function startStateChangeServer(handler: StateHandler): Promise<StateChangeServer> {
  const server = createServer((req, res) => void answer(handler, req, res));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/pact-state`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function answer(handler: StateHandler, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const reply = (status: number, body: unknown) => {
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(body));
  };
  try {
    const parsed = StateChangeRequest.safeParse(JSON.parse(await readBody(req)));
    if (!parsed.success) return reply(400, { error: `not a Pact state-change request: ${parsed.error.issues[0]?.message ?? ""}` });
    if (parsed.data.action === "teardown") return reply(200, {});
    reply(200, await handler(parsed.data));
  } catch (error) {
    // The verifier prints this answer under the interaction that could not run.
    reply(500, { error: `could not put the host into the provider state: ${describeError(error)}` });
  }
}

async function readBody(req: IncomingMessage): Promise<string> {
  let text = "";
  for await (const chunk of req as AsyncIterable<Buffer>) {
    text += chunk.toString("utf8");
    if (text.length > MAX_BODY) throw new Error("state-change request too large");
  }
  return text || "{}";
}
