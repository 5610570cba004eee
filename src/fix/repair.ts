/**
 * What a fixable rule asks to change, attached to its finding. Paths are
 * guest paths, as the booted guest sees them (the fixer finds the
 * filesystem and the path inside it). Line numbers are 1-based and refer to
 * the file as the rule read it; the fixer re-reads the file and refuses the
 * repair if it changed. Everything not named is kept byte for byte.
 */
export type Repair =
  /** Remove these inclusive line ranges; with removeFileWhenNothingLeft, remove the file when only blank and comment lines remain. */
  | { kind: 'remove-lines'; path: string; lines: Array<[first: number, last: number]>; removeFileWhenNothingLeft?: boolean }
  /** Replace one line's text (its line ending is kept). */
  | { kind: 'replace-line'; path: string; line: number; text: string }
  /** Keep the file (inode, mode, owner) and make it empty. */
  | { kind: 'truncate'; path: string }
  /** Remove a file (not a directory). */
  | { kind: 'remove'; path: string }
  /** Replace a file by a symbolic link to `target`. */
  | { kind: 'link'; path: string; target: string }
  /** Write zeros over the free blocks of this filesystem that are not zero. */
  | { kind: 'zero-free-space'; partition: number | null };

/** One line for --fix-dry-run and the fix report: what the repair changes. */
export function describeRepair(repair: Repair): string {
  switch (repair.kind) {
    case 'remove-lines': {
      const lines = repair.lines.map(([first, last]) => (first === last ? `${first}` : `${first}-${last}`)).join(', ');
      return `${repair.path}: remove line${repair.lines.length === 1 && repair.lines[0]![0] === repair.lines[0]![1] ? '' : 's'} ${lines}${repair.removeFileWhenNothingLeft ? ' (and the file, if nothing else is left in it)' : ''}`;
    }
    case 'replace-line': return `${repair.path}: replace line ${repair.line} with "${repair.text}"`;
    case 'truncate': return `${repair.path}: empty the file (kept, zero bytes)`;
    case 'remove': return `${repair.path}: remove`;
    case 'link': return `${repair.path}: replace with a link to ${repair.target}`;
    case 'zero-free-space': return `${repair.partition === null ? 'the whole disk' : `partition ${repair.partition}`}: write zeros over the free blocks that are not zero`;
  }
}
