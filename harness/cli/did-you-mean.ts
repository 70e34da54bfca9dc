/** @module "Did you mean": the closest known word to a mistyped flag or command, if it is close enough. */

/** Edit distance with adjacent transpositions (optimal string alignment): `certfy` is 1 from `certify`. */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}

/** The known word nearest to `typed`, when at most a third of it (at least 1, at most 3 edits) is wrong. */
export function closest(typed: string, known: readonly string[]): string | null {
  const limit = Math.min(3, Math.max(1, Math.floor(typed.length / 3)));
  let best: { word: string; distance: number } | null = null;
  for (const word of known) {
    const distance = editDistance(typed.toLowerCase(), word.toLowerCase());
    if (distance <= limit && (best === null || distance < best.distance)) best = { word, distance };
  }
  return best?.word ?? null;
}

export function didYouMean(typed: string, known: readonly string[]): string {
  const match = closest(typed, known);
  return match === null ? "" : ` Did you mean ${match}?`;
}
