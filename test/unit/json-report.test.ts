import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { beforeAll, describe, expect, it } from 'vitest';
import { inspectImage, type ImageInspection } from '../../dist/inspect/inspect-image.js';
import { renderJson } from '../../src/report/json-report.js';
import { fixturePath } from '../helpers/fixtures.js';
import { inspectMbrFixture, MISSING_IMAGE, sampleLintReport, SAMPLE_FINDINGS } from './sample-lint-report.js';

// ajv-formats is CommonJS: its default export arrives as the module object under NodeNext typing.
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;

const schema = JSON.parse(readFileSync(new URL('../../report.schema.json', import.meta.url), 'utf8')) as Record<string, unknown>;
const ajv = new Ajv2020({ allErrors: true });
addFormats(ajv);
const validate = ajv.compile(schema);

function errorsOf(document: unknown): string {
  return validate(document) ? '' : ajv.errorsText(validate.errors, { separator: '\n' });
}

let fixture: { path: string; inspection: ImageInspection };
beforeAll(async () => {
  fixture = await inspectMbrFixture();
});

describe('renderJson', () => {
  it('writes a report that report.schema.json accepts, pretty-printed with a final newline', () => {
    const text = renderJson(sampleLintReport(fixture));
    expect(text.endsWith('}\n')).toBe(true);
    expect(text).toContain('\n  "reportVersion": 1,\n');
    expect(errorsOf(JSON.parse(text))).toBe('');
  });

  it('keeps every finding with its location, fix and suppression, and the unopened image with its error', () => {
    const json = JSON.parse(renderJson(sampleLintReport(fixture)));
    const [mbr, missing] = json.images;
    expect(mbr.findings).toHaveLength(SAMPLE_FINDINGS.length);
    expect(mbr.findings[1]).toEqual({ ruleId: 'image-size', severity: 'error', message: SAMPLE_FINDINGS[1]!.message, location: {} });
    expect(mbr.findings.find((f: { location: { line?: number } }) => f.location.line === 12)).toMatchObject({
      location: { partition: 2, path: '/etc/ssh/sshd_config', line: 12 }, fix: 'Sets PermitRootLogin prohibit-password.',
    });
    expect(mbr.findings.filter((f: { suppressed?: unknown }) => f.suppressed)).toEqual([
      expect.objectContaining({ suppressed: { reason: 'the appliance rewrites it at first boot', expires: '2099-12-31' } }),
    ]);
    expect(mbr.counts).toEqual({ error: 3, warning: 2, info: 1, suppressed: 1 });
    expect(missing).toEqual({
      path: MISSING_IMAGE, error: `${MISSING_IMAGE}: cannot open the image: no such file`, inspection: null,
      rulesRun: [], counts: { error: 0, warning: 0, info: 0, suppressed: 0 }, findings: [],
    });
  });

  it('projects the real inspection: root by partition, partition entries, ext facts, no repeated image path', () => {
    const { inspection } = JSON.parse(renderJson(sampleLintReport(fixture))).images[0];
    expect(inspection.root).toEqual({ partition: 2 });
    expect(inspection.image).not.toHaveProperty('path');
    expect(inspection.image.format).toBe('raw');
    expect(inspection.partitionTable.scheme).toBe('mbr');
    expect(inspection.volumes.map((v: { partition: number }) => v.partition)).toEqual([1, 2, 3]);
    const root = inspection.volumes[1];
    expect(root.partitionEntry).toMatchObject({ kind: 'primary', type: '0x83', bootable: false, beyondEnd: false });
    expect(root.filesystem).toMatchObject({ type: 'ext4', label: 'rootfs', ext: { blockSize: 4096, cleanlyUnmounted: true } });
    expect(root.filesystem.ext).not.toHaveProperty('uuid');
    expect(inspection.mounts).toContainEqual({ mountPoint: '/boot', partition: 1, spec: 'LABEL=boot' });
  });

  it.each(['gpt.img', 'mbr.qcow2', 'bare.img'])('fits the schema for the other layouts too: %s', async (name) => {
    const inspected = await inspectImage(fixturePath(name));
    await inspected.close();
    const json = JSON.parse(renderJson(sampleLintReport({ path: fixturePath(name), inspection: inspected.inspection })));
    expect(errorsOf(json)).toBe('');
    const { inspection } = json.images[0];
    if (name === 'gpt.img') expect(inspection.volumes[0].partitionEntry).toHaveProperty('guid');
    if (name === 'mbr.qcow2') expect(inspection.image.qcow2).toMatchObject({ version: 3 });
    if (name === 'bare.img') expect(inspection).toMatchObject({ root: { partition: null }, volumes: [{ partition: null, partitionEntry: null }] });
  });

  it('says "no root filesystem" with null, not by leaving the key out', () => {
    const report = sampleLintReport(fixture);
    report.images[0]!.inspection!.rootPartition = undefined;
    const json = JSON.parse(renderJson(report));
    expect(json.images[0].inspection.root).toBeNull();
    expect(errorsOf(json)).toBe('');
  });

  it('is strict: the schema rejects unknown properties and broken invariants, so drift is caught', () => {
    const valid = () => JSON.parse(renderJson(sampleLintReport(fixture)));
    const withExtraFindingKey = valid();
    withExtraFindingKey.images[0].findings[0].column = 3;
    expect(errorsOf(withExtraFindingKey)).toMatch(/additional properties/);

    const withExtraVolumeKey = valid();
    withExtraVolumeKey.images[0].inspection.volumes[0].index = 1;
    expect(errorsOf(withExtraVolumeKey)).toMatch(/additional properties/);

    const lineWithoutPath = valid();
    lineWithoutPath.images[0].findings[0].location = { partition: 2, line: 4 };
    expect(errorsOf(lineWithoutPath)).toMatch(/must have property path/);

    const unopenedWithoutError = valid();
    delete unopenedWithoutError.images[1].error;
    expect(errorsOf(unopenedWithoutError)).toMatch(/must have required property 'error'/);

    const badDate = valid();
    badDate.expiredWaivers[0].expires = 'last spring';
    expect(errorsOf(badDate)).toMatch(/must match format "date"/);

    const futureVersion = valid();
    futureVersion.reportVersion = 2;
    expect(errorsOf(futureVersion)).toMatch(/constant/);
  });

  it('documents every property of the schema (it is the user documentation of the format)', () => {
    const undocumented: string[] = [];
    const walk = (node: unknown, at: string): void => {
      if (Array.isArray(node)) return node.forEach((child, i) => walk(child, `${at}/${i}`));
      if (typeof node !== 'object' || node === null) return;
      const record = node as Record<string, unknown>;
      for (const [name, property] of Object.entries((record.properties ?? {}) as Record<string, Record<string, unknown>>)) {
        // Conditions (if) restate a property only to test it.
        if (!at.endsWith('/if') && typeof property.description !== 'string') undocumented.push(`${at}/properties/${name}`);
      }
      for (const [key, child] of Object.entries(record)) walk(child, `${at}/${key}`);
    };
    walk(schema, '#');
    expect(undocumented).toEqual([]);
  });
});
