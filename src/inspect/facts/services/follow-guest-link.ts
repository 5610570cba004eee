import type { FileKind } from '../../ext/ext-protocol.js';
import { MAX_SYMLINK_HOPS, type GuestTree } from '../../guest/guest-tree.js';
import { normaliseGuestPath, pathComponents } from '../../guest/guest-path.js';
import type { FactProblem } from '../guest-facts.js';
import { tryGuest } from '../read-guest-text.js';

/** Where a chain of links ends, even when it ends nowhere. */
export interface LinkEnd {
  /** The last path of the chain, canonical up to its last component. */
  path: string;
  /** The kind of what is there, or undefined when nothing is (a dangling link, /dev/null in an image with an empty /dev). */
  kind?: FileKind;
}

/** The directory part of a normalised guest path. */
export function guestDirname(path: string): string {
  const parts = pathComponents(path);
  parts.pop();
  return `/${parts.join('/')}`;
}

export function guestBasename(path: string): string {
  return pathComponents(path).pop() ?? '';
}

/** A link's target as an absolute guest path, relative targets taken from the link's (canonical) directory. */
export function linkTargetPath(linkPath: string, target: string): string {
  return normaliseGuestPath(target.startsWith('/') ? target : `${guestDirname(linkPath)}/${target}`);
}

/**
 * Follows the links at `path` one hop at a time, inside the guest, and says
 * where they end. Unlike GuestTree.resolve it does not fail on a dangling
 * end: what a link points at (/lib/systemd/systemd, /dev/null) is the fact
 * wanted, whether or not that file is in the image. Counts its hops.
 */
export async function followGuestLinks(guest: GuestTree, path: string, problems: FactProblem[]): Promise<LinkEnd> {
  let current = normaliseGuestPath(path);
  for (let hops = 0; hops <= MAX_SYMLINK_HOPS; hops++) {
    if (current === '/') return { path: current, kind: 'directory' };
    const parent = await tryGuest(current, problems, () => guest.resolve(guestDirname(current)));
    if (parent === undefined) return { path: current };
    const here = normaliseGuestPath(`${parent}/${guestBasename(current)}`);
    const stat = await tryGuest(here, problems, () => guest.lstat(here));
    if (!stat) return { path: here };
    if (stat.kind !== 'symlink') return { path: here, kind: stat.kind };
    const target = await tryGuest(here, problems, () => guest.readlink(here));
    if (target === undefined) return { path: here };
    current = linkTargetPath(here, target);
  }
  problems.push({ path, message: `${path}: more than ${MAX_SYMLINK_HOPS} symbolic links (a link loop?)` });
  return { path: current };
}
