// APT's configuration language (apt.conf(5)): "Key "value";" statements,
// "Scope { ... };" blocks, "//", "/* */" and "#" comments, and the #clear and
// #include directives. Pure: text in, statements out; the rule that reads the
// guest's /etc/apt files resolves them in apt's order.

export type AptStatement =
  | { kind: 'set'; key: string; value: string; line: number }
  | { kind: 'clear'; key: string; line: number }
  | { kind: 'include'; path: string; line: number };

export interface ParsedAptConfig {
  statements: AptStatement[];
  /** What apt would complain about ("line 4: unbalanced braces"); apt refuses such a file. */
  errors: string[];
}

/** One file as apt reads it, for resolving settings across files. */
export interface AptConfigFile {
  path: string;
  parsed: ParsedAptConfig;
}

export interface AptSetting {
  value: string;
  path: string;
  line: number;
}

/** apt.conf files nest a few scopes deep; deeper than this is not a configuration file. */
export const MAX_APT_SCOPE_DEPTH = 64;

interface Token {
  text: string;
  quoted: boolean;
  line: number;
}

/** Words, quoted strings and the punctuation { } ; of one file, comments dropped. */
function tokenize(text: string, errors: string[]): Token[] {
  const tokens: Token[] = [];
  let line = 1;
  let i = 0;
  // A "#" begins a comment unless it starts a directive word.
  while (i < text.length) {
    const c = text[i]!;
    if (c === '\n') {
      line++;
      i++;
    } else if (/\s/.test(c)) {
      i++;
    } else if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      const stop = end < 0 ? text.length : end + 2;
      if (end < 0) errors.push(`line ${line}: a /* comment is never closed`);
      for (let j = i; j < stop; j++) if (text[j] === '\n') line++;
      i = stop;
    } else if (c === '#' && !/^#(clear|include)\b/.test(text.slice(i, i + 9))) {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (c === '{' || c === '}' || c === ';') {
      tokens.push({ text: c, quoted: false, line });
      i++;
    } else if (c === '"') {
      const end = text.indexOf('"', i + 1);
      if (end < 0) {
        errors.push(`line ${line}: a quoted value is never closed`);
        break;
      }
      const value = text.slice(i + 1, end);
      tokens.push({ text: value, quoted: true, line });
      line += value.split('\n').length - 1;
      i = end + 1;
    } else {
      let j = i;
      while (j < text.length && !/[\s{};"]/.test(text[j]!)) j++;
      tokens.push({ text: text.slice(i, j), quoted: false, line });
      i = j;
    }
  }
  return tokens;
}

/** Joins a scope and a key the way apt names the tree's nodes ("APT::Periodic" + "Enable"). */
function joinKey(scope: string[], key: string): string {
  return [...scope, key.replace(/::$/, '')].filter((part) => part !== '').join('::');
}

/** The statements of one apt.conf file, in order, with the full key of each. */
export function parseAptConfig(text: string): ParsedAptConfig {
  const errors: string[] = [];
  const statements: AptStatement[] = [];
  const scope: string[] = [];
  let pending: Token[] = [];
  for (const token of tokenize(text, errors)) {
    if (token.quoted || !['{', '}', ';'].includes(token.text)) {
      pending.push(token);
      continue;
    }
    if (token.text === '{') {
      if (scope.length >= MAX_APT_SCOPE_DEPTH) {
        errors.push(`line ${token.line}: scopes nest deeper than ${MAX_APT_SCOPE_DEPTH}`);
        break;
      }
      // A block without a name holds list items of the enclosing scope.
      scope.push(pending[0]?.text ?? '');
      pending = [];
      continue;
    }
    if (token.text === '}') {
      if (pending.length > 0) errors.push(`line ${token.line}: a statement is not closed with ";" before "}"`);
      if (scope.length === 0) errors.push(`line ${token.line}: unbalanced braces`);
      scope.pop();
      pending = [];
      continue;
    }
    const [first, second] = pending;
    pending = [];
    if (!first) continue;
    if (!first.quoted && first.text === '#clear') {
      if (second) statements.push({ kind: 'clear', key: joinKey(scope, second.text), line: second.line });
    } else if (!first.quoted && first.text === '#include') {
      if (second) statements.push({ kind: 'include', path: second.text, line: second.line });
    } else if (first.quoted || !second) {
      // A bare value is a list item of the scope (DPkg::Pre-Invoke { "cmd"; };).
      statements.push({ kind: 'set', key: joinKey(scope, ''), value: first.text, line: first.line });
    } else {
      statements.push({ kind: 'set', key: joinKey(scope, first.text), value: second.text, line: first.line });
    }
  }
  if (pending.length > 0) errors.push(`line ${pending[0]!.line}: the last statement is not closed with ";"`);
  if (scope.length > 0) errors.push('unbalanced braces: a scope is never closed');
  return { statements, errors };
}

/**
 * Whether apt reads a file of /etc/apt/apt.conf.d (apt's
 * GetListOfFilesInDir with extension "conf", no extension allowed): only
 * [A-Za-z0-9_.-] names, not hidden, with no extension or ".conf". Files such
 * as 50unattended-upgrades.ucf-dist or 20auto-upgrades.bak are ignored.
 */
export function aptReadsPart(name: string): boolean {
  if (!/^[A-Za-z0-9_.-]+$/.test(name) || name.startsWith('.')) return false;
  return !name.includes('.') || name.endsWith('.conf');
}

/** Whether `key` is `scope` or inside it (keys compare case-blind, as apt's do). */
function isWithinKey(key: string, scope: string): boolean {
  const k = key.toLowerCase();
  const s = scope.toLowerCase();
  return k === s || k.startsWith(`${s}::`);
}

/** A key's value after reading the files in order (later files and lines override, #clear removes); undefined when unset. */
export function resolveAptSetting(files: readonly AptConfigFile[], key: string): AptSetting | undefined {
  let current: AptSetting | undefined;
  for (const file of files) {
    for (const statement of file.parsed.statements) {
      if (statement.kind === 'set' && statement.key.toLowerCase() === key.toLowerCase()) {
        current = { value: statement.value, path: file.path, line: statement.line };
      } else if (statement.kind === 'clear' && isWithinKey(key, statement.key)) {
        current = undefined;
      }
    }
  }
  return current;
}

/**
 * How apt.systemd.daily reads an APT::Periodic interval: "0" (and an unset
 * or empty value) turns the job off, "always" runs it on every call, a number
 * of days or a number with an s/m/h/d suffix runs it that often; anything
 * else the script does not understand, and the job does not run.
 */
export function periodicInterval(value: string | undefined): 'off' | 'on' | 'invalid' {
  const v = (value ?? '').trim();
  if (v === '' || v === '0') return 'off';
  if (v === 'always' || /^\d+[smhd]?$/.test(v)) return 'on';
  return 'invalid';
}
