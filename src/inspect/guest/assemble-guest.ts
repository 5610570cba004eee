import { ExtError, ExtFilesystem } from '../ext/ext-filesystem.js';
import type { PartitionTable } from '../partitions/partition.js';
import { EXT_TYPES, volumeName, type Volume } from '../volumes.js';
import { classifyFstabSource, parseFstab, type FstabEntry } from './fstab.js';
import { GuestTree, type GuestMount } from './guest-tree.js';
import { normaliseGuestPath } from './guest-path.js';

export interface AttachedMount {
  mountPoint: string;
  partition: number | null;
  /** The fstab source that named it; "root" for the root filesystem found by content. */
  spec: string;
}

export interface FstabProblem {
  line: number;
  spec: string;
  mountPoint: string;
  reason: string;
}

export interface AssembledGuest {
  guest: GuestTree | null;
  /** Partition of the root filesystem (null for a bare one); undefined when none was found. */
  rootPartition: number | null | undefined;
  mounts: AttachedMount[];
  fstabProblems: FstabProblem[];
}

/** Filesystem types in fstab that are not on a disk, so never a partition of ours. */
const VIRTUAL_TYPES = new Set(['proc', 'sysfs', 'tmpfs', 'devpts', 'devtmpfs', 'debugfs', 'securityfs', 'cgroup', 'cgroup2',
  'nfs', 'nfs4', 'cifs', 'smbfs', 'fuse', 'none', 'bind', 'overlay', 'efivarfs', 'hugetlbfs', 'mqueue', 'binfmt_misc', 'swap']);
const FIRST_DISK = /^(?:sda|hda|vda|xvda|nvme0n1)$/;

/**
 * Opens every ext filesystem, picks the root (the one with /etc and an
 * /etc/fstab or /etc/os-release), and attaches the others where the root's
 * fstab mounts them. Filesystems that end up unattached are closed.
 */
export async function assembleGuest(imagePath: string, table: PartitionTable, volumes: Volume[]): Promise<AssembledGuest> {
  const opened = new Map<Volume, ExtFilesystem>();
  await Promise.all(volumes.filter((v) => EXT_TYPES.has(v.filesystem.type)).map(async (volume) => {
    try {
      // The table's size, not the part present in the file: reads past a
      // truncated end then fail with a message that says so.
      const partitionSize = volume.partition?.size ?? volume.size;
      opened.set(volume, await ExtFilesystem.open({ imagePath, partitionStart: volume.start, partitionSize }));
    } catch (error) {
      const { code, message } = error instanceof ExtError ? error : new ExtError('EUNKNOWN', String(error));
      volume.readError = { code, message };
    }
  }));

  const root = await pickRoot(opened);
  if (!root) {
    await Promise.all([...opened.values()].map((fs) => fs.close()));
    return { guest: null, rootPartition: undefined, mounts: [], fstabProblems: [] };
  }
  const rootMount: GuestMount = { mountPoint: '/', fs: opened.get(root)!, partition: root.index };
  const rootOnly = new GuestTree([rootMount]);
  const mounts: AttachedMount[] = [{ mountPoint: '/', partition: root.index, spec: 'root' }];
  const guestMounts: GuestMount[] = [rootMount];
  const fstabProblems: FstabProblem[] = [];

  let entries: FstabEntry[] = [];
  try {
    entries = parseFstab(await rootOnly.readText('/etc/fstab', 1024 * 1024));
  } catch {
    // No fstab: the guest is just its root filesystem.
  }
  for (const entry of entries) {
    const mountPoint = normaliseGuestPath(entry.mountPoint);
    if (!entry.mountPoint.startsWith('/') || mountPoint === '/' || VIRTUAL_TYPES.has(entry.type)) continue;
    const match = matchVolume(entry.spec, table, volumes);
    if (typeof match === 'string') {
      fstabProblems.push({ line: entry.line, spec: entry.spec, mountPoint, reason: match });
      continue;
    }
    const fs = opened.get(match);
    if (!fs) {
      const reason = match.readError
        ? `the filesystem on ${volumeName(match)} cannot be read (${match.readError.message})`
        : `${volumeName(match)} holds ${match.filesystem.type}, which spotlint does not read yet`;
      fstabProblems.push({ line: entry.line, spec: entry.spec, mountPoint, reason });
      continue;
    }
    if (guestMounts.some((m) => m.mountPoint === mountPoint)) continue;
    guestMounts.push({ mountPoint, fs, partition: match.index });
    mounts.push({ mountPoint, partition: match.index, spec: entry.spec });
  }

  const attached = new Set(guestMounts.map((m) => m.fs));
  await Promise.all([...opened.values()].filter((fs) => !attached.has(fs)).map((fs) => fs.close()));
  return { guest: new GuestTree(guestMounts), rootPartition: root.index, mounts, fstabProblems };
}

async function pickRoot(opened: Map<Volume, ExtFilesystem>): Promise<Volume | undefined> {
  let best: { volume: Volume; score: number } | undefined;
  for (const [volume, fs] of opened) {
    const kind = async (path: string) => fs.lstat(path).then((s) => s.kind, () => undefined);
    if ((await kind('/etc')) !== 'directory') continue;
    const score = ((await kind('/etc/fstab')) ? 2 : 0) + ((await kind('/etc/os-release')) ? 1 : 0)
      + ((await kind('/usr')) ? 1 : 0);
    if (score >= 2 && (!best || score > best.score)) best = { volume, score };
  }
  return best?.volume;
}

/** The volume an fstab source names, or why none does. */
function matchVolume(spec: string, table: PartitionTable, volumes: Volume[]): Volume | string {
  const source = classifyFstabSource(spec);
  const same = (a: string | undefined, b: string) => a !== undefined && a.toLowerCase() === b.toLowerCase();
  let found: Volume | undefined;
  switch (source.by) {
    case 'uuid':
      found = volumes.find((v) => same(v.filesystem.uuid, source.value));
      break;
    case 'label':
      found = volumes.find((v) => v.filesystem.label === source.value);
      break;
    case 'partuuid':
      found = volumes.find((v) => v.partition && (same(v.partition.guid, source.value)
        || (table.scheme === 'mbr' && same(`${table.diskId}-${v.partition.index.toString(16).padStart(2, '0')}`, source.value))));
      break;
    case 'partlabel':
      found = volumes.find((v) => v.partition?.name === source.value);
      break;
    case 'device':
      if (!FIRST_DISK.test(source.disk)) return `refers to another disk (${source.disk}); spotlint checks only this image`;
      found = volumes.find((v) => v.index === source.partition);
      break;
    case 'other':
      return `spotlint cannot tell which partition "${spec}" is (LVM, RAID and by-path names are not followed)`;
  }
  return found ?? `no ${source.by === 'device' ? 'partition' : 'filesystem'} in this image matches ${spec}`;
}
