// Filesystems with a known amount of garbage in their free blocks, and the
// e2fsprogs views (dumpe2fs, debugfs) that serve as the oracle for what the
// free-space scan must find. Garbage is made the way a guest makes it: a file
// is written, then deleted, and its blocks keep their bytes.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { RULES } from '../../dist/rules/registry.js';
import { tempDir, writeTree } from './build-image.js';

export const KiB = 1024;
export const MiB = 1024 * KiB;

export interface SmallExtOptions {
  type: 'ext2' | 'ext4';
  sizeMiB: number;
  blockSize: 1024 | 4096;
  /** mke2fs -g: small groups give many groups on a small filesystem. */
  blocksPerGroup?: number;
}

/** A filesystem made by mke2fs -d from a small tree of a few files, its free space all zeros. */
export function makeSmallExt(options: SmallExtOptions): string {
  const treeDir = tempDir('free-tree');
  writeTree(treeDir, {
    'etc/hostname': 'scanned\n',
    'etc/motd': 'A filesystem whose free space is measured.\n',
    'var/lib/data.bin': Buffer.alloc(40 * KiB, 0x5a),
    'usr/share/doc/readme.txt': 'text\n'.repeat(3000),
  });
  const image = join(tempDir('free-fs'), 'fs.img');
  const args = ['-q', '-F', '-t', options.type, '-b', String(options.blockSize), '-d', treeDir];
  if (options.blocksPerGroup) args.push('-g', String(options.blocksPerGroup));
  execFileSync('mke2fs', [...args, image, `${options.sizeMiB}M`], { stdio: 'pipe' });
  return image;
}

/**
 * Pseudo-random bytes from a fixed seed (xorshift32): the same garbage on
 * every run, and incompressible. A whole zero block (which debugfs would
 * turn into a hole) has odds of about 2^-8192.
 */
export function randomGarbage(bytes: number, seed = 0x9e3779b9): Buffer {
  const out = Buffer.alloc(Math.ceil(bytes / 4) * 4);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < out.length; i += 4) {
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    out.writeUInt32LE(x, i);
  }
  return out.subarray(0, bytes);
}

/** Text that gzip shrinks to almost nothing: a log line over and over. */
export function repetitiveText(bytes: number): Buffer {
  const line = 'Jan 12 03:14:15 build apt[812]: Unpacking libexample1:amd64 (1.2.3-4) over (1.2.3-3) ...\n';
  return Buffer.from(line.repeat(Math.ceil(bytes / line.length)).slice(0, bytes));
}

export interface LeftGarbage {
  /** Bytes of the host file written. */
  bytes: number;
  /** Bytes of the blocks the file held (data and block-map blocks), from debugfs stat before rm. */
  allocatedBytes: number;
  /** Indirect or extent-tree blocks among them: freed too, and not zero. */
  mapBlocks: number;
}

function debugfs(image: string, request: string, write = false): string {
  const args = [...(write ? ['-w'] : []), '-R', request, image];
  return execFileSync('debugfs', args, { stdio: 'pipe', encoding: 'utf8', env: { ...process.env, DEBUGFS_PAGER: '__none__', PAGER: 'cat' } });
}

/** Writes `content` as a file with debugfs, then removes it: its blocks are free again and keep the bytes. */
export function leaveGarbage(image: string, content: Buffer): LeftGarbage {
  const hostFile = join(tempDir('garbage'), 'garbage.bin');
  writeFileSync(hostFile, content);
  const freeBefore = readDumpe2fs(image).freeBlocks;
  debugfs(image, `write ${hostFile} garbage`, true);
  const stat = debugfs(image, 'stat garbage');
  const blockCount = /Blockcount:\s*(\d+)/.exec(stat);
  if (!blockCount) throw new Error(`debugfs wrote no file into ${image}:\n${stat}`);
  const mapBlocks = (stat.match(/\((?:IND|DIND|TIND|ETB\d+)\)/g) ?? []).length;
  debugfs(image, 'rm garbage', true);
  const freeAfter = readDumpe2fs(image).freeBlocks;
  if (freeAfter !== freeBefore) throw new Error(`debugfs rm left ${freeBefore - freeAfter} blocks in use in ${image}`);
  return { bytes: content.length, allocatedBytes: Number(blockCount[1]) * 512, mapBlocks };
}

/** Writes `content` straight into the image file at `offset`, behind the filesystem's back. */
export function writeIntoImage(image: string, offset: number, content: Buffer): void {
  const fd = openSync(image, 'r+');
  try {
    writeSync(fd, content, 0, content.length, offset);
  } finally {
    closeSync(fd);
  }
}

/** Inclusive block ranges [first, last]. */
export type BlockRange = [number, number];

export interface GroupView {
  index: number;
  flags: string[];
  free: BlockRange[];
}

export interface Dumpe2fsView {
  blockSize: number;
  /** The superblock's free block count. */
  freeBlocks: number;
  groups: GroupView[];
}

function parseRanges(text: string): BlockRange[] {
  return text.split(',').map((part) => part.trim()).filter(Boolean).map((part) => {
    const [first, last = first] = part.split('-').map(Number);
    return [first!, last!];
  });
}

/** What dumpe2fs says of the superblock and of each group's free blocks. */
export function readDumpe2fs(image: string): Dumpe2fsView {
  const text = execFileSync('dumpe2fs', [image], { stdio: 'pipe', encoding: 'utf8' });
  const header = (name: string) => {
    const match = new RegExp(`^${name}:\\s+(\\d+)$`, 'm').exec(text);
    if (!match) throw new Error(`dumpe2fs ${image}: no "${name}" line`);
    return Number(match[1]);
  };
  const groups: GroupView[] = [];
  for (const line of text.split('\n')) {
    const group = /^Group (\d+): .*?(?:\[(.*)\])?$/.exec(line);
    if (group) groups.push({ index: Number(group[1]), flags: group[2]?.split(',').map((f) => f.trim()) ?? [], free: [] });
    const free = /^ {2}Free blocks: ?(.*)$/.exec(line);
    if (free && groups.length > 0) groups.at(-1)!.free = parseRanges(free[1]!);
  }
  return { blockSize: header('Block size'), freeBlocks: header('Free blocks'), groups };
}

/** Sorted, with touching ranges joined: two views of the same blocks compare equal. */
export function mergeRanges(ranges: BlockRange[]): BlockRange[] {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const merged: BlockRange[] = [];
  for (const [first, last] of sorted) {
    const previous = merged.at(-1);
    if (previous && first <= previous[1] + 1) previous[1] = Math.max(previous[1], last);
    else merged.push([first, last]);
  }
  return merged;
}

export function sha256(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/** `qemu-img convert -O qcow2` (with -c: compressed clusters) of a raw image. */
export function toQcow2(raw: string, compressed = false): string {
  const out = join(tempDir('free-qcow2'), compressed ? 'compressed.qcow2' : 'disk.qcow2');
  execFileSync('qemu-img', ['convert', '-f', 'raw', '-O', 'qcow2', ...(compressed ? ['-c'] : []), raw, out], { stdio: 'pipe' });
  return out;
}

/**
 * A config file with every rule off except free-space-zeroed (at `setting`):
 * the bare filesystems here have no guest, and the findings under test are
 * this rule's alone.
 */
export function freeSpaceOnlyConfig(setting: unknown = 'warning'): string {
  const rules = Object.fromEntries(RULES.map((rule) => [rule.id, rule.id === 'free-space-zeroed' ? setting : 'off']));
  const path = join(tempDir('free-config'), 'spotlint.config.json');
  writeFileSync(path, JSON.stringify({ rules }));
  return path;
}
