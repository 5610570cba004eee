// Listing the configuration directories the network stacks read, with the
// bounds and the shadowing rules they share.
import type { GuestTree } from '../../guest/guest-tree.js';
import type { FactProblem } from '../guest-facts.js';
import { tryGuest } from '../read-guest-text.js';

/** More files than this in one configuration directory is not a configuration; the rest are not read. */
export const MAX_FILES_PER_DIRECTORY = 512;

export interface ConfigFile {
  name: string;
  /** The path under the directory as the stack names it (/lib/..., even where /lib links to /usr/lib). */
  path: string;
  directory: string;
}

/** Names in `directory` that `accept` takes, sorted, at most MAX_FILES_PER_DIRECTORY; none when it is absent. */
export async function listConfigFiles(guest: GuestTree, directory: string, accept: (name: string) => boolean, problems: FactProblem[]): Promise<ConfigFile[]> {
  const listing = await tryGuest(directory, problems, () => guest.list(directory));
  if (!listing) return [];
  if (listing.truncated) problems.push({ path: directory, message: `${directory}: too many entries; only the first ones were read` });
  const names = listing.names.filter(accept);
  if (names.length > MAX_FILES_PER_DIRECTORY) {
    problems.push({ path: directory, message: `${directory}: ${names.length} configuration files, more than the ${MAX_FILES_PER_DIRECTORY} spotlint reads; the rest were not read` });
    names.length = MAX_FILES_PER_DIRECTORY;
  }
  return names.map((name) => ({ name, path: `${directory}/${name}`, directory }));
}

/**
 * The systemd and netplan rule for several directories: a file name in an
 * earlier (higher-priority) directory hides the same name in later ones,
 * and the survivors are taken in order of their names, whatever directory
 * they are in. A link to /dev/null hides the name and configures nothing
 * (systemd's "masking"); so does an empty file.
 */
export async function listShadowedConfigFiles(
  guest: GuestTree,
  directories: readonly string[],
  accept: (name: string) => boolean,
  problems: FactProblem[],
): Promise<ConfigFile[]> {
  const byName = new Map<string, ConfigFile | 'masked'>();
  for (const directory of directories) {
    for (const file of await listConfigFiles(guest, directory, accept, problems)) {
      if (byName.has(file.name)) continue;
      byName.set(file.name, (await isMasked(guest, file.path, problems)) ? 'masked' : file);
    }
  }
  return [...byName.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .flatMap(([, file]) => (file === 'masked' ? [] : [file]));
}

async function isMasked(guest: GuestTree, path: string, problems: FactProblem[]): Promise<boolean> {
  const stat = await tryGuest(path, problems, () => guest.lstat(path));
  if (!stat) return false;
  if (stat.kind === 'symlink') return (await tryGuest(path, problems, () => guest.readlink(path))) === '/dev/null';
  return stat.kind === 'file' && stat.size === 0;
}
