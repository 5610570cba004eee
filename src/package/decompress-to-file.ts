import { open, unlink, type FileHandle } from 'node:fs/promises';
import { SpotlintError } from '../errors.js';
import { ZeroBlocks } from '../inspect/freespace/zero-blocks.js';
import { readPackage } from './read-package.js';
import { MAX_PACKAGE_MEMBERS } from './verify-package.js';

/** The granularity of holes: the usual filesystem block size. */
const HOLE_BYTES = 4096;
/** Bytes gathered before they are written: fewer, larger writes. */
const WRITE_BATCH_BYTES = 4 * 1024 * 1024;

/**
 * Writes the uncompressed bytes of the disk member `member` of the package
 * at `packagePath` to `destination`, which must not exist, for the lint to
 * read. Disk images are mostly zeros, so 4 KiB blocks of zeros are not
 * written and stay holes: a 20 GiB disk holding 2 GiB takes about 2 GiB.
 *
 * `expected` is what the package was verified with; a package that yields
 * anything else has changed since, and then nothing is left behind.
 */
export async function decompressToFile(packagePath: string, member: string, destination: string, expected: { size: bigint; md5: string }): Promise<void> {
  let handle: FileHandle;
  try {
    handle = await open(destination, 'wx');
  } catch (error) {
    throw new SpotlintError(`cannot create the temporary file ${destination}: ${(error as Error).message}`);
  }
  try {
    const writer = new SparseWriter(handle);
    const listing = await readPackage(packagePath, {
      maxMembers: MAX_PACKAGE_MEMBERS,
      decompress: (name) => (name === member ? { limit: expected.size, write: (bytes) => writer.write(bytes) } : undefined),
    });
    const digest = listing.members.find((candidate) => candidate.name === member)?.disk;
    if (digest?.outcome === 'write-failed') throw new SpotlintError(`cannot write the temporary file ${destination}: ${digest.error.message}`);
    if (digest?.outcome !== 'complete' || digest.size !== expected.size || digest.md5 !== expected.md5) {
      throw new SpotlintError(`${packagePath}: ${member} no longer decompresses as it did when verified; has the package changed?`);
    }
    await writer.finish();
  } catch (error) {
    await handle.close().catch(() => undefined);
    await unlink(destination).catch(() => undefined);
    throw error;
  }
  await handle.close();
}

/** Writes a stream of bytes from offset 0, skipping whole 4 KiB blocks of zeros. */
class SparseWriter {
  private readonly zeros = new ZeroBlocks(HOLE_BYTES, WRITE_BATCH_BYTES);
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** File offset of the first pending byte; always a multiple of HOLE_BYTES. */
  private offset = 0;

  constructor(private readonly handle: FileHandle) {}

  async write(bytes: Buffer): Promise<void> {
    this.pending.push(bytes);
    this.pendingBytes += bytes.length;
    if (this.pendingBytes >= WRITE_BATCH_BYTES) await this.flush(false);
  }

  /** Writes what is left and gives the file its full size, holes at the end included. */
  async finish(): Promise<void> {
    await this.flush(true);
    await this.handle.truncate(this.offset);
  }

  /** Writes the pending whole blocks (and with `all`, the partial last one). */
  private async flush(all: boolean): Promise<void> {
    const data = Buffer.concat(this.pending, this.pendingBytes);
    const length = all ? data.length : data.length - (data.length % HOLE_BYTES);
    const runs: Array<[number, number]> = [];
    this.zeros.forEachNonZeroRun(data.subarray(0, length), (start, runLength) => runs.push([start, runLength]));
    for (const [start, runLength] of runs) await writeFully(this.handle, data.subarray(start, start + runLength), this.offset + start);
    // The partial block waits for the bytes that complete it (copied, so the batch can be freed).
    const rest = Buffer.from(data.subarray(length));
    this.pending = rest.length > 0 ? [rest] : [];
    this.pendingBytes = rest.length;
    this.offset += length;
  }
}

async function writeFully(handle: FileHandle, bytes: Buffer, position: number): Promise<void> {
  for (let done = 0; done < bytes.length;) {
    const { bytesWritten } = await handle.write(bytes, done, bytes.length - done, position + done);
    done += bytesWritten;
  }
}
