/** @module Reads LM Studio's own saved settings on this machine (with --local): the server file and the app file. */
import { readFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import type { z } from "zod";
import { HTTP_SERVER_CONFIG_KEYS, HttpServerConfig, LmStudioAppSettings } from "../../contracts/lmstudio/server-config.ts";

/** LM Studio's defaults for JIT-loaded models (docs 1_developer/0_core/ttl-and-auto-evict.md): TTL on, 60 min. */
export const DEFAULT_JIT_TTL_SECONDS = 60 * 60;

export interface JitUnloadSettings {
  /** Where the values came from: the app settings file, or LM Studio's defaults when it does not say. */
  readonly source: "settings.json" | "default";
  readonly path: string;
  /** A JIT-loaded model unloads itself after this many idle seconds; null when the TTL is switched off. */
  readonly ttlSeconds: number | null;
  /** "Only Keep Last JIT Loaded Model": a JIT load unloads the previous JIT-loaded model. */
  readonly autoEvict: boolean;
}

export interface LmStudioSettings {
  readonly path: string;
  readonly port: number | null;
  readonly networkInterface: string | null;
  readonly cors: boolean | null;
  /** `justInTimeModelLoading`. */
  readonly jit: boolean | null;
  /** The other http-server-config.json keys LM Studio writes (autoStartOnLaunch, logging), as they are. */
  readonly serverOptions: Readonly<Record<string, unknown>>;
  readonly jitUnload: JitUnloadSettings;
  /** Fields lmcert does not know, kept as evidence. */
  readonly otherFields: Readonly<Record<string, unknown>>;
  /** Problems with the optional app settings file, reported but never fatal. */
  readonly notes: readonly string[];
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

export function appSettingsPath(home: string): string {
  return join(home, "settings.json");
}

type JsonRead<T> = { ok: true; data: T } | { ok: false; missing: boolean; reason: string };

async function readJsonFile<T>(path: string, schema: z.ZodType<T>): Promise<JsonRead<T>> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    return { ok: false, missing: code === "ENOENT", reason: code === "ENOENT" ? `no LM Studio settings file at ${path}` : `cannot read ${path}: ${code}` };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text) as unknown;
  } catch (error) {
    return { ok: false, missing: false, reason: `${path} is not JSON: ${(error as Error).message}` };
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    return { ok: false, missing: false, reason: `${path} has an unexpected shape: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}` };
  }
  return { ok: true, data: parsed.data };
}

async function readJitUnload(home: string): Promise<{ jitUnload: JitUnloadSettings; notes: string[] }> {
  const path = appSettingsPath(home);
  const read = await readJsonFile(path, LmStudioAppSettings);
  const developer = read.ok ? read.data.developer : undefined;
  const ttl = developer?.jitModelTTL;
  const evict = developer?.unloadPreviousJITModelOnLoad;
  const notes = read.ok || read.missing ? [] : [read.reason];
  return {
    notes,
    jitUnload: {
      source: ttl !== undefined || evict !== undefined ? "settings.json" : "default",
      path,
      ttlSeconds: ttl === undefined ? DEFAULT_JIT_TTL_SECONDS : ttl.enabled ? ttl.ttlSeconds : null,
      autoEvict: evict ?? true,
    },
  };
}

export async function readLmStudioSettings(home: string): Promise<SettingsRead> {
  const path = settingsPath(home);
  const read = await readJsonFile(path, HttpServerConfig);
  if (!read.ok) return { ok: false, reason: read.reason };
  const data = read.data as Record<string, unknown>;
  const known = new Set<string>(HTTP_SERVER_CONFIG_KEYS);
  const interpreted = new Set(["port", "networkInterface", "cors", "justInTimeModelLoading"]);
  const { jitUnload, notes } = await readJitUnload(home);
  return {
    ok: true,
    settings: {
      path,
      port: read.data.port ?? null,
      networkInterface: read.data.networkInterface ?? null,
      cors: read.data.cors ?? null,
      jit: read.data.justInTimeModelLoading ?? null,
      serverOptions: Object.fromEntries(Object.entries(data).filter(([k]) => known.has(k) && !interpreted.has(k))),
      jitUnload,
      otherFields: Object.fromEntries(Object.entries(data).filter(([k]) => !known.has(k))),
      notes,
    },
  };
}

/** The two settings in a few words, for the first line of a reason: "JIT TTL 60 min, auto-evict on". */
export function jitUnloadHeadline(s: Pick<JitUnloadSettings, "ttlSeconds" | "autoEvict">): string {
  return `JIT TTL ${s.ttlSeconds === null ? "off" : formatSeconds(s.ttlSeconds)}, auto-evict ${s.autoEvict ? "on" : "off"}`;
}

/** One line for operators: what happens to a JIT-loaded model on this host between runs. */
export function describeJitUnload(s: JitUnloadSettings): string {
  const from = s.source === "default" ? "LM Studio's defaults (settings.json does not set them)" : s.path;
  const ttl = s.ttlSeconds === null ? "JIT-loaded models stay loaded until unloaded (TTL off)" : `a JIT-loaded model unloads itself after ${formatSeconds(s.ttlSeconds)} idle`;
  const evict = s.autoEvict ? "a JIT load unloads the previous JIT-loaded model (auto-evict on)" : "JIT loads do not evict each other (auto-evict off)";
  return `${ttl}; ${evict} (from ${from}). A nightly run can therefore see a different loaded set than the day did.`;
}

function formatSeconds(seconds: number): string {
  return seconds % 60 === 0 ? `${seconds / 60} min` : `${seconds} s`;
}
