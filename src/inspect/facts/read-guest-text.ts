import { ExtError } from '../ext/ext-filesystem.js';
import type { GuestTree } from '../guest/guest-tree.js';
import type { FactProblem } from './guest-facts.js';

/** Configuration files are small; a bigger one is not a configuration file. */
export const MAX_CONFIG_BYTES = 1024 * 1024;

const ABSENT_CODES = new Set(['ENOENT', 'ENOTDIR', 'ELOOP']);

/**
 * A guest text file, or undefined when it is not there. A file that is there
 * but cannot be read (too big, not a regular file, a broken inode) is noted
 * in `problems` and also gives undefined, so one bad file costs one fact,
 * not the whole inspection. A failed filesystem (a fatal error) still throws.
 */
export async function readGuestText(guest: GuestTree, path: string, problems: FactProblem[], maxBytes = MAX_CONFIG_BYTES): Promise<string | undefined> {
  try {
    return await guest.readText(path, maxBytes);
  } catch (error) {
    if (!(error instanceof ExtError) || error.fatal) throw error;
    if (!ABSENT_CODES.has(error.code)) problems.push({ path, message: error.message });
    return undefined;
  }
}

/** Runs a guest lookup, turning "not there" into undefined and other non-fatal errors into a problem. */
export async function tryGuest<T>(path: string, problems: FactProblem[], lookup: () => Promise<T>): Promise<T | undefined> {
  try {
    return await lookup();
  } catch (error) {
    if (!(error instanceof ExtError) || error.fatal) throw error;
    if (!ABSENT_CODES.has(error.code)) problems.push({ path, message: error.message });
    return undefined;
  }
}
