/** @module GET /v1/models: the OpenAI-compatible model list (lmstudio-api.md §1, B1). */
import { z } from "zod";

/** One listed id. Real hosts send exactly id/object/owned_by; extra fields are drift, not failure. */
export const OpenAiModel = z
  .looseObject({
    id: z.string().min(1),
    object: z.literal("model"),
    owned_by: z.string(),
  })
  .meta({ id: "lmstudio.openai.Model", title: "GET /v1/models item, and GET /v1/models/{id} (bug-tracker#814)" });

export const OpenAiModelList = z
  .looseObject({
    object: z.literal("list"),
    data: z.array(OpenAiModel),
  })
  .meta({ id: "lmstudio.openai.ModelList", title: "GET /v1/models response" });

export type OpenAiModelList = z.infer<typeof OpenAiModelList>;
