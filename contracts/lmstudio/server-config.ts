/**
 * @module LM Studio's saved settings on the server's own disk, read with --local.
 *
 * `~/.lmstudio/.internal/http-server-config.json` holds the last HTTP server settings. Key names: `lms` source
 * (lmstudio-ai/lms src/subcommands/server.ts reads `port` and `networkInterface`) and real files shipped in public
 * LM Studio docker-compose projects (robert-werner/lm-studio-docker-compose, ronnaldrangel/lmstudio-docker-cpuu) for
 * the rest (issue 11.2; lmstudio-api.md Part C). There is no `jitModelLoading` key, and no public source shows a
 * saved key for "Require Authentication".
 *
 * `~/.lmstudio/settings.json` holds the app settings; JIT auto-evict and the JIT idle TTL live under `developer`
 * (same sources, medium confidence). Every other field is kept as evidence, never rejected.
 */
import { z } from "zod";

export const HttpServerConfig = z
  .looseObject({
    port: z.number().int().min(0).max(65535).optional(),
    networkInterface: z.string().optional().meta({ description: '"127.0.0.1" (localhost only) or "0.0.0.0" (Serve on Local Network)' }),
    cors: z.boolean().optional(),
    justInTimeModelLoading: z.boolean().optional(),
    autoStartOnLaunch: z.boolean().optional(),
    logSensitiveData: z.boolean().optional(),
    logIncomingTokens: z.boolean().optional(),
    verbose: z.boolean().optional(),
    // Known names, unknown value types in public sources: accepted as they are and reported, never rejected.
    logLinesLimit: z.unknown().optional(),
    fileLoggingMode: z.unknown().optional(),
  })
  .meta({ id: "lmstudio.HttpServerConfig", title: "~/.lmstudio/.internal/http-server-config.json" });

/** The http-server-config.json keys lmcert knows by name; anything else is reported as an unknown field. */
export const HTTP_SERVER_CONFIG_KEYS = Object.keys(HttpServerConfig.shape) as (keyof typeof HttpServerConfig.shape)[];

/** "Auto Unload Unused JIT Models" (TTL) in the UI; LM Studio's default is on, 60 minutes (ttl-and-auto-evict.md). */
export const JitModelTtl = z.looseObject({ enabled: z.boolean(), ttlSeconds: z.number().nonnegative() });

export const LmStudioAppSettings = z
  .looseObject({
    developer: z
      .looseObject({
        /** "Only Keep Last JIT Loaded Model" (auto-evict). */
        unloadPreviousJITModelOnLoad: z.boolean().optional(),
        jitModelTTL: JitModelTtl.optional(),
      })
      .optional(),
  })
  .meta({ id: "lmstudio.AppSettings", title: "~/.lmstudio/settings.json (the fields lmcert reads)" });

export type HttpServerConfig = z.infer<typeof HttpServerConfig>;
export type LmStudioAppSettings = z.infer<typeof LmStudioAppSettings>;
