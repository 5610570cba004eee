// test/data/sarif-schema-2.1.0.json is the official OASIS SARIF 2.1.0 JSON
// Schema (draft-07, $id .../oasis-tcs/sarif-spec/master/Schemata/sarif-schema-2.1.0.json),
// byte for byte as shipped in the npm package @datadog/datadog-ci@2.41.0 at
// dist/commands/sarif/json-schema/sarif-schema-2.1.0.json (sha256
// 10666d46649b52e262001e70d43e6c52f7c0279ca3dbdfe9a7dc2e4071556454), which
// Datadog uses to validate SARIF before upload. The package is Apache-2.0;
// the schema itself is an OASIS work product of the SARIF TC, governed by the
// OASIS IPR Policy (RF on RAND mode), as its repository oasis-tcs/sarif-spec states.
// (@microsoft/jest-sarif ships only the draft-04 rtm.5 pre-release schema, and
// @microsoft/sarif-multitool a 2020-12 re-edit of the final one.)

import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { Log, Result } from 'sarif';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ImageInspection } from '../../dist/inspect/inspect-image.js';
import { RULES } from '../../src/rules/registry.js';
import { artifactLocation, FINGERPRINT_KEY, renderSarif } from '../../src/report/sarif-report.js';
import { inspectMbrFixture, MISSING_IMAGE, sampleLintReport, SAMPLE_FINDINGS } from './sample-lint-report.js';

// ajv-formats is CommonJS: its default export arrives as the module object under NodeNext typing.
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;

const sarifSchema = JSON.parse(readFileSync(new URL('../data/sarif-schema-2.1.0.json', import.meta.url), 'utf8')) as Record<string, unknown>;
const ajv = new Ajv({ allErrors: true });
addFormats(ajv);
const validateSarif = ajv.compile(sarifSchema);

let fixture: { path: string; inspection: ImageInspection };
beforeAll(async () => {
  fixture = await inspectMbrFixture();
});

const render = (...args: Parameters<typeof sampleLintReport>): Log => JSON.parse(renderSarif(sampleLintReport(...args))) as Log;
const fingerprints = (log: Log) => log.runs[0]!.results!.map((result) => result.partialFingerprints![FINGERPRINT_KEY]!);

describe('renderSarif', () => {
  it('writes SARIF that the official 2.1.0 schema accepts', () => {
    const text = renderSarif(sampleLintReport(fixture));
    expect(text.endsWith('}\n')).toBe(true);
    const log = JSON.parse(text);
    expect(validateSarif(log) ? '' : ajv.errorsText(validateSarif.errors, { separator: '\n' })).toBe('');
    expect(log.version).toBe('2.1.0');
    expect(log.runs).toHaveLength(1);
  });

  it('lists every registry rule and internal-error as driver rules, and gives every result a rule', () => {
    const { driver } = render(fixture).runs[0]!.tool;
    const ids = driver.rules!.map((rule) => rule.id);
    expect(ids.slice(0, RULES.length + 1)).toEqual([...RULES.map((rule) => rule.id), 'internal-error']);
    expect(driver).toMatchObject({ name: 'spotlint', version: '0.1.0' });
    expect(driver).not.toHaveProperty('informationUri');

    const imageSize = driver.rules!.find((rule) => rule.id === 'image-size')!;
    const source = RULES.find((rule) => rule.id === 'image-size')!;
    expect(imageSize).toMatchObject({
      name: 'ImageSize',
      shortDescription: { text: source.title },
      fullDescription: { text: source.guideline },
      defaultConfiguration: { level: 'error' },
      properties: { tags: expect.arrayContaining(['spotcloud']) },
    });
    expect(imageSize.help!.text).toContain(source.rationale);
    expect(imageSize.help!.text).toContain(source.checks);
    expect(imageSize.help!.text).toContain(source.howToFix);
    expect(imageSize.help!.markdown).toContain('**How to fix:**');
    expect(driver.rules!.find((rule) => rule.id === 'internal-error')).toMatchObject({ name: 'InternalError', defaultConfiguration: { level: 'error' } });

    for (const result of render(fixture).runs[0]!.results!) {
      expect(driver.rules![result.ruleIndex!]!.id).toBe(result.ruleId);
    }
  });

  it('maps severities to levels and keeps suppressed findings as suppressed results', () => {
    const results = render(fixture).runs[0]!.results!;
    expect(results.map((result) => [result.ruleId, result.level])).toEqual(
      SAMPLE_FINDINGS.map((finding) => [finding.ruleId, { error: 'error', warning: 'warning', info: 'note' }[finding.severity]]),
    );
    const suppressed = results.filter((result) => result.suppressions);
    expect(suppressed).toHaveLength(1);
    expect(suppressed[0]!.suppressions).toEqual([{
      kind: 'external', justification: 'the appliance rewrites it at first boot', properties: { expires: '2099-12-31' },
    }]);
  });

  it('points every result at the image file, with the guest path as a logical location and no region', () => {
    const log = render(fixture);
    const results = log.runs[0]!.results!;
    const imageUri = `file://${fixture.path}`;
    for (const result of results) {
      const physical = result.locations![0]!.physicalLocation!;
      expect(physical.artifactLocation).toEqual({ uri: imageUri, index: 0 });
      expect(physical).not.toHaveProperty('region');
    }
    const sshd = results.find((result) => result.properties?.guestLine === 12)!;
    expect(sshd.locations![0]!.logicalLocations).toEqual([
      { name: '/etc/ssh/sshd_config', fullyQualifiedName: 'partition 2:/etc/ssh/sshd_config', kind: 'resource' },
    ]);
    expect(sshd.message.text).toMatch(/ \(at partition 2:\/etc\/ssh\/sshd_config:12\)$/);
    expect(sshd.properties).toEqual({ partition: 2, guestPath: '/etc/ssh/sshd_config', guestLine: 12, fix: 'Sets PermitRootLogin prohibit-password.' });

    const imageLevel = results.find((result) => result.ruleId === 'image-size')!;
    expect(imageLevel.locations![0]).not.toHaveProperty('logicalLocations');
    expect(imageLevel.message.text).toBe(SAMPLE_FINDINGS[1]!.message);

    expect(log.runs[0]!.artifacts).toEqual([
      { location: { uri: imageUri }, roles: ['analysisTarget'], length: fixture.inspection.image.fileSize },
      { location: { uri: 'images/missing%20d0.img', uriBaseId: '%SRCROOT%' }, roles: ['analysisTarget'] },
    ]);
  });

  it('keeps relative image paths relative to %SRCROOT% and makes absolute ones file:// URIs', () => {
    expect(artifactLocation('d0.img')).toEqual({ uri: 'd0.img', uriBaseId: '%SRCROOT%' });
    expect(artifactLocation('./appliances/../vm/d0 #1.img')).toEqual({ uri: 'vm/d0%20%231.img', uriBaseId: '%SRCROOT%' });
    expect(artifactLocation('/srv/images/d0.img')).toEqual({ uri: 'file:///srv/images/d0.img' });
  });

  it('reports the unopened image and the expired waiver as notifications, not results', () => {
    const [invocation] = render(fixture).runs[0]!.invocations!;
    expect(invocation!.executionSuccessful).toBe(false);
    expect(invocation!.toolExecutionNotifications).toEqual([{
      level: 'error',
      descriptor: { id: 'open-image', index: 0 },
      message: { text: `${MISSING_IMAGE}: cannot open the image: no such file` },
      locations: [{ physicalLocation: { artifactLocation: { uri: 'images/missing%20d0.img', uriBaseId: '%SRCROOT%', index: 1 } } }],
    }]);
    expect(invocation!.toolConfigurationNotifications).toHaveLength(1);
    expect(invocation!.toolConfigurationNotifications![0]!.message.text).toContain('expired on 2020-01-31');
  });

  describe('partialFingerprints', () => {
    it('are identical across renders, machines and checkouts of the same image', () => {
      const first = fingerprints(render(fixture));
      expect(fingerprints(render(fixture))).toEqual(first);
      // Another machine: the same image file under another directory.
      expect(fingerprints(render(fixture, { path: '/home/ci/work/appliance/mbr.img' }))).toEqual(first);
      // The failOn threshold changes what fails, not which finding is which.
      expect(fingerprints(render(fixture, { failOn: 'info' }))).toEqual(first);
    });

    it('differ between findings, even of one rule with messages that differ only in numbers', () => {
      const all = fingerprints(render(fixture));
      expect(all.every((hash) => /^[0-9a-f]{64}:\d+$/.test(hash))).toBe(true);
      expect(new Set(all).size).toBe(all.length);

      const report = sampleLintReport(fixture);
      const mbr = report.images[0]!;
      const twin = { ...mbr.findings[1]!, message: mbr.findings[1]!.message.replace('38.0', '39.0') };
      mbr.findings.splice(2, 0, twin);
      const withTwin = (JSON.parse(renderSarif(report)) as Log).runs[0]!.results!.map((r: Result) => r.partialFingerprints![FINGERPRINT_KEY]!);
      expect(new Set(withTwin).size).toBe(withTwin.length);
    });

    it('do not depend on the guest line or on numbers in the message, which move between builds', () => {
      const report = sampleLintReport(fixture);
      const sshd = report.images[0]!.findings.find((finding) => finding.location.line === 12)!;
      const before = fingerprints(JSON.parse(renderSarif(report)) as Log);
      sshd.location.line = 40;
      sshd.message = sshd.message.replace('line 12', 'line 40');
      expect(fingerprints(JSON.parse(renderSarif(report)) as Log)).toEqual(before);
    });

    it('change with the image file name, the partition or the guest path', () => {
      const base = fingerprints(render(fixture));
      expect(fingerprints(render(fixture, { path: '/tmp/other.img' }))).not.toContain(base[0]);
      const report = sampleLintReport(fixture);
      report.images[0]!.findings[0]!.location.partition = 1;
      report.images[0]!.findings[4]!.location.path = '/etc/ssh/sshd_config.orig';
      const moved = fingerprints(JSON.parse(renderSarif(report)) as Log);
      expect(moved[0]).not.toBe(base[0]);
      expect(moved[4]).not.toBe(base[4]);
      expect(moved.slice(1, 4)).toEqual(base.slice(1, 4));
    });
  });
});
