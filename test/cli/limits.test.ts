// spotlint's limits on hostile input, each hit through the CLI and seen as a
// user sees it: a GPT claiming a million entries or listing thousands of
// partitions, EBR chains that never end, a QCOW2 L1 table claiming
// terabytes, a guest path deeper than 256 components, a manifest over
// 64 KiB. Limits already tested elsewhere (the 32 MiB L1 table in
// qcow2-header.test.ts, symlink loops in guest-files.test.ts, the other
// XVM2 limits in verify.test.ts) are not repeated; the directory limit is
// in hostile-guest.test.ts, the guest tree's edges in unit/limits.test.ts.
import { execFileSync } from 'node:child_process';
import { closeSync, copyFileSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeExtImage, tempDir } from '../helpers/build-image.js';
import { GPT_TYPE, MiB, MiB_SECTORS, SECTOR } from '../helpers/disk-images.js';
import { makeDiskFile, stagePackage, tarWithGnuTar } from '../helpers/package-fixtures.js';
import { expectOneLineError, runCli, type CliResult } from '../helpers/run-cli.js';

const ROOT_UUID = '5a0c1e2d-3b4f-4a6b-8c7d-9e0f1a2b3c4d';
const EMPTY_CONFIG = join(tempDir('limits-config'), 'spotlint.config.json');
writeFileSync(EMPTY_CONFIG, '{}');

/** What every limit must give: finished, exit 0, 1 or 2, no stack trace, and one stderr line for exit 2. */
async function spotlint(args: string[]): Promise<CliResult> {
  const result = await runCli(args);
  expect(result.signal).toBeNull();
  expect([0, 1, 2]).toContain(result.code);
  expect(result.stderr).not.toMatch(/internal error|\n\s+at /);
  if (result.code === 2) expectOneLineError(result);
  return result;
}

interface Finding { ruleId: string; message: string; location: { partition?: number | null } }

async function lintFindings(image: string): Promise<Finding[]> {
  const result = await spotlint(['--config', EMPTY_CONFIG, image, '--format', 'json', '--fail-on', 'none', '--disable', 'guessable-password']);
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout).images[0].findings as Finding[];
}

/** A small root filesystem spotlint takes for the guest's root. */
function smallRoot(): string {
  return makeExtImage({ 'etc/os-release': 'ID=debian\nVERSION_ID=12\n', 'etc/fstab': `UUID=${ROOT_UUID} / ext4 defaults 0 1\n` }, { uuid: ROOT_UUID, sizeMiB: 2, type: 'ext2' });
}

/** A GUID's on-disk bytes: the first three fields little-endian, as GPT stores them. */
function guidBytes(guid: string): Buffer {
  const hex = guid.replace(/-/g, '');
  const bytes = Buffer.from(hex, 'hex');
  bytes.subarray(0, 4).reverse();
  bytes.subarray(4, 6).reverse();
  bytes.subarray(6, 8).reverse();
  return bytes;
}

const FS_LBA = MiB_SECTORS;

/**
 * A GPT disk by hand (sfdisk refuses both hostile shapes): a protective MBR,
 * a header at LBA 1 claiming `claimed` entries of 128 bytes from LBA 2, and
 * `listed` Linux partitions all on the one filesystem at 1 MiB. No backup
 * GPT: the primary is valid, so none is looked for.
 */
function gptDisk(fsImage: string, listed: number, claimed = listed): string {
  const fs = readFileSync(fsImage);
  const fsSectors = fs.length / SECTOR;
  const totalSectors = FS_LBA + fsSectors + MiB_SECTORS;
  const disk = join(tempDir('gpt-disk'), 'disk.img');
  const bytes = Buffer.alloc(FS_LBA * SECTOR);
  // Protective MBR.
  bytes[0x1be + 4] = 0xee;
  bytes.writeUInt32LE(1, 0x1be + 8);
  bytes.writeUInt32LE(totalSectors - 1, 0x1be + 12);
  bytes.writeUInt16LE(0xaa55, 510);
  const entries = Buffer.alloc(Math.min(claimed, 4096) * 128);
  for (let slot = 0; slot < listed; slot++) {
    const entry = slot * 128;
    guidBytes(GPT_TYPE.linux).copy(entries, entry);
    guidBytes(`6c0ffee0-0000-4000-8000-${String(slot).padStart(12, '0')}`).copy(entries, entry + 16);
    entries.writeBigUInt64LE(BigInt(FS_LBA), entry + 32);
    entries.writeBigUInt64LE(BigInt(FS_LBA + fsSectors - 1), entry + 40);
  }
  if (2 * SECTOR + entries.length > bytes.length) throw new Error('the entries must fit before the filesystem');
  entries.copy(bytes, 2 * SECTOR);
  const header = bytes.subarray(SECTOR, 2 * SECTOR);
  header.write('EFI PART', 0, 'latin1');
  header.writeUInt32LE(0x00010000, 8);
  header.writeUInt32LE(92, 12);
  header.writeBigUInt64LE(1n, 24);
  header.writeBigUInt64LE(BigInt(totalSectors - 1), 32);
  header.writeBigUInt64LE(2048n, 40);
  header.writeBigUInt64LE(BigInt(totalSectors - 34), 48);
  guidBytes('d15c0000-1111-4222-8333-444455556666').copy(header, 56);
  header.writeBigUInt64LE(2n, 72);
  header.writeUInt32LE(claimed, 80);
  header.writeUInt32LE(128, 84);
  // The entries' checksum covers all claimed entries; a capped table cannot be checked against it.
  header.writeUInt32LE(claimed <= 4096 ? crc32(entries) : 0, 88);
  header.writeUInt32LE(crc32(header.subarray(0, 92)), 16);
  const fd = openSync(disk, 'w');
  writeSync(fd, bytes, 0, bytes.length, 0);
  writeSync(fd, fs, 0, fs.length, FS_LBA * SECTOR);
  writeSync(fd, Buffer.alloc(1), 0, 1, totalSectors * SECTOR - 1);
  closeSync(fd);
  return disk;
}

describe('partition tables', () => {
  let root: string;
  beforeAll(() => {
    root = smallRoot();
  });

  it('a GPT claiming 1,000,000 entries: 4096 are read, and the lint says so', async () => {
    const disk = gptDisk(root, 1, 1_000_000);
    const [inspect, findings] = await Promise.all([spotlint(['inspect', disk]), lintFindings(disk)]);
    expect(inspect.code).toBe(0);
    expect(inspect.stdout).toContain('Partition table problem: the GPT claims 1000000 entries; only the first 4096 are read');
    expect(inspect.stdout).toMatch(/Root filesystem: partition 1\b/);
    expect(findings.filter((f) => f.ruleId === 'partition-table').map((f) => f.message)).toContainEqual(
      expect.stringMatching(/^The GPT partition table is damaged: the GPT claims 1000000 entries; only the first 4096 are read\. /),
    );
  });

  it('a GPT listing 4096 partitions on one filesystem: 16 filesystems are opened, every other one says why not', async () => {
    const disk = gptDisk(root, 4096);
    // JSON: the table view of 4096 rows costs seconds of cli-table3 layout and shows the same.
    const [inspect, findings] = await Promise.all([spotlint(['inspect', disk, '--no-scan', '--json']), lintFindings(disk)]);
    expect(inspect.code).toBe(0);
    const volumes = JSON.parse(inspect.stdout).volumes as Array<{ index: number; readError?: { code: string; message: string } }>;
    expect(volumes).toHaveLength(4096);
    const notRead = volumes.filter((v) => v.readError);
    expect(notRead.map((v) => v.index)).toEqual(Array.from({ length: 4096 - 16 }, (_, i) => i + 17));
    expect(new Set(notRead.map((v) => JSON.stringify(v.readError)))).toEqual(new Set([JSON.stringify({ code: 'ELIMIT', message: 'not read: spotlint reads at most 16 ext filesystems per image' })]));
    const unread = findings.filter((f) => f.ruleId === 'filesystem-unreadable');
    expect(unread.map((f) => f.location.partition)).toEqual(notRead.map((v) => v.index));
    expect(unread[0]!.message).toContain('cannot be read: not read: spotlint reads at most 16 ext filesystems per image');
  });

  /** An MBR whose extended partition (at 1 MiB) holds link-only EBRs, one a sector, each linking to `next(i)`. */
  function ebrChainDisk(count: number, next: (i: number) => number | undefined): string {
    const disk = join(tempDir('ebr-disk'), 'disk.img');
    const bytes = Buffer.alloc(2 * MiB);
    const entry = (sector: number, slot: number, type: number, start: number, sectors: number) => {
      const at = sector * SECTOR + 0x1be + slot * 16;
      bytes[at + 4] = type;
      bytes.writeUInt32LE(start, at + 8);
      bytes.writeUInt32LE(sectors, at + 12);
    };
    entry(0, 0, 0x05, MiB_SECTORS, MiB_SECTORS);
    bytes.writeUInt16LE(0xaa55, 510);
    for (let i = 0; i < count; i++) {
      const sector = MiB_SECTORS + i;
      const link = next(i);
      if (link !== undefined) entry(sector, 1, 0x05, link, 1);
      bytes.writeUInt16LE(0xaa55, sector * SECTOR + 510);
    }
    writeFileSync(disk, bytes);
    return disk;
  }

  it.each([
    ['an endless chain of logical partition tables', () => ebrChainDisk(1000, (i) => i + 1), 'the extended partition chains more than 128 logical partition tables; only the first 128 are read'],
    ['a chain of logical partition tables that loops', () => ebrChainDisk(3, (i) => (i + 1) % 3), `the extended partition's chain of logical partitions loops back to sector ${MiB_SECTORS}`],
  ])('%s: the walk stops and the lint says why', async (_, makeDisk, problem) => {
    const disk = makeDisk();
    const [inspect, findings] = await Promise.all([spotlint(['inspect', disk]), lintFindings(disk)]);
    expect(inspect.code).toBe(0);
    expect(inspect.stdout).toContain(`Partition table problem: ${problem}\n`);
    expect(findings.filter((f) => f.ruleId === 'partition-table').map((f) => f.message)).toContainEqual(`The MBR partition table is damaged: ${problem}. A provider's firmware or kernel may not find the partitions the way spotlint did; repair the table (gdisk, fdisk) in the VM and export the disk again.`);
  });
});

describe('QCOW2 tables', () => {
  let qcow2: string;
  beforeAll(() => {
    const root = makeExtImage({ 'etc/os-release': 'ID=debian\n' }, { sizeMiB: 2, type: 'ext2' });
    qcow2 = join(tempDir('limits-qcow2'), 'disk.qcow2');
    execFileSync('qemu-img', ['convert', '-f', 'raw', '-O', 'qcow2', root, qcow2]);
  });

  /** A copy of the image with one big-endian header field changed. */
  function withHeaderField(offset: number, value: bigint, bytes: 4 | 8): string {
    const copy = join(tempDir('limits-qcow2-variant'), 'disk.qcow2');
    copyFileSync(qcow2, copy);
    const field = Buffer.alloc(bytes);
    if (bytes === 4) field.writeUInt32BE(Number(value));
    else field.writeBigUInt64BE(value);
    const fd = openSync(copy, 'r+');
    writeSync(fd, field, 0, bytes, offset);
    closeSync(fd);
    return copy;
  }

  it.each([
    ['an L1 table claiming 32 GiB (mapping 2 EiB)', () => withHeaderField(36, 0xffffffffn, 4), /QCOW2 image is corrupt: its L1 table claims 34359738360 bytes \(at most 33554432 are valid\)$/],
    ['a virtual size of 4 PiB over an L1 table of one entry', () => withHeaderField(24, 1n << 52n, 8), /QCOW2 image is corrupt: its L1 table has 1 entries but a 4503599627370496-byte disk needs 8388608$/],
    ['a virtual size of 4 EiB', () => withHeaderField(24, 1n << 62n, 8), /QCOW2 image claims an impossible virtual size \(4611686018427387904 bytes\)$/],
  ])('%s is refused in one line', async (_, makeImage, message) => {
    const image = makeImage();
    const [lint, inspect] = await Promise.all([spotlint([image]), spotlint(['inspect', image])]);
    for (const result of [lint, inspect]) expect(expectOneLineError(result)).toMatch(message);
  });

  it('a disk of 1 PiB that stores 2 MiB is read without reading the rest', async () => {
    const huge = join(tempDir('limits-qcow2-huge'), 'disk.qcow2');
    copyFileSync(qcow2, huge);
    // A 16 MiB L1 table: just under the 32 MiB limit at 64 KiB clusters.
    execFileSync('qemu-img', ['resize', huge, '1P']);
    const inspect = await spotlint(['inspect', huge]);
    expect(inspect.code).toBe(0);
    expect(inspect.stdout).toContain('Size:       1.0 PiB virtual (1125899906842624 bytes)');
    expect(inspect.stdout).toContain('Root filesystem: the whole disk');
  });
});

describe('guest paths', () => {
  const DEEP = `/${'d/'.repeat(257)}f`;
  let image: string;
  beforeAll(() => {
    image = makeExtImage({
      'etc/os-release': 'ID=debian\n',
      [DEEP.slice(1)]: 'too deep\n',
      [`${'d/'.repeat(255)}g`]: 'deep enough\n',
      'etc/deep': { symlink: `..${DEEP}` },
    }, { sizeMiB: 4, type: 'ext2' });
  });

  it.each([
    ['a path', DEEP],
    ['a link', '/etc/deep'],
  ])('%s deeper than 256 components is refused in one line', async (_, path) => {
    const line = expectOneLineError(await spotlint(['cat', image, path]));
    expect(line).toBe(`spotlint: ${image}: ${path}: more than 256 path components`);
  });

  it('a file 256 components deep is read', async () => {
    const result = await spotlint(['cat', image, `/${'d/'.repeat(255)}g`]);
    expect(result).toMatchObject({ code: 0, stdout: 'deep enough\n' });
  });
});

describe('XVM2 packages', () => {
  it('a manifest.txt over 64 KiB is not read', async () => {
    const staged = stagePackage([makeDiskFile(64 * 1024)]);
    const manifest = join(staged.dir, 'manifest.txt');
    const size = 64 * 1024 + 1;
    writeFileSync(manifest, readFileSync(manifest, 'utf8').padEnd(size, '\n'));
    const result = await spotlint(['verify', tarWithGnuTar(staged.dir, staged.members)]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`  manifest.txt: is ${size} bytes, more than the 65536 a package's manifest.txt may have\n`);
  });
});
