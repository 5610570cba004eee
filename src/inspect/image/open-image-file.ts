import { open, readFile, stat, type FileHandle } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { SpotlintError } from '../../errors.js';

export interface OpenedImageFile {
  handle: FileHandle;
  stats: Stats;
  /** Bytes readable: the file size, or a block device's capacity. */
  size: number;
}

/**
 * Opens an image file read-only, turning every way a path can be unusable
 * into one sentence that names the file. Nothing here ever opens for writing.
 */
export async function openImageFile(path: string): Promise<OpenedImageFile> {
  let stats: Stats;
  try {
    stats = await stat(path);
  } catch (error) {
    throw describeFsError(path, error);
  }
  if (stats.isDirectory()) {
    throw new SpotlintError(`${path}: is a directory, not a disk image; give the image file inside it (for example ${path.replace(/\/$/, '')}/d0.img)`);
  }
  if (!stats.isFile() && !stats.isBlockDevice()) {
    throw new SpotlintError(`${path}: is not a regular file or block device, so it cannot be a disk image`);
  }
  if (stats.isFile() && stats.size === 0) {
    throw new SpotlintError(`${path}: the file is empty (0 bytes); the export probably failed, run it again`);
  }
  const size = stats.isBlockDevice() ? await blockDeviceSize(path, stats) : stats.size;
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    throw describeFsError(path, error);
  }
  return { handle, stats, size };
}

/**
 * stat() says 0 bytes for a block device; Linux publishes its capacity in
 * 512-byte sectors under /sys/dev/block/MAJOR:MINOR/size.
 */
async function blockDeviceSize(path: string, stats: Stats): Promise<number> {
  const major = Math.floor(stats.rdev / 256) & 0xfff;
  const minor = (stats.rdev & 0xff) | ((Math.floor(stats.rdev / 4096) & 0xfff00));
  try {
    const sectors = Number((await readFile(`/sys/dev/block/${major}:${minor}/size`, 'utf8')).trim());
    if (Number.isSafeInteger(sectors) && sectors > 0) return sectors * 512;
  } catch {
    // not Linux, or no such entry: fall through to the advice below
  }
  throw new SpotlintError(`${path}: cannot tell the size of this block device; copy it to an image file first: dd if=${path} of=d0.img bs=1M`);
}

function describeFsError(path: string, error: unknown): Error {
  const code = (error as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOENT':
      return new SpotlintError(`${path}: no such file`);
    case 'EACCES':
    case 'EPERM':
      return new SpotlintError(`${path}: permission denied (spotlint needs read access to the image)`);
    case 'ENOTDIR':
      return new SpotlintError(`${path}: a part of this path is not a directory`);
    case 'ELOOP':
      return new SpotlintError(`${path}: too many levels of symbolic links`);
    case 'EISDIR':
      return new SpotlintError(`${path}: is a directory, not a disk image`);
    default:
      return new SpotlintError(`${path}: cannot open (${code ?? (error as Error).message})`);
  }
}
