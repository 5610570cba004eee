// The guest's installed packages, from the package manager's own database.
import type { GuestTree } from '../guest/guest-tree.js';
import type { FactProblem, InstalledPackage, PackageFacts } from './guest-facts.js';
import { readGuestText, tryGuest } from './read-guest-text.js';

/** A desktop Debian's dpkg status is a few MiB; 64 MiB leaves room and still fits in memory. */
export const MAX_PACKAGE_DB_BYTES = 64 * 1024 * 1024;
/** Far above any real system (a full desktop has some 5 000). */
export const MAX_PACKAGES = 100_000;

export const DPKG_STATUS = '/var/lib/dpkg/status';
export const APK_INSTALLED = '/lib/apk/db/installed';

/**
 * Where the RPM database lives: /var/lib/rpm until Fedora 36 and openSUSE
 * moved it to /usr/lib/sysimage/rpm. rpmdb.sqlite (RPM >= 4.16), Packages
 * (BerkeleyDB), Packages.db (SUSE's ndb).
 */
const RPM_DATABASES = [
  '/var/lib/rpm/rpmdb.sqlite',
  '/var/lib/rpm/Packages',
  '/var/lib/rpm/Packages.db',
  '/usr/lib/sysimage/rpm/rpmdb.sqlite',
  '/usr/lib/sysimage/rpm/Packages',
  '/usr/lib/sysimage/rpm/Packages.db',
];

const RPM_NOTE =
  'The RPM database is there but not read: it is an sqlite, BerkeleyDB or ndb file, which needs a reader for that format, ' +
  'and no rule needs the package list yet.';

export interface ParsedPackages {
  packages: InstalledPackage[];
  /** More than `maxPackages` were listed; the rest are left out. */
  truncated: boolean;
}

/** Paragraphs of a deb822-style file: blank-line separated groups of lines. */
function* paragraphs(text: string): Generator<string[]> {
  let lines: string[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') {
      if (lines.length > 0) yield lines;
      lines = [];
    } else {
      lines.push(line.endsWith('\r') ? line.slice(0, -1) : line);
    }
  }
  if (lines.length > 0) yield lines;
}

/**
 * /var/lib/dpkg/status (deb-control(5) paragraphs). A package is installed
 * when the third word of Status is "installed", whatever the first (install,
 * hold, deinstall) asks for next; "config-files", "not-installed" and the
 * half-done states are left out. Continuation lines (a space or tab first,
 * as in Description) belong to the field above and are never fields.
 */
export function parseDpkgStatus(text: string, maxPackages = MAX_PACKAGES): ParsedPackages {
  const packages: InstalledPackage[] = [];
  for (const lines of paragraphs(text)) {
    const fields = new Map<string, string>();
    for (const line of lines) {
      if (line.startsWith(' ') || line.startsWith('\t')) continue;
      const colon = line.indexOf(':');
      if (colon > 0) fields.set(line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim());
    }
    const name = fields.get('package');
    const state = fields.get('status')?.split(/\s+/)[2];
    if (!name || state !== 'installed') continue;
    if (packages.length >= maxPackages) return { packages, truncated: true };
    packages.push({ name, version: fields.get('version') ?? '' });
  }
  return { packages, truncated: false };
}

/**
 * /lib/apk/db/installed: one paragraph per installed package, one "X:value"
 * line per field; P: is the name and V: the version (a lower-case p: is
 * "provides", and the case matters).
 */
export function parseApkInstalled(text: string, maxPackages = MAX_PACKAGES): ParsedPackages {
  const packages: InstalledPackage[] = [];
  for (const lines of paragraphs(text)) {
    const name = lines.find((line) => line.startsWith('P:'))?.slice(2).trim();
    if (!name) continue;
    if (packages.length >= maxPackages) return { packages, truncated: true };
    packages.push({ name, version: lines.find((line) => line.startsWith('V:'))?.slice(2).trim() ?? '' });
  }
  return { packages, truncated: false };
}

/** Packages from dpkg, else apk; an RPM database is only detected. */
export async function readPackageFacts(guest: GuestTree): Promise<PackageFacts> {
  const problems: FactProblem[] = [];
  const readers: Array<[string, 'dpkg' | 'apk', (text: string) => ParsedPackages]> = [
    [DPKG_STATUS, 'dpkg', (text) => parseDpkgStatus(text)],
    [APK_INSTALLED, 'apk', (text) => parseApkInstalled(text)],
  ];
  for (const [path, manager, parse] of readers) {
    if (!(await tryGuest(path, problems, () => guest.exists(path)))) continue;
    const text = await readGuestText(guest, path, problems, MAX_PACKAGE_DB_BYTES);
    const { packages, truncated } = text === undefined ? { packages: [], truncated: false } : parse(text);
    if (truncated) problems.push({ path, message: `${path}: more than ${MAX_PACKAGES} packages; only the first ${MAX_PACKAGES} are listed` });
    return { manager, source: path, packages, problems };
  }
  for (const path of RPM_DATABASES) {
    if (await tryGuest(path, problems, () => guest.exists(path))) {
      return { manager: 'rpm', source: path, packages: [], note: RPM_NOTE, problems };
    }
  }
  return { manager: 'none', packages: [], problems };
}
