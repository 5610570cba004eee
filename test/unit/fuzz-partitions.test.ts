// Property tests: partition tables written by sfdisk, then mutated (fields
// of the MBR, the EBR chain and both GPTs set to hostile values, bytes
// flipped, the image cut short), must read as a table with problems, quickly
// and with bounded reads, never as a crash. Knobs: test/helpers/fuzz.ts.
import { readFileSync } from 'node:fs';
import { crc32 } from 'node:zlib';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { MAX_GPT_ENTRIES } from '../../src/inspect/partitions/gpt.js';
import { MAX_LOGICAL_PARTITIONS } from '../../src/inspect/partitions/mbr.js';
import { readPartitionTable } from '../../src/inspect/partitions/read-partition-table.js';
import { GPT_TYPE, SECTOR, sfdiskDisk } from '../helpers/disk-images.js';
import { applyByteMutations, byteMutations, expectValueOrOwnError, fuzzParameters } from '../helpers/fuzz.js';
import { ByteBufferSource } from './byte-buffer-source.js';

const MBR_TABLE = 0x1be;
/** Each MBR/EBR entry's status, type, first LBA and sector count. */
const MBR_ENTRY_FIELDS = [0, 4, 8, 12];
/** GPT header: size, CRC, current, backup, first and last usable LBA, entries LBA, entry count, entry size, entries CRC. */
const GPT_HEADER_FIELDS = [12, 16, 24, 32, 40, 48, 72, 80, 84, 88];
/** GPT entry: type GUID, first LBA, last LBA, attributes, name. */
const GPT_ENTRY_FIELDS = [0, 32, 40, 48, 56];

type Range = readonly [number, number];

/** The exact start of each field (so a word lands on it), and the whole table region around it. */
function fieldRanges(base: number, fields: readonly number[], region: number): Range[] {
  return [...fields.map((field): Range => [base + field, base + field + 1]), [base, base + region]];
}

/** Sectors that carry 0x55AA: the MBR and every EBR of the chain sfdisk wrote. */
function mbrAndEbrSectors(disk: Buffer): number[] {
  const sectors: number[] = [];
  for (let lba = 0; (lba + 1) * SECTOR <= disk.length; lba++) {
    if (disk.readUInt16LE(lba * SECTOR + 510) === 0xaa55) sectors.push(lba);
  }
  return sectors;
}

function mbrHotRanges(disk: Buffer): Range[] {
  return mbrAndEbrSectors(disk).flatMap((lba) =>
    [0, 1, 2, 3].flatMap((slot) => fieldRanges(lba * SECTOR + MBR_TABLE + slot * 16, MBR_ENTRY_FIELDS, 16)));
}

function gptHotRanges(disk: Buffer): Range[] {
  const lastLba = disk.length / SECTOR - 1;
  return [
    ...fieldRanges(MBR_TABLE, MBR_ENTRY_FIELDS, 16),
    ...fieldRanges(SECTOR, GPT_HEADER_FIELDS, 92),
    ...fieldRanges(lastLba * SECTOR, GPT_HEADER_FIELDS, 92),
    ...[0, 1, 2].flatMap((slot) => fieldRanges(2 * SECTOR + slot * 128, GPT_ENTRY_FIELDS, 128)),
    ...[0, 1, 2].flatMap((slot) => fieldRanges((lastLba - 32) * SECTOR + slot * 128, GPT_ENTRY_FIELDS, 128)),
  ];
}

/**
 * Makes the CRCs of a mutated GPT right again, so that the mutated fields
 * get past the checksums and reach the code that uses them.
 */
function fixGptChecksums(disk: Buffer, headerLba: number): void {
  const header = headerLba * SECTOR;
  if (header + SECTOR > disk.length || disk.toString('latin1', header, header + 8) !== 'EFI PART') return;
  const entries = Math.min(disk.readUInt32LE(header + 80), MAX_GPT_ENTRIES);
  const entrySize = disk.readUInt32LE(header + 84);
  const tableStart = Number(disk.readBigUInt64LE(header + 72)) * SECTOR;
  const tableEnd = tableStart + entries * entrySize;
  if (tableEnd <= disk.length) disk.writeUInt32LE(crc32(disk.subarray(tableStart, tableEnd)), header + 88);
  const headerSize = disk.readUInt32LE(header + 12);
  if (headerSize < 92 || headerSize > SECTOR) return;
  disk.writeUInt32LE(0, header + 16);
  disk.writeUInt32LE(crc32(disk.subarray(header, header + headerSize)), header + 16);
}

/** What every table read must satisfy, whatever the bytes. */
async function expectBoundedTable(disk: Buffer) {
  const source = new ByteBufferSource(disk);
  const table = (await expectValueOrOwnError(() => readPartitionTable(source)))!;
  expect(table.partitions.length).toBeLessThanOrEqual(Math.max(4 + MAX_LOGICAL_PARTITIONS, MAX_GPT_ENTRIES));
  for (const partition of table.partitions) {
    expect(partition.start).toBeGreaterThanOrEqual(0);
    expect(partition.size).toBeGreaterThanOrEqual(0);
    expect(Number.isFinite(partition.start + partition.size)).toBe(true);
  }
  // Two GPT entry arrays of at most 4096 entries of at most 4 KiB, or a bounded EBR chain, plus headers.
  const bytesRead = source.reads.reduce((sum, [, length]) => sum + length, 0);
  expect(bytesRead).toBeLessThanOrEqual(2 * MAX_GPT_ENTRIES * 4096 + 1024 * SECTOR);
  return table;
}

let dos: Buffer;
let gpt: Buffer;

beforeAll(() => {
  // A primary, an extended partition and three logicals (sfdisk writes the EBR chain).
  dos = readFileSync(sfdiskDisk('dos', [
    { startSector: 64, sectors: 128, type: '83', bootable: true },
    { startSector: 256, sectors: 1024, type: '5' },
    { startSector: 320, sectors: 64, type: '83' },
    { startSector: 448, sectors: 64, type: '82' },
    { startSector: 576, sectors: 128, type: '83' },
  ]));
  gpt = readFileSync(sfdiskDisk('gpt', [
    { startSector: 40, sectors: 100, type: GPT_TYPE.biosBoot },
    { startSector: 2048, sectors: 100, type: GPT_TYPE.linux, name: 'root' },
  ]));
});

describe('fuzz: MBR and the extended partition chain', () => {
  it('starts from a sound table', async () => {
    const table = await expectBoundedTable(dos);
    expect(table).toMatchObject({ scheme: 'mbr', problems: [] });
    expect(table.partitions.map((p) => p.index)).toEqual([1, 2, 5, 6, 7]);
  });

  it('reads any mutation of the MBR and its EBRs as a table, quickly and with bounded reads', async () => {
    const hot = mbrHotRanges(dos);
    await fc.assert(fc.asyncProperty(byteMutations(dos.length, hot, 8), async (mutations) => {
      await expectBoundedTable(applyByteMutations(dos, mutations));
    }), fuzzParameters());
  });
});

describe('fuzz: GPT', () => {
  it('starts from a sound table', async () => {
    const table = await expectBoundedTable(gpt);
    expect(table).toMatchObject({ scheme: 'gpt', problems: [] });
    expect(table.partitions.map((p) => p.name)).toEqual(['', 'root']);
  });

  it('reads any mutation of both GPTs as a table, with their checksums made right again or not', async () => {
    const hot = gptHotRanges(gpt);
    const lastLba = gpt.length / SECTOR - 1;
    await fc.assert(fc.asyncProperty(byteMutations(gpt.length, hot, 8), fc.boolean(), async (mutations, fixChecksums) => {
      const disk = applyByteMutations(gpt, mutations);
      if (fixChecksums) {
        fixGptChecksums(disk, 1);
        fixGptChecksums(disk, Math.floor(disk.length / SECTOR) - 1);
        fixGptChecksums(disk, lastLba);
      }
      await expectBoundedTable(disk);
    }), fuzzParameters());
  });
});
