import type { Script } from "node:vm";

export function bundlePaths(root: URL): { file: string; cache: string };
export function loadBundle(
  root: URL,
  options?: { useCodeCache?: boolean },
): { exports: Record<string, unknown>; script: Script; codeCacheRejected: boolean };
