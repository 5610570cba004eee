import type { FileKind } from '../../ext/ext-protocol.js';
import type { GuestTree } from '../../guest/guest-tree.js';
import type { FactProblem } from '../guest-facts.js';
import { tryGuest } from '../read-guest-text.js';
import { followGuestLinks, guestBasename, linkTargetPath } from './follow-guest-link.js';
import { instanceOf, splitInstance, templateOf, unitType } from './systemd-units.js';

/**
 * systemd's system unit search path, highest priority first (systemd.unit(5)):
 * a unit in /etc overrides one of the same name below it. /run is usually
 * empty in an image; the generator and /usr/local directories are not read.
 */
export const UNIT_SEARCH_PATH = ['/etc/systemd/system', '/run/systemd/system', '/lib/systemd/system', '/usr/lib/systemd/system'];

/** A /dev/null link here is the administrator masking a unit; below, it is a package retiring one. */
const ADMIN_UNIT_DIRS = new Set(['/etc/systemd/system', '/run/systemd/system']);

/** More than any distribution ships in one unit directory; a directory bigger than this is not read past it. */
export const MAX_UNIT_DIRECTORY_ENTRIES = 10_000;
/** Alias links leading to alias links: systemd itself stops at a few; so do we. */
export const MAX_ALIAS_HOPS = 8;

interface IndexedEntry {
  /** The entry's canonical path. */
  path: string;
  kind: FileKind;
  linkTarget?: string;
  admin: boolean;
}

/** What a unit name stands for after aliases, templates and masks. */
export interface ResolvedUnit {
  /** The unit's own name: the alias target's name, or the instance of the template. */
  canonical: string;
  /** The unit file (a template's file for an instance), after links. */
  definition?: string;
  /** The /dev/null link that masks it. */
  maskedBy?: string;
}

/**
 * The top level of every unit directory, read once: which names exist where,
 * which links alias or mask what, and which *.wants / *.requires / *.d
 * directories there are. Lookups then cost no guest I/O except for links
 * that leave the search path.
 */
export class UnitIndex {
  private readonly resolved = new Map<string, ResolvedUnit | null>();
  private aliasMap: Map<string, Set<string>> | undefined;

  private constructor(
    private readonly guest: GuestTree,
    private readonly problems: FactProblem[],
    private readonly entries: Map<string, IndexedEntry[]>,
  ) {}

  static async read(guest: GuestTree, problems: FactProblem[]): Promise<UnitIndex> {
    const entries = new Map<string, IndexedEntry[]>();
    const seen = new Set<string>();
    for (const dir of UNIT_SEARCH_PATH) {
      // Merged /usr makes /lib/systemd/system and /usr/lib/systemd/system one directory: read it once.
      const canonical = await tryGuest(dir, problems, () => guest.resolve(dir));
      if (canonical === undefined || seen.has(canonical)) continue;
      seen.add(canonical);
      const listing = await tryGuest(dir, problems, () => guest.listDetailed(canonical));
      if (!listing) continue;
      if (listing.truncated || listing.entries.length > MAX_UNIT_DIRECTORY_ENTRIES) {
        problems.push({ path: dir, message: `${dir}: more than ${MAX_UNIT_DIRECTORY_ENTRIES} entries; the rest were not read` });
      }
      for (const entry of listing.entries.slice(0, MAX_UNIT_DIRECTORY_ENTRIES)) {
        if (entry.error || !entry.stat) {
          problems.push({ path: entry.path, message: entry.error ?? `${entry.path}: unreadable` });
          continue;
        }
        const list = entries.get(entry.name) ?? [];
        list.push({ path: entry.path, kind: entry.stat.kind, linkTarget: entry.linkTarget, admin: ADMIN_UNIT_DIRS.has(dir) });
        entries.set(entry.name, list);
      }
    }
    return new UnitIndex(guest, problems, entries);
  }

  /** Whether any unit directory has an entry of that name (a file, a link, a mask). */
  has(name: string): boolean {
    return this.entries.has(name);
  }

  /** Units masked by the administrator: /dev/null links in /etc/systemd/system or /run/systemd/system. */
  maskedUnits(): string[] {
    const masked: string[] = [];
    for (const [name, list] of this.entries) {
      if (list.some((entry) => entry.admin && isDevNullLink(entry))) masked.push(name);
    }
    return masked.sort();
  }

  /** The existing NAME.wants and NAME.requires directories, highest priority first. */
  dependencyDirectories(name: string): string[] {
    const dirs: string[] = [];
    for (const suffix of ['.wants', '.requires']) {
      for (const entry of this.entries.get(`${name}${suffix}`) ?? []) {
        if (entry.kind === 'directory' || entry.kind === 'symlink') dirs.push(entry.path);
      }
    }
    return dirs;
  }

  /** The existing NAME.d drop-in directories, highest priority first. */
  dropInDirectories(name: string): string[] {
    return (this.entries.get(`${name}.d`) ?? []).filter((e) => e.kind === 'directory' || e.kind === 'symlink').map((e) => e.path);
  }

  /** Resolves a unit name the way systemd loads it: first directory wins, aliases followed, templates for instances. */
  async lookup(name: string): Promise<ResolvedUnit | undefined> {
    return this.lookupBounded(name, 0);
  }

  private async lookupBounded(name: string, hops: number): Promise<ResolvedUnit | undefined> {
    const known = this.resolved.get(name);
    if (known !== undefined) return known ?? undefined;
    if (hops > MAX_ALIAS_HOPS) return undefined;
    const found = await this.lookupUncached(name, hops);
    this.resolved.set(name, found ?? null);
    return found;
  }

  private async lookupUncached(name: string, hops: number): Promise<ResolvedUnit | undefined> {
    for (const entry of this.entries.get(name) ?? []) {
      if (entry.kind === 'file') return { canonical: name, definition: entry.path };
      if (entry.kind !== 'symlink' || entry.linkTarget === undefined) continue;
      if (isDevNullLink(entry)) return { canonical: name, maskedBy: entry.path };
      const target = linkTargetPath(entry.path, entry.linkTarget);
      const targetName = guestBasename(target);
      if (targetName !== name && unitType(targetName) === unitType(name)) {
        // An alias: the link's name is another name of the unit its target is named after.
        const unit = await this.lookupBounded(targetName, hops + 1);
        if (unit) return instantiate(unit, name);
      }
      const end = await followGuestLinks(this.guest, target, this.problems);
      if (end.path === '/dev/null') return { canonical: name, maskedBy: entry.path };
      if (end.kind === 'file') return { canonical: name, definition: end.path };
      // A dangling link: systemd would not load from it, so a lower directory may still provide the unit.
    }
    const template = templateOf(name);
    if (template) {
      const unit = await this.lookupBounded(template, hops + 1);
      if (unit) return instantiate(unit, name);
    }
    return undefined;
  }

  /** Other names of a unit: alias links anywhere in the search path that lead to it (for an instance, its template's aliases). */
  async aliasesOf(canonical: string): Promise<string[]> {
    const map = await this.buildAliasMap();
    const aliases = new Set(map.get(canonical) ?? []);
    const template = templateOf(canonical);
    const instance = splitInstance(canonical)?.instance;
    if (template && instance) {
      for (const alias of map.get(template) ?? []) {
        const instanceAlias = instanceOf(alias, instance);
        if (instanceAlias) aliases.add(instanceAlias);
      }
    }
    aliases.delete(canonical);
    return [...aliases].sort();
  }

  private async buildAliasMap(): Promise<Map<string, Set<string>>> {
    if (this.aliasMap) return this.aliasMap;
    const map = new Map<string, Set<string>>();
    for (const [name, list] of this.entries) {
      const link = list.find((entry) => entry.kind === 'symlink' && entry.linkTarget !== undefined);
      if (!link || isDevNullLink(link)) continue;
      const targetName = guestBasename(linkTargetPath(link.path, link.linkTarget!));
      if (targetName === name || unitType(targetName) === undefined) continue;
      const unit = await this.lookup(name);
      if (!unit || unit.maskedBy || unit.canonical === name) continue;
      const names = map.get(unit.canonical) ?? new Set<string>();
      names.add(name);
      map.set(unit.canonical, names);
    }
    this.aliasMap = map;
    return map;
  }
}

function isDevNullLink(entry: IndexedEntry): boolean {
  return entry.kind === 'symlink' && entry.linkTarget !== undefined && linkTargetPath(entry.path, entry.linkTarget) === '/dev/null';
}

/** A unit reached through `name`: when name is an instance and the unit a template, the unit is that instance. */
function instantiate(unit: ResolvedUnit, name: string): ResolvedUnit {
  const instance = splitInstance(name)?.instance;
  const unitParts = splitInstance(unit.canonical);
  if (!instance || !unitParts || unitParts.instance !== '') return unit;
  return { ...unit, canonical: instanceOf(unit.canonical, instance) ?? unit.canonical };
}
