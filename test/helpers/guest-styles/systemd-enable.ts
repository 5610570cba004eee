// `systemctl enable` on a Tree: the links a unit's [Install] section asks for,
// written where systemctl writes them (/etc/systemd/system) and pointing where
// systemctl points them (the unit file's path in its search path).
import type { Tree } from '../build-image.js';
import { readTreeText } from './tree-paths.js';

/** Also= chains are short in practice; a longer one is a loop in the fixture. */
export const MAX_ALSO_DEPTH = 8;
const ADMIN_UNIT_DIR = '/etc/systemd/system';
/** Where Debian 12's systemctl finds packaged units (and names them in links). */
export const DEBIAN_UNIT_DIR = '/lib/systemd/system';
/** Where RHEL 9's systemctl finds them. */
export const RHEL_UNIT_DIR = '/usr/lib/systemd/system';

/** The settings of one section of a unit file, each key with its values in order. */
export function parseUnitSection(text: string, section: string): Map<string, string[]> {
  const settings = new Map<string, string[]>();
  let current = '';
  // A trailing backslash continues the line (systemd.syntax(7)).
  const lines = text.replace(/\\\r?\n/g, ' ').split(/\r?\n/);
  for (const raw of lines) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    if (line.startsWith('[') && line.endsWith(']')) {
      current = line.slice(1, -1);
      continue;
    }
    const equals = line.indexOf('=');
    if (current !== section || equals < 0) continue;
    const key = line.slice(0, equals).trim();
    const value = line.slice(equals + 1).trim();
    // An empty assignment resets the list, as systemd reads it.
    if (value === '') settings.set(key, []);
    else settings.set(key, [...(settings.get(key) ?? []), ...value.split(/\s+/)]);
  }
  return settings;
}

interface UnitName {
  /** The file that defines it: "getty@.service" for "getty@tty1.service". */
  fileName: string;
  /** The instance given, or undefined for a plain unit or a bare template. */
  instance?: string;
  prefix: string;
  suffix: string;
}

function splitUnitName(unitName: string): UnitName {
  const dot = unitName.lastIndexOf('.');
  if (dot <= 0) throw new Error(`${unitName}: not a unit name (no type suffix)`);
  const suffix = unitName.slice(dot);
  const stem = unitName.slice(0, dot);
  const at = stem.indexOf('@');
  if (at < 0) return { fileName: unitName, prefix: stem, suffix };
  const instance = stem.slice(at + 1);
  return { fileName: `${stem.slice(0, at + 1)}${suffix}`, instance: instance === '' ? undefined : instance, prefix: stem.slice(0, at + 1), suffix };
}

export interface SystemdEnableOptions {
  /**
   * The vendor unit folder as the guest's systemctl names it in links:
   * DEBIAN_UNIT_DIR (the default) or RHEL_UNIT_DIR. /etc/systemd/system is
   * searched first, as systemctl does.
   */
  root?: string;
}

/** Finds a unit file the way systemctl searches, returning the path links should name. */
function findUnit(tree: Tree, fileNames: string[], root: string): { linkTarget: string; text: string } | undefined {
  for (const dir of [ADMIN_UNIT_DIR, root]) {
    for (const fileName of fileNames) {
      const path = `${dir}/${fileName}`;
      const text = readTreeText(tree, path);
      if (text !== undefined) return { linkTarget: path, text };
    }
  }
  return undefined;
}

/**
 * Adds the links `systemctl enable unitName` creates from the unit's [Install]
 * section: WantedBy= (.wants/), RequiredBy= (.requires/), UpheldBy= (.upholds/),
 * Alias= (a link named after the alias) and Also= (enabled in turn). Returns
 * the guest paths of the links added. Throws when the unit is missing or has
 * no [Install] section (systemctl only warns; in a fixture it is a mistake).
 * Specifiers (%i ...) in [Install] are not expanded.
 */
export function systemdEnable(tree: Tree, unitName: string, options: SystemdEnableOptions = {}): string[] {
  const root = options.root ?? DEBIAN_UNIT_DIR;
  const added: string[] = [];
  const seen = new Set<string>();
  const enable = (name: string, depth: number): void => {
    if (seen.has(name)) return;
    if (depth > MAX_ALSO_DEPTH) throw new Error(`${unitName}: Also= goes deeper than ${MAX_ALSO_DEPTH} units`);
    seen.add(name);
    const parsed = splitUnitName(name);
    const candidates = parsed.instance !== undefined ? [name, parsed.fileName] : [name];
    const found = findUnit(tree, candidates, root);
    if (!found) throw new Error(`${name}: no unit file in ${ADMIN_UNIT_DIR} or ${root} of the tree`);
    const install = parseUnitSection(found.text, 'Install');
    if (install.size === 0) throw new Error(`${found.linkTarget}: no [Install] section, so it cannot be enabled`);
    const isTemplate = parsed.prefix.endsWith('@');
    const instance = parsed.instance ?? install.get('DefaultInstance')?.[0];
    // A bare template without DefaultInstance= gets no dependency links.
    const linkName = isTemplate ? (instance !== undefined ? `${parsed.prefix}${instance}${parsed.suffix}` : undefined) : name;
    const addLink = (path: string): void => {
      tree[path.slice(1)] = { symlink: found.linkTarget };
      added.push(path);
    };
    if (linkName !== undefined) {
      for (const [key, folder] of [['WantedBy', 'wants'], ['RequiredBy', 'requires'], ['UpheldBy', 'upholds']] as const) {
        for (const target of install.get(key) ?? []) addLink(`${ADMIN_UNIT_DIR}/${target}.${folder}/${linkName}`);
      }
    }
    for (const alias of install.get('Alias') ?? []) addLink(`${ADMIN_UNIT_DIR}/${alias}`);
    for (const also of install.get('Also') ?? []) enable(also, depth + 1);
  };
  enable(unitName, 0);
  return added;
}

