// The list of common passwords spotlint tries: John the Ripper's
// password.lst (data/common-passwords.lst, see its ORIGIN.md), read at run
// time from the package, not compiled into the code.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { SpotlintError } from '../../errors.js';

/** From dist/rules/passwords/ (or src/rules/passwords/) up to the package root. */
export const COMMON_PASSWORDS_PATH = fileURLToPath(new URL('../../../data/common-passwords.lst', import.meta.url));
/** John's comment lines; every other line is a password, the empty line included (an empty password). */
const COMMENT_PREFIX = '#!comment:';
/** The list has 3546 entries; a much longer file is not the list. */
export const MAX_LIST_ENTRIES = 100_000;

/** The passwords of a John the Ripper word list, in order, without repeats. */
export function parsePasswordList(text: string): string[] {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  const seen = new Set<string>();
  for (const line of lines) {
    if (seen.size >= MAX_LIST_ENTRIES) break;
    const password = line.endsWith('\r') ? line.slice(0, -1) : line;
    if (!password.startsWith(COMMENT_PREFIX)) seen.add(password);
  }
  return [...seen];
}

let loaded: Promise<readonly string[]> | undefined;

/** The common passwords, most common first; read once per process. */
export function loadCommonPasswords(): Promise<readonly string[]> {
  loaded ??= readFile(COMMON_PASSWORDS_PATH, 'utf8').then(parsePasswordList, (error: NodeJS.ErrnoException) => {
    loaded = undefined;
    throw new SpotlintError(`cannot read spotlint's list of common passwords ${COMMON_PASSWORDS_PATH}: ${error.code ?? error.message} (is the installation complete?)`);
  });
  return loaded;
}
