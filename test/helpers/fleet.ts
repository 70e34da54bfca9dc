/** @module Writes inventories and standards for fleet tests into a fresh temp folder. */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export function tempDir(prefix = "lmcert-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/**
 * An inventory of loopback hosts and a standard whose port is `port`. Hosts on other ports of 127.0.0.1 pass
 * bind.port only when the server on `port` is indistinguishable from them (same models, same loaded instances),
 * as two mocks of the same preset are; a host that differs fails it, as it would on a real shared address.
 */
export function writeInventory(dir: string, port: number, servers: readonly { name: string; url: string; tokenEnv?: string }[]): string {
  writeFileSync(join(dir, "standard.yaml"), `standard: cluster-standard\nversion: 1\nbind: { address: 0.0.0.0, port: ${port} }\n`);
  const lines = ["standard: ./standard.yaml", "servers:"];
  for (const s of servers) {
    lines.push(`  - name: ${s.name}`, `    url: ${s.url}`);
    if (s.tokenEnv) lines.push(`    tokenEnv: ${s.tokenEnv}`);
  }
  const path = join(dir, "inventory.yaml");
  writeFileSync(path, `${lines.join("\n")}\n`);
  return path;
}
