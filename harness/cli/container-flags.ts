/** @module `--container-*` flags (certify) → the ContainerTarget lmcert starts; each bad value names its flag. */
import { ContainerTarget } from "../../contracts/container.ts";
import type { CertifyFlags } from "../../contracts/cli.ts";
import { describeIssues } from "../input-errors.ts";
import { UsageError } from "../errors.ts";

type ContainerFlags = Pick<CertifyFlags, "container" | "containerPort" | "containerEnv" | "containerCmd" | "containerModels" | "containerTimeoutMs">;

export function containerTargetFromFlags(flags: ContainerFlags, env: NodeJS.ProcessEnv = process.env): ContainerTarget | null {
  if (flags.container === undefined) return null;
  const models = flags.containerModels === undefined ? undefined : splitModels(flags.containerModels);
  const parsed = ContainerTarget.safeParse({
    image: flags.container,
    ...(flags.containerPort === undefined ? {} : { port: flags.containerPort }),
    env: containerEnv(flags.containerEnv, env),
    ...(flags.containerCmd === undefined ? {} : { cmd: containerCmd(flags.containerCmd) }),
    ...(models ? { models: models.dir, ...(models.path ? { modelsPath: models.path } : {}) } : {}),
    ...(flags.containerTimeoutMs === undefined ? {} : { startupTimeoutMs: flags.containerTimeoutMs }),
  });
  if (!parsed.success) throw new UsageError(describeIssues("lmcert certify: --container", parsed.error));
  return parsed.data;
}

/** `KEY=VALUE`, or `KEY` alone for lmcert's own value (how `docker run -e KEY` works; keeps tokens off the command line). */
function containerEnv(entries: readonly string[], env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of entries) {
    const eq = entry.indexOf("=");
    if (eq > 0) {
      out[entry.slice(0, eq)] = entry.slice(eq + 1);
      continue;
    }
    const value = env[entry];
    if (value === undefined) throw new UsageError(`--container-env ${entry}: the environment variable ${entry} is not set here (use ${entry}=VALUE)`);
    out[entry] = value;
  }
  return out;
}

/** A JSON array of strings (exact arguments), or words separated by whitespace. */
function containerCmd(text: string): string[] {
  const trimmed = text.trim();
  if (trimmed.startsWith("[")) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch (cause) {
      throw new UsageError(`--container-cmd: not a JSON array of strings (${(cause as Error).message})`, { cause });
    }
    if (!Array.isArray(parsed) || parsed.length === 0 || !parsed.every((a) => typeof a === "string")) {
      throw new UsageError("--container-cmd: the JSON form must be a non-empty array of strings, e.g. '[\"sh\",\"-c\",\"lms daemon up && lms server start --port 1234 --bind 0.0.0.0 --cors && tail -f /dev/null\"]'");
    }
    return parsed as string[];
  }
  const words = trimmed.split(/\s+/).filter(Boolean);
  if (words.length === 0) throw new UsageError("--container-cmd: empty command");
  return words;
}

/** `dir` or `dir:/path/inside`. A Windows drive letter (`C:\…`) is not a separator. */
function splitModels(value: string): { dir: string; path: string | null } {
  const at = value.lastIndexOf(":/");
  if (at > 1) return { dir: value.slice(0, at), path: value.slice(at + 1) };
  return { dir: value, path: null };
}

/** `lmstudio/llmster-preview:cpu` → `lmstudio_llmster-preview_cpu`: a default host name safe as a folder name. */
export function containerHostName(image: string): string {
  return image.replace(/@sha256:([0-9a-f]{12})[0-9a-f]*$/, "_$1").replace(/[^A-Za-z0-9._-]+/g, "_").replace(/^[^A-Za-z0-9]+/, "") || "container";
}
