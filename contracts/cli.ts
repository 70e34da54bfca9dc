/** @module CLI flags after parsing: validated here so bad input names the flag instead of crashing later. */
import { z } from "zod";
import { HostUrl } from "./host-url.ts";
import { DurationMs, durationMs } from "./units.ts";

const httpUrl = HostUrl;
const port = z.coerce.number().int().min(0).max(65535);

export const CertifyFlags = z.strictObject({
  url: httpUrl,
  standard: z.string().min(1).optional(),
  json: z.boolean().default(false),
  out: z.string().min(1).optional(),
  tokenEnv: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must be an environment variable name").optional(),
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/).optional(),
  timeoutMs: DurationMs.default(5000),
  only: z.array(z.string()).default([]),
  skip: z.array(z.string()).default([]),
  local: z.boolean().default(false),
  lmstudioHome: z.string().min(1).optional(),
  probeAddress: z.array(z.union([z.ipv4(), z.ipv6()], { error: "must be an IPv4 or IPv6 address" })).default([]),
  chromium: z.string().min(1).optional(),
  browser: z.boolean().default(true),
  allowMutations: z.boolean().default(false),
  lifecycleModel: z.string().min(1).optional(),
  signKey: z.string().min(1).optional(),
  /** --rerun-key: the public key the --rerun-failed certificate must be signed with. */
  rerunKey: z.string().min(1).optional(),
  // --container and its options: the raw strings, turned into a ContainerTarget (contracts/container.ts).
  container: z.string().min(1).optional(),
  containerModels: z.string().min(1).optional(),
  containerPort: port.pipe(z.number().min(1)).optional(),
  containerEnv: z.array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*(=.*)?$/s, "use KEY=VALUE, or KEY to pass lmcert's own value")).default([]),
  containerCmd: z.string().min(1).optional(),
  containerTimeoutMs: z.coerce.number().int().positive().optional(),
  /** --problems/--quiet: the console lists only checks that need attention. */
  problems: z.boolean().default(false),
  restoreFirst: z.boolean().default(false),
});
export type CertifyFlags = z.infer<typeof CertifyFlags>;

export const RecordFlags = z.strictObject({
  url: httpUrl,
  out: z.string().min(1).optional(),
  standard: z.string().min(1).optional(),
  tokenEnv: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must be an environment variable name").optional(),
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/).optional(),
  timeoutMs: DurationMs.default(5000),
  probeAddress: z.array(z.union([z.ipv4(), z.ipv6()], { error: "must be an IPv4 or IPv6 address" })).default([]),
});
export type RecordFlags = z.infer<typeof RecordFlags>;

export const MockFlags = z.strictObject({
  preset: z.string().min(1).default("compliant"),
  port: port.default(1234),
  host: z.string().min(1).optional(),
  lmstudioVersion: z.string().regex(/^\d+\.\d+\.\d+/, "must look like 0.4.6").optional(),
  jit: z.enum(["on", "off"]).optional(),
  loadLatencyMs: durationMs({ allowZero: true }).optional(),
  logRequests: z.boolean().default(false),
  corsOrigin: z.enum(["star", "echo"]).optional(),
  authTokenEnv: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must be an environment variable name").optional(),
  /** A HAR recording to serve back instead of a preset (`lmcert record`). */
  replay: z.string().min(1).optional(),
});
export type MockFlags = z.infer<typeof MockFlags>;

export const RestoreFlags = z.strictObject({
  journal: z.string().min(1),
  tokenEnv: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must be an environment variable name").optional(),
  timeoutMs: DurationMs.default(120_000),
  /** The operator checked the host: a load the journal still calls pending will never land. */
  forgetPending: z.boolean().default(false),
});
export type RestoreFlags = z.infer<typeof RestoreFlags>;

export const FleetFlags = z.strictObject({
  inventory: z.string().min(1),
  standard: z.string().min(1).optional(),
  concurrency: z.coerce.number().int().min(1).max(64).default(4),
  /** Threads that certify hosts (1: the main thread alone); absent: lmcert chooses (harness/cli/commands/fleet.ts). */
  threads: z.coerce.number().int().min(1).max(16).optional(),
  out: z.string().min(1).default("lmcert-out"),
  json: z.boolean().default(false),
  timeoutMs: DurationMs.default(5000),
  hostTimeoutMs: DurationMs.default(300_000),
  allowMutations: z.boolean().default(false),
  signKey: z.string().min(1).optional(),
  probeAddress: z.array(z.union([z.ipv4(), z.ipv6()], { error: "must be an IPv4 or IPv6 address" })).default([]),
  chromium: z.string().min(1).optional(),
  browser: z.boolean().default(true),
  problems: z.boolean().default(false),
  restoreFirst: z.boolean().default(false),
});
export type FleetFlags = z.infer<typeof FleetFlags>;

export const VerifyFlags = z.strictObject({
  certificate: z.string().min(1),
  key: z.string().min(1).optional(),
  strict: z.boolean().default(false),
  json: z.boolean().default(false),
});

export const KeygenFlags = z.strictObject({
  outDir: z.string().min(1).default("."),
  name: z.string().regex(/^[A-Za-z0-9._-]+$/, "use letters, digits, '.', '_' or '-'").default("lmcert-signing"),
  force: z.boolean().default(false),
});

export const InitFlags = z.strictObject({
  dir: z.string().min(1).default("."),
  force: z.boolean().default(false),
});
