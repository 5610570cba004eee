import type { GuestTree } from '../../guest/guest-tree.js';
import type { EnabledService, FactProblem } from '../guest-facts.js';
import { readGuestText, tryGuest } from '../read-guest-text.js';
import { followGuestLinks, guestBasename } from './follow-guest-link.js';
import { initDefaultRunlevel, type InittabEntry, startLinkService, upstartDefaultRunlevel } from './sysv-runlevels.js';

/** Start links read per rcN.d directory; a real one holds a few dozen. */
export const MAX_RC_LINKS_PER_DIRECTORY = 2048;

/** rcS.d (Debian's boot-time scripts) and the multi-user runlevels; 0, 1 and 6 never start services at boot. */
const BOOT_RUNLEVELS = ['S', '2', '3', '4', '5'];

/** One S link of one runlevel. */
export interface RcStartLink {
  runlevel: string;
  /** The name after S and the two ordering digits. */
  name: string;
  link: string;
  /** The script it runs, after links. */
  definition: string;
  /** The script's own name, when the link is named otherwise. */
  aliases: string[];
}

export interface RcLinks {
  links: RcStartLink[];
  /** Links were found under /etc/rc.d/rcN.d, the Red Hat layout. */
  redHatLayout: boolean;
}

/**
 * The S links of /etc/rcN.d (Debian, Ubuntu, SUSE) and /etc/rc.d/rcN.d
 * (RHEL, CentOS, Fedora before systemd; their /etc/rcN.d are links to it).
 * A link whose script is missing starts nothing and is left out.
 */
export async function readRcLinks(guest: GuestTree, problems: FactProblem[]): Promise<RcLinks> {
  const links: RcStartLink[] = [];
  const seenDirs = new Set<string>();
  let redHatLayout = false;
  for (const runlevel of BOOT_RUNLEVELS) {
    for (const dir of [`/etc/rc${runlevel}.d`, `/etc/rc.d/rc${runlevel}.d`]) {
      const listing = await tryGuest(dir, problems, () => guest.listDetailed(dir));
      if (!listing || seenDirs.has(listing.canonical)) continue;
      seenDirs.add(listing.canonical);
      if (listing.canonical.startsWith('/etc/rc.d/')) redHatLayout = true;
      for (const entry of listing.entries.slice(0, MAX_RC_LINKS_PER_DIRECTORY)) {
        const name = startLinkService(entry.name);
        if (!name) continue;
        const end = await followGuestLinks(guest, entry.path, problems);
        if (end.kind !== 'file') continue;
        const script = guestBasename(end.path);
        links.push({ runlevel, name, link: entry.path, definition: end.path, aliases: script !== name ? [script] : [] });
      }
    }
  }
  return { links, redHatLayout };
}

/**
 * The runlevels whose links start services when SysV init (or Upstart's rc
 * job) boots: rcS.d always, plus the default runlevel. That is inittab's
 * initdefault; else Upstart's DEFAULT_RUNLEVEL; else the family's custom: 2
 * on Debian and Ubuntu (all of 2-5 are alike there), 3 on RHEL-like systems
 * (multi-user without X); else, not knowing, any of 2-5, which may count a
 * service that only starts in a runlevel the guest does not boot into.
 */
export async function bootRunlevels(guest: GuestTree, inittab: InittabEntry[], rcLinks: RcLinks, problems: FactProblem[]): Promise<string[]> {
  let level = initDefaultRunlevel(inittab);
  if (!level) {
    const rcSysinit = await readGuestText(guest, '/etc/init/rc-sysinit.conf', problems);
    if (rcSysinit !== undefined) level = upstartDefaultRunlevel(rcSysinit);
  }
  if (!level && (await tryGuest('/etc/debian_version', problems, () => guest.exists('/etc/debian_version')))) level = '2';
  if (!level && (rcLinks.redHatLayout || (await tryGuest('/etc/redhat-release', problems, () => guest.exists('/etc/redhat-release'))))) level = '3';
  return level ? ['S', level] : BOOT_RUNLEVELS;
}

/** The services whose start links are in the given runlevels and that `keep` accepts; the first link of a name wins. */
export function rcLinkServices(links: RcStartLink[], runlevels: string[], keep: (link: RcStartLink) => boolean = () => true, extraAliases: (link: RcStartLink) => string[] = () => []): EnabledService[] {
  const byName = new Map<string, EnabledService>();
  for (const link of links) {
    if (!runlevels.includes(link.runlevel) || byName.has(link.name) || !keep(link)) continue;
    const aliases = [...new Set([...link.aliases, ...extraAliases(link)])].sort();
    byName.set(link.name, { name: link.name, initSystem: 'sysv', enabledBy: link.link, definition: link.definition, aliases });
  }
  return [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
}
