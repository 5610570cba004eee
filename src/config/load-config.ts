import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import { SpotlintError } from '../errors.js';
import type { FailOn } from '../report/lint-report.js';
import { RULES } from '../rules/registry.js';
import type { AnyRule, RuleLevel } from '../rules/rule.js';
import type { ResolvedConfig, RuleSetting, Waiver } from './config.js';
import { buildRulesSchema, CONFIG_FILE_NAME, RULE_LEVELS } from './rules-schema.js';
import { didYouMean } from './did-you-mean.js';
import { findJsonSyntaxError } from './json-syntax-error.js';

/** The config file as written, once the schema has accepted it. */
interface ConfigFile {
  rules?: Record<string, RuleLevel | [RuleLevel] | [RuleLevel, Record<string, unknown>]>;
  failOn?: FailOn;
  waivers?: Waiver[];
}

// A config file is a few kilobytes; anything near this is a wrong file, not a config.
const MAX_CONFIG_BYTES = 1024 * 1024;
// Past this many lines the message stops helping; the count still says how many.
const MAX_PROBLEMS_SHOWN = 50;

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

/**
 * `--rule ID` turns a rule on (at its default severity if it was off, else at
 * the level it has), `--rule ID=LEVEL` sets its level, `--disable ID` turns it
 * off and wins over `--rule`. Returns a new config; the one given is unchanged.
 */
export function applyCliOverrides(
  config: ResolvedConfig,
  overrides: { rules?: string[]; disable?: string[] },
): ResolvedConfig {
  const settings = new Map([...config.rules].map(([id, setting]) => [id, { ...setting }]));
  const settingOf = (rule: AnyRule): RuleSetting =>
    settings.get(rule.id) ?? { level: rule.defaultSeverity, options: { ...rule.defaultOptions } };
  for (const spec of overrides.rules ?? []) {
    const [id = '', level] = spec.split('=', 2).map((part) => part.trim());
    const rule = requireRule(id, `--rule ${spec}`);
    const current = settingOf(rule);
    const newLevel = level === undefined
      ? (current.level === 'off' ? rule.defaultSeverity : current.level)
      : requireLevel(level, `--rule ${spec}`);
    settings.set(rule.id, { ...current, level: newLevel });
  }
  for (const id of overrides.disable ?? []) {
    const rule = requireRule(id.trim(), `--disable ${id}`);
    settings.set(rule.id, { ...settingOf(rule), level: 'off' });
  }
  return { ...config, rules: settings };
}


function requireRule(id: string, flag: string): AnyRule {
  const rule = RULES.find((candidate) => candidate.id === id);
  if (rule) return rule;
  throw new SpotlintError(`${flag}: unknown rule ${JSON.stringify(id)}${didYouMean(id, RULES.map((r) => r.id))}`);
}

function requireLevel(level: string, flag: string): RuleLevel {
  if ((RULE_LEVELS as readonly string[]).includes(level)) return level as RuleLevel;
  throw new SpotlintError(`${flag}: severity must be one of ${RULE_LEVELS.join(', ')}${didYouMean(level, RULE_LEVELS)}`);
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

/** A rule entry's JSON pointer: /rules/<id>. */
const RULE_ENTRY = /^\/rules\/[^/]+$/;

/** One line per problem, `<path>: <what was expected>`, in the order of the file. */
function describeProblems(errors: ErrorObject[], data: unknown): string[] {
  const kept = collapseAlternatives(errors).filter((error) => error.keyword !== 'if');
  // A value of the wrong type fails its enum, pattern ... too; the type says it all.
  const wrongType = new Set(kept.filter((e) => e.keyword === 'type').map((e) => e.instancePath));
  const problems = kept
    .filter((e) => e.keyword === 'type' || !wrongType.has(e.instancePath))
    .map((error) => {
      const at = error.instancePath.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
      // An unknown key sorts where it is written; an unknown rule is also named by its path.
      const sortBy = error.keyword === 'additionalProperties' ? [...at, String(error.params.additionalProperty)] : at;
      const shown = error.instancePath === '/rules' ? sortBy : at;
      return { position: positionInFile(sortBy, data), line: `${formatPath(shown, data)}: ${describeError(error)}` };
    });
  problems.sort((a, b) => compareOrder(a.position, b.position));
  return [...new Set(problems.map((problem) => problem.line))];
}

// Errors on the value itself that say a branch is the wrong form for it.
const SHAPE_KEYWORDS = ['type', 'minItems', 'maxItems', 'items'];

/**
 * ajv reports every failed branch of an anyOf/oneOf plus the anyOf itself.
 * Keep the branch whose type and length fit the value (the form the user
 * meant), or, when none fits, one line saying which forms are allowed.
 */
function collapseAlternatives(errors: ErrorObject[]): ErrorObject[] {
  let remaining = errors;
  const alternatives = errors
    .filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf')
    .sort((a, b) => a.schemaPath.length - b.schemaPath.length);
  for (const alternative of alternatives) {
    if (!remaining.includes(alternative)) continue;
    const prefix = `${alternative.schemaPath}/`;
    const branches = new Map<string, ErrorObject[]>();
    for (const error of remaining) {
      if (!error.schemaPath.startsWith(prefix)) continue;
      const branch = error.schemaPath.slice(prefix.length).split('/')[0]!;
      branches.set(branch, [...(branches.get(branch) ?? []), error]);
    }
    if (branches.size === 0) continue; // oneOf matched twice: ajv's own message says so
    const fitting = [...branches].filter(([branch, branchErrors]) => !branchErrors.some((e) =>
      e.instancePath === alternative.instancePath && SHAPE_KEYWORDS.some((k) => e.schemaPath === `${prefix}${branch}/${k}`)));
    const best = fitting.sort((a, b) => a[1].length - b[1].length)[0]?.[1];
    const branchErrors = [...branches.values()].flat();
    const summary: ErrorObject = {
      ...alternative,
      keyword: 'alternatives',
      params: { types: branchErrors.filter((e) => e.keyword === 'type').map((e) => e.params.type) },
    };
    const dropped = new Set(branchErrors.filter((e) => !best?.includes(e)));
    remaining = remaining.flatMap((e) => (e === alternative ? (best ? [] : [summary]) : dropped.has(e) ? [] : [e]));
  }
  return remaining;
}

function describeError(error: ErrorObject): string {
  const { keyword, params, instancePath } = error;
  const value: unknown = error.data;
  switch (keyword) {
    case 'type':
      return `must be ${String(params.type).split(',').join(' or ')}`;
    case 'alternatives':
      if (!RULE_ENTRY.test(instancePath)) return `must be ${[...new Set(params.types as string[])].join(' or ')}`;
      return Array.isArray(value)
        ? `must be [level] or [level, options], not ${value.length} items`
        : `must be a level (${RULE_LEVELS.join(', ')}), [level] or [level, options]`;
    case 'enum': {
      const allowed = (params.allowedValues as unknown[]).map((v) => (typeof v === 'string' ? v : JSON.stringify(v)));
      const hint = typeof value === 'string' ? didYouMean(value, allowed) : '';
      if (/^\/waivers\/\d+\/rule$/.test(instancePath)) return `unknown rule ${JSON.stringify(value)}${hint}`;
      return `must be one of ${allowed.join(', ')}${hint}`;
    }
    case 'additionalProperties': {
      const key = String(params.additionalProperty);
      const known = Object.keys((error.parentSchema?.properties as object | undefined) ?? {});
      return instancePath === '/rules'
        ? `unknown rule${didYouMean(key, known)}`
        : `unknown key ${JSON.stringify(key)}${didYouMean(key, known)}`;
    }
    case 'required':
      return `missing required key ${JSON.stringify(params.missingProperty)}`;
    case 'format':
      return params.format === 'date' ? 'must be a date YYYY-MM-DD' : `must be a ${params.format} string`;
    case 'pattern':
      return params.pattern === '^/' ? 'must be an absolute path (starting with "/")' : `must match the pattern ${params.pattern}`;
    case 'minLength':
      return params.limit === 1 ? 'must not be empty' : `must be at least ${params.limit} characters long`;
  }
  return (error.message ?? `fails ${keyword}`).replace('must NOT', 'must not');
}

/** One error for the whole file: the count as its message, each problem as a detail line. */
function configProblemsError(file: string, problems: string[]): SpotlintError {
  const count = `${problems.length} ${problems.length === 1 ? 'problem' : 'problems'}`;
  const shown = problems.slice(0, MAX_PROBLEMS_SHOWN);
  if (problems.length > MAX_PROBLEMS_SHOWN) shown.push(`... and ${problems.length - MAX_PROBLEMS_SHOWN} more`);
  return new SpotlintError(`${file}: ${count} in the configuration:`, shown);
}

/** `rules.image-size[1].maxBytes`: dots for keys, brackets for indices and odd keys. */
function formatPath(segments: string[], data: unknown): string {
  let text = '';
  let node = data;
  for (const segment of segments) {
    if (Array.isArray(node)) text += `[${segment}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(segment)) text += text === '' ? segment : `.${segment}`;
    else text += `[${JSON.stringify(segment)}]`;
    node = childOf(node, segment);
  }
  return text === '' ? '(top level)' : text;
}

/** Indices of each step in its object or array, so problems list in file order. */
function positionInFile(segments: string[], data: unknown): number[] {
  const position: number[] = [];
  let node = data;
  for (const segment of segments) {
    position.push(Array.isArray(node) ? Number(segment)
      : typeof node === 'object' && node !== null ? Object.keys(node).indexOf(segment) : 0);
    node = childOf(node, segment);
  }
  return position;
}

function compareOrder(a: number[], b: number[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

function childOf(node: unknown, key: string): unknown {
  return typeof node === 'object' && node !== null && Object.hasOwn(node, key) ? (node as Record<string, unknown>)[key] : undefined;
}
