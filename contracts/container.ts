/**
 * @module A host that lmcert starts itself from a container image (`lmcert certify --container`, inventory
 * `container:`), and what its certificate records about that container.
 */
import { z } from "zod";

/**
 * GUESS (no LM Studio image was run here): where LM Studio keeps models inside its headless image. LM Studio's
 * default on Linux is ~/.lmstudio/models (lmstudio.ai/docs/app/basics/download-model), and the image runs as root.
 */
export const DEFAULT_CONTAINER_MODELS_PATH = "/root/.lmstudio/models";

const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must be an environment variable name");

/** What to start. The same fields as the CLI flags `--container-*`. */
export const ContainerTarget = z.strictObject({
  image: z.string().min(1).describe("image reference, e.g. lmstudio/llmster-preview:cpu"),
  port: z.number().int().min(1).max(65535).default(1234).describe("the port LM Studio listens on inside the container"),
  env: z.record(envName, z.string()).default({}).describe("environment variables for the container (values are never recorded)"),
  cmd: z.array(z.string()).min(1).optional().describe("command (arguments after the image's entrypoint)"),
  models: z.string().min(1).optional().describe("host folder with models, mounted read-only"),
  modelsPath: z.string().regex(/^\//, "must be an absolute path inside the container (starting with /)").default(DEFAULT_CONTAINER_MODELS_PATH).describe("where the models folder is mounted inside the container"),
  startupTimeoutMs: z.number().int().positive().default(180_000).describe("how long to wait for GET /lmstudio-greeting"),
});
export type ContainerTarget = z.output<typeof ContainerTarget>;
export type ContainerTargetInput = z.input<typeof ContainerTarget>;

/** In a certificate: which image was certified, and how its start went. Env values are not recorded (secrets). */
export const ContainerRecord = z.strictObject({
  image: z.string(),
  /** The engine's content-addressed image id (`sha256:…`). */
  imageId: z.string().nullable(),
  /** `name@sha256:…` when the image came from a registry; null for a locally built image. */
  repoDigest: z.string().nullable(),
  port: z.number().int(),
  env: z.array(z.string()).describe("names of the environment variables set (values are never recorded)"),
  cmd: z.array(z.string()).nullable(),
  models: z.string().nullable(),
  /** answered; exited before answering; no-answer before the deadline; not-started (no engine, no image: fleet only). */
  startup: z.enum(["answered", "exited", "no-answer", "not-started"]),
  detail: z.string(),
  /** The container's last log lines when it did not answer (secrets redacted, lines capped). */
  logTail: z.array(z.string()),
});
export type ContainerRecord = z.infer<typeof ContainerRecord>;
