import { SpotlintError } from '../errors.js';
import { readBootCode, type BootCodeFacts } from './boot/read-boot-code.js';
import { collectGuestFacts } from './facts/collect-guest-facts.js';
import type { GuestFacts } from './facts/guest-facts.js';
import { assembleGuest, type AttachedMount, type FstabProblem } from './guest/assemble-guest.js';
import type { GuestTree } from './guest/guest-tree.js';
import type { ImageFormat } from './image/byte-source.js';
import { openImage } from './image/open-image.js';
import { Qcow2Image } from './image/qcow2-image.js';
import { FreeSpaceScan, type ScanProgress } from './freespace/free-space.js';
import type { PartitionScheme } from './partitions/partition.js';
import { readPartitionTable } from './partitions/read-partition-table.js';
import { findVolumes, type Volume } from './volumes.js';

export interface ImageFacts {
  path: string;
  format: ImageFormat;
  virtualSize: number;
  fileSize: number;
  allocatedBytes: number;
  qcow2?: { version: number; clusterSize: number; dirty: boolean; corrupt: boolean };
}

/** Everything spotlint learns about an image before any rule runs. */
export interface ImageInspection {
  image: ImageFacts;
  partitionTable: { scheme: PartitionScheme; diskId?: string; problems: string[] };
  /** The boot code a BIOS runs from sector 0, and what it loads next. */
  bootCode: BootCodeFacts;
  volumes: Volume[];
  /** Partition of the root filesystem, null when it is a bare filesystem, undefined when none was found. */
  rootPartition: number | null | undefined;
  mounts: AttachedMount[];
  fstabProblems: FstabProblem[];
  /** What the guest is: OS, services, packages, accounts, network and sshd configuration. */
  facts: GuestFacts;
}

export interface InspectOptions {
  /** Scan the free blocks of every ext filesystem for non-zero bytes (reads all free space). */
  scanFreeSpace?: boolean;
  /** Progress of that scan, in bytes. */
  onScanProgress?: ScanProgress;
}

export interface InspectedImage {
  inspection: ImageInspection;
  /** The same object as inspection.facts. */
  facts: GuestFacts;
  /** The guest's files; null when no Linux root filesystem could be read. */
  guest: GuestTree | null;
  /**
   * Per scanned filesystem, the free blocks that are not zero, as (offset,
   * length) pairs in image bytes: what zeroing free space must write.
   */
  nonZeroFreeRuns: Map<Volume, Float64Array>;
  close(): Promise<void>;
}

/** Opens an image read-only and assembles what it holds, down to the guest tree. */
export async function inspectImage(path: string, options: InspectOptions = {}): Promise<InspectedImage> {
  const { source, fileSize, allocatedBytes } = await openImage(path);
  const scan = options.scanFreeSpace ? new FreeSpaceScan(source, options.onScanProgress) : undefined;
  let assembled: Awaited<ReturnType<typeof assembleGuest>> | undefined;
  try {
    const table = await readPartitionTable(source);
    const volumes = await findVolumes(source, table);
    if (table.scheme === 'none' && volumes[0]?.filesystem.type === 'unknown') {
      throw new SpotlintError(`${path}: unknown format: neither a partition table nor a filesystem was found, so this is not a usable disk image (an unformatted disk, or not a disk at all)`);
    }
    // The scan reads free blocks on this thread while the workers answer the
    // guest's questions: the two overlap instead of adding up.
    assembled = await assembleGuest(path, table, volumes, {
      onOpen: async (volume, fs) => {
        // A filesystem that dies after mounting (an abort or a timeout while
        // the facts are read) is as unreadable as one that never mounted.
        fs.onFailure((error) => { volume.readError ??= { code: error.code, message: error.message }; });
        await scan?.add(volume, fs);
      },
    });
    const image: ImageFacts = { path, format: source.format, virtualSize: source.virtualSize, fileSize, allocatedBytes };
    if (source instanceof Qcow2Image) {
      const { version, clusterSize, dirty, corrupt } = source.header;
      image.qcow2 = { version, clusterSize, dirty, corrupt };
    }
    const guest = assembled.guest;
    const inspection: ImageInspection = {
      image,
      partitionTable: { scheme: table.scheme, diskId: table.diskId, problems: table.problems },
      bootCode: await readBootCode(source, table),
      volumes,
      rootPartition: assembled.rootPartition,
      mounts: assembled.mounts,
      fstabProblems: assembled.fstabProblems,
      // Never throws: a fact family that fails comes back empty with the reason.
      facts: await collectGuestFacts(assembled.guest, volumes),
    };
    await scan?.finished();
    return {
      inspection,
      facts: inspection.facts,
      guest,
      nonZeroFreeRuns: scan?.nonZeroRuns ?? new Map(),
      async close() {
        await guest?.close();
        await source.close();
      },
    };
  } catch (error) {
    // No scan may still be reading when the file is closed, and no worker left running.
    await scan?.finished().catch(() => {});
    await assembled?.guest?.close();
    await source.close();
    throw error;
  }
}
