// systemd-timesyncd's servers (timesyncd.conf(5)): NTP= and FallbackNTP=
// of the [Time] section across the main file and its drop-ins. Pure.
import { parseIniSections, SYSTEMD_DIALECT } from '../../inspect/facts/network/ini-sections.js';

export interface TimesyncdAssignment {
  key: 'NTP' | 'FallbackNTP';
  /** The servers it lists; none for an empty assignment, which resets the list. */
  servers: string[];
  path: string;
  line: number;
}

export interface TimesyncdServers {
  ntp: string[];
  /** The FallbackNTP= list the files give, or undefined when no file sets it and the compiled-in list applies. */
  fallback?: string[];
  /** The last assignment that set a non-empty list, for pointing at it. */
  lastSet?: TimesyncdAssignment;
}

/** The NTP= and FallbackNTP= lines of one file, in order. */
export function parseTimesyncdConfig(text: string, path: string): TimesyncdAssignment[] {
  const assignments: TimesyncdAssignment[] = [];
  for (const section of parseIniSections(text, SYSTEMD_DIALECT)) {
    if (section.name !== 'Time') continue;
    for (const entry of section.entries) {
      if (entry.key !== 'NTP' && entry.key !== 'FallbackNTP') continue;
      assignments.push({ key: entry.key, servers: entry.value.split(/\s+/).filter((s) => s !== ''), path, line: entry.line });
    }
  }
  return assignments;
}

/**
 * The lists the assignments leave, in the order timesyncd reads its files
 * (main file, then drop-ins by name): each list grows with every
 * assignment and an empty one clears it; a FallbackNTP= anywhere, even an
 * empty one, replaces the compiled-in fallback list.
 */
export function timesyncdServers(assignments: readonly TimesyncdAssignment[]): TimesyncdServers {
  const result: TimesyncdServers = { ntp: [] };
  for (const assignment of assignments) {
    const list = assignment.key === 'NTP' ? result.ntp : (result.fallback ??= []);
    if (assignment.servers.length === 0) list.length = 0;
    else {
      list.push(...assignment.servers);
      result.lastSet = assignment;
    }
  }
  return result;
}

/**
 * The compiled-in fallback list as the packaged timesyncd.conf documents it
 * ("Entries in this file show the compile time defaults"): the servers of
 * its commented "#FallbackNTP=" line. Undefined when the file has no such
 * line (an administrator's own file), so the build's list is not known.
 */
export function documentedFallbackServers(text: string): string[] | undefined {
  const line = /^[#;]\s*FallbackNTP=(.*)$/m.exec(text);
  return line ? line[1]!.split(/\s+/).filter((s) => s !== '') : undefined;
}
