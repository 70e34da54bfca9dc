/** @module Model id rules (lmstudio-api.md B6): instance suffixes `:N`, `@quant` variants, custom identifiers. */

/** `qwen:2` → `qwen`. LM Studio names the Nth instance of a model `<key>:N`. */
export function stripInstanceSuffix(id: string): string {
  return id.replace(/:\d+$/, "");
}

/** `google/gemma-4-26b-a4b@q4_k_m` → `google/gemma-4-26b-a4b`. */
export function stripVariant(id: string): string {
  return id.replace(/@[^/@]+$/, "");
}

/**
 * The model key an id refers to. A known instance id (which may be a custom `lms load --identifier`) maps through
 * the instance table first; otherwise the `:N` and `@quant` suffixes are removed.
 */
export function modelKeyFor(id: string, instanceToModel: ReadonlyMap<string, string> = new Map()): string {
  return instanceToModel.get(id) ?? stripVariant(stripInstanceSuffix(id));
}

export function sortedUnique(values: Iterable<string>): string[] {
  return [...new Set(values)].sort();
}

export function difference(a: readonly string[], b: readonly string[]): string[] {
  const other = new Set(b);
  return a.filter((x) => !other.has(x));
}

export function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return difference(a, b).length === 0 && difference(b, a).length === 0;
}
