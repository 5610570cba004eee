// Clock setting at boot without a daemon: Debian's ntpdate hooks run when
// an interface comes up, and ntpdate-like commands in cron @reboot lines or
// in rc.local.
import type { FactProblem, GuestFacts } from '../../inspect/facts/guest-facts.js';
import { listConfigFiles } from '../../inspect/facts/network/config-directories.js';
import { parseShellAssignments } from '../../inspect/facts/network/shell-assignments.js';
import { readGuestText, tryGuest } from '../../inspect/facts/read-guest-text.js';
import { findEnabledService } from '../../inspect/facts/services/find-service.js';
import type { GuestTree } from '../../inspect/guest/guest-tree.js';
import { rebootClockCommands, scriptClockCommands } from './boot-time-commands.js';
import { parseNtpConfig } from './ntp-config.js';
import { NTPSEC_CONFIGS } from './read-time-daemons.js';

/** ifupdown runs these (run-parts) after bringing an interface up. */
export const NTPDATE_IFUP_HOOKS = ['/etc/network/if-up.d/ntpsec-ntpdate', '/etc/network/if-up.d/ntpdate'];
/** NetworkManager's dispatcher runs these when a connection comes up. */
export const NTPDATE_DISPATCHER_HOOKS = ['/etc/NetworkManager/dispatcher.d/ntpsec-ntpdate', '/etc/NetworkManager/dispatcher.d/ntpdate'];
/** The hooks exit quietly when this program is gone (the package removed but not purged). */
export const NTPDATE_DEBIAN = '/usr/sbin/ntpdate-debian';
/** Where ntpdate-debian takes its servers from. */
export const NTPDATE_DEFAULTS = ['/etc/default/ntpsec-ntpdate', '/etc/default/ntpdate'];
export const RC_LOCAL_SCRIPTS = ['/etc/rc.local', '/etc/rc.d/rc.local'];
/** The system crontab and the directories of crontabs cron daemons read (Debian, Red Hat, busybox). */
export const SYSTEM_CRONTAB = '/etc/crontab';
export const CRONTAB_DIRECTORIES = ['/etc/cron.d', '/var/spool/cron/crontabs', '/var/spool/cron', '/etc/crontabs'];
export const CRON_SERVICES = ['cron', 'crond', 'cronie', 'busybox-crond'];
/** Crontabs read in all; an appliance has a handful. */
export const MAX_CRONTABS = 256;

export interface BootClockSetter {
  /** In words, for messages: "the ifupdown hook /etc/network/if-up.d/ntpsec-ntpdate". */
  what: string;
  path: string;
  line?: number;
  /** False when the hook would run ntpdate-debian with no server to ask. */
  hasServers: boolean;
}

export interface BootContext {
  /** ifupdown brings up an interface other than lo at boot. */
  ifupdownUp: boolean;
  networkManagerUp: boolean;
}

async function isExecutableFile(guest: GuestTree, path: string, problems: FactProblem[]): Promise<boolean> {
  const stat = await tryGuest(path, problems, () => guest.stat(path));
  return stat?.kind === 'file' && (stat.mode & 0o111) !== 0;
}

/**
 * ntpdate-debian's servers: ntp.conf's when NTPDATE_USE_NTP_CONF=yes and it
 * names some, else NTPSERVERS of its defaults file.
 */
async function ntpdateHasServers(guest: GuestTree, problems: FactProblem[]): Promise<boolean> {
  for (const path of NTPDATE_DEFAULTS) {
    const text = await readGuestText(guest, path, problems);
    if (text === undefined) continue;
    const variables = parseShellAssignments(text);
    if (/^yes$/i.test(variables.get('NTPDATE_USE_NTP_CONF')?.value ?? '')) {
      for (const conf of NTPSEC_CONFIGS) {
        const confText = await readGuestText(guest, conf, problems);
        if (confText !== undefined && parseNtpConfig(confText).sources.length > 0) return true;
      }
    }
    return (variables.get('NTPSERVERS')?.value ?? '').trim() !== '';
  }
  return false;
}

export async function readBootClockSetters(guest: GuestTree, facts: GuestFacts, context: BootContext, problems: FactProblem[]): Promise<BootClockSetter[]> {
  const setters: BootClockSetter[] = [];
  const hooks = [
    ...(context.ifupdownUp ? NTPDATE_IFUP_HOOKS.map((path) => ({ path, what: `the ifupdown hook ${path}` })) : []),
    ...(context.networkManagerUp ? NTPDATE_DISPATCHER_HOOKS.map((path) => ({ path, what: `the NetworkManager dispatcher script ${path}` })) : []),
  ];
  const present = [];
  for (const hook of hooks) if (await isExecutableFile(guest, hook.path, problems)) present.push(hook);
  if (present.length > 0 && (await isExecutableFile(guest, NTPDATE_DEBIAN, problems))) {
    const hasServers = await ntpdateHasServers(guest, problems);
    for (const hook of present) setters.push({ ...hook, hasServers });
  }

  for (const path of RC_LOCAL_SCRIPTS) {
    if (!(await isExecutableFile(guest, path, problems))) continue;
    const text = await readGuestText(guest, path, problems);
    for (const command of scriptClockCommands(text ?? '')) setters.push({ what: `"${command.command}" in ${path}`, path, line: command.line, hasServers: true });
  }

  if (findEnabledService(facts.services, CRON_SERVICES)) {
    const crontabs = [SYSTEM_CRONTAB];
    for (const directory of CRONTAB_DIRECTORIES) {
      for (const file of await listConfigFiles(guest, directory, (name) => !name.startsWith('.'), problems)) {
        const stat = await tryGuest(file.path, problems, () => guest.lstat(file.path));
        if (stat?.kind === 'file') crontabs.push(file.path);
      }
    }
    if (crontabs.length > MAX_CRONTABS) problems.push({ path: CRONTAB_DIRECTORIES.join(', '), message: `${crontabs.length} crontabs, more than the ${MAX_CRONTABS} spotlint reads; the rest were not read` });
    for (const path of crontabs.slice(0, MAX_CRONTABS)) {
      const text = await readGuestText(guest, path, problems);
      for (const command of rebootClockCommands(text ?? '')) setters.push({ what: `the @reboot line "${command.command}" of ${path}`, path, line: command.line, hasServers: true });
    }
  }
  return setters;
}
