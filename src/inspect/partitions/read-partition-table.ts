import { readAt, type ByteSource } from '../image/byte-source.js';
import { readGptTable } from './gpt.js';
import { looksLikeMbr, parseMbrEntries, readMbrTable } from './mbr.js';
import { SECTOR_SIZE, type PartitionTable } from './partition.js';

const GPT_PROTECTIVE_TYPE = 0xee;

/**
 * MBR, GPT (found through its protective MBR entry, as firmware does), or no
 * table at all: a bare filesystem starting at byte 0.
 *
 * The npm packages `mbr` and `gpt` parse the on-disk structures; the walk is
 * ours because `partitioninfo`, which wraps them, follows an EBR chain by
 * unbounded recursion (a looping chain never ends), assumes the GPT entries
 * fit in 41 sectors, checks no checksum, and reports neither the active flag
 * nor partitions that run past the end of the image.
 */
export async function readPartitionTable(source: ByteSource): Promise<PartitionTable> {
  const sector0 = await readAt(source, 0, SECTOR_SIZE);
  if (!looksLikeMbr(sector0) || looksLikeFilesystemBootSector(sector0) || (await isBareExtFilesystem(source, sector0))) {
    return { scheme: 'none', partitions: [], problems: [] };
  }
  if (parseMbrEntries(sector0).some((entry) => entry.type === GPT_PROTECTIVE_TYPE)) {
    return readGptTable(source);
  }
  return readMbrTable(source, sector0);
}

/**
 * FAT and NTFS volumes carry 0x55AA in their first sector too. When they
 * start at byte 0 with no partition entries, the disk has no table.
 */
function looksLikeFilesystemBootSector(sector0: Buffer): boolean {
  const oem = sector0.toString('latin1', 3, 11);
  const fatType = sector0.toString('latin1', 0x36, 0x3e) + sector0.toString('latin1', 0x52, 0x5a);
  const isBootSector = oem === 'NTFS    ' || /FAT(12|16|32)?/.test(fatType);
  return isBootSector && parseMbrEntries(sector0).length === 0;
}

/** Where an ext superblock (at byte 1024) keeps its magic number. */
const EXT_MAGIC_OFFSET = 1024 + 56;
const EXT_MAGIC = 0xef53;

/**
 * An ext filesystem made on a whole disk can carry boot code ending in
 * 0x55AA in its first sector (GRUB Legacy installed to the filesystem's boot
 * block does that): with no partition entries and an ext superblock where a
 * bare filesystem keeps it, the disk has no table.
 */
async function isBareExtFilesystem(source: ByteSource, sector0: Buffer): Promise<boolean> {
  if (parseMbrEntries(sector0).length > 0) return false;
  const magic = await readAt(source, EXT_MAGIC_OFFSET, 2).catch(() => undefined);
  return magic !== undefined && magic.length === 2 && magic.readUInt16LE(0) === EXT_MAGIC;
}
