import { distance } from 'fastest-levenshtein';

/**
 * ` (did you mean "x"?)` when one candidate is close enough to be a typo of
 * input, else ''. Close = at most 3 edits and at most a third of the longer
 * word, so "eror" finds "error" but "abc" does not find "off".
 */
export function didYouMean(input: string, candidates: readonly string[]): string {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const d = distance(input.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  if (best === undefined) return '';
  const limit = Math.min(3, Math.ceil(Math.max(input.length, best.length) / 3));
  return bestDistance <= limit ? ` (did you mean ${JSON.stringify(best)}?)` : '';
}
