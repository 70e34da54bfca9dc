/** @module Reads LM Studio's own server settings file on this machine (with --local). */
import { readFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import { CORS_KEYS, HttpServerConfig, JIT_KEYS } from "../../contracts/lmstudio/server-config.ts";

export interface LmStudioSettings {
  readonly path: string;
  readonly port: number | null;
  readonly networkInterface: string | null;
  readonly cors: boolean | null;
  readonly jit: boolean | null;
  /** Fields lmcert does not interpret, kept as evidence. */
  readonly otherFields: Readonly<Record<string, unknown>>;
}

export type SettingsRead = { readonly ok: true; readonly settings: LmStudioSettings } | { readonly ok: false; readonly reason: string };

/** ~/.lmstudio unless a home pointer (~/.lmstudio-home-pointer) says otherwise, as the SDK resolves it (B5). */
export async function defaultLmStudioHome(): Promise<string> {
  const pointer = await readFile(join(homedir(), ".lmstudio-home-pointer"), "utf8").catch(() => "");
  return pointer.trim() || join(homedir(), ".lmstudio");
}

export function settingsPath(home: string): string {
  return join(home, ".internal", "http-server-config.json");
}

export async function readLmStudioSettings(home: string): Promise<SettingsRead> {
  const path = settingsPath(home);
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    return { ok: false, reason: code === "ENOENT" ? `no LM Studio settings file at ${path}` : `cannot read ${path}: ${code}` };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text) as unknown;
  } catch (error) {
    return { ok: false, reason: `${path} is not JSON: ${(error as Error).message}` };
  }
  const parsed = HttpServerConfig.safeParse(raw);
  if (!parsed.success) return { ok: false, reason: `${path} has an unexpected shape: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}` };
  const data = parsed.data as Record<string, unknown>;
  const pick = (keys: readonly string[]) => {
    const key = keys.find((k) => typeof data[k] === "boolean");
    return key === undefined ? null : (data[key] as boolean);
  };
  const known = new Set<string>(["port", "networkInterface", ...CORS_KEYS, ...JIT_KEYS]);
  return {
    ok: true,
    settings: {
      path,
      port: parsed.data.port ?? null,
      networkInterface: parsed.data.networkInterface ?? null,
      cors: pick(CORS_KEYS),
      jit: pick(JIT_KEYS),
      otherFields: Object.fromEntries(Object.entries(data).filter(([k]) => !known.has(k))),
    },
  };
}
