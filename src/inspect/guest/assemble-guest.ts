import { availableParallelism } from 'node:os';
import { ExtError, ExtFilesystem } from '../ext/ext-filesystem.js';
import type { PartitionTable } from '../partitions/partition.js';
import { EXT_TYPES, volumeName, type Volume } from '../volumes.js';
import { isBlockFstabType, parseFstab, resolveFstabSource, type FstabEntry } from './fstab.js';
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

const MAX_FSTAB_BYTES = 1024 * 1024;

/**
 * At most this many ext filesystems are opened: each is a worker with its own
 * WebAssembly heap and caches, and a hostile table can list thousands.
 */
export const MAX_EXT_FILESYSTEMS = 16;
/** Workers started at once; more only compete for the same cores. */
const OPEN_CONCURRENCY = Math.max(2, Math.min(4, availableParallelism()));

export interface AssembleOptions {
  /**
   * Called once per ext filesystem as soon as it is mounted, before the
   * assembly may close it (those that end up outside the guest tree are
   * closed): the free-space scan takes its block bitmap here.
   */
  onOpen?: (volume: Volume, fs: ExtFilesystem) => Promise<void>;
}

/**
 * Opens the ext filesystems, picks the root (the one with /etc and an
 * /etc/fstab or /etc/os-release), and attaches the others where the root's
 * fstab mounts them. Filesystems that end up unattached are closed, and so
 * is everything if assembling fails.
 */
export async function assembleGuest(imagePath: string, table: PartitionTable, volumes: Volume[], options: AssembleOptions = {}): Promise<AssembledGuest> {
  const opened = await openExtFilesystems(imagePath, volumes, options);
  try {
    return await attachFilesystems(table, volumes, opened);
  } catch (error) {
    await Promise.all([...opened.values()].map((fs) => fs.close()));
    throw error;
  }
}

/** Opens ext volumes a few at a time, in table order; a failure is recorded on its volume. */
async function openExtFilesystems(imagePath: string, volumes: Volume[], { onOpen }: AssembleOptions): Promise<Map<Volume, ExtFilesystem>> {
  const extVolumes = volumes.filter((v) => EXT_TYPES.has(v.filesystem.type));
  for (const skipped of extVolumes.slice(MAX_EXT_FILESYSTEMS)) {
    skipped.readError = { code: 'ELIMIT', message: `not read: spotlint reads at most ${MAX_EXT_FILESYSTEMS} ext filesystems per image` };
  }
  const toOpen = extVolumes.slice(0, MAX_EXT_FILESYSTEMS);
  const opened = new Map<Volume, ExtFilesystem>();
  let next = 0;
  const openNext = async (): Promise<void> => {
    while (next < toOpen.length) {
      const volume = toOpen[next++]!;
      try {
        // The table's size, not the part present in the file: reads past a
        // truncated end then fail with a message that says so.
        const partitionSize = volume.partition?.size ?? volume.size;
        const fs = await ExtFilesystem.open({ imagePath, partitionStart: volume.start, partitionSize });
        opened.set(volume, fs);
        await onOpen?.(volume, fs);
      } catch (error) {
        if (!(error instanceof ExtError)) throw error;
        volume.readError = { code: error.code, message: error.message };
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: OPEN_CONCURRENCY }, openNext));
  } catch (error) {
    await Promise.all([...opened.values()].map((fs) => fs.close()));
    throw error;
  }
  // Map order is completion order; rules and root choice need table order.
  return new Map(toOpen.filter((v) => opened.has(v)).map((v) => [v, opened.get(v)!]));
}

async function attachFilesystems(table: PartitionTable, volumes: Volume[], opened: Map<Volume, ExtFilesystem>): Promise<AssembledGuest> {
  const root = await pickRoot(opened);
  if (!root) {
    await Promise.all([...opened.values()].map((fs) => fs.close()));
    return { guest: null, rootPartition: undefined, mounts: [], fstabProblems: [] };
  }
  const rootMount: GuestMount = { mountPoint: '/', fs: opened.get(root)!, partition: root.index };
  const rootOnly = new GuestTree([rootMount]);
  const attached = new Map<string, { mount: GuestMount; spec: string }>();
  const fstabProblems: FstabProblem[] = [];

  let entries: FstabEntry[] = [];
  try {
    entries = parseFstab(await rootOnly.readText('/etc/fstab', MAX_FSTAB_BYTES));
  } catch (error) {
    if (!(error instanceof ExtError)) throw error;
    // No fstab at all is normal for some appliances; an unreadable one is not.
    if (error.code !== 'ENOENT') fstabProblems.push({ line: 0, spec: '', mountPoint: '', reason: `/etc/fstab cannot be read: ${error.message}` });
  }
  for (const entry of entries) {
    // Swap is on a disk but never part of the tree.
    if (!entry.mountPoint.startsWith('/') || entry.type === 'swap' || !isBlockFstabType(entry.type)) continue;
    // The kernel mounts where the path leads, through the root's own links.
    const mountPoint = await rootOnly.resolve(entry.mountPoint).catch(() => normaliseGuestPath(entry.mountPoint));
    if (mountPoint === '/') continue;
    const problem = (reason: string) => fstabProblems.push({ line: entry.line, spec: entry.spec, mountPoint, reason });
    const resolved = resolveFstabSource(entry.spec, table, volumes);
    if (!resolved.volume) {
      problem(resolved.reason);
      continue;
    }
    const match = resolved.volume;
    const fs = opened.get(match);
    if (!fs) {
      problem(match.readError
        ? `the filesystem on ${volumeName(match)} cannot be read (${match.readError.message})`
        : `${volumeName(match)} holds ${match.filesystem.type}, which spotlint does not read yet`);
      continue;
    }
    if (!(await rootOnly.exists(mountPoint).catch(() => false))) {
      problem('the mount point does not exist in the root filesystem, so the mount fails at boot');
    }
    // A later line on the same mount point is mounted on top: it is what the guest sees.
    attached.set(mountPoint, { mount: { mountPoint, fs, partition: match.index }, spec: entry.spec });
  }

  const guestMounts = [rootMount, ...[...attached.values()].map((a) => a.mount)];
  const inUse = new Set(guestMounts.map((m) => m.fs));
  // Some providers boot the kernel they read from the first partition, mounted or not.
  const firstFs = volumes[0] && opened.get(volumes[0]);
  const unmounted = firstFs && !inUse.has(firstFs) ? [{ fs: firstFs, partition: volumes[0]!.index }] : [];
  if (firstFs) inUse.add(firstFs);
  await Promise.all([...opened.values()].filter((fs) => !inUse.has(fs)).map((fs) => fs.close()));
  const mounts: AttachedMount[] = [
    { mountPoint: '/', partition: root.index, spec: 'root' },
    ...[...attached.values()].map((a) => ({ mountPoint: a.mount.mountPoint, partition: a.mount.partition, spec: a.spec })),
  ];
  return { guest: new GuestTree(guestMounts, unmounted), rootPartition: root.index, mounts, fstabProblems };
}

/**
 * The root: an ext filesystem with /etc and /etc/fstab or /etc/os-release.
 * Ties (A/B roots, a rescue copy) go to the one with /usr, then to the first
 * in the partition table, so the choice never depends on timing. A root
 * candidate whose worker dies while being checked gets the failure recorded.
 */
async function pickRoot(opened: Map<Volume, ExtFilesystem>): Promise<Volume | undefined> {
  let best: { volume: Volume; score: number } | undefined;
  for (const [volume, fs] of opened) {
    const kind = async (path: string) => fs.lstat(path).then((s) => s.kind, (error: unknown) => {
      if (error instanceof ExtError && error.fatal) throw error;
      return undefined;
    });
    try {
      if ((await kind('/etc')) !== 'directory') continue;
      const hasFstab = (await kind('/etc/fstab')) !== undefined;
      const hasOsRelease = (await kind('/etc/os-release')) !== undefined;
      if (!hasFstab && !hasOsRelease) continue;
      const score = (hasFstab ? 2 : 0) + (hasOsRelease ? 2 : 0) + ((await kind('/usr')) === 'directory' ? 1 : 0);
      if (!best || score > best.score) best = { volume, score };
    } catch (error) {
      const { code, message } = error as ExtError;
      volume.readError = { code, message };
    }
  }
  return best?.volume;
}
