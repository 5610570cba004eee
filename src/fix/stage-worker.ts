/**
 * Worker entry: stages the edits of one ext filesystem in memory and checks
 * them. libext2fs edits the filesystem over a disk that records writes; on
 * closing it writes its bitmaps, group descriptors and superblocks there too.
 * The recorded writes are then mounted again, over the image, by a second
 * instance, which must read back every edit as intended. Nothing reaches the
 * image file here: the fixer writes the result only once all of this passed.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { mount, umount, type Ext2Fs, type Ext2Promises } from 'ext2fs';
import { ByteSourceDisk } from '../inspect/ext/byte-source-disk.js';
import { walkFreeRanges } from '../inspect/ext/walk-free-ranges.js';
import { describeExtError } from '../inspect/ext/ext-errors.js';
import { openImage } from '../inspect/image/open-image.js';
import { ReadCache } from '../inspect/image/read-cache.js';
import type { ByteSource } from '../inspect/image/byte-source.js';
import type { FsEdit, StageJob, StageResponse } from './fs-edit.js';
import { OverlaySource } from './overlay-source.js';

// The module's open flags (glue.c). Staging must not touch access times:
// every read here is O_NOATIME, so only the edits themselves are written.
const O_RDONLY = 0;
const O_WRONLY = 0o1;
const O_TRUNC = 0o1000;
const O_NOFOLLOW = 0o400000;
const O_NOATIME = 0o1000000;
const MAX_WRITE_CHUNK = 1024 * 1024;

const job = workerData as StageJob;

async function writeContent(fs: Ext2Promises, path: string, content: Uint8Array): Promise<void> {
  // Buffers arrive as plain Uint8Arrays (structured clone), and the module's
  // write accepts only a Buffer and ignores its offset argument: each piece
  // goes as a Buffer of its own, at offset 0.
  const bytes = Buffer.from(content.buffer, content.byteOffset, content.byteLength);
  const handle = await fs.open(path, O_WRONLY | O_TRUNC | O_NOFOLLOW | O_NOATIME);
  try {
    for (let done = 0; done < bytes.length; done += MAX_WRITE_CHUNK) {
      const piece = bytes.subarray(done, Math.min(done + MAX_WRITE_CHUNK, bytes.length));
      const { bytesWritten } = await handle.write(piece, 0, piece.length, done);
      if (bytesWritten !== piece.length) throw new Error(`writing ${path} stopped after ${done + bytesWritten} bytes`);
    }
  } finally {
    await handle.close();
  }
}

async function applyEdit(fs: Ext2Promises, edit: FsEdit): Promise<void> {
  switch (edit.kind) {
    case 'write': return writeContent(fs, edit.path, edit.content);
    case 'truncate': return writeContent(fs, edit.path, Buffer.alloc(0));
    case 'remove': return fs.unlink(edit.path);
    case 'link':
      await fs.unlink(edit.path).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOENT') throw error;
      });
      return fs.symlink(edit.target, edit.path);
  }
}

async function readAll(fs: Ext2Promises, path: string, size: number): Promise<Buffer> {
  const handle = await fs.open(path, O_RDONLY | O_NOFOLLOW | O_NOATIME);
  try {
    const out = Buffer.alloc(size);
    let done = 0;
    while (done < size) {
      const { bytesRead } = await handle.read(out, done, Math.min(MAX_WRITE_CHUNK, size - done), done);
      if (bytesRead <= 0) break;
      done += bytesRead;
    }
    return out.subarray(0, done);
  } finally {
    await handle.close();
  }
}

/** The staged filesystem, mounted afresh, must show each edit exactly. */
async function checkEdit(fs: Ext2Promises, edit: FsEdit): Promise<void> {
  const fail = (what: string) => { throw new Error(`the staged edit of ${edit.path} did not read back: ${what}`); };
  if (edit.kind === 'remove') {
    const gone = await fs.lstat(edit.path).then(() => false, (error: NodeJS.ErrnoException) => error.code === 'ENOENT');
    if (!gone) fail('the file is still there');
    return;
  }
  if (edit.kind === 'link') {
    if ((await fs.readlink(edit.path)) !== edit.target) fail(`the link does not point to ${edit.target}`);
    return;
  }
  const expected = edit.kind === 'write' ? Buffer.from(edit.content.buffer, edit.content.byteOffset, edit.content.byteLength) : Buffer.alloc(0);
  const stat = await fs.lstat(edit.path);
  if ((stat.mode & 0o170000) !== 0o100000) fail('it is no longer a regular file');
  if (stat.size !== expected.length) fail(`it holds ${stat.size} bytes, not ${expected.length}`);
  if (!(await readAll(fs, edit.path, stat.size)).equals(expected)) fail('its content differs from what was written');
}

async function stage(source: ByteSource): Promise<StageResponse> {
  const staging = new ByteSourceDisk(new ReadCache(source), job.partitionStart, job.partitionSize);
  const edited: Ext2Fs = await mount(staging, 0);
  const freeBefore = await walkFreeRanges(staging, edited.promises);
  for (const edit of job.edits) await applyEdit(edited.promises, edit);
  await umount(edited);
  const writes = staging.recordedWrites().map(({ offset, bytes }) => ({ offset: job.partitionStart + offset, bytes }));

  const check = new ByteSourceDisk(new OverlaySource(source, writes), job.partitionStart, job.partitionSize);
  const checked = await mount(check, 0);
  for (const edit of job.edits) await checkEdit(checked.promises, edit);
  const freeAfter = await walkFreeRanges(check, checked.promises);
  return { ok: true, result: { writes, freeBefore, freeAfter } };
}

async function main(): Promise<void> {
  let response: StageResponse;
  try {
    const { source } = await openImage(job.imagePath);
    response = await stage(source);
  } catch (error) {
    response = { ok: false, error: describeExtError(error, undefined) };
  }
  parentPort!.postMessage(response);
}

void main();
