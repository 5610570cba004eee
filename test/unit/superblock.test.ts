import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  EXT_MAGIC, EXT_SUPERBLOCK_OFFSET, EXT_SUPERBLOCK_SIZE, formatUuid, hasExtMagic, parseExtSuperblock,
} from '../../src/inspect/ext/superblock.js';

const UUID = '0d3c7a2e-5f61-4b7a-9c1e-2a3b4c5d6e7f';
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'spotlint-unit-superblock-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Makes an 8 MiB filesystem with 1 KiB blocks; returns its path. */
function mkfs(name: string, type: 'ext2' | 'ext3' | 'ext4', extra: string[] = []): string {
  const file = join(dir, `${name}.img`);
  execFileSync('mke2fs', ['-q', '-F', '-t', type, '-b', '1024', '-L', 'lbl', '-U', UUID, ...extra, file, '8M'], { stdio: 'pipe' });
  return file;
}

function debugfs(file: string, request: string): void {
  execFileSync('debugfs', ['-w', '-R', request, file], { stdio: 'pipe' });
}

function superblockOf(file: string): Buffer {
  const fd = openSync(file, 'r');
  try {
    const sb = Buffer.alloc(EXT_SUPERBLOCK_SIZE);
    readSync(fd, sb, 0, EXT_SUPERBLOCK_SIZE, EXT_SUPERBLOCK_OFFSET);
    return sb;
  } finally {
    closeSync(fd);
  }
}

/** dumpe2fs -h as a map of field name to value: an independent reading to compare with. */
function dumpe2fs(file: string): Map<string, string> {
  const out = execFileSync('dumpe2fs', ['-h', file], { stdio: ['ignore', 'pipe', 'ignore'] }).toString();
  const fields = new Map<string, string>();
  for (const line of out.split('\n')) {
    const match = /^([^:]+):\s*(.*)$/.exec(line);
    if (match) fields.set(match[1]!.trim(), match[2]!.trim());
  }
  return fields;
}

describe('parseExtSuperblock on filesystems made by mke2fs', () => {
  it.each(['ext2', 'ext3', 'ext4'] as const)('reads a fresh %s', (type) => {
    const file = mkfs(`fresh-${type}`, type);
    const sb = superblockOf(file);
    expect(hasExtMagic(sb)).toBe(true);
    const parsed = parseExtSuperblock(sb);
    const dump = dumpe2fs(file);

    expect(parsed.version).toBe(type);
    expect(parsed.uuid).toBe(UUID);
    expect(parsed.label).toBe('lbl');
    expect(parsed.blockSize).toBe(1024);
    expect(parsed.blockCount).toBe(8192);
    expect(parsed.freeBlocks).toBe(Number(dump.get('Free blocks')));
    expect(parsed.inodeCount).toBe(Number(dump.get('Inode count')));
    expect(parsed.freeInodes).toBe(Number(dump.get('Free inodes')));
    expect(parsed.inodeSize).toBe(Number(dump.get('Inode size')));
    expect(parsed.cleanlyUnmounted).toBe(true);
    expect(parsed.errorsRecorded).toBe(false);
    expect(parsed.needsRecovery).toBe(false);
    expect(parsed.errorCount).toBe(0);
    expect(parsed.lastMountedOn).toBe('');
    expect(parsed.lastMountTime).toBe(0);
    expect(parsed.mountCount).toBe(0);
    expect(parsed.lastWriteTime).toBeGreaterThan(1_600_000_000);
    expect([...parsed.features].sort()).toEqual(dump.get('Filesystem features')!.split(/\s+/).sort());
  });

  it('names the features of each version as mke2fs sets them', () => {
    const features = (type: 'ext2' | 'ext3' | 'ext4') => parseExtSuperblock(superblockOf(mkfs(`feat-${type}`, type))).features;
    expect(features('ext2')).not.toContain('has_journal');
    expect(features('ext3')).toContain('has_journal');
    expect(features('ext3')).not.toContain('extent');
    expect(features('ext4')).toEqual(expect.arrayContaining(['has_journal', 'extent', 'flex_bg']));
  });

  it('calls a journal-less filesystem with ext4 features ext4, as blkid does', () => {
    const parsed = parseExtSuperblock(superblockOf(mkfs('nojournal', 'ext4', ['-O', '^has_journal'])));
    expect(parsed.features).not.toContain('has_journal');
    expect(parsed.version).toBe('ext4');
  });

  it('reads 4 KiB blocks', () => {
    const file = join(dir, 'bs4k.img');
    execFileSync('mke2fs', ['-q', '-F', '-t', 'ext4', '-b', '4096', file, '8M'], { stdio: 'pipe' });
    const parsed = parseExtSuperblock(superblockOf(file));
    expect(parsed.blockSize).toBe(4096);
    expect(parsed.blockCount).toBe(2048);
    expect(parsed.label).toBe('');
  });

  it('reads the errors state, needs_recovery and the error count set by debugfs', () => {
    const file = mkfs('dirty-ext4', 'ext4');
    debugfs(file, 'ssv state 2');
    debugfs(file, 'feature needs_recovery');
    debugfs(file, 'ssv error_count 5');
    const parsed = parseExtSuperblock(superblockOf(file));
    expect(parsed.cleanlyUnmounted).toBe(false);
    expect(parsed.errorsRecorded).toBe(true);
    expect(parsed.needsRecovery).toBe(true);
    expect(parsed.errorCount).toBe(5);
    expect(parsed.features).toContain('needs_recovery');
    expect(parsed.version).toBe('ext4');
  });

  it('reports a filesystem left mounted (state 0) as not cleanly unmounted, without errors', () => {
    const file = mkfs('mounted-ext3', 'ext3');
    debugfs(file, 'ssv state 0');
    const parsed = parseExtSuperblock(superblockOf(file));
    expect(parsed).toMatchObject({ cleanlyUnmounted: false, errorsRecorded: false, needsRecovery: false });
  });

  it('keeps an ext3 with needs_recovery an ext3', () => {
    const file = mkfs('recover-ext3', 'ext3');
    debugfs(file, 'feature needs_recovery');
    const parsed = parseExtSuperblock(superblockOf(file));
    expect(parsed.version).toBe('ext3');
    expect(parsed.needsRecovery).toBe(true);
  });

  it('reads the last mount point, mount count and mount time', () => {
    const file = mkfs('mounted-info', 'ext4');
    debugfs(file, 'ssv last_mounted /srv/data');
    debugfs(file, 'ssv mnt_count 7');
    debugfs(file, 'ssv mtime 20240102030405');
    const parsed = parseExtSuperblock(superblockOf(file));
    expect(parsed.lastMountedOn).toBe('/srv/data');
    expect(parsed.mountCount).toBe(7);
    expect(parsed.lastMountTime).toBe(Date.UTC(2024, 0, 2, 3, 4, 5) / 1000);
  });
});

describe('parseExtSuperblock on hand-edited bytes', () => {
  let ext4: Buffer;
  let ext2: Buffer;
  beforeAll(() => {
    ext4 = superblockOf(mkfs('base-ext4', 'ext4'));
    ext2 = superblockOf(mkfs('base-ext2', 'ext2'));
  });

  it('adds the high 32 bits of the block counts on a 64bit filesystem', () => {
    const sb = Buffer.from(ext4);
    expect(parseExtSuperblock(sb).features).toContain('64bit');
    sb.writeUInt32LE(1, 0x150);
    sb.writeUInt32LE(2, 0x158);
    const parsed = parseExtSuperblock(sb);
    expect(parsed.blockCount).toBe(2 ** 32 + 8192);
    expect(parsed.freeBlocks).toBe(2 * 2 ** 32 + ext4.readUInt32LE(12));
  });

  it('ignores the high words without the 64bit feature', () => {
    const sb = Buffer.from(ext2);
    sb.writeUInt32LE(1, 0x150);
    expect(parseExtSuperblock(sb).blockCount).toBe(8192);
  });

  it('gives block size 0 for an absurd log_block_size instead of a huge number', () => {
    const sb = Buffer.from(ext2);
    sb.writeUInt32LE(6, 24);
    expect(parseExtSuperblock(sb).blockSize).toBe(65536);
    sb.writeUInt32LE(7, 24);
    expect(parseExtSuperblock(sb).blockSize).toBe(0);
    sb.writeUInt32LE(0xffffffff, 24);
    expect(parseExtSuperblock(sb).blockSize).toBe(0);
  });

  it('uses 128-byte inodes for revision 0', () => {
    const sb = Buffer.from(ext2);
    sb.writeUInt32LE(0, 76);
    expect(parseExtSuperblock(sb).inodeSize).toBe(128);
  });

  it('reads a label that fills all 16 bytes, and keeps non-ASCII UTF-8', () => {
    const sb = Buffer.from(ext2);
    sb.write('0123456789abcdef', 120, 'latin1');
    expect(parseExtSuperblock(sb).label).toBe('0123456789abcdef');
    sb.fill(0, 120, 136);
    sb.write('räksmörgås', 120, 'utf8');
    expect(parseExtSuperblock(sb).label).toBe('räksmörgås');
  });

  it('names unknown feature bits by their mask', () => {
    const sb = Buffer.from(ext2);
    sb.writeUInt32LE((sb.readUInt32LE(96) | 0x80000000) >>> 0, 96);
    expect(parseExtSuperblock(sb).features).toContain('unknown_80000000');
    expect(parseExtSuperblock(sb).version).toBe('ext4');
  });

  it('detects the magic only at offset 56', () => {
    expect(EXT_MAGIC).toBe(0xef53);
    expect(hasExtMagic(ext2)).toBe(true);
    const sb = Buffer.from(ext2);
    sb.writeUInt16LE(0, 56);
    expect(hasExtMagic(sb)).toBe(false);
    expect(hasExtMagic(ext2.subarray(0, 57))).toBe(false);
  });

  it('formats a UUID in 8-4-4-4-12 groups', () => {
    expect(formatUuid(Buffer.from('0d3c7a2e5f614b7a9c1e2a3b4c5d6e7f', 'hex'))).toBe(UUID);
  });
});
