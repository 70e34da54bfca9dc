/**
 * @module LM Studio API tokens (0.4.0+): `sk-lm-` + 8 alphanumerics + `:` + 20 alphanumerics. HTTP sends the whole
 * token as `Authorization: Bearer …`; the SDK websocket sends it split, the 8 as `clientIdentifier` and the 20 as
 * `clientPasskey` (lmstudio-js packages/lms-shared-types/src/lmstudioAPIToken.ts, lms-client/src/LMStudioClient.ts).
 */

export const LMSTUDIO_API_TOKEN = /^sk-lm-(?<clientIdentifier>[a-zA-Z0-9]{8}):(?<clientPasskey>[a-zA-Z0-9]{20})$/;

export interface SdkCredentials {
  readonly clientIdentifier: string;
  readonly clientPasskey: string;
}

/** The halves the SDK sends in its first websocket message, or null when the text is not an LM Studio API token. */
export function splitApiToken(token: string): SdkCredentials | null {
  const groups = LMSTUDIO_API_TOKEN.exec(token)?.groups;
  const clientIdentifier = groups?.["clientIdentifier"];
  const clientPasskey = groups?.["clientPasskey"];
  return clientIdentifier && clientPasskey ? { clientIdentifier, clientPasskey } : null;
}
