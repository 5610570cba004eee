// Pure helpers for systemd unit files and unit names (systemd.unit(5),
// systemd.syntax(7)): text in, values out. The collector that walks the
// guest's unit directories lives in systemd-unit-index.ts.

/** What a unit file says about starting other units, and about how it is enabled. */
export interface UnitFileDependencies {
  /** [Unit] Wants=, Requires=, BindsTo= and Upholds=: units started along with this one. */
  pulls: string[];
  /** [Install] Alias=: names `systemctl enable` links to the unit. */
  alias: string[];
  /** [Install] WantedBy= and RequiredBy=. */
  installedBy: string[];
  /** [Install] DefaultInstance=, for templates. */
  defaultInstance?: string;
}

/** Dependencies that make systemd start the other unit too (After=/Before= only order, Requisite= never starts). */
const PULLING_KEYS = new Set(['Wants', 'Requires', 'BindsTo', 'Upholds']);
const INSTALL_LIST_KEYS = new Set(['Alias', 'WantedBy', 'RequiredBy']);

/** The suffixes of unit types; anything else is not a unit name. */
export const UNIT_TYPES = ['service', 'socket', 'target', 'device', 'mount', 'automount', 'swap', 'path', 'timer', 'slice', 'scope'] as const;

/** One logical line of a unit file, and the 1-based line of the file where it starts. */
export interface UnitFileLine {
  text: string;
  line: number;
}

/**
 * Logical lines of a unit file: comment lines (# or ;) dropped, lines ending
 * in a backslash joined with the next (with a space, as systemd does), and
 * comment lines inside such a continuation skipped.
 */
export function logicalLines(text: string): UnitFileLine[] {
  const lines: UnitFileLine[] = [];
  let pending: UnitFileLine | undefined;
  for (const [index, raw] of text.split(/\r?\n/).entries()) {
    const trimmed = raw.trim();
    if (pending !== undefined && (trimmed.startsWith('#') || trimmed.startsWith(';'))) continue;
    if (pending === undefined && (trimmed === '' || trimmed.startsWith('#') || trimmed.startsWith(';'))) continue;
    const continued = trimmed.endsWith('\\');
    const body = continued ? trimmed.slice(0, -1) : trimmed;
    pending = pending === undefined ? { text: body, line: index + 1 } : { text: `${pending.text} ${body}`, line: pending.line };
    if (!continued) {
      lines.push(pending);
      pending = undefined;
    }
  }
  if (pending !== undefined) lines.push(pending);
  return lines;
}

/** Splits a value into words, honouring "double" and 'single' quotes as systemd's extract_first_word does. */
export function splitUnitWords(value: string): string[] {
  const words: string[] = [];
  const pattern = /"([^"]*)"|'([^']*)'|(\S+)/g;
  for (let match = pattern.exec(value); match; match = pattern.exec(value)) {
    words.push(match[1] ?? match[2] ?? match[3]!);
  }
  return words;
}

/** Parses the dependency and [Install] settings of one unit file (or drop-in). */
export function parseUnitFile(text: string): UnitFileDependencies {
  const result: UnitFileDependencies = { pulls: [], alias: [], installedBy: [] };
  let section = '';
  for (const { text: line } of logicalLines(text)) {
    const header = /^\[([^\]]+)\]$/.exec(line);
    if (header) {
      section = header[1]!;
      continue;
    }
    const equals = line.indexOf('=');
    if (equals <= 0) continue;
    const key = line.slice(0, equals).trim();
    const value = line.slice(equals + 1).trim();
    if (section === 'Unit' && PULLING_KEYS.has(key)) {
      // An empty Wants= cannot take back dependencies; systemd ignores it.
      result.pulls.push(...splitUnitWords(value));
    } else if (section === 'Install' && INSTALL_LIST_KEYS.has(key)) {
      const target = key === 'Alias' ? result.alias : result.installedBy;
      // In [Install], an empty assignment resets the list (systemd install.c).
      if (value === '') target.length = 0;
      else target.push(...splitUnitWords(value));
    } else if (section === 'Install' && key === 'DefaultInstance') {
      result.defaultInstance = value === '' ? undefined : value;
    }
  }
  return result;
}

/** The unit's type ("service", "socket" ...), or undefined when the name has no known unit suffix. */
export function unitType(name: string): string | undefined {
  const dot = name.lastIndexOf('.');
  if (dot <= 0) return undefined;
  const suffix = name.slice(dot + 1);
  return (UNIT_TYPES as readonly string[]).includes(suffix) ? suffix : undefined;
}

/** A unit name split at its "@": "getty@tty1.service" -> getty, tty1, service; undefined when it is not a template or an instance. */
export function splitInstance(name: string): { prefix: string; instance: string; type: string } | undefined {
  const type = unitType(name);
  if (!type) return undefined;
  const stem = name.slice(0, -(type.length + 1));
  const at = stem.indexOf('@');
  if (at <= 0) return undefined;
  return { prefix: stem.slice(0, at), instance: stem.slice(at + 1), type };
}

/** "getty@.service" */
export function isTemplate(name: string): boolean {
  const parts = splitInstance(name);
  return parts !== undefined && parts.instance === '';
}

/** The template an instance is made from: "getty@tty1.service" -> "getty@.service". */
export function templateOf(name: string): string | undefined {
  const parts = splitInstance(name);
  if (!parts || parts.instance === '') return undefined;
  return `${parts.prefix}@.${parts.type}`;
}

/** The instance of a template: ("getty@.service", "tty1") -> "getty@tty1.service". */
export function instanceOf(template: string, instance: string): string | undefined {
  const parts = splitInstance(template);
  if (!parts || parts.instance !== '') return undefined;
  return `${parts.prefix}@${instance}.${parts.type}`;
}

/**
 * Expands the unit-name specifiers a dependency can use (%n %N %p %P %i %I
 * %j %J %%). A value with any other specifier (host name, machine id ...)
 * depends on the running system and is dropped: undefined.
 */
export function expandUnitSpecifiers(value: string, unitName: string): string | undefined {
  const type = unitType(unitName);
  const stem = type ? unitName.slice(0, -(type.length + 1)) : unitName;
  const parts = splitInstance(unitName);
  const prefix = parts ? parts.prefix : stem;
  const instance = parts ? parts.instance : '';
  const lastDash = prefix.lastIndexOf('-');
  const final = lastDash >= 0 ? prefix.slice(lastDash + 1) : prefix;
  const values: Record<string, string> = {
    n: unitName, N: stem, p: prefix, P: prefix, i: instance, I: instance, j: final, J: final, '%': '%',
  };
  let unknown = false;
  const expanded = value.replace(/%(.)/g, (_whole, letter: string) => {
    const replacement = values[letter];
    if (replacement === undefined) unknown = true;
    return replacement ?? '';
  });
  return unknown ? undefined : expanded;
}
