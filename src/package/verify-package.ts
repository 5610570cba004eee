import { parseManifest, MAX_MANIFEST_BYTES, type ManifestEntry } from './manifest.js';
import { DESCRIPTION_MEMBER, MANIFEST_MEMBER, MAX_PACKAGE_DISKS, isPlainMemberName } from './member-names.js';
import { readDescription, type ReadDescription } from './read-description.js';
import { isRegularMember, readPackage, type DecompressPlan, type DiskDigest, type PackageListing, type PackageMember } from './read-package.js';

/** description.xml, manifest.txt, at most four disks: anything near this many members is not a package. */
export const MAX_PACKAGE_MEMBERS = 64;
export const MAX_DESCRIPTION_BYTES = 1024 * 1024;
/** --max-disk-size's default: far above SpotCloud's 2 GB, far below what would fill a disk by surprise. */
export const DEFAULT_MAX_DISK_SIZE = 256n * 1024n ** 3n;

/** One thing wrong with a package; `member` is the archive member it concerns, when there is one. */
export interface PackageProblem {
  member?: string;
  message: string;
}

export interface VerifiedDisk {
  /** e.g. `hd0.img.gz` */
  member: string;
  /** e.g. `hd0.img`: the manifest's name, and the disk's name once unpacked. */
  imageName: string;
  /** e.g. `hda` */
  targetDev: string;
  size: bigint;
  md5: string;
}

export interface PackageVerdict {
  valid: boolean;
  problems: PackageProblem[];
  /** From description.xml, when it could be read. */
  description?: ReadDescription;
  /** The disks, in description.xml's order; complete only when `valid`. */
  disks: VerifiedDisk[];
}

export interface VerifyOptions {
  /** Manifest sizes above this are a problem, and such a disk is not decompressed. */
  maxDiskSize?: bigint;
}

/**
 * Checks an XVM2 package (XVM2.md) as a consumer would meet it: the tar
 * structure, that every member is a regular file with a plain top-level
 * name (consumers extract everything), description.xml and manifest.txt,
 * and each disk's gzip data, size and MD5 against the manifest.
 * Decompression stops as soon as a disk yields more than its manifest
 * size, so a package cannot make the check unpack more than it claims.
 *
 * Throws a SpotlintError when the file cannot be read or is not a tar
 * archive at all; everything else is a problem in the verdict.
 */
export async function verifyPackage(path: string, options: VerifyOptions = {}): Promise<PackageVerdict> {
  const maxDiskSize = options.maxDiskSize ?? DEFAULT_MAX_DISK_SIZE;
  const manifestOf = cachedManifest();
  // A disk that comes before manifest.txt cannot be checked against it in
  // the same pass; it is decompressed in a second one, so that no disk is
  // ever decompressed without its limit.
  const deferred = new Set<number>();
  const planFor = (entries: readonly ManifestEntry[], name: string): DecompressPlan | undefined => {
    const entry = manifestEntryFor(entries, name);
    return entry && entry.size <= maxDiskSize ? { limit: entry.size } : undefined;
  };
  const listing = await readPackage(path, {
    maxMembers: MAX_PACKAGE_MEMBERS,
    keepAtMost: (name) => (name === DESCRIPTION_MEMBER ? MAX_DESCRIPTION_BYTES : name === MANIFEST_MEMBER ? MAX_MANIFEST_BYTES : undefined),
    decompress: (name, earlier) => {
      if (!isDiskMemberName(name)) return undefined;
      const manifestMember = earlier.find((member) => member.name === MANIFEST_MEMBER && member.content);
      if (!manifestMember) {
        deferred.add(earlier.length);
        return undefined;
      }
      const manifest = manifestOf(manifestMember.content!);
      return manifest.ok ? planFor(manifest.entries, name) : undefined;
    },
  });
  const manifestMember = listing.members.find((member) => member.name === MANIFEST_MEMBER && member.content);
  const manifest = manifestMember ? manifestOf(manifestMember.content!) : undefined;
  if (deferred.size > 0 && manifest?.ok && !listing.structureProblem && !listing.tooManyMembers) {
    const second = await readPackage(path, {
      maxMembers: MAX_PACKAGE_MEMBERS,
      decompress: (name, earlier) => (deferred.has(earlier.length) ? planFor(manifest.entries, name) : undefined),
    });
    for (const index of deferred) {
      const member = listing.members[index];
      const again = second.members[index];
      if (member && again?.name === member.name) member.disk = again.disk;
    }
  }
  return judge(listing, maxDiskSize, manifestOf);
}

function cachedManifest(): (content: Buffer) => ReturnType<typeof parseManifest> {
  const parsed = new Map<Buffer, ReturnType<typeof parseManifest>>();
  return (content) => {
    let result = parsed.get(content);
    if (!result) {
      const text = decodeUtf8(content);
      result = text === undefined ? { ok: false, line: 0, problem: 'is not UTF-8 text' } : parseManifest(text);
      parsed.set(content, result);
    }
    return result;
  };
}

function decodeUtf8(bytes: Buffer): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

/** Consumers find the disks by their `.gz` ending (XVM2.md). */
function isDiskMemberName(name: string): boolean {
  return name.endsWith('.gz') && isPlainMemberName(name);
}

function manifestEntryFor(entries: readonly ManifestEntry[], member: string): ManifestEntry | undefined {
  return entries.find((entry) => `${entry.name}.gz` === member);
}

function judge(listing: PackageListing, maxDiskSize: bigint, manifestOf: ReturnType<typeof cachedManifest>): PackageVerdict {
  const problems: PackageProblem[] = [];
  const add = (member: string | undefined, message: string) => problems.push(member === undefined ? { message } : { member, message });

  if (listing.structureProblem) add(undefined, listing.structureProblem);
  else if (!listing.endMarker && !listing.tooManyMembers) add(undefined, 'the archive has no end-of-archive marker (two zero blocks): it is probably truncated');
  if (listing.tooManyMembers) add(undefined, `the archive holds more than ${MAX_PACKAGE_MEMBERS} members; a package holds description.xml, manifest.txt and at most ${MAX_PACKAGE_DISKS} disks (reading stopped there)`);

  checkMembers(listing.members, add);
  const usable = (member: PackageMember) => isRegularMember(member) && member.complete && isPlainMemberName(member.name);
  const byName = new Map<string, PackageMember>();
  for (const member of listing.members) if (usable(member) && !byName.has(member.name)) byName.set(member.name, member);
  // Members that are there but unusable (a link, cut short) have been reported already.
  const present = new Set(listing.members.map((member) => member.name));

  const description = checkDescription(byName.get(DESCRIPTION_MEMBER), listing, add);
  const manifestEntries = checkManifest(byName.get(MANIFEST_MEMBER), listing, manifestOf, add);

  const diskMembers = listing.members.filter((member) => usable(member) && isDiskMemberName(member.name));
  const described = new Set(description?.disks.map((disk) => disk.sourceFile));
  for (const disk of description?.disks ?? []) {
    if (disk.sourceFile === '') continue;
    if (!present.has(disk.sourceFile)) add(DESCRIPTION_MEMBER, `names the disk "${disk.sourceFile}", which is not a file in the package`);
    else if (!isDiskMemberName(disk.sourceFile)) add(DESCRIPTION_MEMBER, `names the disk "${disk.sourceFile}", which does not end in .gz; consumers find disks by that ending`);
  }
  for (const member of diskMembers) {
    if (description && !described.has(member.name)) add(member.name, 'is not described in description.xml; consumers would unpack a disk the machine does not have');
  }
  for (const member of listing.members) {
    if (usable(member) && member.name !== DESCRIPTION_MEMBER && member.name !== MANIFEST_MEMBER && !isDiskMemberName(member.name)) {
      add(member.name, 'is not part of an XVM2 package, which holds only description.xml, manifest.txt and .gz disks');
    }
  }

  const disks: VerifiedDisk[] = [];
  if (manifestEntries) {
    for (const entry of manifestEntries) {
      if (!present.has(`${entry.name}.gz`)) add(MANIFEST_MEMBER, `lists "${entry.name}", but the package has no member "${entry.name}.gz"`);
    }
    for (const member of diskMembers) {
      const entry = manifestEntryFor(manifestEntries, member.name);
      if (!entry) {
        add(member.name, `has no line in manifest.txt (expected one for "${member.name.slice(0, -3)}"), so its size and MD5 cannot be checked`);
        continue;
      }
      if (entry.size > maxDiskSize) {
        add(member.name, `manifest.txt gives ${entry.size} bytes uncompressed, more than --max-disk-size (${maxDiskSize}); not decompressed`);
        continue;
      }
      const verified = checkDigest(member, entry, add);
      if (verified) {
        const targetDev = description?.disks.find((disk) => disk.sourceFile === member.name)?.targetDev ?? '';
        disks.push({ member: member.name, imageName: entry.name, targetDev, size: entry.size, md5: entry.md5 });
      }
    }
  }
  const order = description?.disks.map((disk) => disk.sourceFile) ?? [];
  disks.sort((a, b) => order.indexOf(a.member) - order.indexOf(b.member));
  return { valid: problems.length === 0, problems, ...(description ? { description } : {}), disks };
}

type AddProblem = (member: string | undefined, message: string) => void;

const TYPE_DESCRIPTIONS: Record<string, string> = {
  Directory: 'a directory',
  GNUDumpDir: 'a directory',
  SymbolicLink: 'a symbolic link',
  Link: 'a hard link',
  CharacterDevice: 'a character device',
  BlockDevice: 'a block device',
  FIFO: 'a FIFO',
  SparseFile: 'a GNU sparse file',
};

function checkMembers(members: readonly PackageMember[], add: AddProblem): void {
  const counts = new Map<string, number>();
  for (const member of members) {
    counts.set(member.name, (counts.get(member.name) ?? 0) + 1);
    if (!isRegularMember(member)) {
      const kind = TYPE_DESCRIPTIONS[member.type] ?? `an entry of type "${member.typeFlag}"`;
      const target = member.linkTarget !== undefined ? ` to "${member.linkTarget}"` : '';
      add(member.name, `is ${kind}${target}, not a regular file; a package holds only files`);
    }
    // A directory's name ends in "/" by the tar convention: judged without it.
    const name = member.type === 'Directory' ? member.name.replace(/\/$/, '') : member.name;
    if (!isPlainMemberName(name)) {
      add(member.name, 'member name is not a plain top-level name; extracting the package would write outside its folder');
    }
  }
  for (const [name, count] of counts) {
    if (count > 1) add(name, `appears ${count} times; extracting the package keeps only the last`);
  }
}

function memberProblem(member: PackageMember | undefined, listing: PackageListing, name: string, maxBytes: number, add: AddProblem): boolean {
  if (member) {
    if (member.content) return false;
    add(name, `is ${member.size} bytes, more than the ${maxBytes} a package's ${name} may have`);
    return true;
  }
  const present = listing.members.find((candidate) => candidate.name === name);
  // Other problems (not a file, truncated) have been said already.
  if (!present && !listing.structureProblem && !listing.tooManyMembers) add(name, 'is missing; every XVM2 package has one');
  return true;
}

function checkDescription(member: PackageMember | undefined, listing: PackageListing, add: AddProblem): ReadDescription | undefined {
  if (memberProblem(member, listing, DESCRIPTION_MEMBER, MAX_DESCRIPTION_BYTES, add)) return undefined;
  const text = decodeUtf8(member!.content!);
  if (text === undefined) {
    add(DESCRIPTION_MEMBER, 'is not UTF-8 text');
    return undefined;
  }
  const reading = readDescription(text);
  for (const problem of reading.problems) add(DESCRIPTION_MEMBER, problem);
  return reading.description;
}

function checkManifest(member: PackageMember | undefined, listing: PackageListing, manifestOf: ReturnType<typeof cachedManifest>, add: AddProblem): ManifestEntry[] | undefined {
  if (memberProblem(member, listing, MANIFEST_MEMBER, MAX_MANIFEST_BYTES, add)) return undefined;
  const manifest = manifestOf(member!.content!);
  if (!manifest.ok) {
    add(MANIFEST_MEMBER, manifest.line > 0 ? `line ${manifest.line}: ${manifest.problem}` : manifest.problem);
    return undefined;
  }
  if (manifest.entries.length === 0) add(MANIFEST_MEMBER, 'lists no disk');
  for (const entry of manifest.entries) if (entry.size === 0n) add(MANIFEST_MEMBER, `gives "${entry.name}" a size of 0 bytes: an empty disk cannot boot`);
  const seen = new Set<string>();
  for (const entry of manifest.entries) {
    if (seen.has(entry.name)) add(MANIFEST_MEMBER, `lists "${entry.name}" more than once`);
    seen.add(entry.name);
  }
  return manifest.entries;
}

/** The disk's problems against its manifest line; true when there are none. */
function checkDigest(member: PackageMember, entry: ManifestEntry, add: AddProblem): boolean {
  const digest: DiskDigest = member.disk ?? { outcome: 'not-read' };
  switch (digest.outcome) {
    case 'complete':
      if (digest.size !== entry.size) {
        add(member.name, `decompresses to ${digest.size} bytes, but manifest.txt says ${entry.size}`);
        return false;
      }
      if (digest.md5 !== entry.md5) {
        add(member.name, `MD5 of the uncompressed disk is ${digest.md5}, but manifest.txt says ${entry.md5}`);
        return false;
      }
      return true;
    case 'over-limit':
      add(member.name, `decompresses to more than the ${entry.size} bytes manifest.txt says (size mismatch); decompression stopped at ${digest.size} bytes`);
      return false;
    case 'bad-gzip':
      add(member.name, digest.truncated
        ? `the gzip data is truncated: it ends after ${digest.size} of ${entry.size} uncompressed bytes`
        : `is not valid gzip data (${digest.reason}) after ${digest.size} uncompressed bytes`);
      return false;
    case 'write-failed':
      add(member.name, `could not be written out: ${digest.error.message}`);
      return false;
    case 'not-read':
      add(member.name, 'could not be checked: the archive broke off before its data was read');
      return false;
  }
}
