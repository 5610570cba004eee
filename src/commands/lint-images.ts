import type { ResolvedConfig } from '../config/config.js';
import { applyWaivers } from '../config/waivers.js';
import { isSpotlintError } from '../errors.js';
import { inspectImage } from '../inspect/inspect-image.js';
import type { FailOn, FindingCounts, ImageReport, LintReport } from '../report/lint-report.js';
import { failsThreshold, REPORT_VERSION } from '../report/lint-report.js';
import { runRules } from '../rules/engine.js';
import { freeSpaceZeroed } from '../rules/free-space-zeroed.js';
import type { ProgressBar } from './progress-bar.js';
import type { Finding } from '../rules/rule.js';
import { SPOTLINT_VERSION } from '../version.js';

export function countFindings(findings: Finding[]): FindingCounts {
  const counts: FindingCounts = { error: 0, warning: 0, info: 0, suppressed: 0 };
  for (const finding of findings) {
    if (finding.suppressed) counts.suppressed++;
    else counts[finding.severity]++;
  }
  return counts;
}

export interface LintOptions {
  /** Scan free space when the free-space-zeroed rule is on (default true); false turns that rule off: a metadata-only lint. */
  scan?: boolean;
  /** Shows the scan's progress for one image; called once per image that is scanned. */
  scanProgress?: (path: string) => ProgressBar;
}

function withRuleOff(config: ResolvedConfig, ruleId: string): ResolvedConfig {
  const rules = new Map(config.rules);
  rules.set(ruleId, { level: 'off', options: rules.get(ruleId)?.options ?? {} });
  return { ...config, rules };
}

/** Inspects and lints one image; an image that cannot be opened is reported, not thrown. */
async function lintImage(path: string, config: ResolvedConfig, options: LintOptions): Promise<ImageReport> {
  let inspected;
  const scanFreeSpace = config.rules.get(freeSpaceZeroed.id)?.level !== 'off';
  const progress = scanFreeSpace ? options.scanProgress?.(path) : undefined;
  try {
    inspected = await inspectImage(path, { scanFreeSpace, onScanProgress: progress?.onProgress });
  } catch (error) {
    if (!isSpotlintError(error)) throw error;
    return { path, inspection: null, error: error.message, rulesRun: [], findings: [], counts: countFindings([]) };
  } finally {
    progress?.stop();
  }
  try {
    const { rulesRun, findings } = await runRules(inspected, config);
    const { os: osFacts } = inspected.facts;
    const os = osFacts.prettyName ?? ([osFacts.name, osFacts.version].filter(Boolean).join(' ') || undefined);
    // Counted once waivers are applied, in lintImages.
    return { path, inspection: inspected.inspection, os, rulesRun, findings, counts: countFindings([]) };
  } finally {
    await inspected.close();
  }
}

/** Lints every image in turn and applies the config's waivers. */
export async function lintImages(paths: string[], config: ResolvedConfig, failOn: FailOn, options: LintOptions = {}, today = new Date().toISOString().slice(0, 10)): Promise<LintReport> {
  // --no-scan turns the rule off rather than letting it run on no data: a
  // report must not list a check among those that ran when it did not.
  if (options.scan === false) config = withRuleOff(config, freeSpaceZeroed.id);
  const images: ImageReport[] = [];
  for (const path of paths) images.push(await lintImage(path, config, options));
  const { expired } = applyWaivers(images.flatMap((image) => image.findings), config.waivers, today);
  for (const image of images) image.counts = countFindings(image.findings);
  return {
    tool: { name: 'spotlint', version: SPOTLINT_VERSION },
    reportVersion: REPORT_VERSION,
    failOn,
    images,
    expiredWaivers: expired.map((w) => ({ rule: w.rule, path: w.path, reason: w.reason, expires: w.expires! })),
    counts: countFindings(images.flatMap((image) => image.findings)),
  };
}

/** 2: an image could not be read; 1: a finding at or above failOn that no waiver accepts; 0: neither. */
export function lintExitCode(report: LintReport): 0 | 1 | 2 {
  if (report.images.some((image) => image.inspection === null)) return 2;
  const failing = report.images.some((image) => image.findings.some((finding) => failsThreshold(finding, report.failOn)));
  return failing ? 1 : 0;
}
