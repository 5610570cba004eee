import MBR from 'mbr';
import { readAt, type ByteSource } from '../image/byte-source.js';
import { mbrTypeName } from './partition-type-names.js';
import { SECTOR_SIZE, type Partition, type PartitionTable } from './partition.js';

export interface MbrEntry {
  slot: number;
  status: number;
  type: number;
  firstLba: number;
  sectors: number;
}

const BOOT_SIGNATURE_OFFSET = 0x1fe;
const DISK_SIGNATURE_OFFSET = 0x1b8;
/** A hostile EBR chain can be endless or loop; real disks rarely pass 60 logicals. */
export const MAX_LOGICAL_PARTITIONS = 128;

export function hasBootSignature(sector: Buffer): boolean {
  return sector.length >= SECTOR_SIZE && sector.readUInt16LE(BOOT_SIGNATURE_OFFSET) === 0xaa55;
}

/**
 * The four entries of an MBR or EBR sector, empty slots left out.
 * Parsed with the `mbr` package's CLASSIC layout on purpose: its format
 * auto-detection guesses exotic layouts (Disk Manager, AST) from bytes that
 * real GRUB boot code can contain, which would misplace the table.
 */
export function parseMbrEntries(sector: Buffer): MbrEntry[] {
  const table = new MBR.CLASSIC(sector.subarray(0, SECTOR_SIZE));
  return table.partitions
    .map((p, slot) => ({ slot, status: p.status, type: p.type, firstLba: p.firstLBA, sectors: p.sectors }))
    .filter((entry) => entry.type !== 0 && entry.sectors !== 0);
}

/** A sector is an MBR when it has the boot signature and sane status bytes. */
export function looksLikeMbr(sector: Buffer): boolean {
  if (!hasBootSignature(sector)) return false;
  return parseMbrEntries(sector).every((entry) => entry.status === 0x00 || entry.status === 0x80);
}

export function mbrDiskSignature(sector: Buffer): string {
  return sector.readUInt32LE(DISK_SIGNATURE_OFFSET).toString(16).padStart(8, '0');
}

function toPartition(entry: MbrEntry, index: number, kind: Partition['kind'], baseLba: number, diskSize: number): Partition {
  const start = (baseLba + entry.firstLba) * SECTOR_SIZE;
  const size = entry.sectors * SECTOR_SIZE;
  return {
    index,
    kind,
    start,
    size,
    type: `0x${entry.type.toString(16).padStart(2, '0')}`,
    typeName: mbrTypeName(entry.type),
    bootable: entry.status === 0x80,
    beyondEnd: start + size > diskSize,
  };
}

/** Reads the primary entries and walks the extended partition's EBR chain. */
export async function readMbrTable(source: ByteSource, sector0: Buffer): Promise<PartitionTable> {
  const problems: string[] = [];
  const partitions: Partition[] = [];
  let extended: Partition | undefined;
  for (const entry of parseMbrEntries(sector0)) {
    const isExtended = MBR.Partition.isExtended(entry.type);
    const partition = toPartition(entry, entry.slot + 1, isExtended ? 'extended' : 'primary', 0, source.virtualSize);
    partitions.push(partition);
    if (isExtended) {
      if (extended) problems.push(`more than one extended partition (${extended.index} and ${partition.index}); only the first is followed`);
      else extended = partition;
    }
  }
  if (extended) partitions.push(...(await readLogicalPartitions(source, extended, problems)));
  return { scheme: 'mbr', partitions, diskId: mbrDiskSignature(sector0), problems };
}

/**
 * Each EBR holds one logical partition (relative to that EBR) and a link to
 * the next EBR (relative to the start of the extended partition). The walk
 * is bounded by EBRs visited, not partitions found, so a chain of link-only
 * EBRs cannot run long either.
 */
async function readLogicalPartitions(source: ByteSource, extended: Partition, problems: string[]): Promise<Partition[]> {
  const logicals: Partition[] = [];
  const extendedLba = extended.start / SECTOR_SIZE;
  const visited = new Set<number>();
  let ebrLba: number | undefined = extendedLba;
  while (ebrLba !== undefined) {
    if (visited.has(ebrLba)) {
      problems.push(`the extended partition's chain of logical partitions loops back to sector ${ebrLba}`);
      break;
    }
    if (visited.size >= MAX_LOGICAL_PARTITIONS) {
      problems.push(`the extended partition chains more than ${MAX_LOGICAL_PARTITIONS} logical partition tables; only the first ${MAX_LOGICAL_PARTITIONS} are read`);
      break;
    }
    visited.add(ebrLba);
    const ebr = await readAt(source, ebrLba * SECTOR_SIZE, SECTOR_SIZE);
    if (ebr.length < SECTOR_SIZE) {
      problems.push(`the logical partition table at sector ${ebrLba} lies beyond the end of the image`);
      break;
    }
    if (!hasBootSignature(ebr)) {
      if (ebrLba !== extendedLba) problems.push(`the logical partition table at sector ${ebrLba} has no 0x55AA signature`);
      break;
    }
    const entries = parseMbrEntries(ebr);
    const logical = entries.find((entry) => !MBR.Partition.isExtended(entry.type));
    const next = entries.find((entry) => MBR.Partition.isExtended(entry.type));
    if (logical) logicals.push(toPartition(logical, 5 + logicals.length, 'logical', ebrLba, source.virtualSize));
    ebrLba = next ? extendedLba + next.firstLba : undefined;
  }
  return logicals;
}
