/**
 * Copies an image without turning its zeros into allocated blocks: disk
 * images are mostly empty, and a plain copy of a 20 GiB image with 2 GiB of
 * data would take 20 GiB of disk. Node has no SEEK_DATA or copy_file_range
 * with hole support, so zeros are found by looking at them: holes read as
 * zeros fast, and zeros that were written out come back as holes.
 */
import { open, unlink, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { SpotlintError } from '../errors.js';
import { fsyncDirectory } from './fsync-directory.js';

/** Read size; a multiple of ZERO_CHECK_BYTES, so every chunk starts on a block boundary. */
const READ_CHUNK_BYTES = 4 * 1024 * 1024;
/** The granularity of holes: the usual filesystem block size. */
const ZERO_CHECK_BYTES = 4096;
const ZERO_BLOCK = Buffer.alloc(ZERO_CHECK_BYTES);

/** Copies `source` to `destination`, which must not exist, leaving holes where the source has zeros; flushes the copy. */
export async function copySparse(source: string, destination: string): Promise<void> {
  const input = await open(source, 'r').catch((error: unknown) => {
    throw new SpotlintError(`could not read ${source}: ${(error as Error).message}`);
  });
  try {
    let output: FileHandle;
    try {
      output = await open(destination, 'wx');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw new SpotlintError(`${destination} already exists; spotlint does not overwrite files: choose another name or remove it`);
      throw new SpotlintError(`could not create ${destination}: ${(error as Error).message}`);
    }
    try {
      await copyNonZeroBlocks(input, output, source);
      await output.sync();
    } catch (error) {
      await output.close();
      await unlink(destination).catch(() => undefined);
      if (error instanceof SpotlintError) throw error;
      throw new SpotlintError(`could not copy ${source} to ${destination}: ${(error as Error).message}`);
    }
    await output.close();
    await fsyncDirectory(dirname(destination)).catch((error: unknown) => {
      throw new SpotlintError(`could not flush the directory of ${destination}: ${(error as Error).message}`);
    });
  } finally {
    await input.close();
  }
}

async function copyNonZeroBlocks(input: FileHandle, output: FileHandle, source: string): Promise<void> {
  const size = (await input.stat()).size;
  const chunk = Buffer.allocUnsafe(Math.min(READ_CHUNK_BYTES, Math.max(size, 1)));
  for (let position = 0; position < size; position += chunk.length) {
    const length = Math.min(chunk.length, size - position);
    for (let done = 0; done < length;) {
      const { bytesRead } = await input.read(chunk, done, length - done, position + done);
      if (bytesRead === 0) throw new SpotlintError(`${source} became shorter while it was copied (at byte ${position + done} of ${size})`);
      done += bytesRead;
    }
    await writeNonZeroRuns(output, chunk.subarray(0, length), position);
  }
  // Sets the size when the source ends in zeros, which were not written.
  await output.truncate(size);
}

/** Writes the runs of blocks of `chunk` that are not all zeros, each run in one write. */
async function writeNonZeroRuns(output: FileHandle, chunk: Buffer, position: number): Promise<void> {
  let runStart = -1;
  for (let offset = 0; offset <= chunk.length; offset += ZERO_CHECK_BYTES) {
    const block = chunk.subarray(offset, offset + ZERO_CHECK_BYTES);
    const isData = block.length > 0 && !block.equals(ZERO_BLOCK.subarray(0, block.length));
    if (isData && runStart < 0) runStart = offset;
    if (!isData && runStart >= 0) {
      await writeFully(output, chunk.subarray(runStart, offset), position + runStart);
      runStart = -1;
    }
  }
  if (runStart >= 0) await writeFully(output, chunk.subarray(runStart), position + runStart);
}

async function writeFully(handle: FileHandle, buffer: Buffer, position: number): Promise<void> {
  for (let done = 0; done < buffer.length;) {
    const { bytesWritten } = await handle.write(buffer, done, buffer.length - done, position + done);
    done += bytesWritten;
  }
}
