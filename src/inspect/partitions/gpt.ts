import GPT from 'gpt';
import { crc32 } from 'node:zlib';
import { readAt, type ByteSource } from '../image/byte-source.js';
import { gptTypeName } from './partition-type-names.js';
import { SECTOR_SIZE, type Partition, type PartitionTable } from './partition.js';

/** GPT can claim thousands of entries; real ones use 128, and 4096 is plenty. */
export const MAX_GPT_ENTRIES = 4096;
const MIN_ENTRY_SIZE = 128;
const MAX_ENTRY_SIZE = 4096;
const LEGACY_BIOS_BOOTABLE_BIT = 1 << 2;

interface GptHeaderRead {
  gpt: GPT;
  problems: string[];
}

/** Parses and checks the header sector at `lba`; the `gpt` package parses, we verify. */
function parseGptHeader(sector: Buffer, lba: number): GptHeaderRead | string {
  const gpt = new GPT({ blockSize: SECTOR_SIZE });
  try {
    gpt.parseHeader(sector);
  } catch {
    return `no GPT header at sector ${lba}`;
  }
  if (gpt.headerSize < 92 || gpt.headerSize > SECTOR_SIZE) return `the GPT header at sector ${lba} has an invalid size (${gpt.headerSize})`;
  const copy = Buffer.from(sector.subarray(0, gpt.headerSize));
  copy.writeUInt32LE(0, 16);
  if (crc32(copy) !== gpt.headerChecksum) return `the GPT header at sector ${lba} has a bad checksum`;
  if (gpt.entrySize < MIN_ENTRY_SIZE || gpt.entrySize > MAX_ENTRY_SIZE || gpt.entrySize % 8 !== 0) {
    return `the GPT header at sector ${lba} has an invalid entry size (${gpt.entrySize})`;
  }
  const problems: string[] = [];
  if (gpt.entries > MAX_GPT_ENTRIES) {
    problems.push(`the GPT claims ${gpt.entries} entries; only the first ${MAX_GPT_ENTRIES} are read`);
  }
  return { gpt, problems };
}

interface GptEntries {
  gpt: GPT;
  table: Buffer;
  entryCount: number;
  /** Why these entries cannot be trusted, if they cannot. */
  problem?: string;
}

async function readEntries(source: ByteSource, gpt: GPT): Promise<GptEntries> {
  const entryCount = Math.min(gpt.entries, MAX_GPT_ENTRIES);
  const tableBytes = entryCount * gpt.entrySize;
  const tableLba = Number(gpt.tableOffset);
  const table = await readAt(source, tableLba * SECTOR_SIZE, tableBytes);
  let problem: string | undefined;
  if (table.length < tableBytes) problem = `the GPT partition entries at sector ${tableLba} run past the end of the image`;
  else if (entryCount === gpt.entries && crc32(table) !== gpt.tableChecksum) problem = `the GPT partition entries at sector ${tableLba} have a bad checksum`;
  return { gpt, table, entryCount, problem };
}

/**
 * Reads the primary GPT and falls back to the backup (header in the last
 * sector) when the primary header or its entries fail their checksums, as
 * firmware and gdisk do.
 */
export async function readGptTable(source: ByteSource): Promise<PartitionTable> {
  const problems: string[] = [];
  const lastLba = Math.floor(source.virtualSize / SECTOR_SIZE) - 1;
  const readHeader = async (lba: number) => parseGptHeader(await readAt(source, lba * SECTOR_SIZE, SECTOR_SIZE), lba);

  let chosen: GptEntries | undefined;
  const primary = await readHeader(1);
  if (typeof primary === 'string') {
    problems.push(primary);
  } else {
    problems.push(...primary.problems);
    chosen = await readEntries(source, primary.gpt);
  }
  if (!chosen || chosen.problem) {
    if (chosen?.problem) problems.push(chosen.problem);
    const backup = await readHeader(lastLba);
    if (typeof backup === 'string') {
      problems.push(`the backup GPT is unusable too (${backup})`);
    } else {
      const backupEntries = await readEntries(source, backup.gpt);
      if (!backupEntries.problem) {
        problems.push(`the backup GPT at sector ${lastLba} was used`);
        problems.push(...backup.problems);
        chosen = backupEntries;
      } else if (!chosen) {
        problems.push(backupEntries.problem);
        chosen = backupEntries;
      }
    }
  }
  if (!chosen) return { scheme: 'gpt', partitions: [], problems };

  const { gpt, table, entryCount } = chosen;
  const partitions: Partition[] = [];
  for (let slot = 0; slot < entryCount && (slot + 1) * gpt.entrySize <= table.length; slot++) {
    const offset = slot * gpt.entrySize;
    const entry = GPT.PartitionEntry.parse(table, offset);
    if (entry.type === '00000000-0000-0000-0000-000000000000') continue;
    // Only the low attribute word matters here (bit 2: legacy BIOS bootable).
    const attributes = table.readUInt32LE(offset + 48);
    const firstLba = Number(entry.firstLBA);
    const start = firstLba * SECTOR_SIZE;
    const size = Math.max(0, Number(entry.lastLBA) - firstLba + 1) * SECTOR_SIZE;
    partitions.push({
      index: slot + 1,
      kind: 'gpt',
      start,
      size,
      type: entry.type.toUpperCase(),
      typeName: gptTypeName(entry.type),
      bootable: (attributes & LEGACY_BIOS_BOOTABLE_BIT) !== 0,
      name: entry.name,
      guid: entry.guid.toLowerCase(),
      beyondEnd: start + size > source.virtualSize,
    });
  }
  return { scheme: 'gpt', partitions, diskId: gpt.guid.toLowerCase(), problems };
}
