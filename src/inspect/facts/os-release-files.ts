// The release files distributions kept before os-release(5) (and still ship
// beside it): pure parsers, text in, the os-release style answer out. Each
// gives undefined when the text is not what that file holds, so the caller
// can try the next file.
import { parseOsRelease } from '../guest/os-name.js';
import type { OsFacts } from './guest-facts.js';

export type ReleaseInfo = Pick<OsFacts, 'id' | 'idLike' | 'name' | 'version' | 'prettyName'>;

/**
 * ID_LIKE as the distributions' own os-release files give it, so a guest
 * known only from an older file compares the same way as a newer one.
 */
const ID_LIKE: Record<string, string[]> = {
  ubuntu: ['debian'],
  linuxmint: ['ubuntu', 'debian'],
  centos: ['rhel', 'fedora'],
  rhel: ['fedora'],
  scientific: ['rhel', 'centos', 'fedora'],
  rocky: ['rhel', 'centos', 'fedora'],
  almalinux: ['rhel', 'centos', 'fedora'],
  ol: ['fedora'],
  opensuse: ['suse'],
  sles: ['suse'],
  sled: ['suse'],
};

function release(id: string, fields: Omit<ReleaseInfo, 'id' | 'idLike'>): ReleaseInfo {
  return { id, idLike: ID_LIKE[id] ?? [], ...fields };
}

/** os-release(5) fields (from parseOsRelease), or undefined when it names nothing. */
export function osReleaseInfo(fields: Record<string, string>): ReleaseInfo | undefined {
  if (!fields.ID && !fields.NAME && !fields.PRETTY_NAME) return undefined;
  return {
    id: fields.ID || undefined,
    idLike: (fields.ID_LIKE ?? '').split(/\s+/).filter(Boolean),
    name: fields.NAME || undefined,
    version: fields.VERSION_ID || undefined,
    prettyName: fields.PRETTY_NAME || undefined,
  };
}

/**
 * /etc/lsb-release (Ubuntu, Mint): DISTRIB_ID, DISTRIB_RELEASE,
 * DISTRIB_DESCRIPTION. Without DISTRIB_ID it says nothing about the
 * distribution (redhat-lsb writes one holding only LSB_VERSION).
 */
export function parseLsbRelease(text: string): ReleaseInfo | undefined {
  const fields = parseOsRelease(text);
  const name = fields.DISTRIB_ID;
  if (!name) return undefined;
  return release(name.toLowerCase(), {
    name,
    version: fields.DISTRIB_RELEASE || undefined,
    prettyName: fields.DISTRIB_DESCRIPTION || undefined,
  });
}

/** The product name before "release" in /etc/redhat-release -> os-release ID. */
const REDHAT_IDS: Array<[RegExp, string]> = [
  [/^Red Hat Enterprise Linux/i, 'rhel'],
  [/^CentOS/i, 'centos'],
  [/^Fedora/i, 'fedora'],
  [/^Rocky Linux/i, 'rocky'],
  [/^AlmaLinux/i, 'almalinux'],
  [/^Scientific Linux/i, 'scientific'],
  [/^Oracle Linux/i, 'ol'],
];

/**
 * /etc/redhat-release, one line: "CentOS release 6.10 (Final)", "CentOS
 * Linux release 7.9.2009 (Core)", "Red Hat Enterprise Linux Server release
 * 7.9 (Maipo)", "Fedora release 20 (Heisenbug)".
 */
export function parseRedhatRelease(text: string): ReleaseInfo | undefined {
  const line = firstLine(text);
  const match = splitAtRelease(line);
  if (!match) return undefined;
  const { name, version } = match;
  const id = REDHAT_IDS.find(([pattern]) => pattern.test(name))?.[1];
  if (!id) return undefined;
  return release(id, { name, version, prettyName: line });
}

/**
 * "NAME release VERSION": the first word "release" (any case) with a word
 * before and after it. Word by word, because /^(.+?)\s+release\s+(\S+)/
 * backtracks quadratically over a long run of blanks.
 */
function splitAtRelease(line: string): { name: string; version: string } | undefined {
  const words = [...line.matchAll(/\S+/g)];
  for (let index = 1; index + 1 < words.length; index++) {
    if (words[index]![0].toLowerCase() !== 'release') continue;
    const before = words[index - 1]!;
    const name = line.slice(0, before.index + before[0].length);
    // As before: a name holding a line break (other than \n) is no name.
    return /[\r\u2028\u2029]/.test(name) ? undefined : { name, version: words[index + 1]![0] };
  }
  return undefined;
}

/**
 * /etc/SuSE-release: a title line, then "KEY = value" lines.
 *   openSUSE 13.1 (x86_64)            SUSE Linux Enterprise Server 11 (x86_64)
 *   VERSION = 13.1                    VERSION = 11
 *   CODENAME = Bottle                 PATCHLEVEL = 4
 * SLES names a service pack by PATCHLEVEL; its os-release writes 11.4 and "11 SP4".
 */
export function parseSuseRelease(text: string): ReleaseInfo | undefined {
  const title = firstLine(text);
  const fields: Record<string, string> = {};
  for (const line of text.split('\n').slice(1)) {
    // The value trimmed by trim(), not by /\s*(.*?)\s*$/, which is quadratic over a long run of blanks.
    const match = /^\s*([A-Z_]+)\s*=([^]*)$/.exec(line);
    if (match) fields[match[1]!] = match[2]!.trim();
  }
  // The title without its "(x86_64)" and without the version number.
  const name = withoutFinalNumber(withoutFinalParenthesis(title));
  const id = /^openSUSE/i.test(name) ? 'opensuse'
    : /Enterprise Server/i.test(name) ? 'sles'
      : /Enterprise Desktop/i.test(name) ? 'sled'
        : undefined;
  if (!id) return undefined;
  const version = fields.VERSION || /\s(\d[\d.]*)(?:\s|$)/.exec(title)?.[1];
  const patchLevel = fields.PATCHLEVEL && fields.PATCHLEVEL !== '0' ? fields.PATCHLEVEL : undefined;
  if (patchLevel && version) {
    return release(id, { name, version: `${version}.${patchLevel}`, prettyName: `${name} ${version} SP${patchLevel}` });
  }
  return release(id, { name, version, prettyName: title });
}

/** /etc/alpine-release: the version alone, "3.18.4". */
export function parseAlpineRelease(text: string): ReleaseInfo | undefined {
  const version = firstLine(text);
  if (!/^\d+(\.\d+)*(_\w+)?$/.test(version)) return undefined;
  const branch = version.split('.').slice(0, 2).join('.');
  return release('alpine', { name: 'Alpine Linux', version, prettyName: `Alpine Linux v${branch}` });
}

/**
 * /etc/debian_version: a point release ("7.11", "12.4") on stable, the
 * codename of the next release on testing and unstable ("bookworm/sid"),
 * which is no version number.
 */
export function parseDebianVersion(text: string): ReleaseInfo | undefined {
  const value = firstLine(text);
  if (!value || /\s/.test(value)) return undefined;
  const version = /^\d/.test(value) ? value : undefined;
  return release('debian', { name: 'Debian GNU/Linux', version, prettyName: `Debian GNU/Linux ${value}` });
}

// The two title helpers scan instead of matching /\s*\([^)]*\)\s*$/ and
// /\s+\d[\d.]*$/: a regular expression retries those at every blank, digit
// or "(" of a long run and backtracks to its end each time (quadratic).

/** "openSUSE 13.1 (x86_64)" -> "openSUSE 13.1": a final parenthesis and the blanks around it. */
function withoutFinalParenthesis(title: string): string {
  const trimmed = title.trimEnd();
  if (!trimmed.endsWith(')')) return title;
  const open = trimmed.indexOf('(', trimmed.lastIndexOf(')', trimmed.length - 2) + 1);
  return open < 0 ? title : trimmed.slice(0, open).trimEnd();
}

/** "openSUSE 13.1" -> "openSUSE": a final number of digits and dots, after a blank. */
function withoutFinalNumber(name: string): string {
  let start = name.length;
  while (start > 0 && /[\d.]/.test(name[start - 1]!)) start--;
  if (start === name.length || !/\d/.test(name[start]!) || start === 0 || !/\s/.test(name[start - 1]!)) return name;
  return name.slice(0, start).trimEnd();
}

function firstLine(text: string): string {
  return (text.split('\n').find((line) => line.trim() !== '') ?? '').trim();
}
