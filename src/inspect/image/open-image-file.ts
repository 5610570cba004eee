import { open, stat, type FileHandle } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { SpotlintError } from '../../errors.js';

export interface OpenedImageFile {
  handle: FileHandle;
  stats: Stats;
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
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    throw describeFsError(path, error);
  }
  return { handle, stats };
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
