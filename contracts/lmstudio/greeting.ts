/** @module GET /lmstudio-greeting: the probe `lms` uses to ask "is this LM Studio?" (lmstudio-api.md B4). */
import { z } from "zod";

export const Greeting = z
  .looseObject({ lmstudio: z.literal(true) })
  .meta({ id: "lmstudio.Greeting", title: "GET /lmstudio-greeting response" });

export type Greeting = z.infer<typeof Greeting>;
