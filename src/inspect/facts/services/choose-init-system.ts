import type { InitSystem } from '../guest-facts.js';
import { type InittabEntry, inittabRunsBoot, inittabStartsOpenrc } from './sysv-runlevels.js';

/** What the image shows about how it boots. */
export interface InitEvidence {
  /** Where /sbin/init leads after its links (whether or not that file is there). */
  initTarget?: string;
  /** A file is there at the end of /sbin/init's links. */
  initExists: boolean;
  inittab: InittabEntry[];
  /** An OpenRC program is installed. */
  openrcInstalled: boolean;
  /** The init systems whose boot configuration exists. */
  present: InitSystem[];
}

/** When /sbin/init says nothing, the most specific configuration wins: systemd's targets outrank the SysV links Debian keeps beside them. */
const PRESENCE_ORDER: InitSystem[] = ['systemd', 'openrc', 'upstart', 'sysv'];

/**
 * The init system that boots. The ELF binary behind /sbin/init is not read,
 * so the decision is by the name /sbin/init leads to, then by configuration:
 * - .../systemd: systemd (Debian 8+, Ubuntu 15.04+, RHEL 7+, merged /usr included);
 * - .../openrc-init, or an inittab that runs openrc (Alpine's busybox init,
 *   Gentoo), or OpenRC installed with runlevels (Debian's openrc, whose
 *   /etc/init.d/rc hands over to it): OpenRC;
 * - .../upstart, or Upstart jobs with `start on` and an inittab that runs
 *   nothing (Ubuntu 9.10-14.10 has none; RHEL 6 keeps one for initdefault only): Upstart;
 * - an inittab that runs the boot, or rcN.d links: SysV init;
 * - otherwise whichever configuration is present, in PRESENCE_ORDER; but an
 *   /sbin/init that is there and is not systemd rules systemd out.
 */
export function chooseInitSystem(evidence: InitEvidence): InitSystem | 'unknown' {
  const present = new Set(evidence.present);
  const init = evidence.initTarget?.split('/').pop() ?? '';
  if (init === 'systemd') return 'systemd';
  if (init === 'openrc-init' || inittabStartsOpenrc(evidence.inittab)) return 'openrc';
  if (init === 'upstart') return 'upstart';
  if (evidence.openrcInstalled && present.has('openrc')) return 'openrc';
  if (present.has('upstart') && !inittabRunsBoot(evidence.inittab)) return 'upstart';
  if (inittabRunsBoot(evidence.inittab)) return 'sysv';
  if (evidence.initExists) present.delete('systemd');
  return PRESENCE_ORDER.find((system) => present.has(system)) ?? 'unknown';
}
