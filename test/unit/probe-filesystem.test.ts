import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { identify, PROBE_BYTES, probeFilesystem } from '../../src/inspect/probe/probe-filesystem.js';
import { ByteBufferSource } from './byte-buffer-source.js';

const UUID = '6a0b1c2d-3e4f-4a5b-8c6d-7e8f90a1b2c3';
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'spotlint-unit-probe-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** A zero-filled probe window with `text` (latin1) or bytes written at `offset`. */
function blank(): Buffer {
  return Buffer.alloc(PROBE_BYTES);
}
function put(head: Buffer, offset: number, data: string | Buffer): Buffer {
  if (typeof data === 'string') head.write(data, offset, 'latin1');
  else data.copy(head, offset);
  return head;
}
const uuidBytes = (uuid: string) => Buffer.from(uuid.replace(/-/g, ''), 'hex');

describe('identify', () => {
  it('reads 68 KiB, enough for the btrfs superblock at 64 KiB', () => {
    expect(PROBE_BYTES).toBe(68 * 1024);
  });

  it('identifies an ext4 made by mke2fs, with its UUID, label and superblock', () => {
    const file = join(dir, 'ext4.img');
    execFileSync('mke2fs', ['-q', '-F', '-t', 'ext4', '-L', 'rootfs', '-U', UUID, file, '8M'], { stdio: 'pipe' });
    const probe = identify(readFileSync(file).subarray(0, PROBE_BYTES));
    expect(probe.type).toBe('ext4');
    expect(probe.uuid).toBe(UUID);
    expect(probe.label).toBe('rootfs');
    expect(probe.ext).toMatchObject({ version: 'ext4', uuid: UUID, label: 'rootfs', cleanlyUnmounted: true });
  });

  it('identifies an ext2 made by mke2fs', () => {
    const file = join(dir, 'ext2.img');
    execFileSync('mke2fs', ['-q', '-F', '-t', 'ext2', '-U', UUID, file, '8M'], { stdio: 'pipe' });
    const probe = identify(readFileSync(file).subarray(0, PROBE_BYTES));
    expect(probe).toMatchObject({ type: 'ext2', uuid: UUID, label: '' });
  });

  it('identifies an external ext journal device', () => {
    const file = join(dir, 'journal.img');
    execFileSync('mke2fs', ['-q', '-F', '-O', 'journal_dev', '-b', '1024', '-U', UUID, '-L', 'jrnl', file, '2M'], { stdio: 'pipe' });
    const probe = identify(readFileSync(file).subarray(0, PROBE_BYTES));
    expect(probe).toEqual({ type: 'ext-journal', uuid: UUID, label: 'jrnl', detail: 'external ext3/ext4 journal' });
  });

  it('identifies XFS with its UUID and label', () => {
    const head = put(blank(), 0, 'XFSB');
    head.writeUInt32BE(4096, 4);
    put(head, 32, uuidBytes(UUID));
    put(head, 108, 'xfsroot');
    expect(identify(head)).toEqual({ type: 'xfs', uuid: UUID, label: 'xfsroot' });
  });

  it('reads a 12-byte XFS label with no NUL', () => {
    const head = put(put(blank(), 0, 'XFSB'), 108, 'abcdefghijklMORE');
    expect(identify(head).label).toBe('abcdefghijkl');
  });

  it('identifies btrfs by its magic at 0x10040', () => {
    const head = put(blank(), 0x10040, '_BHRfS_M');
    put(head, 0x10020, uuidBytes(UUID));
    put(head, 0x1012b, 'btrfs-home');
    expect(identify(head)).toEqual({ type: 'btrfs', uuid: UUID, label: 'btrfs-home' });
  });

  it('does not find btrfs in a window too short to hold its superblock', () => {
    const head = put(blank(), 0x10040, '_BHRfS_M').subarray(0, 0x10044);
    expect(identify(head)).toEqual({ type: 'unknown' });
  });

  it('identifies LUKS with the UUID text from its header', () => {
    const head = put(blank(), 0, Buffer.from([0x4c, 0x55, 0x4b, 0x53, 0xba, 0xbe, 0x00, 0x02]));
    put(head, 168, UUID);
    expect(identify(head)).toEqual({ type: 'crypto_LUKS', uuid: UUID });
  });

  it('identifies an LVM physical volume label in sector 1 and groups its id 6-4-4-4-4-4-6', () => {
    const head = put(blank(), 512, 'LABELONE');
    head.writeBigUInt64LE(1n, 520);
    head.writeUInt32LE(32, 532);
    put(head, 536, 'LVM2 001');
    put(head, 544, 'AbCdEf0123456789GhIjKlMnOpQrSt01');
    expect(identify(head)).toEqual({ type: 'LVM2_member', uuid: 'AbCdEf-0123-4567-89Gh-IjKl-MnOp-QrSt01' });
  });

  it('does not take LABELONE without the LVM2 type for LVM', () => {
    const head = put(put(blank(), 512, 'LABELONE'), 536, 'LVM1 001');
    expect(identify(head).type).toBe('unknown');
  });

  it('identifies NTFS with its volume serial number', () => {
    const head = put(blank(), 0, Buffer.from([0xeb, 0x52, 0x90]));
    put(head, 3, 'NTFS    ');
    head.writeBigUInt64LE(0x0a1b2c3d4e5f6071n, 0x48);
    head.writeUInt16LE(0xaa55, 510);
    expect(identify(head)).toEqual({ type: 'ntfs', uuid: '0A1B2C3D4E5F6071' });
  });

  it('identifies FAT32 with its serial as XXXX-XXXX and its label', () => {
    const head = put(blank(), 0, Buffer.from([0xeb, 0x58, 0x90]));
    put(head, 3, 'mkfs.fat');
    head.writeUInt32LE(0x1a2b3c, 0x43);
    put(head, 0x47, 'EFI        ');
    put(head, 0x52, 'FAT32   ');
    head.writeUInt16LE(0xaa55, 510);
    expect(identify(head)).toEqual({ type: 'vfat', uuid: '001A-2B3C', label: 'EFI' });
  });

  it('identifies FAT16 and reports NO NAME as an empty label', () => {
    const head = put(blank(), 0, Buffer.from([0xeb, 0x3c, 0x90]));
    head.writeUInt32LE(0xdeadbeef, 0x27);
    put(head, 0x2b, 'NO NAME    ');
    put(head, 0x36, 'FAT16   ');
    head.writeUInt16LE(0xaa55, 510);
    expect(identify(head)).toEqual({ type: 'vfat', uuid: 'DEAD-BEEF', label: '' });
  });

  it('does not take a FAT boot sector without 0x55AA for FAT', () => {
    const head = put(blank(), 0x52, 'FAT32   ');
    expect(identify(head).type).toBe('unknown');
  });

  it('identifies squashfs', () => {
    expect(identify(put(blank(), 0, 'hsqs'))).toEqual({ type: 'squashfs' });
  });

  it('identifies ISO 9660 with its volume id', () => {
    const head = put(blank(), 0x8000, '\x01CD001\x01');
    put(head, 0x8028, 'UBUNTU_22_04'.padEnd(32, ' '));
    expect(identify(head)).toEqual({ type: 'iso9660', label: 'UBUNTU_22_04' });
  });

  it('identifies UFS2 by its magic in the superblock at 64 KiB', () => {
    const head = blank();
    head.writeUInt32LE(0x19540119, 65536 + 1372);
    expect(identify(head)).toEqual({ type: 'ufs', detail: 'BSD UFS' });
  });

  it('identifies UFS1 by its magic in the superblock at 8 KiB', () => {
    const head = blank();
    head.writeUInt32LE(0x011954, 8192 + 1372);
    expect(identify(head)).toEqual({ type: 'ufs', detail: 'BSD UFS' });
  });

  it('calls all zeros unknown', () => {
    expect(identify(blank())).toEqual({ type: 'unknown' });
  });

  it('calls an empty window unknown', () => {
    expect(identify(Buffer.alloc(0))).toEqual({ type: 'unknown' });
  });
});

describe('probeFilesystem', () => {
  it('finds a swap area made by mkswap, with UUID, label and page size', async () => {
    const file = join(dir, 'swap.img');
    execFileSync('truncate', ['-s', '1M', file]);
    execFileSync('mkswap', ['-L', 'swap0', '-U', UUID, '-p', '4096', file], { stdio: 'pipe' });
    const bytes = readFileSync(file);
    const probe = await probeFilesystem(new ByteBufferSource(bytes), 0, bytes.length);
    expect(probe).toEqual({ type: 'swap', uuid: UUID, label: 'swap0', detail: 'swap v1, 4096-byte pages' });
  });

  it('finds swap with 64 KiB pages inside a partition at an offset', async () => {
    const disk = Buffer.alloc(2 * 1024 * 1024);
    const start = 1024 * 1024;
    put(disk, start + 65536 - 10, 'SWAPSPACE2');
    put(disk, start + 1036, uuidBytes(UUID));
    put(disk, start + 1052, 'big');
    const probe = await probeFilesystem(new ByteBufferSource(disk), start, 1024 * 1024);
    expect(probe).toEqual({ type: 'swap', uuid: UUID, label: 'big', detail: 'swap v1, 65536-byte pages' });
  });

  it('reports an obsolete v0 swap area', async () => {
    const disk = put(Buffer.alloc(64 * 1024), 4096 - 10, 'SWAP-SPACE');
    expect(await probeFilesystem(new ByteBufferSource(disk), 0, disk.length)).toEqual({ type: 'swap', detail: 'swap v0 (obsolete)' });
  });

  it('identifies the filesystem at the partition offset, not at the disk start', async () => {
    const disk = Buffer.alloc(512 * 1024);
    put(disk, 0, 'XFSB'); // something else at the start of the disk
    put(disk, 128 * 1024, 'hsqs');
    expect(await probeFilesystem(new ByteBufferSource(disk), 128 * 1024, 256 * 1024)).toEqual({ type: 'squashfs' });
  });

  it('does not read past the end of a small partition', async () => {
    const disk = Buffer.alloc(256 * 1024);
    put(disk, 0x10040 + 4096, '_BHRfS_M'); // lies past the 4 KiB partition below
    const source = new ByteBufferSource(disk);
    expect(await probeFilesystem(source, 4096, 4096)).toEqual({ type: 'unknown' });
    for (const [position, length] of source.reads) expect(position + length).toBeLessThanOrEqual(8192);
  });
});
