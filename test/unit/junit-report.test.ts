import { basename } from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ImageInspection } from '../../dist/inspect/inspect-image.js';
import type { FailOn } from '../../src/report/lint-report.js';
import { renderJunit } from '../../src/report/junit-report.js';
import { RULES } from '../../src/rules/registry.js';
import { inspectMbrFixture, MISSING_IMAGE, sampleLintReport, SAMPLE_RULES_RUN } from './sample-lint-report.js';

interface Outcome { '@_message': string; '@_type'?: string; '#text'?: string }
interface TestCase {
  '@_classname': string; '@_name': string;
  failure?: Outcome[]; error?: Outcome[]; skipped?: Outcome[]; 'system-out'?: string[];
}
interface TestSuite {
  '@_name': string; '@_tests': string; '@_failures': string; '@_errors': string; '@_skipped': string;
  properties: { property: { '@_name': string; '@_value': string }[] };
  testcase: TestCase[];
}
interface Parsed {
  testsuites: { '@_tests': string; '@_failures': string; '@_errors': string; '@_skipped': string; testsuite: TestSuite[] };
}

const ARRAYS = new Set(['testsuite', 'testcase', 'property', 'failure', 'error', 'skipped', 'system-out']);
const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@_', parseAttributeValue: false, isArray: (name) => ARRAYS.has(name) });

let fixture: { path: string; inspection: ImageInspection };
beforeAll(async () => {
  fixture = await inspectMbrFixture();
});

function renderParsed(failOn: FailOn): Parsed {
  const xml = renderJunit(sampleLintReport(fixture, { failOn }));
  expect(XMLValidator.validate(xml)).toBe(true);
  return parser.parse(xml) as Parsed;
}

const caseNamed = (suite: TestSuite, name: string) => suite.testcase.find((testcase) => testcase['@_name'] === name)!;
/** Registry rules that the sample did not run: each is a skipped case. */
const notRun = () => RULES.map((rule) => rule.id).filter((id) => !SAMPLE_RULES_RUN.includes(id));

describe('renderJunit', () => {
  it('writes one suite per image and one case per rule that ran, plus internal-error and skipped registry rules', () => {
    const xml = renderJunit(sampleLintReport(fixture));
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites')).toBe(true);
    const { testsuites } = renderParsed('warning');
    const [mbr, missing] = testsuites.testsuite;
    expect(mbr!['@_name']).toBe(fixture.path);
    expect(mbr!.testcase.map((testcase) => testcase['@_name'])).toEqual([...SAMPLE_RULES_RUN, 'internal-error', ...notRun()]);
    expect(new Set(mbr!.testcase.map((testcase) => testcase['@_classname']))).toEqual(new Set(['spotlint.mbr.img']));
    for (const id of notRun()) expect(caseNamed(mbr!, id).skipped).toHaveLength(1);
    expect(mbr!.properties.property).toContainEqual({ '@_name': 'failOn', '@_value': 'warning' });
    expect(missing!['@_name']).toBe(MISSING_IMAGE);
  });

  it.each([
    // failOn, failing rules (failures), internal-error counted as an error (always: its checks did not run)
    ['error', ['filesystem-clean', 'image-size'], true],
    ['warning', ['filesystem-clean', 'image-size', 'ssh-root-login'], true],
    ['info', ['filesystem-clean', 'image-size', 'ssh-root-login', 'boot-timeout'], true],
    ['none', [], true],
  ] as const)('fails exactly the cases with unsuppressed findings at or above failOn=%s', (failOn, failing, internalErrorFails) => {
    const { testsuites } = renderParsed(failOn);
    const mbr = testsuites.testsuite[0]!;
    const failed = mbr.testcase.filter((testcase) => testcase.failure).map((testcase) => testcase['@_name']);
    expect(failed.sort()).toEqual([...failing].sort());
    for (const testcase of mbr.testcase) expect(testcase.failure?.length ?? 0).toBeLessThanOrEqual(1);
    for (const name of failing) expect(caseNamed(mbr, name).failure![0]!['@_type']).toBe(name);

    const errors = internalErrorFails ? 1 : 0;
    const tests = SAMPLE_RULES_RUN.length + 1 + notRun().length;
    expect(mbr).toMatchObject({
      '@_tests': String(tests), '@_failures': String(failing.length), '@_errors': String(errors), '@_skipped': String(notRun().length),
    });
    expect(testsuites).toMatchObject({
      '@_tests': String(tests + 1), '@_failures': String(failing.length), '@_errors': String(errors + 1), '@_skipped': String(notRun().length),
    });
  });

  it('puts all of a rule\'s failing findings in its one failure: the count and the first in the message, each with its location in the body', () => {
    const ssh = caseNamed(renderParsed('warning').testsuites.testsuite[0]!, 'ssh-root-login');
    const [failure] = ssh.failure!;
    expect(failure!['@_message']).toMatch(/^2 findings; the first: sshd_config line 12 sets PermitRootLogin yes/);
    expect(failure!['#text']).toContain('warning partition 2:/etc/ssh/sshd_config:12: sshd_config line 12 sets PermitRootLogin yes');
    expect(failure!['#text']).toContain('Fix: Sets PermitRootLogin prohibit-password.');
    expect(failure!['#text']).toContain('warning partition 2:/etc/ssh/sshd_config.d/50-cloud.conf:3:');
  });

  it('writes findings below failOn and suppressed ones to system-out, never as failures', () => {
    const mbr = renderParsed('warning').testsuites.testsuite[0]!;
    const boot = caseNamed(mbr, 'boot-timeout');
    expect(boot.failure).toBeUndefined();
    expect(boot['system-out']![0]).toMatch(/^info partition 1:\/grub\/grub.cfg:5: GRUB waits 5 seconds/);
    const net = caseNamed(mbr, 'persistent-net-rules');
    expect(net.failure).toBeUndefined();
    expect(net['system-out']![0]).toContain('[suppressed: the appliance rewrites it at first boot, until 2099-12-31]');
    const imageSize = caseNamed(mbr, 'image-size');
    expect(imageSize.failure![0]!['#text']).toMatch(/^error image: The virtual disk is/);
    expect(caseNamed(mbr, 'fstab-uuid')).toEqual({ '@_classname': 'spotlint.mbr.img', '@_name': 'fstab-uuid', '@_time': '0' });
  });

  it('reports a crashed rule as an error and an unopened image as one open-image error', () => {
    const [mbr, missing] = renderParsed('warning').testsuites.testsuite;
    const crash = caseNamed(mbr!, 'internal-error');
    expect(crash.error![0]).toMatchObject({ '@_type': 'internal-error', '@_message': expect.stringMatching(/^The rule fstab-uuid failed/) });
    expect(missing!.testcase).toEqual([{
      '@_classname': `spotlint.${basename(MISSING_IMAGE)}`, '@_name': 'open-image', '@_time': '0',
      error: [{ '@_message': `${MISSING_IMAGE}: cannot open the image: no such file`, '@_type': 'open-image', '#text': `${MISSING_IMAGE}: cannot open the image: no such file` }],
    }]);
    expect(missing).toMatchObject({ '@_tests': '1', '@_failures': '0', '@_errors': '1', '@_skipped': '0' });
  });

  it('escapes what XML cannot carry in names read from the image', () => {
    const report = sampleLintReport(fixture);
    report.images[0]!.findings[0]!.message = 'label "a<b>&c" \u0007bell \ud800 end';
    const xml = renderJunit(report);
    expect(XMLValidator.validate(xml)).toBe(true);
    expect(xml).toContain('label &quot;a&lt;b&gt;&amp;c&quot;');
    const mbr = (parser.parse(xml) as Parsed).testsuites.testsuite[0]!;
    expect(caseNamed(mbr, 'filesystem-clean').failure![0]!['@_message']).toBe('label "a<b>&c" \\u0007bell \\ud800 end');
  });
});
