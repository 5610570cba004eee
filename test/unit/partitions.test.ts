import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { MAX_GPT_ENTRIES } from '../../src/inspect/partitions/gpt.js';
import { MAX_LOGICAL_PARTITIONS } from '../../src/inspect/partitions/mbr.js';
import { readPartitionTable } from '../../src/inspect/partitions/read-partition-table.js';
import { ByteBufferSource } from './byte-buffer-source.js';

const SECTOR = 512;

interface MbrEntrySpec {
  status?: number;
  type: number;
  /** LBA of the first sector, as stored in the entry (relative for EBRs). */
  start: number;
  sectors: number;
}

/** Writes a 16-byte MBR/EBR entry into `slot` (0-3) of the sector at `sectorLba`, and the 0x55AA signature. */
function writeMbrEntry(disk: Buffer, sectorLba: number, slot: number, entry: MbrEntrySpec): void {
  const at = sectorLba * SECTOR + 0x1be + slot * 16;
  disk[at] = entry.status ?? 0;
  disk.fill(0xfe, at + 1, at + 4); // CHS: ignored by LBA readers
  disk[at + 4] = entry.type;
  disk.fill(0xff, at + 5, at + 8);
  disk.writeUInt32LE(entry.start, at + 8);
  disk.writeUInt32LE(entry.sectors, at + 12);
  disk.writeUInt16LE(0xaa55, sectorLba * SECTOR + 510);
}

function mbrDisk(sectors: number, entries: Array<MbrEntrySpec | null>, diskSignature = 0x1234abcd): Buffer {
  const disk = Buffer.alloc(sectors * SECTOR);
  disk.fill(0x90, 0, 0x1b8); // boot code
  disk.writeUInt32LE(diskSignature, 0x1b8);
  entries.forEach((entry, slot) => { if (entry) writeMbrEntry(disk, 0, slot, entry); });
  disk.writeUInt16LE(0xaa55, 510);
  return disk;
}

/** An EBR at absolute `lba`: one logical (relative to the EBR) and an optional link (relative to the extended partition). */
function writeEbr(disk: Buffer, lba: number, logical: MbrEntrySpec | null, next: MbrEntrySpec | null): void {
  if (logical) writeMbrEntry(disk, lba, 0, logical);
  if (next) writeMbrEntry(disk, lba, 1, next);
  disk.writeUInt16LE(0xaa55, lba * SECTOR + 510);
}

const read = (disk: Buffer) => readPartitionTable(new ByteBufferSource(disk));

describe('readPartitionTable: MBR', () => {
  it('reads primary partitions with their active flag, type and type name', async () => {
    const disk = mbrDisk(16384, [
      { status: 0x80, type: 0x83, start: 2048, sectors: 4096 },
      { type: 0x82, start: 6144, sectors: 2048 },
      null,
      { type: 0x07, start: 8192, sectors: 8192 },
    ]);
    const table = await read(disk);
    expect(table.scheme).toBe('mbr');
    expect(table.diskId).toBe('1234abcd');
    expect(table.problems).toEqual([]);
    expect(table.partitions).toEqual([
      { index: 1, kind: 'primary', start: 2048 * 512, size: 4096 * 512, type: '0x83', typeName: 'Linux', bootable: true, beyondEnd: false },
      { index: 2, kind: 'primary', start: 6144 * 512, size: 2048 * 512, type: '0x82', typeName: 'Linux swap', bootable: false, beyondEnd: false },
      { index: 4, kind: 'primary', start: 8192 * 512, size: 8192 * 512, type: '0x07', typeName: 'HPFS/NTFS/exFAT', bootable: false, beyondEnd: false },
    ]);
  });

  it('pads the disk signature to 8 hex digits', async () => {
    const table = await read(mbrDisk(4096, [{ type: 0x83, start: 2048, sectors: 2048 }], 0xbeef));
    expect(table.diskId).toBe('0000beef');
  });

  it('names unknown MBR types "unknown" and pads the type byte', async () => {
    const table = await read(mbrDisk(4096, [{ type: 0x0a, start: 2048, sectors: 2048 }]));
    expect(table.partitions[0]).toMatchObject({ type: '0x0a', typeName: 'unknown' });
  });

  it('follows a chain of three EBRs and numbers the logical partitions 5, 6, 7', async () => {
    const extendedStart = 4096;
    const disk = mbrDisk(16384, [
      { status: 0x80, type: 0x83, start: 2048, sectors: 2048 },
      { type: 0x05, start: extendedStart, sectors: 12288 },
    ]);
    // Logical entries are relative to their EBR; links to the extended partition's start.
    writeEbr(disk, extendedStart, { type: 0x83, start: 63, sectors: 1000 }, { type: 0x05, start: 2000, sectors: 2000 });
    writeEbr(disk, extendedStart + 2000, { type: 0x82, start: 63, sectors: 500 }, { type: 0x05, start: 4000, sectors: 4000 });
    writeEbr(disk, extendedStart + 4000, { status: 0x80, type: 0x8e, start: 2, sectors: 3000 }, null);

    const table = await read(disk);
    expect(table.problems).toEqual([]);
    expect(table.partitions.map((p) => [p.index, p.kind, p.type, p.start, p.size, p.bootable])).toEqual([
      [1, 'primary', '0x83', 2048 * 512, 2048 * 512, true],
      [2, 'extended', '0x05', 4096 * 512, 12288 * 512, false],
      [5, 'logical', '0x83', (4096 + 63) * 512, 1000 * 512, false],
      [6, 'logical', '0x82', (6096 + 63) * 512, 500 * 512, false],
      [7, 'logical', '0x8e', (8096 + 2) * 512, 3000 * 512, true],
    ]);
    expect(table.partitions.map((p) => p.typeName)).toEqual(['Linux', 'Extended', 'Linux', 'Linux swap', 'Linux LVM']);
  });

  it('follows an LBA extended partition (type 0x0f) in any primary slot', async () => {
    const disk = mbrDisk(8192, [null, null, { type: 0x0f, start: 2048, sectors: 4096 }]);
    writeEbr(disk, 2048, { type: 0x83, start: 2048, sectors: 1024 }, null);
    const table = await read(disk);
    expect(table.partitions.map((p) => [p.index, p.kind, p.start])).toEqual([
      [3, 'extended', 2048 * 512],
      [5, 'logical', 4096 * 512],
    ]);
    expect(table.partitions[0]!.typeName).toBe('W95 Extended (LBA)');
  });

  it('reports an EBR chain that loops back, without hanging', async () => {
    const disk = mbrDisk(16384, [{ type: 0x05, start: 4096, sectors: 8192 }]);
    writeEbr(disk, 4096, { type: 0x83, start: 63, sectors: 100 }, { type: 0x05, start: 1000, sectors: 1000 });
    writeEbr(disk, 5096, { type: 0x83, start: 63, sectors: 100 }, { type: 0x05, start: 0, sectors: 1000 });
    const table = await read(disk);
    expect(table.partitions.map((p) => p.index)).toEqual([1, 5, 6]);
    expect(table.problems).toEqual(["the extended partition's chain of logical partitions loops back to sector 4096"]);
  });

  it('reports an EBR that links to itself', async () => {
    const disk = mbrDisk(16384, [{ type: 0x05, start: 4096, sectors: 8192 }]);
    writeEbr(disk, 4096, null, { type: 0x05, start: 0, sectors: 8192 });
    const table = await read(disk);
    expect(table.partitions.map((p) => p.index)).toEqual([1]);
    expect(table.problems).toEqual(["the extended partition's chain of logical partitions loops back to sector 4096"]);
  });

  it('stops an endless EBR chain at the logical partition limit', async () => {
    const count = MAX_LOGICAL_PARTITIONS + 10;
    const disk = mbrDisk(2048 + 2 * count + 16, [{ type: 0x05, start: 2048, sectors: 2 * count + 8 }]);
    for (let i = 0; i < count; i++) {
      writeEbr(disk, 2048 + 2 * i, { type: 0x83, start: 1, sectors: 1 }, { type: 0x05, start: 2 * (i + 1), sectors: 2 });
    }
    const table = await read(disk);
    const logicals = table.partitions.filter((p) => p.kind === 'logical');
    expect(logicals).toHaveLength(MAX_LOGICAL_PARTITIONS);
    expect(logicals.at(-1)!.index).toBe(4 + MAX_LOGICAL_PARTITIONS);
    expect(table.problems).toEqual([
      `the extended partition chains more than ${MAX_LOGICAL_PARTITIONS} logical partition tables; only the first ${MAX_LOGICAL_PARTITIONS} are read`,
    ]);
  });

  it('reports nothing for a chain of exactly the maximum number of logical partitions', async () => {
    const count = MAX_LOGICAL_PARTITIONS;
    const disk = mbrDisk(2048 + 2 * count + 16, [{ type: 0x05, start: 2048, sectors: 2 * count + 8 }]);
    for (let i = 0; i < count; i++) {
      const last = i === count - 1;
      writeEbr(disk, 2048 + 2 * i, { type: 0x83, start: 1, sectors: 1 }, last ? null : { type: 0x05, start: 2 * (i + 1), sectors: 2 });
    }
    const table = await read(disk);
    expect(table.partitions.filter((p) => p.kind === 'logical')).toHaveLength(count);
    expect(table.problems).toEqual([]);
  });

  it('reports an EBR in the chain that has no signature', async () => {
    const disk = mbrDisk(16384, [{ type: 0x05, start: 4096, sectors: 8192 }]);
    writeEbr(disk, 4096, { type: 0x83, start: 63, sectors: 100 }, { type: 0x05, start: 1000, sectors: 1000 });
    const table = await read(disk);
    expect(table.partitions.map((p) => p.index)).toEqual([1, 5]);
    expect(table.problems).toEqual(['the logical partition table at sector 5096 has no 0x55AA signature']);
  });

  it('accepts an empty extended partition (first EBR blank) without a problem', async () => {
    const table = await read(mbrDisk(16384, [{ type: 0x05, start: 4096, sectors: 8192 }]));
    expect(table.partitions.map((p) => p.kind)).toEqual(['extended']);
    expect(table.problems).toEqual([]);
  });

  it('reports an EBR link that points past the end of the image', async () => {
    const disk = mbrDisk(8192, [{ type: 0x05, start: 4096, sectors: 4096 }]);
    writeEbr(disk, 4096, { type: 0x83, start: 63, sectors: 100 }, { type: 0x05, start: 100000, sectors: 100 });
    const table = await read(disk);
    expect(table.partitions.map((p) => p.index)).toEqual([1, 5]);
    expect(table.problems).toEqual(['the logical partition table at sector 104096 lies beyond the end of the image']);
  });

  it('follows only the first of two extended partitions and says so', async () => {
    const disk = mbrDisk(16384, [
      { type: 0x05, start: 2048, sectors: 2048 },
      { type: 0x0f, start: 8192, sectors: 2048 },
    ]);
    writeEbr(disk, 2048, { type: 0x83, start: 1, sectors: 10 }, null);
    writeEbr(disk, 8192, { type: 0x83, start: 1, sectors: 10 }, null);
    const table = await read(disk);
    expect(table.partitions.map((p) => [p.index, p.start])).toEqual([[1, 2048 * 512], [2, 8192 * 512], [5, 2049 * 512]]);
    expect(table.problems).toEqual(['more than one extended partition (1 and 2); only the first is followed']);
  });

  it('marks a partition that runs past the end of the image as beyondEnd', async () => {
    const disk = mbrDisk(8192, [
      { type: 0x83, start: 2048, sectors: 6144 }, // ends exactly at the end
      { type: 0x83, start: 4096, sectors: 8192 }, // ends 4096 sectors past it
      { type: 0x83, start: 10000, sectors: 10 }, // starts past it
    ]);
    const table = await read(disk);
    expect(table.partitions.map((p) => [p.index, p.beyondEnd])).toEqual([[1, false], [2, true], [3, true]]);
  });

  it('uses the source\'s virtual size, not the buffer, for beyondEnd', async () => {
    const disk = mbrDisk(8192, [{ type: 0x83, start: 2048, sectors: 6144 }]);
    const table = await readPartitionTable(new ByteBufferSource(disk, 4096 * 512));
    expect(table.partitions[0]!.beyondEnd).toBe(true);
  });

  it('finds no table without the 0x55AA signature', async () => {
    const disk = mbrDisk(4096, [{ type: 0x83, start: 2048, sectors: 2048 }]);
    disk.writeUInt16LE(0, 510);
    expect(await read(disk)).toEqual({ scheme: 'none', partitions: [], problems: [] });
  });

  it('finds no table when an entry has an invalid status byte', async () => {
    const disk = mbrDisk(4096, [{ status: 0x12, type: 0x83, start: 2048, sectors: 2048 }]);
    expect((await read(disk)).scheme).toBe('none');
  });

  it('finds no table in an image shorter than one sector', async () => {
    expect(await read(Buffer.alloc(100))).toEqual({ scheme: 'none', partitions: [], problems: [] });
  });

  it('reads a signed sector with no entries as an empty MBR', async () => {
    const table = await read(mbrDisk(4096, []));
    expect(table).toEqual({ scheme: 'mbr', partitions: [], diskId: '1234abcd', problems: [] });
  });

  it('takes a FAT boot sector at sector 0 with no entries for a bare filesystem', async () => {
    const disk = Buffer.alloc(4096 * SECTOR);
    disk.set([0xeb, 0x3c, 0x90], 0);
    disk.write('MSDOS5.0', 3, 'latin1');
    disk.writeUInt16LE(512, 11);
    disk.write('NO NAME    FAT16   ', 0x2b, 'latin1');
    disk.writeUInt16LE(0xaa55, 510);
    expect(await read(disk)).toEqual({ scheme: 'none', partitions: [], problems: [] });
  });

  it('takes a FAT32 boot sector with no entries for a bare filesystem', async () => {
    const disk = Buffer.alloc(4096 * SECTOR);
    disk.set([0xeb, 0x58, 0x90], 0);
    disk.write('mkfs.fat', 3, 'latin1');
    disk.write('FAT32   ', 0x52, 'latin1');
    disk.writeUInt16LE(0xaa55, 510);
    expect((await read(disk)).scheme).toBe('none');
  });

  it('takes an NTFS boot sector with no entries for a bare filesystem', async () => {
    const disk = Buffer.alloc(4096 * SECTOR);
    disk.set([0xeb, 0x52, 0x90], 0);
    disk.write('NTFS    ', 3, 'latin1');
    disk.writeUInt16LE(0xaa55, 510);
    expect((await read(disk)).scheme).toBe('none');
  });

  it('still reads the table of an MBR whose boot code has FAT-like bytes, when it has entries', async () => {
    const disk = mbrDisk(4096, [{ type: 0x0c, start: 2048, sectors: 2048 }]);
    disk.write('FAT32   ', 0x52, 'latin1');
    const table = await read(disk);
    expect(table.scheme).toBe('mbr');
    expect(table.partitions.map((p) => [p.index, p.typeName])).toEqual([[1, 'W95 FAT32 (LBA)']]);
  });
});

// ---------------------------------------------------------------------------
// GPT

/** GUID text to its on-disk mixed-endian bytes (first three groups little-endian). */
function guidBytes(guid: string): Buffer {
  const hex = guid.replace(/-/g, '');
  const b = Buffer.from(hex, 'hex');
  return Buffer.concat([
    Buffer.from(b.subarray(0, 4)).reverse(),
    Buffer.from(b.subarray(4, 6)).reverse(),
    Buffer.from(b.subarray(6, 8)).reverse(),
    b.subarray(8, 16),
  ]);
}

interface GptEntrySpec {
  slot: number;
  type: string;
  guid: string;
  first: number;
  last: number;
  attributes?: bigint;
  name: string;
}

const LINUX_FS = '0FC63DAF-8483-4772-8E79-3D69D8477DE4';
const BIOS_BOOT = '21686148-6449-6E6F-744E-656564454649';
const DISK_GUID = 'A1B2C3D4-E5F6-4718-89AB-CDEF01234567';

function entryTable(entries: GptEntrySpec[], count: number, entrySize = 128): Buffer {
  const table = Buffer.alloc(count * entrySize);
  for (const e of entries) {
    const at = e.slot * entrySize;
    guidBytes(e.type).copy(table, at);
    guidBytes(e.guid).copy(table, at + 16);
    table.writeBigUInt64LE(BigInt(e.first), at + 32);
    table.writeBigUInt64LE(BigInt(e.last), at + 40);
    table.writeBigUInt64LE(e.attributes ?? 0n, at + 48);
    table.write(e.name, at + 56, 72, 'utf16le');
  }
  return table;
}

interface GptHeaderSpec {
  currentLba: number;
  backupLba: number;
  firstUsable: number;
  lastUsable: number;
  entriesLba: number;
  entries: number;
  entrySize?: number;
  entriesCrc: number;
  headerSize?: number;
}

function gptHeader(h: GptHeaderSpec): Buffer {
  const sector = Buffer.alloc(SECTOR);
  const headerSize = h.headerSize ?? 92;
  sector.write('EFI PART', 0, 'latin1');
  sector.writeUInt32LE(0x00010000, 8);
  sector.writeUInt32LE(headerSize, 12);
  sector.writeBigUInt64LE(BigInt(h.currentLba), 24);
  sector.writeBigUInt64LE(BigInt(h.backupLba), 32);
  sector.writeBigUInt64LE(BigInt(h.firstUsable), 40);
  sector.writeBigUInt64LE(BigInt(h.lastUsable), 48);
  guidBytes(DISK_GUID).copy(sector, 56);
  sector.writeBigUInt64LE(BigInt(h.entriesLba), 72);
  sector.writeUInt32LE(h.entries, 80);
  sector.writeUInt32LE(h.entrySize ?? 128, 84);
  sector.writeUInt32LE(h.entriesCrc, 88);
  sector.writeUInt32LE(crc32(sector.subarray(0, Math.min(headerSize, SECTOR))), 16);
  return sector;
}

const GPT_SECTORS = 8192;
const LAST = GPT_SECTORS - 1;

const STANDARD_ENTRIES: GptEntrySpec[] = [
  { slot: 0, type: BIOS_BOOT, guid: '11111111-2222-4333-8444-555555555555', first: 34, last: 2047, name: 'bios' },
  {
    slot: 1, type: LINUX_FS, guid: 'ABCDEF01-2345-4678-9ABC-DEF012345678', first: 2048, last: 6143,
    attributes: 1n << 2n, name: 'root fs',
  },
  // slot 2 empty
  {
    slot: 3, type: '01234567-89AB-4CDE-8F01-23456789ABCD', guid: 'FEDCBA98-7654-4321-8FED-CBA987654321',
    first: 6144, last: 8158, attributes: (1n << 60n) | 1n, name: 'Données ✓',
  },
];

interface GptDiskOptions {
  sectors?: number;
  entries?: GptEntrySpec[];
  entryCount?: number;
  primary?: boolean;
  backup?: boolean;
}

/** A disk with protective MBR, primary GPT at LBA 1 (entries at 2) and backup GPT at the last sector. */
function gptDisk(options: GptDiskOptions = {}): Buffer {
  const sectors = options.sectors ?? GPT_SECTORS;
  const last = sectors - 1;
  const entryCount = options.entryCount ?? 128;
  const disk = mbrDisk(sectors, [{ type: 0xee, start: 1, sectors: Math.min(last, 0xffffffff) }], 0);
  const table = entryTable(options.entries ?? STANDARD_ENTRIES, entryCount);
  const tableSectors = Math.ceil(table.length / SECTOR);
  const common = {
    firstUsable: 2 + tableSectors, lastUsable: last - 1 - tableSectors, entries: entryCount, entriesCrc: crc32(table),
  };
  if (options.primary ?? true) {
    gptHeader({ ...common, currentLba: 1, backupLba: last, entriesLba: 2 }).copy(disk, SECTOR);
    table.copy(disk, 2 * SECTOR);
  }
  if (options.backup ?? true) {
    const entriesLba = last - tableSectors;
    table.copy(disk, entriesLba * SECTOR);
    gptHeader({ ...common, currentLba: last, backupLba: 1, entriesLba }).copy(disk, last * SECTOR);
  }
  return disk;
}

const EXPECTED_STANDARD_PARTITIONS = [
  {
    index: 1, kind: 'gpt', start: 34 * 512, size: (2047 - 34 + 1) * 512, type: BIOS_BOOT, typeName: 'BIOS boot',
    bootable: false, name: 'bios', guid: '11111111-2222-4333-8444-555555555555', beyondEnd: false,
  },
  {
    index: 2, kind: 'gpt', start: 2048 * 512, size: 4096 * 512, type: LINUX_FS, typeName: 'Linux filesystem',
    bootable: true, name: 'root fs', guid: 'abcdef01-2345-4678-9abc-def012345678', beyondEnd: false,
  },
  {
    index: 4, kind: 'gpt', start: 6144 * 512, size: (8158 - 6144 + 1) * 512, type: '01234567-89AB-4CDE-8F01-23456789ABCD',
    typeName: 'unknown', bootable: false, name: 'Données ✓', guid: 'fedcba98-7654-4321-8fed-cba987654321', beyondEnd: false,
  },
];

describe('readPartitionTable: GPT', () => {
  it('checks its own GUID encoding against a known one (EFI System, first bytes 28 73 2A C1)', () => {
    expect(guidBytes('C12A7328-F81F-11D2-BA4B-00A0C93EC93B').toString('hex')).toBe('28732ac11ff8d211ba4b00a0c93ec93b');
  });

  it('reads a GPT through its protective MBR', async () => {
    const table = await read(gptDisk());
    expect(table.scheme).toBe('gpt');
    expect(table.problems).toEqual([]);
    expect(table.diskId).toBe(DISK_GUID.toLowerCase());
    expect(table.partitions).toEqual(EXPECTED_STANDARD_PARTITIONS);
  });

  it('reads the GPT of a hybrid MBR (protective entry next to real ones)', async () => {
    const disk = gptDisk();
    writeMbrEntry(disk, 0, 1, { status: 0x80, type: 0x83, start: 2048, sectors: 4096 });
    const table = await read(disk);
    expect(table.scheme).toBe('gpt');
    expect(table.partitions.map((p) => p.index)).toEqual([1, 2, 4]);
  });

  it('falls back to the backup header when the primary header checksum is bad', async () => {
    const disk = gptDisk();
    disk[SECTOR + 40] ^= 0xff; // first usable LBA, covered by the header CRC
    const table = await read(disk);
    expect(table.problems).toEqual([
      'the GPT header at sector 1 has a bad checksum',
      `the backup GPT at sector ${LAST} was used`,
    ]);
    expect(table.partitions).toEqual(EXPECTED_STANDARD_PARTITIONS);
    expect(table.diskId).toBe(DISK_GUID.toLowerCase());
  });

  it('uses the backup entries, not the primary ones, when it falls back', async () => {
    const disk = gptDisk();
    disk.fill(0, SECTOR, 34 * SECTOR); // primary header and entries wiped
    const table = await read(disk);
    expect(table.problems).toEqual(['no GPT header at sector 1', `the backup GPT at sector ${LAST} was used`]);
    expect(table.partitions.map((p) => p.name)).toEqual(['bios', 'root fs', 'Données ✓']);
  });

  it('reports when neither header can be used', async () => {
    const disk = gptDisk({ backup: false });
    disk[SECTOR + 40] ^= 0xff;
    const table = await read(disk);
    expect(table).toEqual({
      scheme: 'gpt',
      partitions: [],
      problems: [
        'the GPT header at sector 1 has a bad checksum',
        `the backup GPT is unusable too (no GPT header at sector ${LAST})`,
      ],
    });
  });

  it('refuses a header with an invalid size and says which', async () => {
    const disk = gptDisk({ backup: false });
    gptHeader({
      currentLba: 1, backupLba: LAST, firstUsable: 34, lastUsable: LAST - 33, entriesLba: 2, entries: 128,
      entriesCrc: 0, headerSize: 600,
    }).copy(disk, SECTOR);
    const table = await read(disk);
    expect(table.problems[0]).toBe('the GPT header at sector 1 has an invalid size (600)');
  });

  it('refuses a header with an invalid entry size', async () => {
    const disk = gptDisk({ backup: false });
    gptHeader({
      currentLba: 1, backupLba: LAST, firstUsable: 34, lastUsable: LAST - 33, entriesLba: 2, entries: 128,
      entriesCrc: 0, entrySize: 100,
    }).copy(disk, SECTOR);
    const table = await read(disk);
    expect(table.problems[0]).toBe('the GPT header at sector 1 has an invalid entry size (100)');
  });

  it('takes the backup entries when the primary entries fail their checksum', async () => {
    const disk = gptDisk();
    disk[2 * SECTOR + 128 + 56] ^= 0x01; // one byte of the second entry's name: 'root fs' -> 'soot fs'
    const table = await read(disk);
    expect(table.problems).toEqual([
      'the GPT partition entries at sector 2 have a bad checksum',
      `the backup GPT at sector ${LAST} was used`,
    ]);
    expect(table.partitions.map((p) => p.name)).toEqual(['bios', 'root fs', 'Données ✓']);
  });

  it('reports a bad entries checksum but still lists the partitions when there is no backup', async () => {
    const disk = gptDisk({ backup: false });
    disk[2 * SECTOR + 128 + 56] ^= 0x01;
    const table = await read(disk);
    expect(table.problems).toEqual([
      'the GPT partition entries at sector 2 have a bad checksum',
      `the backup GPT is unusable too (no GPT header at sector ${LAST})`,
    ]);
    expect(table.partitions.map((p) => p.name)).toEqual(['bios', 'soot fs', 'Données ✓']);
  });

  it('caps a header claiming 1,000,000 entries and reads only a bounded table', async () => {
    const disk = gptDisk({ sectors: 4096, entries: STANDARD_ENTRIES.slice(0, 2), backup: false });
    // Rewrite the primary header to claim a million entries (its CRC stays valid).
    gptHeader({
      currentLba: 1, backupLba: 4095, firstUsable: 34, lastUsable: 4062, entriesLba: 2, entries: 1_000_000, entriesCrc: 0xdeadbeef,
    }).copy(disk, SECTOR);
    const source = new ByteBufferSource(disk);
    const table = await readPartitionTable(source);
    expect(table.problems).toEqual([`the GPT claims 1000000 entries; only the first ${MAX_GPT_ENTRIES} are read`]);
    expect(table.partitions.map((p) => [p.index, p.name])).toEqual([[1, 'bios'], [2, 'root fs']]);
    const largestRead = Math.max(...source.reads.map(([, length]) => length));
    expect(largestRead).toBeLessThanOrEqual(MAX_GPT_ENTRIES * 128);
  });

  it('reports partition entries that run past the end of the image', async () => {
    const disk = gptDisk({ backup: false });
    gptHeader({
      currentLba: 1, backupLba: LAST, firstUsable: 34, lastUsable: LAST - 33, entriesLba: LAST - 2, entries: 128, entriesCrc: 0,
    }).copy(disk, SECTOR);
    const table = await read(disk);
    expect(table.problems).toEqual([
      `the GPT partition entries at sector ${LAST - 2} run past the end of the image`,
      `the backup GPT is unusable too (no GPT header at sector ${LAST})`,
    ]);
  });

  it('marks a GPT partition that ends past the end of the image as beyondEnd', async () => {
    const entries: GptEntrySpec[] = [
      { slot: 0, type: LINUX_FS, guid: '11111111-2222-4333-8444-555555555555', first: 2048, last: LAST, name: 'fits' },
      { slot: 1, type: LINUX_FS, guid: '11111111-2222-4333-8444-555555555556', first: 4096, last: LAST + 1, name: 'cut' },
    ];
    const table = await read(gptDisk({ entries }));
    expect(table.partitions.map((p) => [p.name, p.beyondEnd])).toEqual([['fits', false], ['cut', true]]);
  });

  it('gives a partition whose last LBA precedes its first a size of 0', async () => {
    const entries: GptEntrySpec[] = [
      { slot: 0, type: LINUX_FS, guid: '11111111-2222-4333-8444-555555555555', first: 4096, last: 2048, name: 'backwards' },
    ];
    const table = await read(gptDisk({ entries }));
    expect(table.partitions[0]).toMatchObject({ start: 4096 * 512, size: 0 });
  });
});

describe('a bare ext filesystem with boot code in its first sector', () => {
  // e2fsprogs' f_dup_de image: GRUB Legacy stage1 and 0x55AA in the boot
  // block, no partition entries; read as an empty MBR it lost its filesystem.
  it('is read as a disk without a table, so the filesystem at byte 0 is found', async () => {
    const disk = mbrDisk(64, [null, null, null, null]);
    disk.writeUInt16LE(0xef53, 1024 + 56);
    expect(await readPartitionTable(new ByteBufferSource(disk))).toEqual({ scheme: 'none', partitions: [], problems: [] });
  });

  it('keeps an MBR with entries as an MBR, whatever lies at byte 1080', async () => {
    const disk = mbrDisk(4096, [{ type: 0x83, start: 2048, sectors: 1024 }, null, null, null]);
    disk.writeUInt16LE(0xef53, 1024 + 56);
    expect((await readPartitionTable(new ByteBufferSource(disk))).scheme).toBe('mbr');
  });
});
