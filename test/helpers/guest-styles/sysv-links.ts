// The /etc/rc?.d links Debian's update-rc.d makes from init scripts' LSB
// headers: numbered by dependency depth as insserv does (SysV-booting
// Debian up to 7), or all 01 as init-system-helpers' update-rc.d does when
// insserv is absent (every systemd Debian since 10).
import type { Tree } from '../build-image.js';
import { readTreeText } from './tree-paths.js';

export const RUNLEVELS = ['S', '0', '1', '2', '3', '4', '5', '6'] as const;
export type Runlevel = (typeof RUNLEVELS)[number];

/** insserv.conf facilities, as wheezy's /etc/insserv.conf defines them ("+" marks optional members, dropped here). */
export const INSSERV_FACILITIES: Record<string, string[]> = {
  $local_fs: ['mountall', 'mountall-bootclean', 'mountoverflowtmp', 'umountfs'],
  $network: ['networking', 'ifupdown'],
  $named: ['named', 'dnsmasq', 'lwresd', 'bind9', 'unbound', '$network'],
  $remote_fs: ['$local_fs', 'mountnfs', 'mountnfs-bootclean', 'umountnfs', 'sendsigs'],
  $syslog: ['rsyslog', 'sysklogd', 'syslog-ng', 'dsyslog', 'inetutils-syslogd'],
  $time: ['hwclock'],
  $portmap: ['rpcbind', 'portmap'],
};
/** Facilities naming facilities: wheezy's go two deep. */
const MAX_FACILITY_DEPTH = 4;
/** More scripts than any Debian system carries; the bound for the ordering walk. */
export const MAX_INIT_SCRIPTS = 500;

export interface LsbHeader {
  provides: string[];
  requiredStart: string[];
  shouldStart: string[];
  requiredStop: string[];
  shouldStop: string[];
  startBefore: string[];
  stopAfter: string[];
  defaultStart: Runlevel[];
  defaultStop: Runlevel[];
}

/** The "### BEGIN INIT INFO" block of an init script, or undefined when it has none. */
export function parseLsbHeader(text: string): LsbHeader | undefined {
  const begin = text.indexOf('### BEGIN INIT INFO');
  const end = text.indexOf('### END INIT INFO', begin);
  if (begin < 0 || end < 0) return undefined;
  const fields = new Map<string, string[]>();
  for (const line of text.slice(begin, end).split('\n')) {
    const match = /^#\s*([A-Za-z-]+):(.*)$/.exec(line);
    // Keys are case-insensitive in practice (initscripts' checkroot.sh says "Should-stop").
    if (match) fields.set(match[1]!.toLowerCase(), match[2]!.trim().split(/\s+/).filter((word) => word !== ''));
  }
  const list = (key: string) => fields.get(key) ?? [];
  const levels = (key: string) => list(key).filter((level): level is Runlevel => (RUNLEVELS as readonly string[]).includes(level));
  return {
    provides: list('provides'),
    requiredStart: list('required-start'),
    shouldStart: list('should-start'),
    requiredStop: list('required-stop'),
    shouldStop: list('should-stop'),
    startBefore: list('x-start-before'),
    stopAfter: list('x-stop-after'),
    defaultStart: levels('default-start'),
    defaultStop: levels('default-stop'),
  };
}

interface Script {
  name: string;
  header: LsbHeader;
}

/** Expands facilities ($remote_fs ...) to the names scripts provide. */
function expandFacility(token: string, depth = 0): string[] {
  if (!token.startsWith('$')) return [token];
  if (depth > MAX_FACILITY_DEPTH) throw new Error(`${token}: facilities nest deeper than ${MAX_FACILITY_DEPTH}`);
  return (INSSERV_FACILITIES[token] ?? []).flatMap((member) => expandFacility(member, depth + 1));
}

/** The scripts of `set` that provide what the tokens name. */
function scriptsFor(tokens: readonly string[], set: readonly Script[]): Script[] {
  const names = new Set(tokens.flatMap((token) => expandFacility(token)));
  return set.filter((script) => script.header.provides.some((provided) => names.has(provided)));
}

/** 1 + the longest chain of predecessors, for every script of the set; throws on a cycle. */
function depthLevels(set: readonly Script[], predecessors: Map<Script, Set<Script>>): Map<Script, number> {
  const levels = new Map<Script, number>();
  const visiting = new Set<Script>();
  const level = (script: Script): number => {
    const known = levels.get(script);
    if (known !== undefined) return known;
    if (visiting.has(script)) throw new Error(`init scripts depend on each other in a cycle through ${script.name}`);
    visiting.add(script);
    let deepest = 0;
    for (const before of predecessors.get(script) ?? []) deepest = Math.max(deepest, level(before));
    visiting.delete(script);
    levels.set(script, deepest + 1);
    return deepest + 1;
  };
  for (const script of set) level(script);
  return levels;
}

function startPredecessors(set: readonly Script[]): Map<Script, Set<Script>> {
  const predecessors = new Map(set.map((script) => [script, new Set<Script>()]));
  for (const script of set) {
    const wanted = [...script.header.requiredStart, ...script.header.shouldStart];
    if (wanted.includes('$all')) {
      for (const other of set) if (other !== script && !other.header.requiredStart.includes('$all')) predecessors.get(script)!.add(other);
    }
    for (const dep of scriptsFor(wanted, set)) if (dep !== script) predecessors.get(script)!.add(dep);
    for (const later of scriptsFor(script.header.startBefore, set)) if (later !== script) predecessors.get(later)!.add(script);
  }
  return predecessors;
}

/** A script stops before the scripts it needs while stopping; so those come after it. */
function stopPredecessors(set: readonly Script[]): Map<Script, Set<Script>> {
  const predecessors = new Map(set.map((script) => [script, new Set<Script>()]));
  for (const script of set) {
    for (const needed of scriptsFor([...script.header.requiredStop, ...script.header.shouldStop], set)) {
      if (needed !== script) predecessors.get(needed)!.add(script);
    }
    for (const earlier of scriptsFor(script.header.stopAfter, set)) if (earlier !== script) predecessors.get(script)!.add(earlier);
  }
  return predecessors;
}

export type SysvSequencing = 'insserv' | 'flat';

function twoDigits(level: number): string {
  if (level > 99) throw new Error(`sequence number ${level} does not fit in two digits`);
  return String(level).padStart(2, '0');
}

/**
 * Adds /etc/rc<level>.d/S<nn><name> and K<nn><name> links ("../init.d/<name>")
 * for the named scripts, read from the tree's /etc/init.d, as their LSB
 * headers ask. Ordering considers only the scripts given. Returns the link paths.
 */
export function addSysvLinks(tree: Tree, names: readonly string[], sequencing: SysvSequencing): string[] {
  if (names.length > MAX_INIT_SCRIPTS) throw new Error(`more than ${MAX_INIT_SCRIPTS} init scripts`);
  const scripts: Script[] = names.map((name) => {
    const text = readTreeText(tree, `etc/init.d/${name}`);
    if (text === undefined) throw new Error(`/etc/init.d/${name}: not in the tree`);
    const header = parseLsbHeader(text);
    if (!header) throw new Error(`/etc/init.d/${name}: no LSB header`);
    return { name, header };
  });
  const added: string[] = [];
  for (const runlevel of RUNLEVELS) {
    for (const [prefix, set, predecessors] of [
      ['S', scripts.filter((s) => s.header.defaultStart.includes(runlevel)), startPredecessors],
      ['K', scripts.filter((s) => s.header.defaultStop.includes(runlevel)), stopPredecessors],
    ] as const) {
      const levels = sequencing === 'insserv' ? depthLevels(set, predecessors(set)) : undefined;
      for (const script of set) {
        const path = `etc/rc${runlevel}.d/${prefix}${twoDigits(levels?.get(script) ?? 1)}${script.name}`;
        tree[path] = { symlink: `../init.d/${script.name}` };
        added.push(`/${path}`);
      }
    }
  }
  return added;
}
