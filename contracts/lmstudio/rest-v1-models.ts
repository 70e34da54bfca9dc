/** @module /api/v1/models and load/unload (LM Studio 0.4.0+; lmstudio-api.md §3). */
import { z } from "zod";

/** Load settings as LM Studio echoes them, both in `loaded_instances[].config` and in a load's `load_config`. */
const LoadConfig = z.looseObject({
  context_length: z.number().int().nonnegative().optional(),
  eval_batch_size: z.number().int().optional(),
  parallel: z.number().int().optional(),
  flash_attention: z.boolean().optional(),
  num_experts: z.number().int().optional(),
  offload_kv_cache_to_gpu: z.boolean().optional(),
});

export const RestV1LoadedInstance = z
  .looseObject({
    id: z.string().min(1),
    config: LoadConfig,
  })
  .meta({ id: "lmstudio.v1.LoadedInstance" });

export const RestV1Model = z
  .looseObject({
    type: z.string().meta({ description: "llm | embedding (open: new types are drift)" }),
    publisher: z.string(),
    key: z.string().min(1),
    display_name: z.string(),
    architecture: z.string().nullable().optional(),
    // Either part may be null (docs 2_rest/list.md; bug-tracker#1659), or the whole object.
    quantization: z.looseObject({ name: z.string().nullable(), bits_per_weight: z.number().nullable() }).nullable(),
    size_bytes: z.number().int().nonnegative(),
    params_string: z.string().nullable(),
    loaded_instances: z.array(RestV1LoadedInstance),
    max_context_length: z.number().int().nonnegative(),
    format: z.string().nullable(),
    capabilities: z
      .looseObject({
        vision: z.boolean().optional(),
        trained_for_tool_use: z.boolean().optional(),
        reasoning: z.looseObject({ allowed_options: z.array(z.string()), default: z.string() }).optional(),
      })
      .optional(),
    // 0.4.6+ (docs 2_rest/list.md; issue 11.6): absent on earlier 0.4 hosts, so optional.
    description: z.string().nullable().optional(),
    variants: z.array(z.string()).optional(),
    selected_variant: z.string().nullable().optional(),
  })
  .meta({ id: "lmstudio.v1.Model" });

export const RestV1ModelList = z
  .looseObject({ models: z.array(RestV1Model) })
  .meta({ id: "lmstudio.v1.ModelList", title: "GET /api/v1/models response" });

export const RestV1LoadRequest = z
  .looseObject({
    model: z.string().min(1),
    context_length: z.number().int().positive().optional(),
    eval_batch_size: z.number().int().positive().optional(),
    flash_attention: z.boolean().optional(),
    num_experts: z.number().int().positive().optional(),
    offload_kv_cache_to_gpu: z.boolean().optional(),
    echo_load_config: z.boolean().optional(),
  })
  .meta({ id: "lmstudio.v1.LoadRequest", title: "POST /api/v1/models/load body" });

export const RestV1LoadResponse = z
  .looseObject({
    type: z.string(),
    instance_id: z.string().min(1),
    load_time_seconds: z.number().nonnegative(),
    status: z.literal("loaded"),
    load_config: LoadConfig.optional(),
  })
  .meta({ id: "lmstudio.v1.LoadResponse", title: "POST /api/v1/models/load response" });

export const RestV1UnloadRequest = z
  .looseObject({ instance_id: z.string().min(1) })
  .meta({ id: "lmstudio.v1.UnloadRequest", title: "POST /api/v1/models/unload body" });

export const RestV1UnloadResponse = z
  .looseObject({ instance_id: z.string().min(1) })
  .meta({ id: "lmstudio.v1.UnloadResponse", title: "POST /api/v1/models/unload response" });

export type RestV1Model = z.infer<typeof RestV1Model>;
export type RestV1ModelList = z.infer<typeof RestV1ModelList>;
export type RestV1LoadRequest = z.infer<typeof RestV1LoadRequest>;
export type RestV1LoadResponse = z.infer<typeof RestV1LoadResponse>;
