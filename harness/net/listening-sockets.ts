/**
 * @module Which addresses a local port is listening on, read from the kernel: /proc/net/tcp{,6} on Linux (per
 * network namespace), `lsof -nP -iTCP:<port> -sTCP:LISTEN` on macOS.
 */
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { promisify } from "node:util";

export interface ListeningSockets {
  readonly addresses: readonly string[];
  /** Where the answer came from, for evidence. */
  readonly source: string;
}

const LISTEN = "0A";

/** `0100007F` → 127.0.0.1 (little-endian per 32-bit word, as the kernel prints it). */
function decodeIpv4(hex: string): string {
  const bytes = hex.match(/../g)?.map((b) => Number.parseInt(b, 16)) ?? [];
  return bytes.reverse().join(".");
}

function decodeIpv6(hex: string): string {
  const words = hex.match(/.{8}/g) ?? [];
  const bytes = words.flatMap((w) => (w.match(/../g) ?? []).reverse());
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(`${bytes[i]}${bytes[i + 1]}`.replace(/^0+(?=.)/, "").toLowerCase());
  const text = groups.join(":");
  if (text === "0:0:0:0:0:0:0:0") return "::";
  if (text === "0:0:0:0:0:0:0:1") return "::1";
  const mapped = /^0:0:0:0:0:ffff:([0-9a-f]+):([0-9a-f]+)$/.exec(text);
  if (mapped) {
    const n = (Number.parseInt(mapped[1] ?? "0", 16) << 16) + Number.parseInt(mapped[2] ?? "0", 16);
    return `::ffff:${[n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join(".")}`;
  }
  return text;
}

/** Parses /proc/net/tcp or tcp6 text: local addresses in LISTEN state on `port`. */
export function parseProcNetTcp(text: string, port: number, family: 4 | 6): string[] {
  const wanted = port.toString(16).toUpperCase().padStart(4, "0");
  const out: string[] = [];
  for (const line of text.split("\n").slice(1)) {
    const [, local, , state] = line.trim().split(/\s+/);
    if (!local || state !== LISTEN) continue;
    const [addr, p] = local.split(":");
    if (p?.toUpperCase() !== wanted || !addr) continue;
    out.push(family === 4 ? decodeIpv4(addr) : decodeIpv6(addr));
  }
  return out;
}

/** Parses `lsof -nP -iTCP:<port> -sTCP:LISTEN` output: the NAME column, e.g. `*:1234`, `127.0.0.1:1234`. */
export function parseLsof(text: string): string[] {
  return text
    .split("\n")
    .slice(1)
    .map((line) => /\s(\S+):\d+ \(LISTEN\)\s*$/.exec(line)?.[1])
    .filter((a): a is string => Boolean(a))
    .map((a) => a.replace(/^\[|\]$/g, ""));
}

export async function listeningAddresses(port: number, platform: NodeJS.Platform = process.platform): Promise<ListeningSockets> {
  if (platform === "linux") {
    const [v4, v6] = await Promise.all([
      readFile("/proc/net/tcp", "utf8").catch(() => ""),
      readFile("/proc/net/tcp6", "utf8").catch(() => ""),
    ]);
    return { addresses: [...parseProcNetTcp(v4, port, 4), ...parseProcNetTcp(v6, port, 6)], source: "/proc/net/tcp, /proc/net/tcp6" };
  }
  const { stdout } = await promisify(execFile)("lsof", ["-nP", `-iTCP:${port}`, "-sTCP:LISTEN"]).catch(() => ({ stdout: "" }));
  return { addresses: parseLsof(stdout), source: `lsof -nP -iTCP:${port} -sTCP:LISTEN` };
}
