import type { GuestTree } from '../../guest/guest-tree.js';
import type { EnabledService, FactProblem, InitSystem, ServiceFacts } from '../guest-facts.js';
import { readGuestText, tryGuest } from '../read-guest-text.js';
import { chooseInitSystem } from './choose-init-system.js';
import { followGuestLinks } from './follow-guest-link.js';
import { readOpenrcRunlevels } from './openrc-enabled.js';
import { readSystemdBoot, type SystemdBoot } from './systemd-enabled.js';
import { UnitIndex } from './systemd-unit-index.js';
import { bootRunlevels, rcLinkServices, readRcLinks, type RcLinks } from './sysv-enabled.js';
import { parseInittab } from './sysv-runlevels.js';
import { readUpstartJobs } from './upstart-enabled.js';

/** Units only systemd itself ships: their presence, not a package's stray ssh.service, means systemd is installed. */
const SYSTEMD_OWN_UNITS = ['default.target', 'multi-user.target', 'sysinit.target'];
const SYSTEMD_PROGRAMS = ['/lib/systemd/systemd', '/usr/lib/systemd/systemd'];

/** The runlevel targets systemd-sysv-generator hangs rcN.d services on (systemd 252: rc2-4 multi-user, rc5 graphical). */
const SYSV_GENERATOR_TARGETS: Record<string, string> = { 2: 'multi-user.target', 3: 'multi-user.target', 4: 'multi-user.target', 5: 'graphical.target' };

/**
 * The guest's init system and the services it starts at boot. Every init
 * system's configuration is read (they are small and bounded); the enabled
 * list is the booting one's, plus the SysV scripts it runs for compatibility:
 * - systemd: units reached from the boot target, and rcN.d scripts that have
 *   no unit of their own, exactly as systemd-sysv-generator turns them into
 *   units (a unit of the same name, even a masked one, hides the script);
 * - Upstart: jobs that start on an event, and the default runlevel's rcN.d
 *   scripts (Upstart's rc job runs them) except those an Upstart job of the
 *   same name replaces (Ubuntu's init.d wrappers);
 * - SysV: rcS.d and the default runlevel's links;
 * - OpenRC: the sysinit, boot and default runlevels.
 */
export async function readServiceFacts(guest: GuestTree): Promise<ServiceFacts> {
  const problems: FactProblem[] = [];
  const init = await followGuestLinks(guest, '/sbin/init', problems);
  const inittabText = await readGuestText(guest, '/etc/inittab', problems);
  const inittab = inittabText === undefined ? [] : parseInittab(inittabText);
  const index = await UnitIndex.read(guest, problems);
  const rcLinks = await readRcLinks(guest, problems);
  const upstart = await readUpstartJobs(guest, problems);
  const openrc = await readOpenrcRunlevels(guest, problems);

  const present: InitSystem[] = [];
  if (SYSTEMD_OWN_UNITS.some((unit) => index.has(unit)) || (await anyExists(guest, SYSTEMD_PROGRAMS, problems))) present.push('systemd');
  if (inittabText !== undefined || rcLinks.links.some((link) => link.runlevel !== 'S')) present.push('sysv');
  if (upstart.configured) present.push('upstart');
  if (openrc.configured) present.push('openrc');

  const initSystem = chooseInitSystem({ initTarget: init.path, initExists: init.kind === 'file', inittab, openrcInstalled: openrc.installed, present });
  const facts: ServiceFacts = { initSystem, present, enabled: [], masked: index.maskedUnits(), problems };

  let systemd: SystemdBoot | undefined;
  if (initSystem === 'systemd') {
    systemd = await readSystemdBoot(guest, index, problems);
    facts.defaultTarget = systemd.defaultTarget;
  } else if (present.includes('systemd')) {
    const defaultUnit = await index.lookup('default.target');
    if (defaultUnit && !defaultUnit.maskedBy) facts.defaultTarget = defaultUnit.canonical;
  }

  let enabled: EnabledService[] = [];
  if (systemd) {
    enabled = [...systemd.enabled, ...sysvScriptsUnderSystemd(rcLinks, systemd, index)];
  } else if (initSystem === 'sysv') {
    enabled = rcLinkServices(rcLinks.links, await bootRunlevels(guest, inittab, rcLinks, problems));
  } else if (initSystem === 'upstart') {
    const jobs = new Set(upstart.jobs);
    const runlevels = await bootRunlevels(guest, inittab, rcLinks, problems);
    enabled = [...upstart.enabled, ...rcLinkServices(rcLinks.links, runlevels, (link) => !jobs.has(link.name))];
  } else if (initSystem === 'openrc') {
    enabled = openrc.enabled;
  }
  facts.enabled = enabled;
  facts.problems = uniqueProblems(problems);
  return facts;
}

/** A broken link met from several directions is one problem, not several. */
function uniqueProblems(problems: FactProblem[]): FactProblem[] {
  const seen = new Set<string>();
  return problems.filter((problem) => {
    const key = `${problem.path}\0${problem.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** What systemd-sysv-generator makes of rcN.d links: NAME.service, wanted by the runlevel's target, unless a unit NAME.service exists. */
function sysvScriptsUnderSystemd(rcLinks: RcLinks, systemd: SystemdBoot, index: UnitIndex): EnabledService[] {
  const runlevels = Object.keys(SYSV_GENERATOR_TARGETS).filter((level) => systemd.reached.has(SYSV_GENERATOR_TARGETS[level]!));
  return rcLinkServices(rcLinks.links, runlevels, (link) => !index.has(`${link.name}.service`), (link) => [`${link.name}.service`]);
}

async function anyExists(guest: GuestTree, paths: string[], problems: FactProblem[]): Promise<boolean> {
  for (const path of paths) if (await tryGuest(path, problems, () => guest.exists(path))) return true;
  return false;
}
