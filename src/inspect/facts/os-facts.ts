// Which operating system the image holds, and for which CPU.
import { parseOsRelease } from '../guest/os-name.js';
import type { GuestTree } from '../guest/guest-tree.js';
import { volumeName, type Volume } from '../volumes.js';
import { elfArchitecture } from './elf-architecture.js';
import type { FactProblem, OsFacts } from './guest-facts.js';
import {
  osReleaseInfo, parseAlpineRelease, parseDebianVersion, parseLsbRelease, parseRedhatRelease, parseSuseRelease,
  type ReleaseInfo,
} from './os-release-files.js';
import { readGuestText, tryGuest } from './read-guest-text.js';

/** Release files are a few lines; anything bigger is not one. */
const MAX_RELEASE_FILE_BYTES = 64 * 1024;

/** os-release(5): /etc first, /usr/lib when /etc has none. */
const OS_RELEASE_FILES = ['/etc/os-release', '/usr/lib/os-release'];

/**
 * The files older systems identify themselves by, most specific first:
 * Ubuntu also ships debian_version (holding a Debian codename), and CentOS
 * with redhat-lsb an lsb-release without DISTRIB_ID, which the parser skips.
 */
const OLDER_RELEASE_FILES: Array<[string, (text: string) => ReleaseInfo | undefined]> = [
  ['/etc/lsb-release', parseLsbRelease],
  ['/etc/redhat-release', parseRedhatRelease],
  ['/etc/SuSE-release', parseSuseRelease],
  ['/etc/alpine-release', parseAlpineRelease],
  ['/etc/debian_version', parseDebianVersion],
];

/** Binaries every Linux guest has, in the order their ELF header is trusted. */
const ARCHITECTURE_PROBES = ['/bin/sh', '/sbin/init', '/usr/bin/env'];
const ELF_HEADER_READ_BYTES = 64;

/**
 * The guest's OS from its release files and its architecture from the ELF
 * header of a core binary; with no Linux root, the kind of system the
 * partitions' filesystems point to.
 */
export async function readOsFacts(guest: GuestTree | null, volumes: Volume[]): Promise<OsFacts> {
  if (!guest) return osFromVolumes(volumes);
  // OsFacts has no problems list: a release file that cannot be read is
  // passed over like an absent one, and the next file answers.
  const problems: FactProblem[] = [];
  const facts: OsFacts = { family: 'linux', idLike: [] };
  const identified = await readReleaseFiles(guest, problems);
  if (identified) Object.assign(facts, identified.info, { source: identified.source });
  const architecture = await readArchitecture(guest, problems);
  if (architecture) {
    facts.architecture = architecture.architecture;
    facts.architectureSource = architecture.source;
  }
  return dropUndefined(facts);
}

async function readReleaseFiles(guest: GuestTree, problems: FactProblem[]): Promise<{ info: ReleaseInfo; source: string } | undefined> {
  // os-release wins even where an older file is more precise (Debian's
  // VERSION_ID "12" against debian_version "12.4"): it is what the
  // distribution itself declares, and what the guest's tools report.
  for (const path of OS_RELEASE_FILES) {
    const text = await readGuestText(guest, path, problems, MAX_RELEASE_FILE_BYTES);
    const info = text === undefined ? undefined : osReleaseInfo(parseOsRelease(text));
    if (info) return { info, source: path };
  }
  for (const [path, parse] of OLDER_RELEASE_FILES) {
    const text = await readGuestText(guest, path, problems, MAX_RELEASE_FILE_BYTES);
    const info = text === undefined ? undefined : parse(text);
    if (info) return { info, source: path };
  }
  return undefined;
}

async function readArchitecture(guest: GuestTree, problems: FactProblem[]): Promise<{ architecture: string; source: string } | undefined> {
  for (const path of ARCHITECTURE_PROBES) {
    const found = await tryGuest(path, problems, async () => {
      const canonical = await guest.resolve(path);
      if ((await guest.stat(canonical)).kind !== 'file') return undefined;
      const architecture = elfArchitecture(await guest.readBytes(canonical, 0, ELF_HEADER_READ_BYTES));
      return architecture ? { architecture, source: canonical } : undefined;
    });
    if (found) return found;
  }
  return undefined;
}

/**
 * Without a Linux root, the filesystems are the only evidence. spotlint has
 * no NTFS or UFS reader, so /Windows/System32 (or a BSD's /etc) cannot be
 * looked at: the filesystem's own boot sector or superblock, found by the
 * probe, is what says Windows or BSD.
 */
function osFromVolumes(volumes: Volume[]): OsFacts {
  const ntfs = volumes.find((volume) => volume.filesystem.type === 'ntfs');
  if (ntfs) return { family: 'windows', idLike: [], name: 'Windows', source: `NTFS boot sector of ${volumeName(ntfs)}` };
  const ufs = volumes.find((volume) => volume.filesystem.type === 'ufs');
  if (ufs) return { family: 'bsd', idLike: [], name: 'BSD (UFS filesystem)', source: `UFS superblock of ${volumeName(ufs)}` };
  return { family: 'unknown', idLike: [] };
}

/** `inspect --json` and deep-equal tests see only the fields that have a value. */
function dropUndefined(facts: OsFacts): OsFacts {
  return Object.fromEntries(Object.entries(facts).filter(([, value]) => value !== undefined)) as unknown as OsFacts;
}
