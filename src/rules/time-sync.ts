import type { FactProblem, GuestFacts, InitSystem } from '../inspect/facts/guest-facts.js';
import { findEnabledService } from '../inspect/facts/services/find-service.js';
import { tryGuest } from '../inspect/facts/read-guest-text.js';
import type { GuestTree } from '../inspect/guest/guest-tree.js';
import { NO_OPTIONS, type FindingInput, type Rule } from './rule.js';
import { RC_LOCAL_PATHS } from './support/boot-commands.js';
import { CRON_DAEMONS } from './support/cron-jobs.js';
import { IFUPDOWN_SERVICES } from './support/network-boot.js';
import { readBootNetwork } from './support/read-network-boot.js';
import { readBootClockSetters, type BootClockSetter } from './support/read-boot-clock-setters.js';
import { enabledTimeDaemons, readTimeDaemon, TIME_DAEMON_SERVICES, type TimeDaemonReading } from './support/read-time-daemons.js';
import { reportProblems } from './support/report-problems.js';
import { distroFamily, enableServiceCommand, installPackageCommand } from './support/service-commands.js';

const GUIDE_TIME_SYNC = 'SpotCloud providers can be located anywhere in the world and the provider\'s hardware is not guaranteed to indicate the proper time of day, so be sure to include time sync (i.e. NTP) enabled at boot on your VM\'s.';

/** Every name a time daemon's service goes by, for the message and for finding one installed but not enabled. */
const ALL_TIME_SERVICE_NAMES = [...new Set(TIME_DAEMON_SERVICES.flatMap(([, names]) => names))];
/** Where an installed service is defined, per init system. */
const DEFINITION_PATTERNS = [
  '/etc/systemd/system/NAME.service', '/lib/systemd/system/NAME.service', '/usr/lib/systemd/system/NAME.service',
  '/etc/init.d/NAME', '/etc/init/NAME.conf',
];

/** Where each init system keeps a service's definition. */
const DEFINITIONS_BY_INIT: Record<InitSystem, string[]> = {
  systemd: DEFINITION_PATTERNS.filter((p) => p.endsWith('.service')),
  sysv: ['/etc/init.d/NAME'],
  openrc: ['/etc/init.d/NAME'],
  upstart: ['/etc/init/NAME.conf', '/etc/init.d/NAME'],
};

/**
 * An installed time daemon's service, by the first of its definitions
 * found; those of the init system that boots first (Ubuntu 14.04 ships
 * systemd units it never reads beside its Upstart jobs and SysV scripts).
 */
async function installedTimeService(guest: GuestTree, facts: GuestFacts, problems: FactProblem[]): Promise<{ name: string; definition: string } | undefined> {
  const init = facts.services.initSystem;
  const patterns = init === 'unknown' ? DEFINITION_PATTERNS : [...new Set([...DEFINITIONS_BY_INIT[init], ...DEFINITION_PATTERNS])];
  for (const name of ALL_TIME_SERVICE_NAMES) {
    for (const pattern of patterns) {
      const path = pattern.replace('NAME', name);
      const stat = await tryGuest(path, problems, () => guest.lstat(path));
      if (stat) return { name, definition: path };
    }
  }
  return undefined;
}

/** Clock setters at boot: Debian's ntpdate hooks when their stack brings a card up, and one-shot commands among the boot commands. */
async function bootClockSetters(guest: GuestTree, facts: GuestFacts, problems: FactProblem[]): Promise<BootClockSetter[]> {
  // Network configuration that cannot be read is network-dhcp's to report.
  const boot = await readBootNetwork(guest, facts, []);
  const ifupdownUp = findEnabledService(facts.services, IFUPDOWN_SERVICES) !== undefined
    && facts.network.interfaces.some((c) => c.stack === 'ifupdown' && c.atBoot === true && c.method !== 'loopback' && c.interface !== 'lo');
  return readBootClockSetters(guest, facts, { ifupdownUp, networkManagerUp: boot.networkManagerRuns }, problems);
}

/** What to run when nothing is there: the distribution's usual daemon, under its service name. */
function installAdvice(facts: GuestFacts): string {
  const service = distroFamily(facts) === 'debian' ? 'chrony' : 'chronyd';
  const install = installPackageCommand(facts, 'chrony');
  // Debian's maintainer scripts enable what they install.
  if (install && distroFamily(facts) === 'debian') return `${install} (its package enables chrony at boot)`;
  return install ? `${install}, then ${enableServiceCommand(facts, service)}` : `install chrony and enable it at boot (${enableServiceCommand(facts, service)})`;
}

const INIT_NAMES = { systemd: 'systemd', sysv: 'SysV init', upstart: 'Upstart', openrc: 'OpenRC' } as const;

function initWords(facts: GuestFacts): string {
  const init = facts.services.initSystem;
  return init === 'unknown' ? 'the init system could not be read' : `by ${INIT_NAMES[init]}'s boot configuration`;
}

/** The words for a daemon whose configuration gives it nothing fixed to synchronise with. */
function noServerFinding(reading: TimeDaemonReading): FindingInput {
  const who = `${reading.daemon} (${reading.service.name})`;
  const advice = reading.daemon === 'systemd-timesyncd'
    ? `Set NTP=pool.ntp.org in [Time] of ${reading.config ?? '/etc/systemd/timesyncd.conf'}, or remove the empty FallbackNTP=`
    : reading.daemon === 'openntpd' ? `Add "servers pool.ntp.org" to ${reading.config ?? reading.lookedFor[0]}`
    : reading.daemon === 'busybox-ntpd' ? `Add "-p pool.ntp.org" to NTPD_OPTS in ${reading.config ?? reading.lookedFor[0]}`
    : `Add "pool pool.ntp.org iburst" to ${reading.config ?? reading.lookedFor[0]}`;
  const location = { path: reading.config ?? reading.lookedFor[0]! };
  if (!reading.config) {
    return { severity: 'warning', location, message: `${who} is enabled at boot but has no configuration file (looked for ${reading.lookedFor.join(' and ')}), so it has no time server to ask and the clock keeps whatever the provider's hardware says. ${advice}.` };
  }
  if (reading.runtime.length > 0) {
    return { severity: 'warning', location, message: `${who} is enabled at boot but ${reading.config} names no server or pool of its own: its only servers would come from ${reading.runtime.join(' and ')}. SpotCloud providers can be anywhere and their DHCP may offer no time server, leaving the clock as wrong as their hardware. ${advice}.` };
  }
  return { severity: 'warning', location, message: `${who} is enabled at boot but ${reading.config} names no time server (no server, pool or peer line), so the clock keeps whatever the provider's hardware says. ${advice}.` };
}

export const timeSync: Rule = {
  id: 'time-sync',
  title: 'Time synchronisation starts at boot',
  defaultSeverity: 'error',
  guideline: GUIDE_TIME_SYNC,
  rationale: 'A provider\'s host clock can be hours or days off, and a VM starts with it. A wrong clock breaks TLS certificate checks, ssh certificate and Kerberos logins, log timelines and anything time-limited (tokens, cron jobs, package signatures). Time synchronisation that starts at boot puts it right before services depend on it.',
  checks: `Whether the guest starts a time daemon at boot, by the enabled services: chrony (chrony, chronyd), NTPsec (ntpsec), the reference ntpd (ntp, ntpd), OpenNTPD (openntpd; or ntpd where only its configuration is present), Alpine's busybox ntpd (ntpd with /etc/conf.d/ntpd) and systemd-timesyncd (enabled by a link in sysinit.target.wants on Debian). A one-shot clock setting at boot counts too: Debian's ntpdate hooks (/etc/network/if-up.d/ntpsec-ntpdate or ntpdate, with /usr/sbin/ntpdate-debian present) when ifupdown's networking service brings up an interface other than lo at boot, their NetworkManager dispatcher twins when NetworkManager runs, and a command that sets the clock once (ntpdate or ntpdate-debian without -q or -d, sntp -s/-S/-r/-a, rdate without -p alone, htpdate -s/-a/-x/-D, chronyd -q, ntpd -q) among the commands the guest runs as it boots: the start commands of its enabled services, an executable ${RC_LOCAL_PATHS.join(' or ')}, OpenRC's local.d scripts, the @reboot lines of /etc/crontab, /etc/cron.d and root's crontab when a cron daemon (${CRON_DAEMONS.join(', ')}) is enabled, and one level into the scripts those run. Other users' crontabs are not read. An error when none is found; it names a time daemon that is installed but not enabled. A warning when every daemon that starts has no fixed time source: chrony's server, pool, peer and refclock lines (chrony.conf, its include files, confdir *.conf and sourcedir *.sources files; a sourcedir under /run is filled by DHCP at run time and does not count), ntp.conf's server, pool, peer, manycastclient and refclock lines (with includefile; the local clock 127.127.1.x is not a source), OpenNTPD's server, servers and sensor lines, timesyncd's NTP= and FallbackNTP= (timesyncd.conf and its drop-ins) or, with neither set, the fallback list compiled into it (the packaged timesyncd.conf documents it in its commented FallbackNTP= line: debian.pool.ntp.org on Debian; a file without that line is taken to leave the compiled-in list, which systemd always has unless built without), ntpdate-debian's NTPSERVERS (or ntp.conf's servers with NTPDATE_USE_NTP_CONF=yes). Servers only DHCP would give (chrony's /run sourcedir, ntp's and timesyncd's dhclient hooks) do not count: the provider's DHCP may offer none. The guide's "i.e. NTP" is read as any network time synchronisation; whether the servers are reachable from a provider's network cannot be seen in an image.`,
  howToFix: 'Install a time daemon and enable it at boot: apt-get install chrony on Debian/Ubuntu (enabled by its package), dnf install chrony && systemctl enable chronyd on Red Hat, apk add chrony && rc-update add chronyd default on Alpine; keep a pool or server line in its configuration (pool pool.ntp.org iburst).',
  fixable: 'no',
  ...NO_OPTIONS,
  async check({ facts, guest, report }) {
    if (!guest || facts.os.family !== 'linux') return;
    const problems: FactProblem[] = [];
    const daemons = await enabledTimeDaemons(guest, facts, problems);
    const readings: TimeDaemonReading[] = [];
    for (const { daemon, service } of daemons) readings.push(await readTimeDaemon(guest, daemon, service, problems));
    const daemonSynchronises = readings.some((r) => !r.complete || r.sources.length > 0 || r.builtIn !== undefined);
    // Clock setters at boot matter only where no daemon has a time source of its own.
    const setters = daemonSynchronises ? [] : await bootClockSetters(guest, facts, problems);

    if (daemons.length === 0 && setters.length === 0) {
      const installed = await installedTimeService(guest, facts, problems);
      const masked = facts.services.masked.find((unit) => ALL_TIME_SERVICE_NAMES.some((name) => unit === `${name}.service`));
      const what = masked
        ? `${masked} is masked (linked to /dev/null); unmask and enable it: systemctl unmask ${masked} && systemctl enable ${masked}`
        : installed
          ? `${installed.name} is installed (${installed.definition}) but not enabled: ${enableServiceCommand(facts, installed.name, installed.definition)}`
          : `install one: ${installAdvice(facts)}`;
      report({
        location: installed && !masked ? { path: installed.definition } : {},
        message: `No time synchronisation starts at boot: none of chrony, ntpd (ntp, NTPsec), OpenNTPD or systemd-timesyncd is enabled (${initWords(facts)}) and no ntpdate runs at boot. A provider's clock is not guaranteed to be right, and a wrong clock breaks TLS, logins and logs; ${what}.`,
      });
    } else if (!daemonSynchronises && !setters.some((s) => s.hasServers)) {
      for (const reading of readings) report(noServerFinding(reading));
      for (const setter of setters) {
        report({
          severity: 'warning',
          location: { path: setter.path, ...(setter.line === undefined ? {} : { line: setter.line }) },
          message: `${setter.what} runs ntpdate-debian at boot, but it has no server to ask (NTPSERVERS is empty in /etc/default/ntpsec-ntpdate and no ntp.conf names one), so the clock is not set. Put servers in NTPSERVERS.`,
        });
      }
    }
    reportProblems(report, problems, 'the time-sync check');
  },
};
