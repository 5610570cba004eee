import type { ImageInspection } from '../inspect/inspect-image.js';
import { SEVERITY_RANK, type Finding, type Severity } from '../rules/rule.js';

/** Bumped on any incompatible change to the JSON report (see report.schema.json). */
export const REPORT_VERSION = 1;

export const FAIL_ON_VALUES = ['error', 'warning', 'info', 'none'] as const;
export type FailOn = (typeof FAIL_ON_VALUES)[number];

export interface FindingCounts {
  error: number;
  warning: number;
  info: number;
  suppressed: number;
}

/** One image's result: what it is, which rules ran, what they found. */
export interface ImageReport {
  path: string;
  /** null when the image could not be opened at all; `error` then says why. */
  inspection: ImageInspection | null;
  /** Detected OS pretty name, when known. */
  os?: string;
  error?: string;
  /** Ids of the rules that ran, in registry order. */
  rulesRun: string[];
  /** Sorted: severity (error first), then rule id, then location. */
  findings: Finding[];
  counts: FindingCounts;
}

/** A whole run over one or more images. */
export interface LintReport {
  tool: { name: 'spotlint'; version: string };
  reportVersion: number;
  failOn: FailOn;
  images: ImageReport[];
  /** Config waivers that have expired: they no longer suppress anything. */
  expiredWaivers: { rule: string; path?: string; reason: string; expires: string }[];
  counts: FindingCounts;
}

/** Whether a finding counts against --fail-on: not waived, and at or above the threshold. */
export function failsThreshold(finding: Finding, failOn: FailOn): boolean {
  return !finding.suppressed && failOn !== 'none' && SEVERITY_RANK[finding.severity] >= SEVERITY_RANK[failOn];
}

/** The sentence every report uses for a waiver that has expired. */
export function describeExpiredWaiver(waiver: LintReport['expiredWaivers'][number]): string {
  return `The waiver for ${waiver.rule}${waiver.path ? ` at ${waiver.path}` : ''} expired on ${waiver.expires} (UTC) ("${waiver.reason}"); it no longer suppresses anything. Fix the finding, or renew the waiver in the config.`;
}
