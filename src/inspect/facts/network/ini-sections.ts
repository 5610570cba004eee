// The "[Section]" + "Key=value" files of systemd (.network, .link) and of
// NetworkManager (GLib key files). The two differ in small ways, given as a
// dialect rather than two parsers.

export interface IniEntry {
  key: string;
  value: string;
  /** 1-based line where the entry starts. */
  line: number;
}

export interface IniSection {
  name: string;
  line: number;
  entries: IniEntry[];
}

export interface IniDialect {
  /** Characters that start a comment line. */
  commentStarts: string;
  /** systemd joins a line ending in "\" with the next; GLib does not. */
  lineContinuation: boolean;
  /** Characters that end a key, the first one on the line counting: "=" (the default) for systemd and GLib; Python's ConfigParser takes ":" too. */
  keyValueSeparators?: string;
}

export const SYSTEMD_DIALECT: IniDialect = { commentStarts: '#;', lineContinuation: true };
export const GLIB_KEYFILE_DIALECT: IniDialect = { commentStarts: '#', lineContinuation: false };

/**
 * Sections in file order, repeated sections kept apart (systemd allows
 * several [Address] sections). Entries before the first section belong to
 * no section and are dropped, as both systemd and GLib refuse them.
 */
export function parseIniSections(text: string, dialect: IniDialect): IniSection[] {
  const sections: IniSection[] = [];
  let current: IniSection | undefined;
  const lines = text.split(/\r?\n/);
  for (let index = 0; index < lines.length; index++) {
    const line = index + 1;
    const first = lines[index]!.trim();
    if (first === '' || dialect.commentStarts.includes(first[0]!)) continue;
    // The parts of a continued line are joined once at the end: joining as
    // it goes copies the growing value for every line (quadratic on a crafted file).
    const parts = [first];
    while (dialect.lineContinuation && parts[parts.length - 1]!.endsWith('\\') && index + 1 < lines.length) {
      parts[parts.length - 1] = parts[parts.length - 1]!.slice(0, -1);
      index++;
      parts.push(lines[index]!.trim());
    }
    const content = parts.length === 1 ? first : parts.join(' ');
    if (content.startsWith('[')) {
      const end = content.indexOf(']');
      current = { name: content.slice(1, end === -1 ? undefined : end).trim(), line, entries: [] };
      sections.push(current);
      continue;
    }
    const separators = dialect.keyValueSeparators ?? '=';
    let equals = -1;
    for (let at = 0; at < content.length && equals === -1; at++) if (separators.includes(content[at]!)) equals = at;
    if (equals === -1 || !current) continue;
    current.entries.push({ key: content.slice(0, equals).trim(), value: content.slice(equals + 1).trim(), line });
  }
  return sections;
}

/** The last value given to `key` in the sections named `section` (later assignments win). */
export function lastValue(sections: readonly IniSection[], section: string, key: string): IniEntry | undefined {
  let found: IniEntry | undefined;
  for (const s of sections) {
    if (s.name !== section) continue;
    for (const entry of s.entries) if (entry.key === key) found = entry;
  }
  return found;
}

/** Every value given to `key` in the sections named `section`, in order. */
export function allValues(sections: readonly IniSection[], section: string, key: string): IniEntry[] {
  return sections.filter((s) => s.name === section).flatMap((s) => s.entries.filter((entry) => entry.key === key));
}
