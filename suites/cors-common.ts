/** @module What the CORS checks share: the fix in LM Studio's words, and when "any origin" applies. */

export const ENABLE_CORS =
  'In LM Studio: Developer → Server Settings → turn on "Enable CORS" (or start the server with `lms server start --cors`). Without it, LM Studio answers browser preflights with HTTP 200 and no CORS headers, and browsers block every call.';

export const anyOrigin = (s: { cors: string }) => s.cors === "any-origin";
export const saysDisabled = () => "the standard says cors: disabled";
