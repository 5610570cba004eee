import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import { SpotlintError } from '../errors.js';
import type { FailOn } from '../report/lint-report.js';
import { RULES } from '../rules/registry.js';
import type { RuleLevel } from '../rules/rule.js';
import type { ResolvedConfig, RuleSetting, Waiver } from './config.js';
import { configProblemsError, describeProblems } from './config-problems.js';
import { buildRulesSchema, CONFIG_FILE_NAME } from './rules-schema.js';
import { findJsonSyntaxError } from './json-syntax-error.js';

/** The config file as written, once the schema has accepted it. */
interface ConfigFile {
  rules?: Record<string, RuleLevel | [RuleLevel] | [RuleLevel, Record<string, unknown>]>;
  failOn?: FailOn;
  waivers?: Waiver[];
}

// A config file is a few kilobytes; anything near this is a wrong file, not a config.
const MAX_CONFIG_BYTES = 1024 * 1024;

/** The nearest spotlint.config.json at or above cwd, or undefined. */
export async function findConfigFile(cwd: string): Promise<string | undefined> {
  let dir = path.resolve(cwd);
  for (;;) {
    const candidate = path.join(dir, CONFIG_FILE_NAME);
    if (await isFile(candidate)) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/**
 * The configuration in force: the file given (`--config`, relative to cwd) or
 * found by walking up from cwd, validated and with every rule's defaults filled in.
 * No file found: all defaults. Any problem: one SpotlintError listing them all.
 */
export async function loadConfig(options: { cwd: string; configPath?: string }): Promise<ResolvedConfig> {
  const file = options.configPath === undefined
    ? await findConfigFile(options.cwd)
    : path.resolve(options.cwd, options.configPath);
  if (file === undefined) return resolveConfig(undefined, {});
  const data = parseConfigJson(file, await readConfigText(file));
  const validate = configValidator();
  if (!validate(data)) throw configProblemsError(file, describeProblems(validate.errors ?? [], data));
  return resolveConfig(file, data as ConfigFile);
}

function resolveConfig(source: string | undefined, file: ConfigFile): ResolvedConfig {
  const rules = new Map<string, RuleSetting>();
  for (const rule of RULES) {
    const entry = file.rules?.[rule.id];
    const [level, options] = entry === undefined ? [rule.defaultSeverity, {}]
      : typeof entry === 'string' ? [entry, {}]
      : [entry[0], entry[1] ?? {}];
    rules.set(rule.id, { level, options: { ...rule.defaultOptions, ...options } });
  }
  return {
    ...(source !== undefined && { source }),
    rules,
    ...(file.failOn !== undefined && { failOn: file.failOn }),
    waivers: file.waivers ?? [],
  };
}

async function isFile(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}

async function readConfigText(file: string): Promise<string> {
  try {
    const info = await stat(file);
    if (!info.isFile()) throw new SpotlintError(`${file}: not a regular file; the config must be a JSON file`);
    if (info.size > MAX_CONFIG_BYTES) throw new SpotlintError(`${file}: ${info.size} bytes, too large for a config file (at most ${MAX_CONFIG_BYTES})`);
    // Editors on Windows may start the file with a byte order mark, which JSON.parse rejects.
    return (await readFile(file, 'utf8')).replace(/^\uFEFF/, '');
  } catch (error) {
    if (error instanceof SpotlintError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new SpotlintError(`${file}: ${code === 'ENOENT' ? 'config file not found' : `cannot read the config file (${code ?? String(error)})`}`);
  }
}

function parseConfigJson(file: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    const { offset, problem } = findJsonSyntaxError(text) ?? { offset: 0, problem: 'not valid JSON' };
    const before = text.slice(0, offset);
    const line = before.split('\n').length;
    const column = offset - before.lastIndexOf('\n');
    throw new SpotlintError(`${file}:${line}:${column}: invalid JSON: ${problem}`);
  }
}


let cachedValidator: ValidateFunction | undefined;

function configValidator(): ValidateFunction {
  // verbose: errors carry the data and schema, for suggestions and messages.
  cachedValidator ??= new Ajv2020({ allErrors: true, strict: true, verbose: true })
    .addFormat('date', isCalendarDate)
    .compile(buildRulesSchema());
  return cachedValidator;
}

function isCalendarDate(text: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const date = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === text;
}
