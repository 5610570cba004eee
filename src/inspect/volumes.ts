import type { FreeSpaceResult } from './freespace/free-space.js';
import type { ByteSource } from './image/byte-source.js';
import type { Partition, PartitionTable } from './partitions/partition.js';
import { probeFilesystem, type FilesystemProbe } from './probe/probe-filesystem.js';

/** A region of the disk that can hold a filesystem: a partition, or the whole disk when there is no table. */
export interface Volume {
  /** Partition number, or null for a bare filesystem on the whole disk. */
  index: number | null;
  start: number;
  size: number;
  partition: Partition | null;
  filesystem: FilesystemProbe;
  /** Why spotlint could not read the filesystem's files, when it could not. */
  readError?: { code: string; message: string };
  /** How much of an ext filesystem's free space is not zero; absent when not scanned. */
  freeSpace?: FreeSpaceResult;
}

export const EXT_TYPES = new Set(['ext2', 'ext3', 'ext4']);

/** Probes every partition (extended containers hold no filesystem of their own). */
export async function findVolumes(source: ByteSource, table: PartitionTable): Promise<Volume[]> {
  if (table.scheme === 'none') {
    return [{ index: null, start: 0, size: source.virtualSize, partition: null, filesystem: await probeFilesystem(source, 0, source.virtualSize) }];
  }
  const volumes: Volume[] = [];
  for (const partition of table.partitions) {
    if (partition.kind === 'extended') continue;
    // A truncated image still has the partition's first bytes: probe what is there.
    const size = Math.max(0, Math.min(partition.size, source.virtualSize - partition.start));
    const filesystem = size > 0 ? await probeFilesystem(source, partition.start, size) : { type: 'unknown' as const };
    volumes.push({ index: partition.index, start: partition.start, size, partition, filesystem });
  }
  return volumes;
}

/** How a volume is named to a user: "partition 2" or "the whole disk". */
export function volumeName(volume: Pick<Volume, 'index'>): string {
  return volume.index === null ? 'the whole disk' : `partition ${volume.index}`;
}
