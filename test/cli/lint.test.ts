import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { XMLParser } from 'fast-xml-parser';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/build-image.js';
import { copyFixture, FIXTURE_DIR } from '../helpers/fixtures.js';
import { runCli, type CliResult } from '../helpers/run-cli.js';
import { RULES } from '../../dist/rules/registry.js';

const SAMPLE = join(FIXTURE_DIR, 'sample.img');
const NET_RULES = '/etc/udev/rules.d/70-persistent-net.rules';
const readJson = (path: string) => JSON.parse(readFileSync(path, 'utf8'));
// ajv-formats is CommonJS: under NodeNext its default import is the function itself.
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;

/** Runs the CLI in a folder of its own, so no config file from elsewhere is picked up. */
function lintIn(dir: string, args: string[], env: Record<string, string> = {}) {
  return runCli(['--config', writeConfig(dir, {}), ...args], env);
}
/**
 * These tests are about the engine, the options and the reports, with the
 * sample image's one persistent-net-rules error as their subject: the rules
 * that read the guest's services and accounts (which the sample, having no
 * init system, fails) are off unless a test's config says otherwise. They
 * have tests of their own (access-rules.test.ts).
 */
const IMAGE_RULES = ['image-size', 'filesystem-clean', 'filesystem-unreadable', 'persistent-net-rules'];
const GUEST_RULES_OFF = Object.fromEntries(RULES.filter((r) => !IMAGE_RULES.includes(r.id)).map((r) => [r.id, 'off']));
function writeConfig(dir: string, config: { rules?: object } & Record<string, unknown>): string {
  const path = join(dir, 'spotlint.config.json');
  writeFileSync(path, JSON.stringify({ ...config, rules: { ...GUEST_RULES_OFF, ...config.rules } }));
  return path;
}

describe('spotlint IMAGE: exit codes and --fail-on', () => {
  const dir = tempDir('lint');

  it('exits 1 for an error finding, with the finding and a summary in the table', async () => {
    const result = await lintIn(dir, [SAMPLE]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`test/images/sample.img (raw, 38.0 MiB, Debian GNU/Linux 12 (bookworm))`);
    expect(result.stdout).toMatch(/│ error +│ persistent-net-rules │ partition 2:\/etc\/udev\/rules\.d\/70-persistent-net\.rules:8 │/);
    expect(result.stdout).toContain('1 error, 0 warnings, 0 info in ');
  });

  it.each([
    [['--fail-on', 'none'], 0],
    [['--disable', 'persistent-net-rules'], 0],
    [['--rule', 'persistent-net-rules=warning'], 0],
    [['--rule', 'persistent-net-rules=warning', '--fail-on', 'warning'], 1],
    [['--rule', 'persistent-net-rules=info', '--fail-on', 'warning'], 0],
    [['--rule', 'persistent-net-rules=info', '--fail-on', 'info'], 1],
  ])('%j exits %i', async (args, code) => {
    expect((await lintIn(dir, [SAMPLE, ...args])).code).toBe(code);
  });

  it('says when nothing was found', async () => {
    const result = await lintIn(dir, [SAMPLE, '--disable', 'persistent-net-rules']);
    expect(result.stdout).toContain('  no problems found (3 rules ran)\n0 errors, 0 warnings, 0 info in ');
  });

  it('checks several images and exits 2 when one cannot be read, after reporting all', async () => {
    const missing = join(dir, 'missing.img');
    const result = await lintIn(dir, [SAMPLE, missing, '--format', 'json']);
    expect(result.code).toBe(2);
    const report = JSON.parse(result.stdout);
    expect(report.images.map((i: { path: string }) => i.path)).toEqual([SAMPLE, missing]);
    expect(report.images[1]).toMatchObject({ inspection: null, error: `${missing}: no such file` });
    expect(result.stderr).toBe(`spotlint: ${missing}: no such file\n`);
  });

  it('takes options before or after the images, and the last of a repeated single-value option', async () => {
    expect((await lintIn(dir, ['--disable', 'persistent-net-rules', SAMPLE])).code).toBe(0);
    expect((await lintIn(dir, ['--rule', 'persistent-net-rules=warning', '--disable', 'filesystem-clean', SAMPLE, '--fail-on', 'warning'])).code).toBe(1);
    expect((await lintIn(dir, [SAMPLE, '--fail-on', 'none', '--fail-on', 'error'])).code).toBe(1);
    const json = await lintIn(dir, [SAMPLE, '-f', 'sarif', '-f', 'json']);
    expect(JSON.parse(json.stdout).reportVersion).toBe(1);
    const bad = await lintIn(dir, [SAMPLE, '--rule', 'image-size=error=x']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('spotlint: --rule image-size=error=x: severity must be one of error, warning, info, off (did you mean "error"?)\n');
  });

  it('reports a filesystem it cannot read instead of calling the image clean', async () => {
    const image = copyFixture('bare.img');
    const bytes = readFileSync(image);
    bytes.writeUInt32LE(0, 1024 + 40); // s_inodes_per_group = 0: libext2fs refuses the superblock
    writeFileSync(image, bytes);
    const result = await lintIn(dir, [image]);
    expect(result.code).toBe(1);
    // metadata_csum: the damaged superblock no longer matches its checksum.
    expect(result.stdout).toMatch(/│ error +│ filesystem-unreadable │ whole disk +│ The ext4 filesystem on the whole disk cannot be read: EXT2_ET_SB_CSUM_INVALID: +│/);
  });

  it('turns on a rule set to off in the config with --rule ID, with the config\'s options', async () => {
    writeConfig(dir, { rules: { 'image-size': ['off', { maxBytes: 1024 }] } });
    const quiet = await runCli(['--config', join(dir, 'spotlint.config.json'), SAMPLE, '--disable', 'persistent-net-rules']);
    expect(quiet.code).toBe(0);
    const result = await runCli(['--config', join(dir, 'spotlint.config.json'), SAMPLE, '--rule', 'image-size', '--disable', 'persistent-net-rules']);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('image-size');
    expect(result.stdout).toMatch(/The virtual disk is 38\.0 MiB \(39845888 bytes\), above the 1\.0 KiB \(1024 bytes\)/);
  });

  it('flags a filesystem that was not cleanly unmounted', async () => {
    const image = copyFixture('bare.img');
    execFileSync('debugfs', ['-w', '-R', 'ssv state 0', image], { stdio: 'pipe' });
    const result = await lintIn(dir, [image, '--format', 'json']);
    const findings = JSON.parse(result.stdout).images[0].findings;
    expect(findings).toContainEqual(expect.objectContaining({
      ruleId: 'filesystem-clean',
      severity: 'error',
      location: { partition: null },
      message: expect.stringMatching(/^The ext4 filesystem on the whole disk: it was not cleanly unmounted\. /),
    }));
  });
});

describe('every report format from one run', () => {
  const dir = tempDir('formats');
  const outputs: Record<string, { result: CliResult; path: string }> = {};
  beforeAll(async () => {
    const qcow2 = copyFixture('mbr.qcow2');
    for (const format of ['json', 'sarif', 'junit', 'table']) {
      const path = join(dir, `report.${format}`);
      outputs[format] = { result: await lintIn(dir, [SAMPLE, qcow2, '--format', format, '--output', path]), path };
    }
  });

  it('writes each to its file, prints nothing, and exits the same way', async () => {
    for (const { result } of Object.values(outputs)) {
      expect(result.code).toBe(1);
      expect(result.stdout).toBe('');
    }
  });

  it('JSON matches report.schema.json', async () => {
    const ajv = new Ajv2020({ allErrors: true, strict: false });
    addFormats(ajv);
    const validate = ajv.compile(readJson(join(FIXTURE_DIR, '..', '..', 'report.schema.json')));
    const report = readJson(outputs.json!.path);
    expect(validate(report), JSON.stringify(validate.errors)).toBe(true);
    expect(report.images).toHaveLength(2);
    expect(report.counts).toEqual({ error: 2, warning: 0, info: 0, suppressed: 0 });
  });

  it('SARIF matches the official SARIF 2.1.0 schema and names the rule and guest path', async () => {
    const ajv = new Ajv({ allErrors: true, strict: false });
    addFormats(ajv);
    const validate = ajv.compile(readJson(join(FIXTURE_DIR, '..', 'data', 'sarif-schema-2.1.0.json')));
    const sarif = readJson(outputs.sarif!.path);
    expect(validate(sarif), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
    const results = sarif.runs[0].results;
    expect(results).toHaveLength(2);
    expect(results[0]).toMatchObject({ ruleId: 'persistent-net-rules', level: 'error' });
    expect(JSON.stringify(results[0].locations)).toContain(NET_RULES);
  });

  it('JUnit parses back with one suite per image and a failure for the error', async () => {
    const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(readFileSync(outputs.junit!.path, 'utf8'));
    const suites = [xml.testsuites.testsuite].flat();
    expect(suites).toHaveLength(2);
    for (const suite of suites) {
      expect(Number(suite.failures)).toBe(1);
      const cases = [suite.testcase].flat();
      expect(cases.map((c: { name: string }) => c.name)).toEqual(expect.arrayContaining(['image-size', 'filesystem-clean', 'persistent-net-rules']));
      expect(cases.find((c: { name: string }) => c.name === 'persistent-net-rules').failure).toBeDefined();
    }
  });

  it('never replaces a device, a link or the image itself with a report', async () => {
    const image = copyFixture('bare.img');
    const before = readFileSync(image);
    const self = await lintIn(dir, [image, '-f', 'json', '-o', image]);
    expect(self.code).toBe(2);
    expect(self.stderr).toBe(`spotlint: ${image}: is the image being checked; give another file name for the report\n`);
    expect(readFileSync(image).equals(before)).toBe(true);
    const device = await lintIn(dir, [SAMPLE, '-o', '/dev/null']);
    expect(device.stderr).toBe('spotlint: /dev/null: is not a regular file (a device or special file); give a file name for the report\n');
    expect(statSync('/dev/null').isCharacterDevice()).toBe(true);
  });

  it('the table file has no colour codes', async () => {
    expect(readFileSync(outputs.table!.path, 'utf8')).not.toContain('\x1b[');
  });
});

describe('configuration', () => {
  it('stops with exit 2 and lists every mistake in an invalid config', async () => {
    const dir = tempDir('bad-config');
    const config = writeConfig(dir, {
      rulez: {},
      rules: { 'image-size': ['error', { maxBytes: 'big' }], 'imag-size': 'error', 'filesystem-clean': 'loud' },
      failOn: 'sometimes',
      waivers: [{ rule: 'persistent-net-rules', expires: '2027-13-01' }],
    });
    const result = await runCli(['--config', config, SAMPLE]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines[0]).toBe(`spotlint: ${config}: 7 problems in the configuration:`);
    expect(lines.slice(1)).toEqual(expect.arrayContaining([
      '  (top level): unknown key "rulez" (did you mean "rules"?)',
      '  rules.image-size[1].maxBytes: must be integer',
      '  rules.imag-size: unknown rule (did you mean "image-size"?)',
      '  rules.filesystem-clean: must be one of error, warning, info, off',
      '  failOn: must be one of error, warning, info, none',
      '  waivers[0]: missing required key "reason"',
      '  waivers[0].expires: must be a date YYYY-MM-DD',
    ]));
  });

  it('finds spotlint.config.json in a parent folder', async () => {
    const dir = tempDir('walk-up');
    writeConfig(dir, { rules: { 'persistent-net-rules': 'off' } });
    const nested = join(dir, 'a', 'b');
    mkdirSync(nested, { recursive: true });
    const result = execFileSync(process.execPath, [join(FIXTURE_DIR, '..', '..', 'dist', 'cli.js'), SAMPLE], { cwd: nested }).toString();
    expect(result).toContain('no problems found');
  });

  it('waives an accepted finding, and reports an expired waiver instead of honouring it', async () => {
    const dir = tempDir('waivers');
    const waiver = { rule: 'persistent-net-rules', path: NET_RULES, reason: 'rebuilt by the first-boot script' };
    writeConfig(dir, { waivers: [{ ...waiver, expires: '2999-12-31' }] });
    const accepted = await runCli(['--config', join(dir, 'spotlint.config.json'), SAMPLE, '--format', 'json']);
    expect(accepted.code).toBe(0);
    const finding = JSON.parse(accepted.stdout).images[0].findings[0];
    expect(finding.suppressed).toEqual({ reason: waiver.reason, expires: '2999-12-31' });
    const sarif = JSON.parse((await runCli(['--config', join(dir, 'spotlint.config.json'), SAMPLE, '--format', 'sarif'])).stdout);
    expect(sarif.runs[0].results[0].suppressions).toEqual([{ kind: 'external', justification: waiver.reason, properties: { expires: '2999-12-31' } }]);

    writeConfig(dir, { waivers: [{ rule: 'persistent-net-rules', partition: 2, reason: 'the root partition is rebuilt' }] });
    expect((await runCli(['--config', join(dir, 'spotlint.config.json'), SAMPLE])).code).toBe(0);
    writeConfig(dir, { waivers: [{ rule: 'persistent-net-rules', partition: 1, reason: 'wrong partition' }] });
    expect((await runCli(['--config', join(dir, 'spotlint.config.json'), SAMPLE])).code).toBe(1);

    writeConfig(dir, { waivers: [{ ...waiver, expires: '2020-01-31' }] });
    const expired = await runCli(['--config', join(dir, 'spotlint.config.json'), SAMPLE]);
    expect(expired.code).toBe(1);
    expect(expired.stdout).toContain(`The waiver for persistent-net-rules at ${NET_RULES} expired on 2020-01-31 (UTC)`);
  });
});

describe('colour', () => {
  const dir = tempDir('colour');
  it('is on with --color, and never with NO_COLOR', async () => {
    expect((await lintIn(dir, [SAMPLE, '--color'])).stdout).toContain('\x1b[31merror');
    expect((await lintIn(dir, [SAMPLE, '--color'], { NO_COLOR: '1' })).stdout).not.toContain('\x1b[');
    expect((await lintIn(dir, [SAMPLE])).stdout).not.toContain('\x1b[');
  });
});

describe('rule catalog', () => {
  it('spotlint rules lists every rule, as a table and as JSON', async () => {
    const table = await runCli(['rules']);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/│ persistent-net-rules +│ error +│ safe +│ No network interface names pinned to MAC addresses by udev +│/);
    const json = JSON.parse((await runCli(['rules', '--json'])).stdout);
    expect(json.map((r: { id: string }) => r.id)).toEqual([
      'image-size', 'partition-table', 'partition-alignment', 'boot-loader', 'kernel-in-first-partition',
      'filesystem-clean', 'filesystem-unreadable', 'filesystem-unsupported', 'no-root-filesystem', 'free-space-zeroed',
      'fstab-unresolvable', 'device-names',
      'persistent-net-rules', 'mac-pinned-network-config', 'network-dhcp', 'time-sync',
      'remote-access', 'ssh-password-auth', 'ssh-root-login', 'ssh-authorized-keys',
      'empty-password', 'weak-password-hash', 'guessable-password',
      'minimal-services', 'auto-updates', 'phone-home', 'rc-local',
      'ssh-host-keys', 'machine-id', 'leftover-secrets',
    ]);
    expect(json[0].defaultOptions).toEqual({ maxBytes: 2147483648 });
  });

  it('spotlint explain prints the guideline, the why and the fix, and suggests on a typo', async () => {
    const explained = await runCli(['explain', 'image-size']);
    expect(explained.code).toBe(0);
    expect(explained.stdout).toContain('maximum appliance size of 2GB per VM');
    expect(explained.stdout).toContain('How to fix: ');
    expect(explained.stdout).toContain('  maxBytes (integer, default 2147483648): ');
    const typo = await runCli(['explain', 'imagesize']);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toBe('spotlint: unknown rule "imagesize" (did you mean "image-size"?); spotlint rules lists them all\n');
  });
});
