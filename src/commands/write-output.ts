import { rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { SpotlintError } from '../errors.js';

/**
 * Writes a report file whole or not at all: into a temporary file beside it,
 * renamed over the target only once complete, so a CI job never picks up
 * half a report.
 */
export async function writeOutputFile(path: string, text: string): Promise<void> {
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    await writeFile(temporary, text);
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw new SpotlintError(`${path}: cannot write the report (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
}
