import type { FactProblem } from '../../inspect/facts/guest-facts.js';
import type { FindingInput } from '../rule.js';

/**
 * Reports each guest file a rule could not read as an info finding at its
 * path, so a clean result is not taken for a checked one. The same path and
 * reason reported twice (two lookups of one broken file) gives one finding.
 * `what` finishes "so <what> did not look at it", e.g. "the host key check".
 */
export function reportProblems(report: (finding: FindingInput) => void, problems: readonly FactProblem[], what: string): void {
  const seen = new Set<string>();
  for (const { path, message } of problems) {
    const key = `${path}\0${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    report({ severity: 'info', location: { path }, message: `${path} could not be read (${message}), so ${what} did not look at it.` });
  }
}
