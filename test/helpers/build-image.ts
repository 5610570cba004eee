// Builds real disk images at test time: a directory tree written to a temp
// folder, an ext filesystem made from it by mke2fs -d (no root, no loop
// device), and an MBR written by hand around the filesystems.
import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, symlinkSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export type TreeEntry = string | Buffer | { symlink: string };
export type Tree = Record<string, TreeEntry>;

const MiB = 1024 * 1024;

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `spotlint-${prefix}-`));
}

export function writeTree(root: string, tree: Tree): void {
  for (const [path, entry] of Object.entries(tree)) {
    const target = join(root, path);
    mkdirSync(dirname(target), { recursive: true });
    if (path.endsWith('/')) mkdirSync(target, { recursive: true });
    else if (typeof entry === 'object' && 'symlink' in entry) symlinkSync(entry.symlink, target);
    else writeFileSync(target, entry);
  }
}

export interface ExtOptions {
  type?: 'ext2' | 'ext3' | 'ext4';
  sizeMiB?: number;
  label?: string;
  uuid?: string;
}

/** An ext filesystem image file made by mke2fs from `tree`. */
export function makeExtImage(tree: Tree, options: ExtOptions = {}): string {
  const treeDir = tempDir('tree');
  writeTree(treeDir, tree);
  return makeExtImageFromDirectory(treeDir, options);
}

/** An ext filesystem image file made by mke2fs -d from a directory the caller filled. */
export function makeExtImageFromDirectory(treeDir: string, options: ExtOptions = {}): string {
  const image = join(tempDir('fs'), 'fs.img');
  const args = ['-q', '-F', '-t', options.type ?? 'ext4', '-d', treeDir];
  if (options.label) args.push('-L', options.label);
  if (options.uuid) args.push('-U', options.uuid);
  execFileSync('mke2fs', [...args, image, `${options.sizeMiB ?? 8}M`], { stdio: 'pipe' });
  return image;
}

export interface MbrPart {
  /** A filesystem image to copy in, or a size for an empty partition. */
  image?: string;
  sizeMiB?: number;
  type?: number;
  active?: boolean;
}

/** Lays partitions out 1 MiB-aligned behind an MBR written by hand. */
export function wrapInMbr(parts: MbrPart[], diskSignature = 0x12345678): string {
  const disk = join(tempDir('disk'), 'disk.img');
  const mbr = Buffer.alloc(512);
  mbr.writeUInt32LE(diskSignature, 0x1b8);
  mbr.writeUInt16LE(0xaa55, 510);
  const fd = openSync(disk, 'w');
  let nextMiB = 1;
  parts.forEach((part, slot) => {
    const content = part.image ? readFileSync(part.image) : undefined;
    const sizeMiB = part.sizeMiB ?? Math.ceil((content?.length ?? MiB) / MiB);
    const entry = 0x1be + slot * 16;
    mbr[entry] = part.active ? 0x80 : 0x00;
    mbr[entry + 4] = part.type ?? 0x83;
    mbr.writeUInt32LE((nextMiB * MiB) / 512, entry + 8);
    mbr.writeUInt32LE((sizeMiB * MiB) / 512, entry + 12);
    if (content) writeSync(fd, content, 0, content.length, nextMiB * MiB);
    nextMiB += sizeMiB;
  });
  writeSync(fd, mbr, 0, 512, 0);
  // One spare MiB at the end, like partitioning tools leave.
  writeSync(fd, Buffer.alloc(1), 0, 1, (nextMiB + 1) * MiB - 1);
  closeSync(fd);
  return disk;
}
