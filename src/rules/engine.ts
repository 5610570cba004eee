import type { ResolvedConfig } from '../config/config.js';
import { ExtError } from '../inspect/ext/ext-filesystem.js';
import type { InspectedImage } from '../inspect/inspect-image.js';
import { RULES } from './registry.js';
import { SEVERITY_RANK, type AnyRule, type Finding } from './rule.js';

/** The finding a rule that throws turns into; not a rule a user can configure. */
export const INTERNAL_ERROR_RULE_ID = 'internal-error';

export interface RuleRun {
  rulesRun: string[];
  findings: Finding[];
}

/**
 * Runs every enabled rule against one inspected image. A rule that throws
 * becomes one internal-error finding naming it; the other rules still run.
 */
export async function runRules(inspected: InspectedImage, config: ResolvedConfig, rules: readonly AnyRule[] = RULES): Promise<RuleRun> {
  const findings: Finding[] = [];
  const rulesRun: string[] = [];
  for (const rule of rules) {
    const setting = config.rules.get(rule.id);
    const level = setting?.level ?? rule.defaultSeverity;
    if (level === 'off') continue;
    rulesRun.push(rule.id);
    try {
      await rule.check({
        inspection: inspected.inspection,
        guest: inspected.guest,
        options: setting?.options ?? rule.defaultOptions,
        report: (input) => findings.push({ ...input, ruleId: rule.id, severity: level, location: input.location ?? {} }),
      });
    } catch (error) {
      findings.push({ ruleId: INTERNAL_ERROR_RULE_ID, severity: 'error', location: {}, message: describeRuleFailure(rule.id, error) });
    }
  }
  return { rulesRun, findings: sortFindings(findings) };
}

function describeRuleFailure(ruleId: string, error: unknown): string {
  const why = (error as Error)?.message ?? String(error);
  if (error instanceof ExtError) {
    return `The rule ${ruleId} could not read the guest (${why}), so its checks did not run on this image.`;
  }
  return `The rule ${ruleId} failed (${why}), so its checks did not run on this image. This is a bug in spotlint; please report it with this message.`;
}

/** Errors first, then by rule, partition, path and line: a stable order for every report. */
export function sortFindings(findings: Finding[]): Finding[] {
  return [...findings].sort((a, b) =>
    SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity]
    || a.ruleId.localeCompare(b.ruleId)
    || (a.location.partition ?? -1) - (b.location.partition ?? -1)
    || (a.location.path ?? '').localeCompare(b.location.path ?? '')
    || (a.location.line ?? 0) - (b.location.line ?? 0)
    || a.message.localeCompare(b.message));
}
