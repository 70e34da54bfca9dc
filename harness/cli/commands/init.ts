/** @module `lmcert init`: a commented standard.yaml and inventory.yaml, ready to edit, that load cleanly as written. */
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { InitFlags } from "../../../contracts/cli.ts";
import { BYTE_SIZE_RULE } from "../../../contracts/units.ts";
import { UsageError } from "../../errors.ts";
import { packageFile } from "../../package-files.ts";
import { parseCommandArgs, validateFlags } from "../args.ts";
import type { CommandIo } from "../io.ts";

export const INIT_HELP = `Usage: lmcert init [--dir <dir>] [--force]

Write a commented standard.yaml (the built-in cluster standard, every field explained) and inventory.yaml (two
example servers to replace) into <dir> (default: the current folder). Both start with a yaml-language-server
line, so editors complete and check them against lmcert's JSON Schemas: a relative path to node_modules/lmcert
in the project when it is there, else to this lmcert (absolute outside a project, with a comment on how to
point it elsewhere).

Options:
  --dir <dir>   where to write them (created if missing)
  --force       overwrite existing files (without it, lmcert refuses and changes nothing)
  -h, --help    show this help

Then: edit both, and run \`lmcert fleet inventory.yaml\` (or \`lmcert certify <url> --standard standard.yaml\`).`;

/**
 * Where the editor finds lmcert's JSON Schema, as seen from the folder the YAML files go to:
 * 1. lmcert installed in that project (`node_modules/lmcert` in the folder or above it): a relative path to it,
 *    which survives moving the project and lmcert updates;
 * 2. the running lmcert lives inside the same project (a package.json above both): a relative path;
 * 3. otherwise (e.g. under `npx`, whose cache folder may be cleared), the running install's absolute path: the
 *    comment under the line says how to point it elsewhere.
 */
export function schemaPathFor(fileDir: string, schemaId: string, installed = packageFile("contracts", "json", `${schemaId}.schema.json`)): { path: string; portable: boolean } {
  const dir = resolve(fileDir);
  const relativeTo = (target: string) => {
    const rel = relative(dir, target).split(sep).join("/");
    return rel.startsWith("../") ? rel : `./${rel}`;
  };
  for (let d = dir; ; d = dirname(d)) {
    const inProject = join(d, "node_modules", "lmcert", "contracts", "json", `${schemaId}.schema.json`);
    if (existsSync(inProject)) return { path: relativeTo(inProject), portable: true };
    if (dirname(d) === d) break;
  }
  const root = projectRoot(dir);
  if (root !== null && !relative(root, installed).startsWith("..") && !isAbsolute(relative(root, installed))) return { path: relativeTo(installed), portable: true };
  return { path: installed.split(sep).join("/"), portable: false };
}

/** The nearest folder at or above `dir` with a package.json, or null. */
function projectRoot(dir: string): string | null {
  for (let d = dir; ; d = dirname(d)) {
    if (existsSync(join(d, "package.json"))) return d;
    if (dirname(d) === d) return null;
  }
}

/** The schema line editors read, and a comment on how to point it elsewhere. */
function schemaLine(fileDir: string, schemaId: string): string {
  const { path, portable } = schemaPathFor(fileDir, schemaId);
  const how = portable
    ? `# The line above lets editors (yaml-language-server) check this file against lmcert's ${schemaId} schema.`
    : `# The line above points editors at lmcert's ${schemaId} schema where this lmcert is installed (an npx cache\n# folder may be cleared): after \`npm i -D lmcert\`, point it at that copy, e.g.\n# ./node_modules/lmcert/contracts/json/${schemaId}.schema.json (a path relative to this file).`;
  return `# yaml-language-server: $schema=${path}\n${how}`;
}

export function standardYaml(dir: string): string {
  return `${schemaLine(dir, "lmcert.Standard")}
# lmcert standard: what every LM Studio host in the fleet must be. Edit, then:
#   lmcert certify http://<host>:1234 --standard standard.yaml
# Unknown keys are errors (reported with file, line and column). Values shown are the built-in defaults.
standard: cluster-standard     # a name for this standard; certificates record it with its sha256
version: 1                     # bump when you change the standard

# What GET /v1/models means on every host:
#   loaded-only   only loaded models (LM Studio: "Just-in-Time Model Loading" off); nothing loads behind the
#                 router's back
#   all-available every downloaded model (JIT on, LM Studio's default)
listing: loaded-only

# Browser access from other origins: any-origin ("Enable CORS" on) or disabled.
cors: any-origin

# Where the server listens. 0.0.0.0 = "Serve on Local Network" (other machines can connect); 127.0.0.1 = this
# machine only. Every fix lmcert prints that starts the server names
# this port and address, and --cors when cors is any-origin.
bind:
  address: 0.0.0.0
  port: 1234

# none: requests need no token. token: "Require Authentication" on (LM Studio 0.4+); certify with --token-env VAR.
auth: none

models:
  # Model keys every host must have downloaded (as \`lms ls\` shows them), e.g. [qwen2.5-7b-instruct]
  required: []

memory:
  # Budget for the loaded models' summed size, or null for none. ${BYTE_SIZE_RULE}.
  # e.g. maxLoadedBytes: 64GB
  maxLoadedBytes: null

# Used by the load/unload checks, which run only with --allow-mutations (lmcert restores the host afterwards).
lifecycle:
  model: null                  # the model to load; null = the smallest downloaded LLM that is not loaded
  loadTimeoutSeconds: 120
  allowDuplicateInstances: false   # true if loading a loaded model may stack a second instance (<key>:2)
`;
}

export function inventoryYaml(dir: string): string {
  return `${schemaLine(dir, "lmcert.Inventory")}
# lmcert inventory: the hosts \`lmcert fleet inventory.yaml\` certifies. Replace the examples with your servers.
standard: ./standard.yaml      # relative to this file; omit it for the built-in standard
servers:
  - name: mac-studio-1         # names a folder under --out: letters, digits, '.', '_' or '-'
    url: http://10.0.0.100:1234   # the server root (http://host:1234/v1 is accepted too)
    # tokenEnv: LMSTUDIO_TOKEN_MS1   # with "Require Authentication": the variable holding the token, never the token
  - name: mac-studio-2
    url: http://10.0.0.102:1234
    # lifecycleModel: qwen2.5-0.5b-instruct   # the model --allow-mutations loads on this host
`;
}

export async function initCommand(argv: readonly string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseCommandArgs("init", argv, { dir: { type: "string" }, force: { type: "boolean" } });
  if (positionals.length > 0) throw new UsageError(`lmcert init: unexpected argument "${positionals[0]}" (use --dir <dir>)`);
  const flags = validateFlags("init", InitFlags, { dir: values.dir, force: values.force ?? false });
  const files = [
    { path: join(flags.dir, "standard.yaml"), text: standardYaml(flags.dir) },
    { path: join(flags.dir, "inventory.yaml"), text: inventoryYaml(flags.dir) },
  ];
  const existing = files.filter((f) => existsSync(f.path)).map((f) => f.path);
  if (existing.length > 0 && !flags.force) {
    throw new UsageError(`lmcert init: ${existing.join(" and ")} already exist${existing.length === 1 ? "s" : ""}; nothing was written (use --force to overwrite)`);
  }
  for (const file of files) {
    mkdirSync(dirname(file.path), { recursive: true });
    writeFileSync(file.path, file.text);
    io.stdout.write(`wrote ${file.path}\n`);
  }
  io.stdout.write(`next: edit both, then \`lmcert fleet ${files[1]!.path}\`\n`);
  return 0;
}
