/**
 * @module The inference answers lmcert asks for: a chat completion and an embeddings list, OpenAI-shaped as LM Studio
 * sends them (lmstudio-api.md §2; payloads v0-chat-completions.docs-endpoints-mdx.json). Only the fields lmcert
 * reads are required; the rest of a real answer passes through.
 */
import { z } from "zod";

export const ChatCompletion = z.looseObject({
  object: z.literal("chat.completion"),
  /** The instance that answered: on a JIT-off host with one model loaded, not necessarily the one asked for. */
  model: z.string(),
  choices: z.array(z.looseObject({ index: z.number().int() })).min(1),
});

export const EmbeddingList = z.looseObject({
  object: z.literal("list"),
  model: z.string(),
  data: z.array(z.looseObject({ embedding: z.array(z.number()).min(1) })).min(1),
});

export type ChatCompletion = z.infer<typeof ChatCompletion>;
export type EmbeddingList = z.infer<typeof EmbeddingList>;
