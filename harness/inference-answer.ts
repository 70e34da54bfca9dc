/**
 * @module What an inference request got: a real answer, LM Studio's own refusal, or something broken. Status codes
 * alone prove nothing here: a 500, a proxy's text/plain 404 or LM Studio's HTTP 200 "Unexpected endpoint" body are
 * neither an answer nor a refusal, and must never count as either.
 */
import { OpenAiError } from "../contracts/lmstudio/errors.ts";
import { ChatCompletion, EmbeddingList } from "../contracts/lmstudio/inference.ts";
import type { Exchange } from "./http/client.ts";
import { serverText } from "./server-text.ts";

export type Refusal = "no-models-loaded" | "model-not-found" | "load-failed";

export type InferenceAnswer =
  /** `answeredBy` is the response's `model`: the instance that answered. */
  | { readonly kind: "answered"; readonly answeredBy: string }
  | { readonly kind: "refused"; readonly refusal: Refusal; readonly status: number; readonly message: string }
  | { readonly kind: "broken"; readonly status: number; readonly why: string };

/**
 * LM Studio's refusals on its OpenAI-compatible routes (lmstudio-api.md Part C, "Chat on a JIT-off host"):
 * - nothing loaded: "No models loaded. Please load a model…", HTTP 400 on 0.4.x (openhuman#4181), 404 on 0.3.5
 *   (lms#107); body from bug-tracker#1730;
 * - two or more loaded, another model asked for: HTTP 404, code `model_not_found`, "Model "X" not found. Please
 *   specify a valid model…" (gitbutler#8706);
 * - a JIT load that failed: HTTP 400 "Failed to load model…" (continuedev/continue#10150).
 * Each is an OpenAI-style error body with type `invalid_request_error`.
 */
const REFUSALS: readonly { refusal: Refusal; matches: (message: string, code: string | null) => boolean }[] = [
  { refusal: "no-models-loaded", matches: (m) => /^No models loaded\b/i.test(m) },
  { refusal: "model-not-found", matches: (m, code) => code === "model_not_found" || /^Model "[^"]*" not found\b/.test(m) },
  { refusal: "load-failed", matches: (m) => /^Failed to load model\b/i.test(m) },
];
const REFUSAL_STATUSES = new Set([400, 404]);

function isJson(exchange: Exchange): boolean {
  return /^application\/([a-z0-9.+-]*\+)?json\b/i.test(exchange.headers["content-type"] ?? "");
}

function parse(exchange: Exchange): unknown {
  try {
    return JSON.parse(exchange.bodyText) as unknown;
  } catch {
    return undefined;
  }
}

/** Reads a chat (`/v1/chat/completions`) or embeddings (`/v1/embeddings`) exchange. */
export function readInferenceAnswer(exchange: Exchange, endpoint: "chat" | "embeddings"): InferenceAnswer {
  const { status } = exchange;
  const start = serverText(exchange.bodyText.trim(), 160) || "(empty body)";
  if (!isJson(exchange)) {
    return { kind: "broken", status, why: `HTTP ${status} with content-type "${serverText(exchange.headers["content-type"] ?? "(none)", 80)}", not LM Studio's JSON: ${start}` };
  }
  const body = parse(exchange);
  if (body === undefined) return { kind: "broken", status, why: `HTTP ${status} with a body that is not JSON: ${start}` };
  if (status >= 200 && status < 300) {
    const answer = (endpoint === "chat" ? ChatCompletion : EmbeddingList).safeParse(body);
    if (answer.success) return { kind: "answered", answeredBy: answer.data.model };
    return { kind: "broken", status, why: `HTTP ${status} but not a ${endpoint === "chat" ? "chat completion" : "list of embeddings"}: ${start}` };
  }
  const error = OpenAiError.safeParse(body);
  if (REFUSAL_STATUSES.has(status) && error.success && error.data.error.type === "invalid_request_error") {
    const { message, code } = error.data.error;
    const known = REFUSALS.find((r) => r.matches(message, code));
    if (known) return { kind: "refused", refusal: known.refusal, status, message: serverText(message, 200) };
  }
  return { kind: "broken", status, why: `HTTP ${status}, which is not one of LM Studio's documented answers or refusals: ${start}` };
}

/** A chat that loads nothing and costs one token. */
export function minimalChat(model: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { model, messages: [{ role: "user", content: "Reply with OK." }], max_tokens: 1, stream: false, ...extra };
}
