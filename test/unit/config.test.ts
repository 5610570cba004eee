import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, describe, expect, it } from 'vitest';
import type { ResolvedConfig } from '../../src/config/config.js';
import { didYouMean } from '../../src/config/did-you-mean.js';
import { findJsonSyntaxError } from '../../src/config/json-syntax-error.js';
import { applyCliOverrides } from '../../src/config/cli-overrides.js';
import { findConfigFile, loadConfig } from '../../src/config/load-config.js';
import { buildRulesSchema } from '../../src/config/rules-schema.js';
import { SpotlintError } from '../../src/errors.js';
import { RULES } from '../../src/rules/registry.js';
import type { AnyRule } from '../../src/rules/rule.js';

const tempDirs: string[] = [];
afterAll(async () => {
  await Promise.all(tempDirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'spotlint-config-'));
  tempDirs.push(dir);
  return dir;
}

/** Writes spotlint.config.json (an object as JSON, a string as is) into a new temp dir. */
async function writeConfig(content: unknown): Promise<{ dir: string; file: string }> {
  const dir = await tempDir();
  const file = join(dir, 'spotlint.config.json');
  await writeFile(file, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return { dir, file };
}

async function loadError(options: { cwd: string; configPath?: string }): Promise<SpotlintError> {
  const error: unknown = await loadConfig(options).then(() => undefined, (caught: unknown) => caught);
  expect(error).toBeInstanceOf(SpotlintError);
  return error as SpotlintError;
}

/** The problem lines of an invalid config, after checking the heading and indentation. */
async function problemsOf(content: unknown): Promise<string[]> {
  const { dir, file } = await writeConfig(content);
  const error = await loadError({ cwd: dir });
  const lines = [...error.details];
  const count = lines.length === 1 ? '1 problem' : `${lines.length} problems`;
  expect(error.message).toBe(`${file}: ${count} in the configuration:`);
  return lines;
}

describe('findConfigFile', () => {
  it('walks up from the directory to the nearest spotlint.config.json', async () => {
    const root = await tempDir();
    const deep = join(root, 'a', 'b', 'c');
    await mkdir(deep, { recursive: true });
    await writeFile(join(root, 'spotlint.config.json'), '{}');
    await writeFile(join(root, 'a', 'spotlint.config.json'), '{}');
    expect(await findConfigFile(deep)).toBe(join(root, 'a', 'spotlint.config.json'));
    expect(await findConfigFile(root)).toBe(join(root, 'spotlint.config.json'));
  });

  it('skips a directory of that name', async () => {
    const root = await tempDir();
    await mkdir(join(root, 'sub', 'spotlint.config.json'), { recursive: true });
    await writeFile(join(root, 'spotlint.config.json'), '{}');
    expect(await findConfigFile(join(root, 'sub'))).toBe(join(root, 'spotlint.config.json'));
  });
});

describe('loadConfig: finding and reading the file', () => {
  it('uses the file found by walking up', async () => {
    const { dir, file } = await writeConfig({ failOn: 'warning' });
    const nested = join(dir, 'images', 'old');
    await mkdir(nested, { recursive: true });
    const config = await loadConfig({ cwd: nested });
    expect(config.source).toBe(file);
    expect(config.failOn).toBe('warning');
  });

  it('uses --config relative to cwd, even where another config would be found', async () => {
    const { dir } = await writeConfig({ failOn: 'info' });
    await writeFile(join(dir, 'other.json'), JSON.stringify({ failOn: 'none' }));
    const config = await loadConfig({ cwd: dir, configPath: 'other.json' });
    expect(config.source).toBe(join(dir, 'other.json'));
    expect(config.failOn).toBe('none');
  });

  it('fails when the --config file does not exist', async () => {
    const dir = await tempDir();
    const error = await loadError({ cwd: dir, configPath: 'missing.json' });
    expect(error.message).toBe(`${join(dir, 'missing.json')}: config file not found`);
  });

  it('reports a JSON syntax error with the file, line and column', async () => {
    const { dir, file } = await writeConfig('{\n  "failOn": "error",\n  "rules": { "image-size": error }\n}\n');
    const error = await loadError({ cwd: dir });
    expect(error.message).toBe(`${file}:3:28: invalid JSON: unexpected word "error" (strings need double quotes)`);
  });

  it('locates the common JSON mistakes', () => {
    expect(findJsonSyntaxError('{"a": 1,}')).toEqual({ offset: 8, problem: 'trailing comma before "}"' });
    expect(findJsonSyntaxError('{\n  // note\n}')).toEqual({ offset: 4, problem: 'comments are not allowed in JSON' });
    expect(findJsonSyntaxError('{"a": \'b\'}')).toEqual({ offset: 6, problem: 'strings need double quotes, not single quotes' });
    expect(findJsonSyntaxError('{"a": 1 "b": 2}')).toEqual({ offset: 8, problem: 'expected "," or "}"' });
    expect(findJsonSyntaxError('{"a": [1, 2}')).toEqual({ offset: 11, problem: 'expected "," or "]"' });
    expect(findJsonSyntaxError('{"a": "x')).toEqual({ offset: 8, problem: 'unterminated string' });
    expect(findJsonSyntaxError('{} {}')).toEqual({ offset: 3, problem: 'unexpected text after the end of the JSON value' });
    expect(findJsonSyntaxError('  ')).toEqual({ offset: 0, problem: 'the file is empty; write {} for all defaults' });
    expect(findJsonSyntaxError('{"a": [true, false, null, -1.5e3, "\\u00e9\\n"]}')).toBeUndefined();
  });

  it('accepts a byte order mark and a $schema key', async () => {
    const { dir } = await writeConfig(`\uFEFF${JSON.stringify({ $schema: './rules.schema.json' })}`);
    await expect(loadConfig({ cwd: dir })).resolves.toMatchObject({ waivers: [] });
  });
});

describe('loadConfig: problems in the configuration', () => {
  it('says what a wrong option type should be', async () => {
    expect(await problemsOf({ rules: { 'image-size': ['error', { maxBytes: '2G' }] } }))
      .toEqual(['rules.image-size[1].maxBytes: must be integer']);
  });

  it('names an unknown option key, with a suggestion', async () => {
    expect(await problemsOf({ rules: { 'image-size': ['error', { maxByte: 1 }] } }))
      .toEqual(['rules.image-size[1]: unknown key "maxByte" (did you mean "maxBytes"?)']);
  });

  it('reports one line for a bad level, as a string or in an array', async () => {
    expect(await problemsOf({ rules: { 'image-size': 'fatal' } }))
      .toEqual(['rules.image-size: must be one of error, warning, info, off']);
    expect(await problemsOf({ rules: { 'image-size': ['fatal', { maxBytes: 1 }] } }))
      .toEqual(['rules.image-size[0]: must be one of error, warning, info, off']);
    expect(await problemsOf({ rules: { 'image-size': 'warn' } }))
      .toEqual(['rules.image-size: must be one of error, warning, info, off (did you mean "warning"?)']);
  });

  it('says which forms a rule entry may take', async () => {
    expect(await problemsOf({ rules: { 'image-size': 2 } }))
      .toEqual(['rules.image-size: must be a level (error, warning, info, off), [level] or [level, options]']);
    expect(await problemsOf({ rules: { 'image-size': ['error', {}, {}] } }))
      .toEqual(['rules.image-size: must be [level] or [level, options], not 3 items']);
    expect(await problemsOf({ rules: { 'image-size': [] } }))
      .toEqual(['rules.image-size: must be [level] or [level, options], not 0 items']);
  });

  it('suggests the rule id an unknown one was meant to be', async () => {
    expect(await problemsOf({ rules: { 'imag-size': 'off' } }))
      .toEqual(['rules.imag-size: unknown rule (did you mean "image-size"?)']);
    expect(await problemsOf({ rules: { 'no-such-check-at-all': 'off' } }))
      .toEqual(['rules.no-such-check-at-all: unknown rule']);
  });

  it('names an unknown top-level key, with a suggestion', async () => {
    expect(await problemsOf({ rulez: {} })).toEqual(['(top level): unknown key "rulez" (did you mean "rules"?)']);
  });

  it('lists what failOn may be', async () => {
    expect(await problemsOf({ failOn: 'warn' }))
      .toEqual(['failOn: must be one of error, warning, info, none (did you mean "warning"?)']);
    expect(await problemsOf({ failOn: 'always' })).toEqual(['failOn: must be one of error, warning, info, none']);
  });

  it('checks each waiver: date, reason, rule, path, partition, keys', async () => {
    expect(await problemsOf({ waivers: [{ rule: 'image-size', reason: 'ok', expires: '31/01/2027' }] }))
      .toEqual(['waivers[0].expires: must be a date YYYY-MM-DD']);
    expect(await problemsOf({ waivers: [{ rule: 'image-size', reason: 'ok', expires: '2027-02-30' }] }))
      .toEqual(['waivers[0].expires: must be a date YYYY-MM-DD']);
    expect(await problemsOf({ waivers: [{ rule: 'image-size' }, { rule: 'image-size', reason: '' }] }))
      .toEqual(['waivers[0]: missing required key "reason"', 'waivers[1].reason: must not be empty']);
    expect(await problemsOf({ waivers: [{ rule: 'imagesize', reason: 'ok' }] }))
      .toEqual(['waivers[0].rule: unknown rule "imagesize" (did you mean "image-size"?)']);
    expect(await problemsOf({ waivers: [{ rule: 'image-size', reason: 'ok', path: 'etc/fstab', partition: -1, note: 'x' }] }))
      .toEqual([
        'waivers[0].path: must be an absolute path (starting with "/")',
        'waivers[0].partition: must be >= 1',
        'waivers[0]: unknown key "note"',
      ]);
  });

  it('reports a value of the wrong type once, by its type', async () => {
    expect(await problemsOf({ waivers: [{ rule: 7, reason: 'ok' }] })).toEqual(['waivers[0].rule: must be string']);
    expect(await problemsOf([])).toEqual(['(top level): must be object']);
  });

  it('reports every problem of the file together, in file order', async () => {
    expect(await problemsOf({
      rulez: {},
      rules: { 'image-size': ['warning', { maxBytes: 1.5, extra: true }], 'imag-size': 'error' },
      failOn: 'sometimes',
      waivers: [{ rule: 'image-size', reason: 'ok', expires: 'soon' }, { rule: 'image-size', reason: 'ok', expires: '2027-01-31' }, { reason: 'x' }],
    })).toEqual([
      '(top level): unknown key "rulez" (did you mean "rules"?)',
      'rules.image-size[1].maxBytes: must be integer',
      'rules.image-size[1]: unknown key "extra"',
      'rules.imag-size: unknown rule (did you mean "image-size"?)',
      'failOn: must be one of error, warning, info, none',
      'waivers[0].expires: must be a date YYYY-MM-DD',
      'waivers[2]: missing required key "rule"',
    ]);
  });
});

describe('loadConfig: the resolved configuration', () => {
  it('gives every registered rule its defaults when there is no config file', async () => {
    const config = await loadConfig({ cwd: await tempDir() });
    expect(config.source).toBeUndefined();
    expect(config.failOn).toBeUndefined();
    expect(config.waivers).toEqual([]);
    expect([...config.rules.keys()]).toEqual(RULES.map((rule) => rule.id));
    for (const rule of RULES) {
      expect(config.rules.get(rule.id)).toEqual({ level: rule.defaultSeverity, options: rule.defaultOptions });
    }
  });

  it('merges configured options over the defaults and keeps the registry order', async () => {
    const others = RULES.filter((rule) => rule.id !== 'image-size');
    const { dir } = await writeConfig({
      rules: Object.fromEntries([...others.map((rule) => [rule.id, ['info']]), ['image-size', ['warning', { maxBytes: 1024 }]]]),
    });
    const config = await loadConfig({ cwd: dir });
    expect([...config.rules.keys()]).toEqual(RULES.map((rule) => rule.id));
    expect(config.rules.get('image-size')).toEqual({ level: 'warning', options: { maxBytes: 1024 } });
    for (const rule of others) expect(config.rules.get(rule.id)).toEqual({ level: 'info', options: rule.defaultOptions });
  });

  it('accepts every rule written out at its defaults (each options schema compiles strictly and fits its defaultOptions)', async () => {
    const { dir } = await writeConfig({ rules: Object.fromEntries(RULES.map((rule) => [rule.id, [rule.defaultSeverity, rule.defaultOptions]])) });
    const config = await loadConfig({ cwd: dir });
    for (const rule of RULES) expect(config.rules.get(rule.id)).toEqual({ level: rule.defaultSeverity, options: rule.defaultOptions });
  });

  it('takes a bare level, keeping the default options', async () => {
    const { dir } = await writeConfig({ rules: { 'image-size': 'off' } });
    const config = await loadConfig({ cwd: dir });
    expect(config.rules.get('image-size')).toEqual({ level: 'off', options: { maxBytes: 2 * 1024 ** 3 } });
  });

  it('keeps the waivers as written', async () => {
    const waivers = [
      { rule: 'image-size', reason: 'bastion only', expires: '2027-01-31' },
      { rule: 'image-size', path: '/etc/ssh/sshd_config', partition: 1, reason: 'known' },
    ];
    const { dir } = await writeConfig({ waivers });
    expect((await loadConfig({ cwd: dir })).waivers).toEqual(waivers);
  });
});

describe('applyCliOverrides', () => {
  const base = async (): Promise<ResolvedConfig> => loadConfig({ cwd: await tempDir() });

  it('--rule ID turns an off rule on at its default severity and leaves an enabled one as it is', async () => {
    const { dir } = await writeConfig({ rules: { 'image-size': ['off', { maxBytes: 10 }] } });
    const config = applyCliOverrides(await loadConfig({ cwd: dir }), { rules: ['image-size'] });
    expect(config.rules.get('image-size')).toEqual({ level: 'error', options: { maxBytes: 10 } });
    const warning = applyCliOverrides(config, { rules: ['image-size=warning'] });
    expect(applyCliOverrides(warning, { rules: ['image-size'] }).rules.get('image-size')?.level).toBe('warning');
  });

  it('--rule ID=LEVEL sets the level, off included; --disable turns it off and wins', async () => {
    const config = await base();
    expect(applyCliOverrides(config, { rules: ['image-size=info'] }).rules.get('image-size')?.level).toBe('info');
    expect(applyCliOverrides(config, { rules: ['image-size=off'] }).rules.get('image-size')?.level).toBe('off');
    expect(applyCliOverrides(config, { rules: ['image-size=info'], disable: ['image-size'] }).rules.get('image-size')?.level).toBe('off');
    expect(config.rules.get('image-size')?.level).toBe('error'); // the input is not changed
  });

  it('rejects unknown rules and severities with a suggestion', async () => {
    const config = await base();
    expect(() => applyCliOverrides(config, { rules: ['imag-size'] }))
      .toThrow(new SpotlintError('--rule imag-size: unknown rule "imag-size" (did you mean "image-size"?)'));
    expect(() => applyCliOverrides(config, { rules: ['image-size=warn'] }))
      .toThrow(new SpotlintError('--rule image-size=warn: severity must be one of error, warning, info, off (did you mean "warning"?)'));
    expect(() => applyCliOverrides(config, { disable: ['image_size'] }))
      .toThrow(new SpotlintError('--disable image_size: unknown rule "image_size" (did you mean "image-size"?)'));
  });
});

describe('didYouMean', () => {
  it('suggests only close candidates', () => {
    expect(didYouMean('eror', ['error', 'warning'])).toBe(' (did you mean "error"?)');
    expect(didYouMean('Image-Size', ['image-size'])).toBe(' (did you mean "image-size"?)');
    expect(didYouMean('abc', ['off'])).toBe('');
    expect(didYouMean('phone', ['phone-home'])).toBe('');
    expect(didYouMean('x', [])).toBe('');
  });
});

describe('rules schema', () => {
  const fakeRule = {
    ...RULES[0]!,
    id: 'fake-rule',
    options: { type: 'object', properties: { depth: { type: 'integer' } }, additionalProperties: false },
    defaultOptions: { depth: 1 },
  } satisfies AnyRule;

  it('has one entry per rule, each allowing the level forms and exactly that rule\'s options', () => {
    const schema = buildRulesSchema([fakeRule]) as { properties: { rules: { properties: object } } };
    expect(Object.keys(schema.properties.rules.properties)).toEqual(['fake-rule']);
    const validate = new Ajv2020({ strict: true }).addFormat('date', /^\d{4}-\d{2}-\d{2}$/).compile(schema);
    for (const entry of ['warning', ['off'], ['info', { depth: 3 }], ['error', {}]]) {
      expect(validate({ rules: { 'fake-rule': entry } })).toBe(true);
    }
    for (const entry of ['warn', ['info', { depth: 'x' }], ['info', { maxBytes: 1 }], ['info', {}, 1], []]) {
      expect(validate({ rules: { 'fake-rule': entry } })).toBe(false);
    }
    expect(validate({ rules: { 'image-size': 'off' } })).toBe(false);
  });

  it('is what rules.schema.json holds', async () => {
    const onDisk = await readFile(new URL('../../rules.schema.json', import.meta.url), 'utf8');
    expect(onDisk, 'rules.schema.json is stale: run `npm run schemas`').toBe(`${JSON.stringify(buildRulesSchema(), null, 2)}\n`);
  });
});
