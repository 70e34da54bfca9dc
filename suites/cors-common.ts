/** @module What the CORS checks share: the fix in LM Studio's words, and when "any origin" applies. */
import type { Standard } from "../contracts/standard.ts";
import { lmsServerRestart } from "./remedies.ts";

export const ENABLE_CORS = (s: Standard): string =>
  `In LM Studio: Developer → Server Settings → turn on "Enable CORS" (or restart the server with \`${lmsServerRestart(s)}\`). Without it, LM Studio answers browser preflights with HTTP 200 and no CORS headers, and browsers block every call.`;

export const anyOrigin = (s: { cors: string }) => s.cors === "any-origin";
export const saysDisabled = () => "the standard says cors: disabled";
