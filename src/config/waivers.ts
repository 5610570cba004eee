import type { Finding } from '../rules/rule.js';
import type { Waiver } from './config.js';

/**
 * Marks each finding that a live waiver accepts as suppressed (the first
 * matching waiver gives the reason). A waiver whose `expires` day is before
 * `today` (YYYY-MM-DD) suppresses nothing and is returned in `expired`, so the
 * report can say the team's acceptance has run out; expiring today still applies.
 */
export function applyWaivers(findings: Finding[], waivers: Waiver[], today: string): { expired: Waiver[] } {
  // ISO dates compare correctly as strings.
  const expired = waivers.filter((waiver) => waiver.expires !== undefined && waiver.expires < today);
  const live = waivers.filter((waiver) => !expired.includes(waiver));
  for (const finding of findings) {
    if (finding.suppressed) continue;
    const waiver = live.find((candidate) => waiverMatches(candidate, finding));
    if (waiver) {
      finding.suppressed = { reason: waiver.reason, ...(waiver.expires !== undefined && { expires: waiver.expires }) };
    }
  }
  return { expired };
}

function waiverMatches(waiver: Waiver, finding: Finding): boolean {
  if (waiver.rule !== finding.ruleId) return false;
  if (waiver.partition !== undefined && waiver.partition !== finding.location.partition) return false;
  if (waiver.path === undefined) return true;
  return finding.location.path !== undefined && withoutTrailingSlash(waiver.path) === withoutTrailingSlash(finding.location.path);
}

/** `/etc/ssh/` and `/etc/ssh` name the same directory; `/` stays `/`. */
function withoutTrailingSlash(path: string): string {
  return path.replace(/\/+$/, '') || '/';
}
