import type { ResolvedConfig } from '../config/config.js';
import { ExtError } from '../inspect/ext/ext-filesystem.js';
import type { InspectedImage } from '../inspect/inspect-image.js';
import { RULES } from './registry.js';
import type { AttachedMount } from '../inspect/guest/assemble-guest.js';
import { isWithin } from '../inspect/guest/guest-path.js';
import { findingSeverity, SEVERITY_RANK, type AnyRule, type Finding, type FindingLocation } from './rule.js';

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
    const configured = setting?.level === undefined || setting.level === 'off' ? undefined : setting.level;
    rulesRun.push(rule.id);
    try {
      await rule.check({
        inspection: inspected.inspection,
        facts: inspected.facts,
        guest: inspected.guest,
        options: setting?.options ?? rule.defaultOptions,
        report: (input) => findings.push({
          ...input,
          ruleId: rule.id,
          severity: findingSeverity(rule, configured, input.severity),
          location: withPartition(input.location ?? {}, inspected.inspection.mounts),
        }),
      });
    } catch (error) {
      findings.push({ ruleId: INTERNAL_ERROR_RULE_ID, severity: 'error', location: {}, message: describeRuleFailure(rule.id, error) });
    }
  }
  return { rulesRun, findings: sortFindings(findings) };
}

/**
 * A guest path lives on the filesystem mounted nearest above it: say which
 * partition, so reports show it and waivers can match on it.
 */
function withPartition(location: FindingLocation, mounts: readonly AttachedMount[]): FindingLocation {
  if (location.partition !== undefined || !location.path) return location;
  const mount = [...mounts]
    .sort((a, b) => b.mountPoint.length - a.mountPoint.length)
    .find((m) => isWithin(location.path!, m.mountPoint));
  return mount ? { partition: mount.partition, ...location } : location;
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
