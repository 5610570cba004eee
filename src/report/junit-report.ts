/**
 * JUnit XML for CI test reporters (Jenkins, GitLab, GitHub Actions
 * reporters): an image is a test suite, a rule that ran on it a test case.
 *
 * A test case carries at most ONE <failure>: Jenkins, Azure DevOps and the
 * common GitHub reporters show only the first of several, and some parsers
 * reject more than one. So all of a rule's findings at or above failOn go
 * into that one failure (message: the count and the first finding; body:
 * every finding, one a line); findings below failOn and suppressed ones go
 * to the case's <system-out>. A rule that crashed (internal-error) is an
 * <error>, as is an image that could not be opened. Registry rules that did
 * not run on an opened image (off in the config) are <skipped> cases.
 */
import { basename } from 'node:path';
import { create } from 'xmlbuilder2';
import { INTERNAL_ERROR_RULE_ID } from '../rules/engine.js';
import { RULES } from '../rules/registry.js';
import type { Finding, FindingLocation } from '../rules/rule.js';
import { describeLocation } from './finding-location.js';
import { failsThreshold, type FailOn, type ImageReport, type LintReport } from './lint-report.js';

interface CaseResult {
  ruleId: string;
  /** Findings that fail the case (error for internal-error, failure otherwise). */
  failing: Finding[];
  /** Findings below failOn, and suppressed ones: printed, never failing. */
  passing: Finding[];
  skipped?: string;
}

/** xmlbuilder2 names its node type only on a deep import path. */
type XmlNode = ReturnType<typeof create>;

interface SuiteTotals { tests: number; failures: number; errors: number; skipped: number }

export function renderJunit(report: LintReport): string {
  const document = create({
    version: '1.0',
    encoding: 'UTF-8',
    // Guest file names and labels may hold characters XML 1.0 cannot carry
    // at all (control characters, lone surrogates): show them escaped.
    invalidCharReplacement: (char: string) => `\\u${char.codePointAt(0)!.toString(16).padStart(4, '0')}`,
  });
  const root = document.ele('testsuites', { name: 'spotlint' });
  const totals: SuiteTotals = { tests: 0, failures: 0, errors: 0, skipped: 0 };
  for (const image of report.images) {
    const suite = renderSuite(root, image, report);
    for (const key of Object.keys(totals) as (keyof SuiteTotals)[]) totals[key] += suite[key];
  }
  root.att({ tests: String(totals.tests), failures: String(totals.failures), errors: String(totals.errors), skipped: String(totals.skipped) });
  return document.end({ prettyPrint: true }) + '\n';
}

function renderSuite(root: XmlNode, image: ImageReport, report: LintReport): SuiteTotals {
  const classname = `spotlint.${basename(image.path)}`;
  // time="0": rules are not timed one by one, and some reporters read a missing time as NaN.
  const suite = root.ele('testsuite', { name: image.path });
  const properties = suite.ele('properties');
  properties.ele('property', { name: 'spotlint.version', value: report.tool.version });
  properties.ele('property', { name: 'failOn', value: report.failOn });
  if (image.os) properties.ele('property', { name: 'os', value: image.os });

  if (image.inspection === null) {
    const error = image.error ?? 'the image could not be opened';
    suite.ele('testcase', { classname, name: 'open-image', time: '0' })
      .ele('error', { message: oneLine(error), type: 'open-image' }).txt(error);
    suite.att({ tests: '1', failures: '0', errors: '1', skipped: '0', time: '0' });
    return { tests: 1, failures: 0, errors: 1, skipped: 0 };
  }

  const totals: SuiteTotals = { tests: 0, failures: 0, errors: 0, skipped: 0 };
  for (const result of caseResults(image, report.failOn)) {
    totals.tests++;
    const testcase = suite.ele('testcase', { classname, name: result.ruleId, time: '0' });
    if (result.skipped) {
      totals.skipped++;
      testcase.ele('skipped', { message: result.skipped });
    } else if (result.failing.length > 0) {
      const isError = result.ruleId === INTERNAL_ERROR_RULE_ID;
      if (isError) totals.errors++;
      else totals.failures++;
      testcase.ele(isError ? 'error' : 'failure', { message: failureMessage(result.failing), type: result.ruleId })
        .txt(result.failing.map(describeFinding).join('\n'));
    }
    if (result.passing.length > 0) testcase.ele('system-out').txt(result.passing.map(describeFinding).join('\n'));
  }
  suite.att({ tests: String(totals.tests), failures: String(totals.failures), errors: String(totals.errors), skipped: String(totals.skipped), time: '0' });
  return totals;
}

/** One case per rule that ran, then per other rule id found (internal-error), then skipped registry rules. */
function caseResults(image: ImageReport, failOn: FailOn): CaseResult[] {
  const ids = [...image.rulesRun];
  for (const finding of image.findings) if (!ids.includes(finding.ruleId)) ids.push(finding.ruleId);
  // A crashed rule is an error whatever the threshold: its checks did not run.
  const fails = (finding: Finding) => finding.ruleId === INTERNAL_ERROR_RULE_ID || failsThreshold(finding, failOn);
  const results: CaseResult[] = ids.map((ruleId) => {
    const findings = image.findings.filter((finding) => finding.ruleId === ruleId);
    return { ruleId, failing: findings.filter(fails), passing: findings.filter((finding) => !fails(finding)) };
  });
  for (const rule of RULES) {
    if (ids.includes(rule.id)) continue;
    results.push({ ruleId: rule.id, failing: [], passing: [], skipped: 'did not run on this image (turned off)' });
  }
  return results;
}

function failureMessage(failing: Finding[]): string {
  const first = oneLine(failing[0]!.message);
  return failing.length === 1 ? first : `${failing.length} findings; the first: ${first}`;
}

/** "error partition 2:/etc/ssh/sshd_config line 12: message" and, when suppressed or fixable, why and how. */
function describeFinding(finding: Finding): string {
  const where = describeLocation(finding.location);
  const suppressed = finding.suppressed
    ? ` [suppressed: ${finding.suppressed.reason}${finding.suppressed.expires ? `, until ${finding.suppressed.expires}` : ''}]`
    : '';
  const fix = finding.fix ? ` Fix: ${finding.fix}` : '';
  return `${finding.severity} ${where}: ${finding.message}${fix}${suppressed}`;
}

/** Attribute values are shown on one line; parsers would fold the newlines anyway. */
function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ').trim();
}
