import { SECTOR_SIZE } from '../inspect/partitions/partition.js';
import { volumeName, type Volume } from '../inspect/volumes.js';
import { formatBytes } from '../report/format-bytes.js';
import { NO_OPTIONS, type Rule } from './rule.js';

/** A hostile GPT can list thousands of overlapping entries: name this many pairs, then say there are more. */
const MAX_OVERLAPS_REPORTED = 10;

interface Extent {
  volume: Volume;
  start: number;
  end: number;
}

/**
 * Overlapping pairs, at most `limit` of them, found by a sweep over the
 * partitions sorted by start.
 */
export function overlappingPairs(volumes: readonly Volume[], limit: number): [Volume, Volume][] {
  const extents: Extent[] = volumes
    .filter((v) => v.partition && v.partition.size > 0)
    .map((v) => ({ volume: v, start: v.partition!.start, end: v.partition!.start + v.partition!.size }))
    .sort((a, b) => a.start - b.start || a.end - b.end);
  const pairs: [Volume, Volume][] = [];
  let open: Extent[] = [];
  for (const extent of extents) {
    // Partitions that end before this one starts can overlap nothing that follows.
    open = open.filter((other) => other.end > extent.start);
    for (const other of open) {
      if (pairs.length >= limit) return pairs;
      pairs.push([other.volume, extent.volume]);
    }
    open.push(extent);
  }
  return pairs;
}

function sectors(bytes: number): string {
  return `sector ${bytes / SECTOR_SIZE}`;
}

export const partitionTable: Rule = {
  id: 'partition-table',
  title: 'Partition table is whole and consistent',
  defaultSeverity: 'error',
  guideline: 'Export your VM\'s hard drive into a Raw formatted image.',
  rationale: 'A partition that runs past the end of the image means the export was cut short (a full disk, an interrupted copy or upload): the end of that filesystem is missing and the appliance breaks when it reaches it. Overlapping partitions make two filesystems write over each other. A damaged table may leave the provider\'s firmware or kernel unable to find the partitions at all. The guide says nothing about partition tables; it asks for the whole drive, exported.',
  checks: 'The MBR (with the chain of logical partitions) or the GPT (headers and entry checksums, with the backup GPT): problems found while reading it; partitions whose end lies past the end of the image; partitions that overlap one another; partitions that start at sector 0, on top of the table itself. Extended (container) partitions are checked through the logical partitions inside them. A bare filesystem with no table is not this rule\'s business (see boot-loader).',
  howToFix: 'Export the disk again, completely (compare the image size with the virtual disk size), or repair the table with fdisk/gdisk in the VM (gdisk can rebuild a damaged GPT from its backup) and export again.',
  fixable: 'no',
  ...NO_OPTIONS,
  async check({ inspection, report }) {
    const { partitionTable: table, volumes, image } = inspection;
    const scheme = table.scheme === 'gpt' ? 'GPT' : 'MBR';
    for (const problem of table.problems) {
      report({ message: `The ${scheme} partition table is damaged: ${problem}. A provider's firmware or kernel may not find the partitions the way spotlint did; repair the table (gdisk, fdisk) in the VM and export the disk again.` });
    }
    for (const volume of volumes) {
      const p = volume.partition;
      if (!p) continue;
      if (p.start === 0) {
        report({ location: { partition: p.index }, message: `${volumeName(volume)} starts at sector 0, on top of the partition table itself, so writing to it destroys the table. Recreate the partition at 1 MiB (sector 2048) and export again.` });
      }
      if (!p.beyondEnd) continue;
      const end = p.start + p.size;
      const missing = end - image.virtualSize;
      report({
        location: { partition: p.index },
        message: `${volumeName(volume)} (${sectors(p.start)} to ${sectors(end)}, ${formatBytes(p.size)}) ends ${formatBytes(missing)} (${missing} bytes) past the end of the ${image.virtualSize}-byte image: the export was cut short and the end of that partition is missing. Export the disk again, completely.`,
      });
    }
    const pairs = overlappingPairs(volumes, MAX_OVERLAPS_REPORTED + 1);
    for (const [a, b] of pairs.slice(0, MAX_OVERLAPS_REPORTED)) {
      const pa = a.partition!;
      const pb = b.partition!;
      const shared = Math.min(pa.start + pa.size, pb.start + pb.size) - pb.start;
      report({
        location: { partition: pb.index },
        message: `${volumeName(b)} (from ${sectors(pb.start)}) overlaps ${volumeName(a)} (${sectors(pa.start)} to ${sectors(pa.start + pa.size)}) by ${formatBytes(shared)}: writing to one overwrites the other. Fix the table so the partitions do not overlap (fdisk/gdisk), checking which one holds the real data first.`,
      });
    }
    if (pairs.length > MAX_OVERLAPS_REPORTED) {
      report({ message: `More than ${MAX_OVERLAPS_REPORTED} pairs of partitions overlap, so the table is probably garbage; only the first ${MAX_OVERLAPS_REPORTED} are named. Recreate the table and export the disk again.` });
    }
  },
};
