// Which time daemons the guest starts at boot, and what each would
// synchronise with: the servers fixed in its configuration, a compiled-in
// list, or only what DHCP hands it at run time.
import type { EnabledService, FactProblem, GuestFacts } from '../../inspect/facts/guest-facts.js';
import { listConfigFiles, listShadowedConfigFiles } from '../../inspect/facts/network/config-directories.js';
import { parseShellAssignments } from '../../inspect/facts/network/shell-assignments.js';
import { readGuestText, tryGuest } from '../../inspect/facts/read-guest-text.js';
import { findEnabledService } from '../../inspect/facts/services/find-service.js';
import { isWithin, normaliseGuestPath } from '../../inspect/guest/guest-path.js';
import type { GuestTree } from '../../inspect/guest/guest-tree.js';
import { parseChronyConfig, type TimeSource } from './chrony-config.js';
import { parseNtpConfig, parseOpenntpdConfig, type NtpConfig } from './ntp-config.js';
import { documentedFallbackServers, parseTimesyncdConfig, timesyncdServers } from './timesyncd-config.js';

export type TimeDaemon = 'chrony' | 'ntpsec' | 'ntp' | 'openntpd' | 'systemd-timesyncd' | 'busybox-ntpd';

/** The service names each daemon goes by across distributions (ntpsec's unit also answers to ntp and ntpd). */
export const TIME_DAEMON_SERVICES: readonly [TimeDaemon, string[]][] = [
  ['chrony', ['chrony', 'chronyd']],
  ['ntpsec', ['ntpsec']],
  ['openntpd', ['openntpd']],
  ['ntp', ['ntp', 'ntpd']],
  ['systemd-timesyncd', ['systemd-timesyncd']],
];

/** Where each daemon's build looks for its configuration, in the order distributions use them. */
export const CHRONY_CONFIGS = ['/etc/chrony/chrony.conf', '/etc/chrony.conf'];
export const NTPSEC_CONFIGS = ['/etc/ntpsec/ntp.conf', '/etc/ntp.conf'];
export const NTP_CONFIGS = ['/etc/ntp.conf', '/etc/ntpsec/ntp.conf'];
export const OPENNTPD_CONFIGS = ['/etc/openntpd/ntpd.conf', '/etc/ntpd.conf'];
export const TIMESYNCD_CONFIG = '/etc/systemd/timesyncd.conf';
/** Highest priority first (systemd's drop-in search path, /run left out: it is empty at boot). */
export const TIMESYNCD_DROP_IN_DIRECTORIES = ['/etc/systemd/timesyncd.conf.d', '/usr/local/lib/systemd/timesyncd.conf.d', '/usr/lib/systemd/timesyncd.conf.d', '/lib/systemd/timesyncd.conf.d'];
/** Alpine's busybox ntpd takes its servers on the command line, from this file. */
export const BUSYBOX_NTPD_OPTIONS = '/etc/conf.d/ntpd';

/** Files read for one daemon, includes and drop-ins counted. */
export const MAX_TIME_CONFIG_FILES = 64;
/** include / includefile nesting. */
export const MAX_TIME_INCLUDE_DEPTH = 8;

/** The dhclient hooks that hand a daemon the DHCP server's NTP servers. */
const DHCP_HOOKS: Partial<Record<TimeDaemon, string[]>> = {
  ntp: ['/etc/dhcp/dhclient-exit-hooks.d/ntp'],
  ntpsec: ['/etc/dhcp/dhclient-exit-hooks.d/ntpsec'],
  'systemd-timesyncd': ['/etc/dhcp/dhclient-exit-hooks.d/timesyncd'],
};

export interface LocatedTimeSource extends TimeSource {
  path: string;
}

export interface TimeDaemonReading {
  daemon: TimeDaemon;
  service: EnabledService;
  /** The main configuration file read; undefined when none of `lookedFor` exists. */
  config?: string;
  lookedFor: string[];
  /** Sources written in the image. */
  sources: LocatedTimeSource[];
  /** Servers built into the program (timesyncd's compiled-in fallback list), in words. */
  builtIn?: string;
  /** Where servers come from only at run time (DHCP), in words. */
  runtime: string[];
  /** False when one of its files could not be read: then what it lacks is not known. */
  complete: boolean;
}

/** The time daemons started at boot, each once (ntpsec.service found as "ntp" too is one daemon). */
export async function enabledTimeDaemons(guest: GuestTree, facts: GuestFacts, problems: FactProblem[]): Promise<{ daemon: TimeDaemon; service: EnabledService }[]> {
  const found: { daemon: TimeDaemon; service: EnabledService }[] = [];
  for (const [daemon, names] of TIME_DAEMON_SERVICES) {
    const service = findEnabledService(facts.services, names);
    if (!service || found.some((f) => f.service.name === service.name)) continue;
    found.push({ daemon: daemon === 'ntp' ? await whichNtpd(guest, problems) : daemon, service });
  }
  return found;
}

/**
 * "ntpd" is the reference ntpd's name on Red Hat, OpenNTPD's on some
 * distributions and busybox's on Alpine: the configuration present says which.
 */
async function whichNtpd(guest: GuestTree, problems: FactProblem[]): Promise<TimeDaemon> {
  const exists = async (path: string) => (await tryGuest(path, problems, () => guest.exists(path))) === true;
  for (const path of NTP_CONFIGS) if (await exists(path)) return 'ntp';
  for (const path of OPENNTPD_CONFIGS) if (await exists(path)) return 'openntpd';
  if (await exists(BUSYBOX_NTPD_OPTIONS)) return 'busybox-ntpd';
  return 'ntp';
}

export async function readTimeDaemon(guest: GuestTree, daemon: TimeDaemon, service: EnabledService, problems: FactProblem[]): Promise<TimeDaemonReading> {
  const before = problems.length;
  let reading: Omit<TimeDaemonReading, 'daemon' | 'service' | 'complete'>;
  switch (daemon) {
    case 'chrony': reading = await readChrony(guest, problems); break;
    case 'ntpsec': reading = await readNtpFamily(guest, NTPSEC_CONFIGS, parseNtpConfig, problems); break;
    case 'ntp': reading = await readNtpFamily(guest, NTP_CONFIGS, parseNtpConfig, problems); break;
    case 'openntpd': reading = await readNtpFamily(guest, OPENNTPD_CONFIGS, parseOpenntpdConfig, problems); break;
    case 'systemd-timesyncd': reading = await readTimesyncd(guest, problems); break;
    case 'busybox-ntpd': reading = await readBusyboxNtpd(guest, problems); break;
  }
  for (const hook of DHCP_HOOKS[daemon] ?? []) {
    if ((await tryGuest(hook, problems, () => guest.exists(hook))) === true) reading.runtime.push(`the NTP servers DHCP offers (${hook})`);
  }
  return { daemon, service, ...reading, complete: problems.length === before };
}

async function firstPresent(guest: GuestTree, paths: readonly string[], problems: FactProblem[]): Promise<{ path: string; text: string } | undefined> {
  for (const path of paths) {
    const text = await readGuestText(guest, path, problems);
    if (text !== undefined) return { path, text };
  }
  return undefined;
}

type Reading = Omit<TimeDaemonReading, 'daemon' | 'service' | 'complete'>;

/**
 * chrony.conf with its include globs, confdir directories (*.conf, a name in
 * an earlier directory hiding it in later ones) and sourcedir directories
 * (*.sources). A sourcedir under /run is filled at run time (Debian's
 * /run/chrony-dhcp by the DHCP hooks): the image holds nothing there.
 */
async function readChrony(guest: GuestTree, problems: FactProblem[]): Promise<Reading> {
  const reading: Reading = { lookedFor: CHRONY_CONFIGS, sources: [], runtime: [] };
  const main = await firstPresent(guest, CHRONY_CONFIGS, problems);
  if (!main) return reading;
  reading.config = main.path;
  const read = new Set<string>();
  const visit = async (path: string, text: string, depth: number, sourcesOnly: boolean): Promise<void> => {
    read.add(path);
    const config = parseChronyConfig(text, sourcesOnly);
    reading.sources.push(...config.sources.map((source) => ({ ...source, path })));
    const nested: { path: string; sourcesOnly: boolean }[] = [];
    for (const include of config.includes) {
      const matches = await tryGuest(include.pattern, problems, () => guest.glob(normaliseGuestPath(include.pattern)));
      nested.push(...(matches ?? []).map((match) => ({ path: match, sourcesOnly: false })));
    }
    for (const confdir of config.confdirs) {
      const files = await listShadowedConfigFiles(guest, confdir.directories.map(normaliseGuestPath), (name) => name.endsWith('.conf'), problems);
      nested.push(...files.map((file) => ({ path: file.path, sourcesOnly: false })));
    }
    for (const sourcedir of config.sourcedirs) {
      for (const directory of sourcedir.directories.map(normaliseGuestPath)) {
        if (isWithin(directory, '/run')) {
          reading.runtime.push(`sourcedir ${directory} (${path} line ${sourcedir.line}), which is empty until DHCP fills it at run time`);
          continue;
        }
        const files = await listConfigFiles(guest, directory, (name) => name.endsWith('.sources'), problems);
        nested.push(...files.map((file) => ({ path: file.path, sourcesOnly: true })));
      }
    }
    for (const next of nested) {
      if (read.has(next.path)) continue;
      if (depth + 1 > MAX_TIME_INCLUDE_DEPTH || read.size >= MAX_TIME_CONFIG_FILES) {
        problems.push({ path: next.path, message: `more than ${MAX_TIME_INCLUDE_DEPTH} levels or ${MAX_TIME_CONFIG_FILES} files of chrony configuration; ${next.path} was not read` });
        continue;
      }
      const nestedText = await readGuestText(guest, next.path, problems);
      if (nestedText !== undefined) await visit(next.path, nestedText, depth + 1, next.sourcesOnly);
    }
  };
  await visit(main.path, main.text, 0, false);
  return reading;
}

/** ntp.conf (with includefile) or OpenNTPD's ntpd.conf (which has no includes). */
async function readNtpFamily(guest: GuestTree, paths: string[], parse: (text: string) => NtpConfig, problems: FactProblem[]): Promise<Reading> {
  const reading: Reading = { lookedFor: paths, sources: [], runtime: [] };
  const main = await firstPresent(guest, paths, problems);
  if (!main) return reading;
  reading.config = main.path;
  const read = new Set<string>();
  const visit = async (path: string, text: string, depth: number): Promise<void> => {
    read.add(path);
    const config = parse(text);
    reading.sources.push(...config.sources.map((source) => ({ ...source, path })));
    for (const include of config.includes) {
      const target = normaliseGuestPath(include.path);
      if (read.has(target)) continue;
      if (depth + 1 > MAX_TIME_INCLUDE_DEPTH || read.size >= MAX_TIME_CONFIG_FILES) {
        problems.push({ path: target, message: `more than ${MAX_TIME_INCLUDE_DEPTH} levels or ${MAX_TIME_CONFIG_FILES} files of includefile; ${target} was not read` });
        continue;
      }
      const nested = await readGuestText(guest, target, problems);
      if (nested !== undefined) await visit(target, nested, depth + 1);
    }
  };
  await visit(main.path, main.text, 0);
  return reading;
}

/**
 * timesyncd.conf and its drop-ins. With no NTP= and no FallbackNTP= set,
 * timesyncd uses the fallback list compiled into it, which the packaged
 * timesyncd.conf documents in its commented FallbackNTP= line (Debian:
 * the debian.pool.ntp.org servers). Servers from DHCP reach it through
 * systemd-networkd (or Debian's dhclient hook).
 */
async function readTimesyncd(guest: GuestTree, problems: FactProblem[]): Promise<Reading> {
  const reading: Reading = { lookedFor: [TIMESYNCD_CONFIG], sources: [], runtime: [] };
  const mainText = await readGuestText(guest, TIMESYNCD_CONFIG, problems);
  if (mainText !== undefined) reading.config = TIMESYNCD_CONFIG;
  const assignments = mainText === undefined ? [] : parseTimesyncdConfig(mainText, TIMESYNCD_CONFIG);
  const dropIns = await listShadowedConfigFiles(guest, TIMESYNCD_DROP_IN_DIRECTORIES, (name) => name.endsWith('.conf'), problems);
  for (const file of dropIns.slice(0, MAX_TIME_CONFIG_FILES)) {
    const text = await readGuestText(guest, file.path, problems);
    if (text !== undefined) assignments.push(...parseTimesyncdConfig(text, file.path));
  }
  const servers = timesyncdServers(assignments);
  const listed = [...servers.ntp, ...(servers.fallback ?? [])];
  if (listed.length > 0 && servers.lastSet) {
    reading.sources.push({ directive: servers.ntp.length > 0 ? 'NTP=' : 'FallbackNTP=', value: listed.join(' '), line: servers.lastSet.line, path: servers.lastSet.path });
  }
  if (servers.fallback === undefined) {
    const documented = mainText === undefined ? undefined : documentedFallbackServers(mainText);
    if (documented === undefined) reading.builtIn = 'the fallback servers compiled into systemd-timesyncd';
    else if (documented.length > 0) reading.builtIn = `the compiled-in fallback servers ${documented.join(' ')} (the commented FallbackNTP= line of ${TIMESYNCD_CONFIG})`;
    // An empty documented line: this build has no fallback servers at all.
  }
  return reading;
}

/** NTPD_OPTS="-N -p pool.ntp.org": every -p names a server. */
async function readBusyboxNtpd(guest: GuestTree, problems: FactProblem[]): Promise<Reading> {
  const reading: Reading = { lookedFor: [BUSYBOX_NTPD_OPTIONS], sources: [], runtime: [] };
  const text = await readGuestText(guest, BUSYBOX_NTPD_OPTIONS, problems);
  if (text === undefined) return reading;
  reading.config = BUSYBOX_NTPD_OPTIONS;
  const options = parseShellAssignments(text).get('NTPD_OPTS');
  if (!options) return reading;
  const words = options.value.split(/\s+/);
  words.forEach((word, index) => {
    const server = word === '-p' ? words[index + 1] : word.startsWith('-p') ? word.slice(2) : undefined;
    if (server) reading.sources.push({ directive: '-p', value: server, line: options.line, path: BUSYBOX_NTPD_OPTIONS });
  });
  return reading;
}
