/** @module GET /api/v0/models (LM Studio 0.3.6+): list and single model, with `state` (lmstudio-api.md §2, B2). */
import { z } from "zod";

export const RestV0Model = z
  .looseObject({
    id: z.string().min(1),
    object: z.literal("model"),
    type: z.string().meta({ description: "llm | vlm | embeddings (open: new types are drift)" }),
    publisher: z.string(),
    arch: z.string(),
    compatibility_type: z.string(),
    // Null when LM Studio cannot name the quantization, as /api/v1 does (issue 11.6); the v0 spelling is a GUESS.
    quantization: z.string().nullable(),
    state: z.enum(["loaded", "not-loaded"]),
    max_context_length: z.number().int().nonnegative(),
    loaded_context_length: z.number().int().nonnegative().optional(),
    capabilities: z.array(z.string()).optional(),
  })
  .meta({ id: "lmstudio.v0.Model", title: "GET /api/v0/models/{model} response and list item" });

export const RestV0ModelList = z
  .looseObject({
    object: z.literal("list"),
    data: z.array(RestV0Model),
  })
  .meta({ id: "lmstudio.v0.ModelList", title: "GET /api/v0/models response" });

export type RestV0Model = z.infer<typeof RestV0Model>;
export type RestV0ModelList = z.infer<typeof RestV0ModelList>;
