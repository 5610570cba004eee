// Reads /etc/network/interfaces and follows its source / source-directory
// lines, the way ifupdown does, within bounds.
import type { GuestTree } from '../../guest/guest-tree.js';
import type { FactProblem, NetworkInterfaceConfig } from '../guest-facts.js';
import { readGuestText, tryGuest } from '../read-guest-text.js';
import { listConfigFiles } from './config-directories.js';
import { ifupdownConfigs, parseInterfacesFile, SOURCE_DIRECTORY_NAME, type IfupdownFile, type IfupdownInclude } from './ifupdown.js';

export const IFUPDOWN_MAIN_FILE = '/etc/network/interfaces';
/** Includes nest this deep at most (Debian's own setup nests one level). */
export const MAX_IFUPDOWN_INCLUDE_DEPTH = 8;
/** Files read in all, main file included. */
export const MAX_IFUPDOWN_FILES = 256;

/** undefined when there is no /etc/network/interfaces: ifupdown is not configured. */
export async function readIfupdown(guest: GuestTree, problems: FactProblem[]): Promise<NetworkInterfaceConfig[] | undefined> {
  const files: IfupdownFile[] = [];
  const read = new Set<string>();

  async function readFile(path: string, depth: number): Promise<void> {
    if (read.has(path)) {
      problems.push({ path, message: `${path} is included again (an include loop?); it was read once` });
      return;
    }
    if (files.length >= MAX_IFUPDOWN_FILES) {
      problems.push({ path, message: `more than ${MAX_IFUPDOWN_FILES} interfaces files; ${path} and the rest were not read` });
      return;
    }
    read.add(path);
    const text = await readGuestText(guest, path, problems);
    if (text === undefined) return;
    const file = parseInterfacesFile(text, path);
    files.push(file);
    for (const include of file.includes) {
      if (depth + 1 > MAX_IFUPDOWN_INCLUDE_DEPTH) {
        problems.push({ path, message: `line ${include.line}: includes nested more than ${MAX_IFUPDOWN_INCLUDE_DEPTH} deep; ${include.pattern} was not read` });
        continue;
      }
      for (const target of await includedFiles(guest, include, problems)) await readFile(target, depth + 1);
    }
  }

  await readFile(IFUPDOWN_MAIN_FILE, 0);
  return files.length > 0 ? ifupdownConfigs(files) : undefined;
}

async function includedFiles(guest: GuestTree, include: IfupdownInclude, problems: FactProblem[]): Promise<string[]> {
  if (include.kind === 'source') return guest.glob(include.pattern);
  const candidates = await listConfigFiles(guest, include.pattern, (name) => SOURCE_DIRECTORY_NAME.test(name), problems);
  const files: string[] = [];
  for (const candidate of candidates) {
    // Like run-parts, source-directory takes regular files only.
    const stat = await tryGuest(candidate.path, problems, () => guest.stat(candidate.path));
    if (stat?.kind === 'file') files.push(candidate.path);
  }
  return files;
}
