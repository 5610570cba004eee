import type { GuestTree } from '../../guest/guest-tree.js';
import type { EnabledService, FactProblem } from '../guest-facts.js';
import { tryGuest } from '../read-guest-text.js';
import { followGuestLinks, guestBasename } from './follow-guest-link.js';

/** The runlevels OpenRC always walks at boot (sysinit, boot) and the one it boots into unless told otherwise (default). */
export const OPENRC_BOOT_RUNLEVELS = ['sysinit', 'boot', 'default'];
/** Services read per runlevel directory. */
export const MAX_RUNLEVEL_ENTRIES = 2048;

const RUNLEVELS_DIR = '/etc/runlevels';
/** Where OpenRC's programs live (on merged-/usr systems /sbin leads to /usr/sbin). */
const OPENRC_PROGRAMS = ['/sbin/openrc', '/sbin/openrc-run', '/sbin/openrc-init', '/usr/sbin/openrc', '/usr/sbin/openrc-run', '/bin/openrc', '/usr/bin/openrc'];

export interface OpenrcRunlevels {
  /** /etc/runlevels exists with a boot runlevel in it, or OpenRC is installed. */
  configured: boolean;
  /** An OpenRC program is installed. */
  installed: boolean;
  enabled: EnabledService[];
}

/**
 * Services in /etc/runlevels/{sysinit,boot,default}: links to /etc/init.d
 * scripts (plain files are accepted too). Stacked runlevels (directories
 * inside a runlevel) and a softlevel= given on the kernel command line are
 * not followed.
 */
export async function readOpenrcRunlevels(guest: GuestTree, problems: FactProblem[]): Promise<OpenrcRunlevels> {
  let installed = false;
  for (const program of OPENRC_PROGRAMS) {
    if (await tryGuest(program, problems, () => guest.exists(program))) {
      installed = true;
      break;
    }
  }
  const enabled: EnabledService[] = [];
  let anyRunlevel = false;
  const seen = new Set<string>();
  for (const runlevel of OPENRC_BOOT_RUNLEVELS) {
    const dir = `${RUNLEVELS_DIR}/${runlevel}`;
    const listing = await tryGuest(dir, problems, () => guest.listDetailed(dir));
    if (!listing) continue;
    anyRunlevel = true;
    for (const entry of listing.entries.slice(0, MAX_RUNLEVEL_ENTRIES)) {
      if (seen.has(entry.name) || entry.stat?.kind === 'directory') continue;
      const end = await followGuestLinks(guest, entry.path, problems);
      if (end.kind !== 'file') continue;
      seen.add(entry.name);
      const script = guestBasename(end.path);
      enabled.push({ name: entry.name, initSystem: 'openrc', enabledBy: entry.path, definition: end.path, aliases: script !== entry.name ? [script] : [] });
    }
  }
  const runlevelsExist = anyRunlevel || (installed && Boolean(await tryGuest(RUNLEVELS_DIR, problems, () => guest.exists(RUNLEVELS_DIR))));
  return { configured: runlevelsExist, installed, enabled: enabled.sort((a, b) => a.name.localeCompare(b.name)) };
}
