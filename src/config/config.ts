import type { FailOn } from '../report/lint-report.js';
import type { RuleLevel } from '../rules/rule.js';

/** A finding the team has accepted, as written in the config file. */
export interface Waiver {
  rule: string;
  /** Guest path the finding must be at; absent = anywhere. */
  path?: string;
  /** Partition the finding must be on; absent = any. */
  partition?: number;
  reason: string;
  /** Last day (YYYY-MM-DD, inclusive) the waiver applies. */
  expires?: string;
}

export interface RuleSetting {
  level: RuleLevel;
  /** The rule's defaultOptions with the configured options merged over them. */
  options: Record<string, unknown>;
}

/** The config file after validation, with every rule's default filled in. */
export interface ResolvedConfig {
  /** The file it came from; undefined when none was found (all defaults). */
  source?: string;
  /** One entry per registered rule, in registry order. */
  rules: Map<string, RuleSetting>;
  failOn?: FailOn;
  waivers: Waiver[];
}
