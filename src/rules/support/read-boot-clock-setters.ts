// Clock setting at boot without a daemon: Debian's ntpdate hooks run when
// an interface comes up, and ntpdate-like commands among the commands the
// guest runs as it boots (boot-commands.ts: enabled services, an executable
// rc.local, cron @reboot jobs, and the scripts those run).
import type { FactProblem, GuestFacts } from '../../inspect/facts/guest-facts.js';
import { parseShellAssignments } from '../../inspect/facts/network/shell-assignments.js';
import { readGuestText, tryGuest } from '../../inspect/facts/read-guest-text.js';
import { findEnabledService } from '../../inspect/facts/services/find-service.js';
import type { GuestTree } from '../../inspect/guest/guest-tree.js';
import { readBootCommands } from './boot-commands.js';
import { clockCommandIn } from './clock-commands.js';
import { CRON_DAEMONS, readCronJobs } from './cron-jobs.js';
import { parseNtpConfig } from './ntp-config.js';
import { NTPSEC_CONFIGS } from './read-time-daemons.js';
import { distroFamily } from './service-commands.js';

/** ifupdown runs these (run-parts) after bringing an interface up. */
export const NTPDATE_IFUP_HOOKS = ['/etc/network/if-up.d/ntpsec-ntpdate', '/etc/network/if-up.d/ntpdate'];
/** NetworkManager's dispatcher runs these when a connection comes up. */
export const NTPDATE_DISPATCHER_HOOKS = ['/etc/NetworkManager/dispatcher.d/ntpsec-ntpdate', '/etc/NetworkManager/dispatcher.d/ntpdate'];
/** The hooks exit quietly when this program is gone (the package removed but not purged). */
export const NTPDATE_DEBIAN = '/usr/sbin/ntpdate-debian';
/** Where ntpdate-debian takes its servers from. */
export const NTPDATE_DEFAULTS = ['/etc/default/ntpsec-ntpdate', '/etc/default/ntpdate'];

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

  // cron runs @reboot jobs only when a cron daemon starts at boot.
  const family = distroFamily(facts);
  const cronJobs = findEnabledService(facts.services, [...CRON_DAEMONS])
    ? await readCronJobs(guest, { strictNames: family === 'debian' || family === 'alpine' }, problems)
    : [];
  for (const command of await readBootCommands(guest, facts, cronJobs, problems)) {
    const clock = clockCommandIn(command.text);
    if (clock !== undefined) setters.push({ what: `"${clock}" (run at boot by ${command.via}, ${command.path} line ${command.line})`, path: command.path, line: command.line, hasServers: true });
  }
  return setters;
}
