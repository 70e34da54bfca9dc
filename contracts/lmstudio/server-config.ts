/**
 * @module LM Studio's last server settings, `~/.lmstudio/.internal/http-server-config.json` (lmstudio-api.md B5).
 * `lms` reads `port` and `networkInterface`; the CORS and JIT key names are not documented, so several spellings
 * are accepted (GUESS) and every other field is kept as evidence.
 */
import { z } from "zod";

export const CORS_KEYS = ["cors", "enableCors", "corsEnabled"] as const;
export const JIT_KEYS = ["jitModelLoading", "justInTimeModelLoading", "enableJitModelLoading", "jit"] as const;

export const HttpServerConfig = z
  .looseObject({
    port: z.number().int().min(0).max(65535).optional(),
    networkInterface: z.string().optional(),
    ...Object.fromEntries(CORS_KEYS.map((k) => [k, z.boolean().optional()])),
    ...Object.fromEntries(JIT_KEYS.map((k) => [k, z.boolean().optional()])),
  })
  .meta({ id: "lmstudio.HttpServerConfig", title: "~/.lmstudio/.internal/http-server-config.json" });

export type HttpServerConfig = z.infer<typeof HttpServerConfig>;
