import { chmod, lstat, rename, rm, stat, writeFile } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { SpotlintError } from '../errors.js';

async function statOrUndefined(path: string, follow: boolean): Promise<Stats | undefined> {
  try {
    return follow ? await stat(path) : await lstat(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * Writes a report file whole or not at all: into a temporary file beside it,
 * renamed over the target only once complete, so a CI job never picks up
 * half a report. The rename would replace whatever is there, so only a
 * regular file (keeping its mode) or nothing may be there, and never one of
 * the images being checked.
 */
export async function writeOutputFile(path: string, text: string, inputs: readonly string[] = []): Promise<void> {
  if (path === '') throw new SpotlintError('--output needs a file name');
  const existing = await statOrUndefined(path, false).catch(() => undefined);
  if (existing && !existing.isFile()) {
    throw new SpotlintError(`${path}: is not a regular file (${existing.isSymbolicLink() ? 'a symbolic link' : existing.isDirectory() ? 'a directory' : 'a device or special file'}); give a file name for the report`);
  }
  if (existing) {
    for (const input of inputs) {
      const image = await statOrUndefined(input, true).catch(() => undefined);
      if (image && image.dev === existing.dev && image.ino === existing.ino) {
        throw new SpotlintError(`${path}: is the image being checked; give another file name for the report`);
      }
    }
  }
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    await writeFile(temporary, text);
    if (existing) await chmod(temporary, existing.mode & 0o7777);
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw new SpotlintError(`${path}: cannot write the report (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
}
