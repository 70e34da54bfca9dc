/** @module A run's Ctrl-C signal, handed on to everything the run starts, without Node's listener-leak warning. */
import { setMaxListeners } from "node:events";

export interface FannedOutSignal {
  readonly signal: AbortSignal;
  /** Stops following the outer signal; call when the run is over. */
  release(): void;
}

/**
 * A signal that aborts when `outer` does, for many listeners at once. Every request in flight listens on the run's
 * signal (undici adds a listener per request), and in a fleet every host in flight does, from several places. Node
 * warns of a leak at 11 listeners (MaxListenersExceededWarning), which every fleet run printed although no listener
 * leaked. The fan-out is by design, so this signal has no such limit; `outer` gets one listener.
 */
export function fanOutSignal(outer: AbortSignal | undefined): FannedOutSignal {
  const controller = new AbortController();
  setMaxListeners(0, controller.signal);
  const forward = () => controller.abort(outer?.reason);
  if (outer?.aborted) forward();
  else outer?.addEventListener("abort", forward, { once: true });
  return { signal: controller.signal, release: () => outer?.removeEventListener("abort", forward) };
}
