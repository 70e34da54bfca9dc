/**
 * @module The few SDK websocket messages lmcert reads without the SDK: the authentication answer and the
 * `system.version` result (lmstudio-js lms-communication WsAuthenticationResult; lms-external-backend-interfaces
 * systemBackendInterface.ts `version` returns `{version: "major.minor.patch", build}`).
 */
import { z } from "zod";

export const WsAuthenticationResult = z.union([
  z.looseObject({ success: z.literal(true) }),
  z.looseObject({ success: z.literal(false), error: z.string() }),
]);

export const RpcAnswer = z.union([
  z.looseObject({ type: z.literal("rpcResult"), callId: z.number(), result: z.unknown() }),
  z.looseObject({ type: z.literal("rpcError"), callId: z.number(), error: z.unknown() }),
]);

export const SystemVersion = z.looseObject({ version: z.string().min(1), build: z.number() });
export type SystemVersion = z.infer<typeof SystemVersion>;
