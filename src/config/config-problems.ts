import type { ErrorObject } from 'ajv/dist/2020.js';
import { SpotlintError } from '../errors.js';
import { didYouMean } from './did-you-mean.js';
import { RULE_LEVELS } from './rules-schema.js';

/**
 * ajv's errors for a config file, turned into one line per problem a person
 * can act on: `<path>: <what was expected>`, in the order of the file.
 */

// Past this many lines the message stops helping; the count still says how many.
const MAX_PROBLEMS_SHOWN = 50;

/** A rule entry's JSON pointer: /rules/<id>. */
const RULE_ENTRY = /^\/rules\/[^/]+$/;

/** One line per problem, `<path>: <what was expected>`, in the order of the file. */
export function describeProblems(errors: ErrorObject[], data: unknown): string[] {
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
export function configProblemsError(file: string, problems: string[]): SpotlintError {
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
