/**
 * @module One lane of a fleet run: certifies the chains of hosts it is handed, with its own undici Agent, and says
 * what happened through `send`. The main thread runs one lane itself; each worker thread runs one
 * (harness/cli/fleet-thread.ts). Both speak the messages of thread-messages.ts, so a host's result does not depend
 * on where it ran.
 */
import { setMaxListeners } from "node:events";
import { describeError } from "../errors.ts";
import { createHostAgent } from "../http/agent.ts";
import type { Reporter } from "../reporters/reporter.ts";
import { certifyFleetHost, type FleetHostRunOptions } from "./certify-fleet-host.ts";
import type { FromThread, ToThread } from "./thread-messages.ts";

/**
 * A host's checks follow one another closely, so a connection idle this long belongs to a host that is done (or
 * waiting on something slow, and then a new connection costs nothing that matters). Closing it then keeps a
 * 1,000-host fleet from holding thousands of idle sockets (bench/RESULTS.md).
 */
const IDLE_CONNECTION_MS = 1_000;

export interface LaneOptions extends Omit<FleetHostRunOptions, "agent" | "reporters" | "signal"> {
  readonly connectionsPerOrigin: number;
  /** Send each check's result as it ends (only when a reporter listens for it: each is a message). */
  readonly forwardCheckEnd: boolean;
}

export interface Lane {
  readonly receive: (message: ToThread) => void;
  /** Settles after an `end` message, once the lane's connections are closed. */
  readonly closed: Promise<void>;
}

export function startLane(options: LaneOptions, send: (message: FromThread) => void): Lane {
  const agent = createHostAgent({ connectTimeoutMs: options.timeoutMs, connectionsPerOrigin: options.connectionsPerOrigin, idleConnectionMs: IDLE_CONNECTION_MS });
  const stop = new AbortController();
  setMaxListeners(0, stop.signal); // every request in flight listens on it (see harness/fan-out-signal.ts)
  const relay: Reporter = {
    onRunStart: (plan) => send({ type: "run-start", plan }),
    ...(options.forwardCheckEnd ? { onCheckEnd: (host, record) => send({ type: "check-end", host, record }) } : {}),
  };
  const hostOptions: FleetHostRunOptions = { ...options, reporters: [relay], signal: stop.signal, agent };
  let ended: () => void = () => {};
  const closed = new Promise<void>((resolve) => (ended = resolve));
  const runChain = async (hosts: Extract<ToThread, { type: "chain" }>["hosts"]) => {
    for (const { index, host } of hosts) {
      try {
        const result = await certifyFleetHost(host, hostOptions);
        send({ type: "done", index, certificate: result.certificate, path: result.path });
      } catch (error) {
        send({ type: "failed", index, error: describeError(error) });
        return;
      }
    }
    send({ type: "chain-done" });
  };
  const receive = (message: ToThread) => {
    switch (message.type) {
      case "chain":
        void runChain(message.hosts);
        return;
      case "abort":
        stop.abort(new Error(message.reason));
        return;
      case "end":
        void agent.destroy().finally(ended);
        return;
    }
  };
  return { receive, closed };
}
