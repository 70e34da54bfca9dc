/**
 * @module A per-request abort signal: fires after a delay, or as soon as an outer signal (Ctrl-C) fires.
 *
 * Why not `AbortSignal.any([AbortSignal.timeout(ms), outer])`: in Node 20 the timeout signal inside `any()` is held
 * only weakly and can be garbage-collected before it fires (nodejs/node#57736). A request to a server that never
 * answers then hung forever instead of timing out. Here the timer is an ordinary one, held until dispose().
 */
export interface RequestAbort {
  readonly signal: AbortSignal;
  /** Clears the timer and the outer listener; call when the request is over, however it ended. */
  dispose(): void;
}

export function abortAfter(ms: number, outer?: AbortSignal): RequestAbort {
  const controller = new AbortController();
  const onOuterAbort = () => controller.abort(outer?.reason);
  const timer = setTimeout(() => controller.abort(new DOMException(`no complete response within ${ms} ms`, "TimeoutError")), ms);
  if (outer?.aborted) onOuterAbort();
  else outer?.addEventListener("abort", onOuterAbort, { once: true });
  return {
    signal: controller.signal,
    dispose() {
      clearTimeout(timer);
      outer?.removeEventListener("abort", onOuterAbort);
    },
  };
}
