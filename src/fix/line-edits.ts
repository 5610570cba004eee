// The text edits of --fix (remove-lines, replace-line) applied to a file's
// bytes. Pure: bytes and repairs in, the new bytes (or "remove the file")
// out. Only the named lines change; every other byte is kept as it was, so
// a CRLF file stays CRLF and a file without a final newline stays so.
import type { Repair } from './repair.js';

export type LineRepair = Extract<Repair, { kind: 'remove-lines' | 'replace-line' }>;

export type LineRepairResult = { kind: 'content'; content: Buffer } | { kind: 'remove-file' };

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;
const HASH = 0x23;
/** Space, tab, \v, \f and \r: a line of these alone is blank. */
const BLANK_BYTES = new Set([0x20, 0x09, 0x0b, 0x0c, CARRIAGE_RETURN]);

interface LineSpan {
  start: number;
  /** Where the line ending ("\r\n", "\n" or nothing on a last line without one) starts. */
  endingStart: number;
  /** Just after the "\n", or the end of the content. */
  end: number;
}

/** Lines as the rules number them: a "\n" ends one; a final line without it still counts; nothing after a final "\n" does. */
function splitLines(content: Buffer): LineSpan[] {
  const lines: LineSpan[] = [];
  let start = 0;
  while (start < content.length) {
    const newline = content.indexOf(NEWLINE, start);
    if (newline === -1) {
      lines.push({ start, endingStart: content.length, end: content.length });
      break;
    }
    const endingStart = newline > start && content[newline - 1] === CARRIAGE_RETURN ? newline - 1 : newline;
    lines.push({ start, endingStart, end: newline + 1 });
    start = newline + 1;
  }
  return lines;
}

/** Blank, or a comment: the first byte that is not blank is "#". */
function isBlankOrComment(text: Buffer): boolean {
  for (const byte of text) {
    if (BLANK_BYTES.has(byte)) continue;
    return byte === HASH;
  }
  return true;
}

function checkLine(path: string, line: number, count: number, what: string): void {
  if (!Number.isInteger(line) || line < 1 || line > count) {
    throw new Error(`${path}: ${what} names line ${line}, but the file has ${count === 0 ? 'no lines' : count === 1 ? 'one line' : `${count} lines`}`);
  }
}

/**
 * The content after all `repairs` of one file, applied together: line
 * numbers are those of `content` as given, whatever the other repairs
 * remove. Overlapping removals are one removal; a line both removed and
 * replaced, or replaced with two different texts, is an error, as is a line
 * number outside the file. The file is to be removed when a removal asked
 * for that (removeFileWhenNothingLeft) and only blank and comment lines are
 * left.
 */
export function applyLineRepairs(content: Buffer, repairs: readonly LineRepair[]): LineRepairResult {
  const path = repairs[0]?.path ?? 'the file';
  const other = repairs.find((repair) => repair.path !== path);
  if (other) throw new Error(`line repairs for two files given together: ${path} and ${other.path}`);
  const lines = splitLines(content);
  const removed = new Uint8Array(lines.length + 1);
  const replaced = new Map<number, string>();
  let removeFileWhenNothingLeft = false;
  for (const repair of repairs) {
    if (repair.kind === 'remove-lines') {
      removeFileWhenNothingLeft ||= repair.removeFileWhenNothingLeft === true;
      for (const [first, last] of repair.lines) {
        checkLine(path, first, lines.length, `a removal of lines ${first}-${last}`);
        checkLine(path, last, lines.length, `a removal of lines ${first}-${last}`);
        if (first > last) throw new Error(`${path}: a removal of lines ${first}-${last} ends before it starts`);
        removed.fill(1, first, last + 1);
      }
    } else {
      checkLine(path, repair.line, lines.length, 'a replacement');
      if (/[\r\n]/.test(repair.text)) throw new Error(`${path}: the replacement of line ${repair.line} holds a line break; it must be one line`);
      const earlier = replaced.get(repair.line);
      if (earlier !== undefined && earlier !== repair.text) {
        throw new Error(`${path}: line ${repair.line} is to be replaced twice, with "${earlier}" and with "${repair.text}"`);
      }
      replaced.set(repair.line, repair.text);
    }
  }
  for (const line of replaced.keys()) {
    if (removed[line]) throw new Error(`${path}: line ${line} is to be both removed and replaced`);
  }
  const kept: Buffer[] = [];
  let onlyCommentsLeft = true;
  lines.forEach((span, index) => {
    const line = index + 1;
    if (removed[line]) return;
    const replacement = replaced.get(line);
    const text = replacement === undefined ? content.subarray(span.start, span.endingStart) : Buffer.from(replacement, 'utf8');
    onlyCommentsLeft &&= isBlankOrComment(text);
    kept.push(text, content.subarray(span.endingStart, span.end));
  });
  if (removeFileWhenNothingLeft && onlyCommentsLeft) return { kind: 'remove-file' };
  return { kind: 'content', content: Buffer.concat(kept) };
}
