/** `lmcert mock --preset compliant`, started as documented (no --host), is compliant (issue 12 §3). */
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { expect, it, onTestFinished } from "vitest";
import { runCli } from "./helpers/cli.ts";
import { tempDir } from "./helpers/fleet.ts";
import { LAN_STAND_IN } from "./helpers/hosts.ts";

const BIN = join(import.meta.dirname, "..", "bin", "lmcert.js");

it("listens on 0.0.0.0 unless told otherwise, so certify (off-loopback probe included) certifies it", async () => {
  const child = spawn(process.execPath, [BIN, "mock", "--preset", "compliant", "--port", "0"], { stdio: ["ignore", "pipe", "inherit"] });
  onTestFinished(() => void child.kill("SIGINT"));
  let port: string | undefined;
  let announced = "";
  for await (const line of createInterface({ input: child.stdout })) {
    announced += `${line}\n`;
    port = /listening on http:\/\/0\.0\.0\.0:(\d+)/.exec(line)?.[1];
    if (port) break;
  }
  expect(port, announced).toBeDefined();
  const standard = join(tempDir(), "standard.yaml");
  writeFileSync(standard, `standard: cluster-standard\nversion: 1\nbind: { address: 0.0.0.0, port: ${port} }\n`);
  const r = await runCli(["certify", `http://127.0.0.1:${port}`, "--standard", standard, "--probe-address", LAN_STAND_IN, "--no-browser", "--json"]);
  const certificate = JSON.parse(r.stdout) as { verdict: string; checks: { id: string; status: string }[] };
  expect(certificate.checks.find((c) => c.id === "bind.reachable-off-loopback")?.status).toBe("passed");
  expect([certificate.verdict, r.code]).toEqual(["certified", 0]);
});
