import type { GuestTree } from '../inspect/guest/guest-tree.js';
import type { GuestFacts } from '../inspect/facts/guest-facts.js';
import type { ImageInspection } from '../inspect/inspect-image.js';
import type { Repair } from '../fix/repair.js';

export const SEVERITIES = ['error', 'warning', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];
/** A configured level: a severity, or off. */
export type RuleLevel = Severity | 'off';

/** Where a finding is: in the image, a partition, a guest file, a line of it. */
export interface FindingLocation {
  /** Partition number; null for a bare filesystem on the whole disk; absent for the image as a whole. */
  partition?: number | null;
  /** Absolute path inside the guest. */
  path?: string;
  /** 1-based line in that file. */
  line?: number;
}

/** What a rule reports; the engine adds the rule id and severity. */
export interface FindingInput {
  message: string;
  /**
   * For a rule whose findings differ in weight (an error when nobody can log
   * in, a warning for a weak key): this finding's severity when the rule runs
   * at its default level. A configured level replaces the default-severity
   * findings' severity and caps the others (see findingSeverity).
   */
  severity?: Severity;
  location?: FindingLocation;
  /** For fixable rules: what the fix would change, in one sentence. */
  fix?: string;
  /**
   * For fixable rules: the changes `--fix` makes, when the rule can say
   * them exactly (absent when the fix needs a person). Internal: never in
   * the reports.
   */
  repairs?: Repair[];
}

export interface Finding extends FindingInput {
  ruleId: string;
  severity: Severity;
  location: FindingLocation;
  /** Set when a waiver in the config accepts this finding. */
  suppressed?: { reason: string; expires?: string };
}

export interface RuleContext<Options> {
  inspection: ImageInspection;
  /** What the guest is (computed once per image); empty collections when no Linux root was found. */
  facts: GuestFacts;
  /** The guest's files; null when no Linux root filesystem was found. */
  guest: GuestTree | null;
  options: Options;
  report(finding: FindingInput): void;
}

/**
 * One check, ESLint-style: data about the rule plus one function. `options`
 * is a JSON Schema (draft 2020-12) fragment; `defaultOptions` must satisfy it.
 */
export interface Rule<Options extends object = Record<string, never>> {
  id: string;
  title: string;
  defaultSeverity: Severity;
  /** The guideline, quoted from the SpotCloud appliance guide. */
  guideline: string;
  /** Why it matters on SpotCloud, for `spotlint explain`. */
  rationale: string;
  /** What exactly is checked, for `spotlint explain`. */
  checks: string;
  /** How to fix it by hand. */
  howToFix: string;
  /** no / safe (cannot change what the appliance does) / unsafe (might; needs opt-in). */
  fixable: 'no' | 'safe' | 'unsafe';
  options: Record<string, unknown>;
  defaultOptions: Options;
  check(context: RuleContext<Options>): Promise<void>;
}

/** A rule of any options type, as the registry holds them. */
// eslint-style registries are heterogeneous; `any` confines that to one alias.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyRule = Rule<any>;

export const SEVERITY_RANK: Record<Severity, number> = { error: 3, warning: 2, info: 1 };

/** For rules without options: the schema that accepts only `{}`. */
export const NO_OPTIONS = {
  options: { type: 'object', properties: {}, additionalProperties: false },
  defaultOptions: {},
} as const satisfies Pick<Rule, 'options' | 'defaultOptions'>;

/**
 * The severity a finding is reported at. Unconfigured, the finding's own
 * severity (or the rule's default). Configured, the level replaces the
 * severity of the rule's default-severity findings, and caps the others: so
 * turning a rule down turns all its findings down, while turning it up does
 * not make its informational notes fail a build.
 */
export function findingSeverity(rule: Pick<Rule, 'defaultSeverity'>, configured: Severity | undefined, own: Severity | undefined): Severity {
  const natural = own ?? rule.defaultSeverity;
  if (configured === undefined) return natural;
  if (natural === rule.defaultSeverity) return configured;
  return SEVERITY_RANK[natural] <= SEVERITY_RANK[configured] ? natural : configured;
}
