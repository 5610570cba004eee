// Pure reading of Upstart job files (init(5)): whether a job starts by itself.
// Only the two stanzas that decide it matter here: `start on EVENTS` and
// `manual`. Upstart reads NAME.conf, then NAME.override on top of it, stanza
// by stanza: `manual` drops the start condition read so far, and a later
// `start on` sets one again.

export interface UpstartStanza {
  kind: 'start on' | 'manual';
  /** The event expression of `start on`, continuation lines joined. */
  value: string;
  /** 1-based line where the stanza begins. */
  line: number;
}

/** Lines of one `start on` expression; Upstart puts no limit, but no real job comes near this. */
export const MAX_STANZA_LINES = 200;

const SCRIPT_SECTIONS = new Set(['script', 'pre-start', 'post-start', 'pre-stop', 'post-stop']);

/** Drops a # comment that is not inside quotes. */
function stripComment(line: string): string {
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const char = line[i]!;
    if (quote) {
      if (char === '\\') i++;
      else if (char === quote) quote = undefined;
    } else if (char === '"' || char === "'") {
      quote = char;
    } else if (char === '#') {
      return line.slice(0, i);
    }
  }
  return line;
}

/** Parentheses left open at the end of a line; quoted text does not count. */
function parenthesisDepth(text: string): number {
  let depth = 0;
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (quote) {
      if (char === '\\') i++;
      else if (char === quote) quote = undefined;
    } else if (char === '"' || char === "'") quote = char;
    else if (char === '(') depth++;
    else if (char === ')') depth = Math.max(0, depth - 1);
  }
  return depth;
}

/**
 * The `start on` and `manual` stanzas of a job file, in order. A stanza
 * continues over lines ending in a backslash and, like Upstart's parser,
 * over open parentheses. Shell inside script ... end script blocks is not
 * read as stanzas.
 */
export function parseUpstartStanzas(text: string): UpstartStanza[] {
  const lines = text.split(/\r?\n/);
  const stanzas: UpstartStanza[] = [];
  let inScript = false;
  for (let i = 0; i < lines.length; i++) {
    const firstLine = i + 1;
    let logical = stripComment(lines[i]!);
    if (inScript) {
      if (/^\s*end\s+script\b/.test(logical)) inScript = false;
      continue;
    }
    let joined = 1;
    while (i + 1 < lines.length && joined < MAX_STANZA_LINES && (/\\\s*$/.test(logical) || parenthesisDepth(logical) > 0)) {
      logical = `${logical.replace(/\\\s*$/, '')} ${stripComment(lines[++i]!)}`;
      joined++;
    }
    const words = logical.trim().split(/\s+/);
    if (words[0] === 'script' || (SCRIPT_SECTIONS.has(words[0]!) && words[1] === 'script')) {
      inScript = true;
    } else if (words[0] === 'manual' && words.length === 1) {
      stanzas.push({ kind: 'manual', value: '', line: firstLine });
    } else if (words[0] === 'start' && words[1] === 'on' && words.length > 2) {
      stanzas.push({ kind: 'start on', value: words.slice(2).join(' '), line: firstLine });
    }
  }
  return stanzas;
}

export interface UpstartStartCondition {
  /** The start condition in force, undefined when the job only starts by hand. */
  startOn?: { value: string; file: 'conf' | 'override'; line: number };
  /** Where a `manual` stanza took the start condition away, when that happened last. */
  manual?: { file: 'conf' | 'override'; line: number };
  /** Either file had a `start on` stanza at all (the job is configured to start at boot, manual or not). */
  hasStartOn: boolean;
}

/** Whether a job starts by itself, from its .conf and its optional .override. */
export function upstartStartCondition(conf: string, override?: string): UpstartStartCondition {
  const result: UpstartStartCondition = { hasStartOn: false };
  const files: Array<['conf' | 'override', string]> = [['conf', conf]];
  if (override !== undefined) files.push(['override', override]);
  for (const [file, text] of files) {
    for (const stanza of parseUpstartStanzas(text)) {
      if (stanza.kind === 'start on') {
        result.startOn = { value: stanza.value, file, line: stanza.line };
        result.manual = undefined;
        result.hasStartOn = true;
      } else {
        result.startOn = undefined;
        result.manual = { file, line: stanza.line };
      }
    }
  }
  return result;
}
