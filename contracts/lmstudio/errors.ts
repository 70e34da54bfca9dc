/** @module The three error bodies LM Studio sends (lmstudio-api.md B3). */
import { z } from "zod";

/** OpenAI-compatible routes, e.g. "No models loaded" (bug-tracker#1730). */
export const OpenAiError = z
  .looseObject({
    error: z.looseObject({
      message: z.string(),
      type: z.string(),
      param: z.string().nullable(),
      code: z.string().nullable(),
    }),
  })
  .meta({ id: "lmstudio.error.OpenAi", title: "OpenAI-style error body" });

/** /api/v1 routes and SSE error events: type + message, code and param optional. */
export const RestV1Error = z
  .looseObject({
    error: z.looseObject({
      type: z.string(),
      message: z.string(),
      code: z.string().optional(),
      param: z.string().optional(),
    }),
  })
  .meta({ id: "lmstudio.error.RestV1", title: "LM Studio v1 REST error body" });

/** Any unknown route or method answers HTTP 200 with this body (bug-tracker#618), so status alone proves nothing. */
export const UnknownEndpointError = z
  .looseObject({
    error: z.string().regex(/^Unexpected endpoint or method\. \(/),
  })
  .meta({ id: "lmstudio.error.UnknownEndpoint", title: "200 body for unknown routes" });

export type OpenAiError = z.infer<typeof OpenAiError>;
