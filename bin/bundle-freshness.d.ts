/** True when dist/ exists and is at least as new as every project source file it was built from. */
export function bundleIsFresh(root: URL): boolean;
