import type { GuestTree } from '../../guest/guest-tree.js';
import type { EnabledService, FactProblem } from '../guest-facts.js';
import { readGuestText, tryGuest } from '../read-guest-text.js';
import { followGuestLinks, linkTargetPath } from './follow-guest-link.js';
import { MAX_UNIT_DIRECTORY_ENTRIES, type ResolvedUnit, type UnitIndex } from './systemd-unit-index.js';
import { expandUnitSpecifiers, isTemplate, parseUnitFile, templateOf, unitType } from './systemd-units.js';

/** Distinct units followed from the boot target; a full desktop install reaches a few hundred. */
export const MAX_UNITS_VISITED = 4096;
/** Dependency edges examined (a unit reached again by another name or link still costs a step). */
export const MAX_DEPENDENCY_STEPS = 50_000;
/** Drop-in files read per unit. */
export const MAX_DROP_INS_PER_UNIT = 256;

/** systemd's compiled-in boot target when default.target is missing (systemd.special(7)). */
const FALLBACK_BOOT_TARGET = 'graphical.target';
/** The unit types reported as services: a socket unit starts its service on the first connection, so it counts as the service running. */
const SERVICE_UNIT_TYPES = new Set(['service', 'socket']);

export interface SystemdBoot {
  /** The unit default.target leads to (or the fallback). */
  defaultTarget: string;
  /** Services and sockets reached from the boot target, sorted by name. */
  enabled: EnabledService[];
  /** Canonical names of every unit reached (targets included). */
  reached: Set<string>;
}

interface PendingUnit {
  name: string;
  /** The link, or the unit file with the Wants=/Requires= line, that pulled it in. */
  enabledBy: string;
  /** A *.wants link's own target, used when the name is nowhere in the search path (a `systemctl link`ed unit). */
  linkTarget?: string;
}

interface ReachedUnit {
  unit: ResolvedUnit;
  enabledBy: string;
  /** Names it was pulled in by. */
  names: Set<string>;
  /** Names whose *.wants/*.requires directories were already read. */
  expanded: Set<string>;
  installAliases: string[];
}

/**
 * The units systemd starts at boot: everything reachable from the boot
 * target through *.wants/ and *.requires/ directories (in every unit
 * directory, the packages' own included) and through the Wants=, Requires=,
 * BindsTo= and Upholds= lines of the unit files and their drop-ins, for every
 * name a unit has. Masked units, and units nowhere to be found, stop the walk
 * there, as they stop systemd. Generators are not run here; the SysV one's
 * result is worked out in read-service-facts.ts.
 */
export async function readSystemdBoot(guest: GuestTree, index: UnitIndex, problems: FactProblem[]): Promise<SystemdBoot> {
  const defaultUnit = await index.lookup('default.target');
  const defaultTarget = defaultUnit && !defaultUnit.maskedBy ? defaultUnit.canonical : FALLBACK_BOOT_TARGET;
  const reached = new Map<string, ReachedUnit>();
  const queue: PendingUnit[] = [{ name: defaultTarget, enabledBy: defaultUnit?.definition ?? 'default.target' }];
  let steps = 0;
  for (let next = 0; next < queue.length; next++) {
    if (++steps > MAX_DEPENDENCY_STEPS) {
      problems.push({ path: '/etc/systemd/system', message: `stopped after ${MAX_DEPENDENCY_STEPS} unit dependencies; the list of enabled units may be incomplete` });
      break;
    }
    const pending = queue[next]!;
    // A bare template in a wants directory names no instance: systemd ignores it.
    if (isTemplate(pending.name)) continue;
    const unit = (await index.lookup(pending.name)) ?? (await unitOutsideSearchPath(guest, pending, problems));
    if (!unit || unit.maskedBy) continue;
    let node = reached.get(unit.canonical);
    if (!node) {
      if (reached.size >= MAX_UNITS_VISITED) {
        problems.push({ path: '/etc/systemd/system', message: `stopped after ${MAX_UNITS_VISITED} units; the list of enabled units may be incomplete` });
        break;
      }
      const files = await unitFiles(guest, index, unit, problems);
      node = { unit, enabledBy: pending.enabledBy, names: new Set(), expanded: new Set(), installAliases: files.installAliases };
      reached.set(unit.canonical, node);
      queue.push(...files.pulls);
      const template = templateOf(unit.canonical);
      const names = [unit.canonical, ...(await index.aliasesOf(unit.canonical)), ...(template ? [template] : [])];
      queue.push(...(await expandDependencyDirectories(guest, index, node, names, problems)));
    }
    node.names.add(pending.name);
    queue.push(...(await expandDependencyDirectories(guest, index, node, [pending.name], problems)));
  }

  const enabled: EnabledService[] = [];
  for (const node of reached.values()) {
    const { canonical, definition } = node.unit;
    if (!SERVICE_UNIT_TYPES.has(unitType(canonical) ?? '')) continue;
    const aliases = new Set([...node.names, ...(await index.aliasesOf(canonical)), ...node.installAliases]);
    aliases.delete(canonical);
    const service: EnabledService = { name: canonical, initSystem: 'systemd', enabledBy: node.enabledBy, aliases: [...aliases].sort() };
    if (definition) service.definition = definition;
    enabled.push(service);
  }
  enabled.sort((a, b) => a.name.localeCompare(b.name));
  return { defaultTarget, enabled, reached: new Set(reached.keys()) };
}

/** The units in the not yet read NAME.wants/ and NAME.requires/ directories of a reached unit. */
async function expandDependencyDirectories(guest: GuestTree, index: UnitIndex, node: ReachedUnit, names: string[], problems: FactProblem[]): Promise<PendingUnit[]> {
  const pending: PendingUnit[] = [];
  for (const name of names) {
    if (node.expanded.has(name)) continue;
    node.expanded.add(name);
    for (const dir of index.dependencyDirectories(name)) {
      const listing = await tryGuest(dir, problems, () => guest.listDetailed(dir));
      if (!listing) continue;
      for (const entry of listing.entries.slice(0, MAX_UNIT_DIRECTORY_ENTRIES)) {
        if (!unitType(entry.name)) continue;
        pending.push({ name: entry.name, enabledBy: entry.path, linkTarget: entry.linkTarget === undefined ? undefined : linkTargetPath(entry.path, entry.linkTarget) });
      }
    }
  }
  return pending;
}

/** A *.wants link to a unit file that is not in the search path: systemd loads it from where the link points. */
async function unitOutsideSearchPath(guest: GuestTree, pending: PendingUnit, problems: FactProblem[]): Promise<ResolvedUnit | undefined> {
  if (pending.linkTarget === undefined) return undefined;
  const end = await followGuestLinks(guest, pending.linkTarget, problems);
  if (end.path === '/dev/null') return { canonical: pending.name, maskedBy: pending.enabledBy };
  return end.kind === 'file' ? { canonical: pending.name, definition: end.path } : undefined;
}

/** The units a unit file and its drop-ins pull in, and the Alias= names of its [Install] section. */
async function unitFiles(guest: GuestTree, index: UnitIndex, unit: ResolvedUnit, problems: FactProblem[]): Promise<{ pulls: PendingUnit[]; installAliases: string[] }> {
  const pulls: PendingUnit[] = [];
  const installAliases: string[] = [];
  const files = unit.definition ? [unit.definition] : [];
  files.push(...(await dropInFiles(guest, index, unit.canonical, problems)));
  for (const file of files) {
    const text = await readGuestText(guest, file, problems);
    if (text === undefined) continue;
    const parsed = parseUnitFile(text);
    for (const dependency of parsed.pulls) {
      const name = expandUnitSpecifiers(dependency, unit.canonical);
      if (name && unitType(name)) pulls.push({ name, enabledBy: file });
    }
    if (file === unit.definition) {
      for (const alias of parsed.alias) {
        const name = expandUnitSpecifiers(alias, unit.canonical);
        if (name && unitType(name)) installAliases.push(name);
      }
    }
  }
  return { pulls, installAliases };
}

/**
 * NAME.d/*.conf drop-ins (and the template's, for an instance). A drop-in in
 * a higher-priority directory hides one of the same file name below it.
 */
async function dropInFiles(guest: GuestTree, index: UnitIndex, canonical: string, problems: FactProblem[]): Promise<string[]> {
  const byName = new Map<string, string>();
  const template = templateOf(canonical);
  // The instance's own drop-ins come last so that they override the template's of the same file name.
  for (const name of template ? [template, canonical] : [canonical]) {
    const forThisName = new Map<string, string>();
    for (const dir of index.dropInDirectories(name)) {
      const listing = await tryGuest(dir, problems, () => guest.list(dir));
      if (!listing) continue;
      for (const file of listing.names.slice(0, MAX_DROP_INS_PER_UNIT)) {
        if (file.endsWith('.conf') && !forThisName.has(file)) forThisName.set(file, `${listing.canonical}/${file}`);
      }
    }
    for (const [file, path] of forThisName) byName.set(file, path);
  }
  return [...byName.entries()].sort(([a], [b]) => a.localeCompare(b)).slice(0, MAX_DROP_INS_PER_UNIT).map(([, path]) => path);
}
