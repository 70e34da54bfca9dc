/**
 * @module Two Linux network namespaces joined by a veth pair: a "server" and a "client" host with addresses that
 * exist only inside them. Real sockets, real routing, and no traffic that can leave this machine.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { createInterface } from "node:readline";

export interface NetnsPair {
  readonly server: { readonly ns: string; readonly address: string };
  readonly client: { readonly ns: string; readonly address: string };
  destroy(): void;
}

const IP = ["/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip"].find((p) => existsSync(p));

/** Why the namespace tests cannot run here, or null when they can. */
export function netnsUnavailableReason(): string | null {
  if (process.platform !== "linux") return "network namespaces need Linux";
  if (process.getuid?.() !== 0) return "network namespaces need root (CI runs as root)";
  if (!IP) return "the `ip` command (iproute2) is missing";
  return null;
}

function ip(...args: string[]): void {
  execFileSync(IP as string, args, { stdio: ["ignore", "ignore", "pipe"] });
}

/** Addresses from 198.18.0.0/15 (RFC 2544, benchmarking): never routed, used only inside these namespaces. */
export function createNetnsPair(): NetnsPair {
  const id = randomBytes(3).toString("hex");
  const server = { ns: `lmcert-${id}-srv`, address: "198.18.77.1" };
  const client = { ns: `lmcert-${id}-cli`, address: "198.18.77.2" };
  const destroy = () => {
    for (const ns of [server.ns, client.ns]) {
      try {
        ip("netns", "del", ns);
      } catch {
        // already gone
      }
    }
  };
  try {
    ip("netns", "add", server.ns);
    ip("netns", "add", client.ns);
    ip("link", "add", `lv${id}s`, "type", "veth", "peer", "name", `lv${id}c`);
    ip("link", "set", `lv${id}s`, "netns", server.ns);
    ip("link", "set", `lv${id}c`, "netns", client.ns);
    for (const [end, host] of [[`lv${id}s`, server], [`lv${id}c`, client]] as const) {
      ip("-n", host.ns, "addr", "add", `${host.address}/30`, "dev", end);
      ip("-n", host.ns, "link", "set", end, "up");
      ip("-n", host.ns, "link", "set", "lo", "up");
    }
  } catch (error) {
    destroy();
    throw error;
  }
  return { server, client, destroy };
}

/** Runs a command inside a namespace and resolves with its exit code and output. */
export function runInNs(ns: string, argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(IP as string, ["netns", "exec", ns, ...argv], { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, NO_COLOR: "1" } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** Starts a long-running command inside a namespace and waits for a line matching `ready`. */
export async function startInNs(ns: string, argv: string[], ready: RegExp): Promise<ChildProcess> {
  const child = spawn(IP as string, ["netns", "exec", ns, ...argv], { stdio: ["ignore", "pipe", "inherit"] });
  for await (const line of createInterface({ input: child.stdout! })) {
    if (ready.test(line)) return child;
  }
  throw new Error(`${argv.join(" ")} exited in ${ns} before it was ready`);
}
