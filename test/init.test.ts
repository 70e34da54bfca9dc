/** `lmcert init` (issue 12 §2): commented files with the editor schema line, that load cleanly as written. */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { loadInventory } from "../harness/fleet/inventory-file.ts";
import { validateContract } from "../harness/schema-validator.ts";
import { DEFAULT_STANDARD, loadStandard } from "../harness/standard-file.ts";
import { runCli } from "./helpers/cli.ts";
import { schemaPathFor, standardYaml } from "../harness/cli/commands/init.ts";
import { tempDir } from "./helpers/fleet.ts";

describe("lmcert init", () => {
  it("writes a commented standard.yaml and inventory.yaml that load cleanly and validate against their schemas", async () => {
    const dir = join(tempDir(), "fleet-config");
    const r = await runCli(["init", "--dir", dir]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`wrote ${join(dir, "standard.yaml")}`);
    for (const [file, schemaId] of [["standard.yaml", "lmcert.Standard"], ["inventory.yaml", "lmcert.Inventory"]] as const) {
      const text = readFileSync(join(dir, file), "utf8");
      const schemaPath = /^# yaml-language-server: \$schema=(\S+)\n/.exec(text)?.[1];
      expect(schemaPath, file).toMatch(new RegExp(`${schemaId.replace(".", "\\.")}\\.schema\\.json$`));
      expect(existsSync(resolve(dirname(join(dir, file)), schemaPath!)), `${schemaPath} exists`).toBe(true);
      expect((text.match(/ # |^# /gm) ?? []).length, `${file} is commented`).toBeGreaterThan(5);
      expect(validateContract(schemaId, parseYaml(text)).issues).toEqual([]);
    }
    // As written, the standard is the built-in one, and the inventory names it and two example hosts.
    expect(loadStandard(join(dir, "standard.yaml"))).toEqual(DEFAULT_STANDARD);
    const inventory = loadInventory(join(dir, "inventory.yaml"), { env: {} });
    expect(inventory.standard).toEqual(DEFAULT_STANDARD);
    expect(inventory.hosts.map((h) => [h.name, h.url])).toEqual([["mac-studio-1", "http://10.0.0.100:1234"], ["mac-studio-2", "http://10.0.0.102:1234"]]);
  });

  it("the commented examples work when uncommented (64GB, a token variable, a lifecycle model)", async () => {
    const dir = tempDir();
    expect((await runCli(["init", "--dir", dir])).code).toBe(0);
    const standard = join(dir, "standard.yaml");
    writeFileSync(standard, readFileSync(standard, "utf8").replace("  # e.g. maxLoadedBytes: 64GB\n  maxLoadedBytes: null", "  maxLoadedBytes: 64GB"));
    expect(loadStandard(standard).memory.maxLoadedBytes).toBe(64e9);
    const inventory = join(dir, "inventory.yaml");
    writeFileSync(inventory, readFileSync(inventory, "utf8").replace("    # tokenEnv:", "    tokenEnv:").replace("    # lifecycleModel:", "    lifecycleModel:"));
    const loaded = loadInventory(inventory, { env: { LMSTUDIO_TOKEN_MS1: "sk-lm-abcdefgh:abcdefghijklmnopqrst" } });
    expect(loaded.hosts.map((h) => [h.tokenEnv, h.lifecycleModel])).toEqual([["LMSTUDIO_TOKEN_MS1", null], [null, "qwen2.5-0.5b-instruct"]]);
  });

  it("refuses to overwrite an existing file unless --force, and writes nothing then", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "inventory.yaml"), "mine\n");
    const refused = await runCli(["init", "--dir", dir]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`${join(dir, "inventory.yaml")} already exists; nothing was written (use --force to overwrite)`);
    expect(existsSync(join(dir, "standard.yaml"))).toBe(false);
    expect(readFileSync(join(dir, "inventory.yaml"), "utf8")).toBe("mine\n");
    const forced = await runCli(["init", "--dir", dir, "--force"]);
    expect(forced.code).toBe(0);
    expect(readFileSync(join(dir, "inventory.yaml"), "utf8")).toContain("servers:");
  });

  describe("the $schema line (review: not an absolute path into an npx cache)", () => {
    const schemaFile = (root: string, id: string) => {
      const path = join(root, "contracts", "json", `${id}.schema.json`);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, "{}");
      return path;
    };

    it("lmcert installed in the project: a relative path into node_modules/lmcert, from a subfolder too", async () => {
      const project = tempDir();
      writeFileSync(join(project, "package.json"), "{}");
      schemaFile(join(project, "node_modules", "lmcert"), "lmcert.Standard");
      const npxCache = schemaFile(join(tempDir(), "_npx", "abc", "node_modules", "lmcert"), "lmcert.Standard");
      expect(schemaPathFor(join(project, "config", "lmcert"), "lmcert.Standard", npxCache)).toEqual({ path: "../../node_modules/lmcert/contracts/json/lmcert.Standard.schema.json", portable: true });
      expect(schemaPathFor(project, "lmcert.Standard", npxCache)).toEqual({ path: "./node_modules/lmcert/contracts/json/lmcert.Standard.schema.json", portable: true });
      // As run: the line is relative and resolves to the project's copy.
      const dir = join(project, "fleet");
      writeFileSync(join(project, "node_modules", "lmcert", "contracts", "json", "lmcert.Inventory.schema.json"), "{}");
      expect((await runCli(["init", "--dir", dir])).code).toBe(0);
      const first = readFileSync(join(dir, "inventory.yaml"), "utf8").split("\n")[0];
      expect(first).toBe("# yaml-language-server: $schema=../node_modules/lmcert/contracts/json/lmcert.Inventory.schema.json");
    });

    it("the running lmcert inside the same project (a checkout): relative, even going up", () => {
      const project = tempDir();
      writeFileSync(join(project, "package.json"), "{}");
      const installed = schemaFile(project, "lmcert.Inventory");
      expect(schemaPathFor(join(project, "examples", "fleet"), "lmcert.Inventory", installed)).toEqual({ path: "../../contracts/json/lmcert.Inventory.schema.json", portable: true });
    });

    it("neither (npx, outside any project): the install's absolute path, with a comment saying how to point it elsewhere", () => {
      const npxCache = schemaFile(join(tempDir(), "_npx", "abc", "node_modules", "lmcert"), "lmcert.Standard");
      const target = join(tempDir(), "configs");
      expect(schemaPathFor(target, "lmcert.Standard", npxCache)).toEqual({ path: npxCache, portable: false });
      const text = standardYaml("/nonexistent-dir-for-lmcert-test") // no project, no node_modules/lmcert above it;
      const [line, ...comment] = text.split("\n").slice(0, 4);
      expect(line).toMatch(/^# yaml-language-server: \$schema=\/.*lmcert\.Standard\.schema\.json$/);
      expect(comment.join("\n")).toContain("after `npm i -D lmcert`, point it at that copy, e.g.\n# ./node_modules/lmcert/contracts/json/lmcert.Standard.schema.json (a path relative to this file)");
    });
  });
});
