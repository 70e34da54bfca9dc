export function wrapCommonJs(source: string): string;
export function bundlePaths(root: URL): { file: string; cache: string };
export function loadBundle(root: URL): { exports: Record<string, unknown>; codeCacheRejected: boolean };
export function dynamicImport(): { importModuleDynamically: symbol };
