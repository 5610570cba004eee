// sshd_config(5) as OpenSSH 9.x reads it: the line syntax, Include (globs,
// nesting, inside Match), Match blocks, and which value wins. Pure: the guest
// is reached only through the SshdConfigSource the caller hands in.
import type { FactProblem, GuestSource, SshdFacts, SshdMatchBlock, SshdSetting } from './guest-facts.js';
import {
  ACCUMULATING_SSHD_KEYWORDS,
  LAST_VALUE_SSHD_KEYWORDS,
  SSHD_DEFAULTS,
  canonicalSshdKeyword,
  canonicalSshdValues,
} from './sshd-defaults.js';
import { trimTrailing } from './trim-trailing.js';

/** sshd gives up ("Too many recursive configuration includes") past 16 nested Includes. */
export const MAX_SSHD_INCLUDE_DEPTH = 16;
/** Files parsed in one walk, a file included twice counting twice: a glob that includes itself grows exponentially. */
export const MAX_SSHD_CONFIG_FILES = 256;
/** Bytes parsed in one walk, over all files. */
export const MAX_SSHD_CONFIG_BYTES = 16 * 1024 * 1024;
/** Include arguments expanded in one walk (one file can hold many Include lines that match nothing). */
export const MAX_SSHD_INCLUDE_PATTERNS = 1024;
/** Relative Include paths are taken from here (SSHDIR). */
export const SSHD_CONFIG_DIRECTORY = '/etc/ssh';

/** One keyword line: the keyword in lower case as written (aliases not resolved), its arguments unquoted. */
export interface SshdConfigLine {
  keyword: string;
  args: string[];
  /** 1-based. */
  line: number;
}

export interface ParsedSshdConfig {
  lines: SshdConfigLine[];
  /** Lines sshd would refuse (it then refuses to start); they are left out of `lines`. */
  problems: FactProblem[];
}

/** Parses one sshd_config file's text; `path` only labels problems. */
export function parseSshdConfig(text: string, path: string): ParsedSshdConfig {
  const lines: SshdConfigLine[] = [];
  const problems: FactProblem[] = [];
  text.split('\n').forEach((raw, index) => {
    const parsed = parseSshdLine(raw);
    if (parsed === undefined) return;
    if (typeof parsed === 'string') problems.push({ path, message: `line ${index + 1}: ${parsed}; sshd refuses to start with this line` });
    else lines.push({ ...parsed, line: index + 1 });
  });
  return { lines, problems };
}

/** A keyword line, undefined for a blank or comment line, or what is wrong with it. */
function parseSshdLine(raw: string): Omit<SshdConfigLine, 'line'> | string | undefined {
  const text = trimTrailing(raw.replace(/^[ \t\r]+/, ''), ' \t\r\n\f');
  if (text === '' || text.startsWith('#')) return undefined;
  let keyword: string;
  let rest: string;
  if (text.startsWith('"')) {
    const close = text.indexOf('"', 1);
    if (close < 0) return 'unbalanced quotes around the keyword';
    keyword = text.slice(1, close);
    rest = text.slice(close + 1).replace(/^[ \t\r]+/, '');
  } else {
    // The keyword ends at white space, a quote or "="; one "=" between keyword and value is allowed.
    const end = text.search(/[ \t\r"=]/);
    keyword = end < 0 ? text : text.slice(0, end);
    rest = end < 0 ? '' : text.slice(end).replace(/^[ \t\r]*(=[ \t\r]*)?/, '');
  }
  if (keyword === '') return `a line with no keyword ("${shortened(text)}")`;
  if (rest === '') return `no argument after keyword "${shortened(keyword)}"`;
  const args = splitSshdArguments(rest);
  if (args === undefined) return `unbalanced quotes after keyword "${shortened(keyword)}"`;
  if (args.length === 0) return `no argument after keyword "${shortened(keyword)}"`;
  return { keyword: keyword.toLowerCase(), args };
}

/**
 * Splits arguments the way sshd does: white space separates, single or
 * double quotes group, a backslash escapes a quote, a backslash or (outside
 * quotes) a space, and "#" at the start of an argument ends the line.
 * Undefined when a quote is left open.
 */
export function splitSshdArguments(text: string): string[] | undefined {
  const args: string[] = [];
  let i = 0;
  while (i < text.length) {
    if (text[i] === ' ' || text[i] === '\t') {
      i++;
      continue;
    }
    if (text[i] === '#') break;
    let arg = '';
    let quote = '';
    for (; i < text.length; i++) {
      const c = text[i]!;
      const next = text[i + 1];
      if (c === '\\' && (next === '"' || next === "'" || next === '\\' || (quote === '' && next === ' '))) {
        arg += next;
        i++;
      } else if (quote === '' && (c === ' ' || c === '\t')) {
        break;
      } else if (quote === '' && (c === '"' || c === "'")) {
        quote = c;
      } else if (quote !== '' && c === quote) {
        quote = '';
      } else {
        arg += c;
      }
    }
    if (quote !== '') return undefined;
    args.push(arg);
  }
  return args;
}

/** The absolute path (or glob) an Include argument names. */
export function sshdIncludePattern(argument: string): string {
  if (argument.startsWith('/')) return argument;
  // sshd hands "~..." to glob(3) without tilde expansion: relative to its working directory, "/" under an init system.
  if (argument.startsWith('~')) return `/${argument}`;
  return `${SSHD_CONFIG_DIRECTORY}/${argument}`;
}

/** How the effective-config walk reaches included files. */
export interface SshdConfigSource {
  /** The files an absolute Include path or glob names, sorted as glob(3) sorts them; none is not an error. */
  expand(pattern: string): Promise<string[]>;
  /** A file's text; undefined when it cannot be read (the source records why). */
  read(path: string): Promise<string | undefined>;
}

export interface SshdConfigFile {
  path: string;
  text: string;
}

export type EffectiveSshdConfig = Omit<SshdFacts, 'present'>;

/**
 * The configuration sshd runs with, from the main file and everything it
 * includes. Global settings are what sshd applies at startup: lines outside
 * Match blocks and inside "Match all" (which sshd applies at startup too),
 * first value winning in read order; compiled-in defaults fill the rest.
 * Each Match block keeps its own settings: they change the answer only for
 * the connections it matches.
 */
export async function computeSshdConfig(main: SshdConfigFile, source: SshdConfigSource): Promise<EffectiveSshdConfig> {
  const walk = new SshdConfigWalk(source);
  await walk.walkFile(main.path, main.text, 0, GLOBAL_SCOPE);
  return walk.result();
}

/** The compiled-in defaults alone: what sshd would run with on an empty sshd_config. */
export function defaultSshdSettings(): Record<string, SshdSetting> {
  const settings: Record<string, SshdSetting> = {};
  for (const [keyword, values] of Object.entries(SSHD_DEFAULTS)) settings[keyword] = { values: [...values], fromDefault: true };
  return settings;
}

/** A global setting by any spelling sshd accepts for it ("PasswordAuthentication", "challengeresponseauthentication"). */
export function sshdSetting(facts: Pick<SshdFacts, 'settings'>, keyword: string): SshdSetting | undefined {
  const key = canonicalSshdKeyword(keyword);
  return Object.hasOwn(facts.settings, key) ? facts.settings[key] : undefined;
}

interface MatchBlockBuilder {
  criteria: string;
  source: GuestSource;
  settings: Map<string, SshdSetting>;
}

/** Where lines being read land. */
interface Scope {
  block?: MatchBlockBuilder;
  /** The Match conditions in force, ANDed ("" when none: global or "Match all"). */
  conditions: string;
  /** Whether sshd applies these lines at startup. */
  appliesGlobally: boolean;
}

const GLOBAL_SCOPE: Scope = { conditions: '', appliesGlobally: true };

class SshdConfigWalk {
  private readonly files: string[] = [];
  private readonly parsed = new Map<string, ParsedSshdConfig>();
  private readonly global = new Map<string, SshdSetting>();
  private readonly blocks: MatchBlockBuilder[] = [];
  private readonly problems: FactProblem[] = [];
  private filesParsed = 0;
  private bytesParsed = 0;
  private patternsExpanded = 0;
  private includesStopped = false;
  private depthReported = false;
  /** Match lines already reported as invalid: a file included twice is walked twice. */
  private readonly invalidMatches = new Set<string>();

  constructor(private readonly source: SshdConfigSource) {}

  async walkFile(path: string, text: string, depth: number, outer: Scope): Promise<void> {
    this.filesParsed++;
    this.bytesParsed += text.length;
    let config = this.parsed.get(path);
    if (!config) {
      config = parseSshdConfig(text, path);
      this.parsed.set(path, config);
      this.files.push(path);
      this.problems.push(...config.problems);
    }
    // A Match lasts until the next Match or the end of this file; the includer's state then returns.
    let scope = outer;
    for (const line of config.lines) {
      const source: GuestSource = { path, line: line.line };
      if (line.keyword === 'match') scope = this.startMatch(line, source, outer);
      else if (line.keyword === 'include') await this.include(line, source, depth, scope);
      else this.apply(line, source, scope);
    }
  }

  private startMatch(line: SshdConfigLine, source: GuestSource, outer: Scope): Scope {
    const written = line.args.join(' ');
    const kind = matchKind(written);
    if (kind === 'invalid' && !this.invalidMatches.has(`${source.path}:${source.line}`)) {
      this.invalidMatches.add(`${source.path}:${source.line}`);
      this.problems.push({ path: source.path, message: `line ${source.line}: "Match ${shortened(written)}" is not a valid Match condition; sshd refuses to start with this line` });
    }
    // Inside an Include inside a Match, a Match applies only where the outer one does too.
    const conditions = kind === 'all' ? outer.conditions : [outer.conditions, written].filter((part) => part !== '').join(' ');
    const block: MatchBlockBuilder = { criteria: conditions === '' ? written : conditions, source, settings: new Map() };
    this.blocks.push(block);
    return { block, conditions, appliesGlobally: outer.appliesGlobally && kind === 'all' };
  }

  private async include(line: SshdConfigLine, source: GuestSource, depth: number, scope: Scope): Promise<void> {
    for (const argument of line.args) {
      if (this.includesStopped) return;
      if (argument === '') continue;
      if (this.patternsExpanded >= MAX_SSHD_INCLUDE_PATTERNS) {
        this.stopIncludes(source, `more than ${MAX_SSHD_INCLUDE_PATTERNS} Include arguments`);
        return;
      }
      this.patternsExpanded++;
      for (const path of await this.source.expand(sshdIncludePattern(argument))) {
        if (this.includesStopped) return;
        if (depth + 1 > MAX_SSHD_INCLUDE_DEPTH) {
          this.reportDepth(source);
          return;
        }
        if (this.filesParsed >= MAX_SSHD_CONFIG_FILES) {
          this.stopIncludes(source, `more than ${MAX_SSHD_CONFIG_FILES} included files`);
          return;
        }
        const text = await this.source.read(path);
        if (text === undefined) continue;
        if (this.bytesParsed + text.length > MAX_SSHD_CONFIG_BYTES) {
          this.stopIncludes(source, `more than ${MAX_SSHD_CONFIG_BYTES} bytes of configuration`);
          return;
        }
        await this.walkFile(path, text, depth + 1, scope);
      }
    }
  }

  private reportDepth(source: GuestSource): void {
    if (this.depthReported) return;
    this.depthReported = true;
    this.problems.push({
      path: source.path,
      message: `line ${source.line}: Include nested more than ${MAX_SSHD_INCLUDE_DEPTH} deep (an Include loop?); sshd refuses to start ("Too many recursive configuration includes")`,
    });
  }

  private stopIncludes(source: GuestSource, what: string): void {
    this.includesStopped = true;
    this.problems.push({ path: source.path, message: `line ${source.line}: ${what}; spotlint read no further includes (an Include loop?)` });
  }

  private apply(line: SshdConfigLine, source: GuestSource, scope: Scope): void {
    const keyword = canonicalSshdKeyword(line.keyword);
    const values = canonicalSshdValues(keyword, line.args);
    if (scope.block) record(scope.block.settings, keyword, values, source);
    if (scope.appliesGlobally) record(this.global, keyword, values, source);
  }

  result(): EffectiveSshdConfig {
    const settings: Record<string, SshdSetting> = Object.fromEntries(this.global);
    for (const [keyword, values] of Object.entries(SSHD_DEFAULTS)) {
      if (!Object.hasOwn(settings, keyword)) settings[keyword] = { values: [...values], fromDefault: true };
    }
    const matchBlocks: SshdMatchBlock[] = this.blocks.map((block) => ({
      criteria: block.criteria,
      source: block.source,
      settings: Object.fromEntries(block.settings),
    }));
    return { files: this.files, settings, matchBlocks, problems: this.problems };
  }
}

function record(settings: Map<string, SshdSetting>, keyword: string, values: string[], source: GuestSource): void {
  const existing = settings.get(keyword);
  if (existing && ACCUMULATING_SSHD_KEYWORDS.has(keyword)) existing.values.push(...values);
  else if (!existing || LAST_VALUE_SSHD_KEYWORDS.has(keyword)) settings.set(keyword, { values: [...values], source: { ...source }, fromDefault: false });
}

/**
 * "all" when the line is Match all (which sshd applies at startup), else
 * whether it reads as attribute/value pairs ("User backup", "Address=10.0.0.0/8").
 */
function matchKind(criteria: string): 'all' | 'conditional' | 'invalid' {
  const tokens = criteria.split(/[ \t=]+/).filter((token) => token !== '');
  if (tokens.length === 0) return 'invalid';
  if (tokens[0]!.toLowerCase() === 'all') return tokens.length === 1 ? 'all' : 'invalid';
  for (let i = 0; i < tokens.length; i += 2) {
    if (tokens[i]!.toLowerCase() === 'all' || i + 1 >= tokens.length) return 'invalid';
  }
  return 'conditional';
}

/** Guest text quoted in a message, cut short (escaping it for a terminal is the printer's job). */
function shortened(text: string): string {
  return text.length > 80 ? `${text.slice(0, 80)}...` : text;
}
