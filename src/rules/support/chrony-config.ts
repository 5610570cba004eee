// chrony.conf(5) as far as time sources go: the directives that name a
// source, and the ones that pull in more files. Pure: text in, values out.

/** A directive that gives chronyd something to synchronise with. */
export interface TimeSource {
  /** server, pool, peer, refclock ... as written (lower-case). */
  directive: string;
  /** The rest of the line: the host name, or the driver and its device. */
  value: string;
  line: number;
}

export interface ChronyConfig {
  sources: TimeSource[];
  /** include PATTERN: a glob of files read in place. */
  includes: { pattern: string; line: number }[];
  /** confdir DIR...: *.conf files of the directories, by name across them (the first directory wins a name). */
  confdirs: { directories: string[]; line: number }[];
  /** sourcedir DIR...: *.sources files holding only source directives, re-read by chronyd at run time. */
  sourcedirs: { directories: string[]; line: number }[];
}

/** The directives chrony takes as time sources (refclock: a hardware clock such as a hypervisor's PTP device). */
const SOURCE_DIRECTIVES = new Set(['server', 'pool', 'peer', 'refclock']);

/** Lines with their numbers, comments gone: chrony comments start with #, %, ! or ; (chrony.conf(5)). */
function directiveLines(text: string): { words: string[]; line: number }[] {
  const lines: { words: string[]; line: number }[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const content = raw.trim();
    if (content === '' || '#%!;'.includes(content[0]!)) return;
    lines.push({ words: content.split(/\s+/), line: index + 1 });
  });
  return lines;
}

/**
 * One chrony configuration file. `sourcesOnly` reads it as a sourcedir's
 * *.sources file, where chronyd accepts source directives and nothing else.
 */
export function parseChronyConfig(text: string, sourcesOnly = false): ChronyConfig {
  const config: ChronyConfig = { sources: [], includes: [], confdirs: [], sourcedirs: [] };
  for (const { words, line } of directiveLines(text)) {
    const [directive, ...rest] = words as [string, ...string[]];
    const keyword = directive.toLowerCase();
    if (SOURCE_DIRECTIVES.has(keyword)) {
      if (rest.length > 0) config.sources.push({ directive: keyword, value: rest.join(' '), line });
    } else if (sourcesOnly || rest.length === 0) {
      continue;
    } else if (keyword === 'include') {
      config.includes.push({ pattern: rest[0]!, line });
    } else if (keyword === 'confdir') {
      config.confdirs.push({ directories: rest, line });
    } else if (keyword === 'sourcedir') {
      config.sourcedirs.push({ directories: rest, line });
    }
  }
  return config;
}
