/**
 * Worker entry: owns one ext filesystem through the ext2fs WebAssembly
 * module. The module is a process-wide singleton with a fixed 16 MiB heap
 * that a corrupted filesystem can abort or hang, so each filesystem gets a
 * worker of its own, and the main thread can terminate it without harm.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { mount, type Ext2Promises, type Ext2Stats } from 'ext2fs';
import { openImage } from '../image/open-image.js';
import { ReadCache } from '../image/read-cache.js';
import { ByteSourceDisk } from './byte-source-disk.js';
import { describeExtError } from './ext-errors.js';
import { walkFreeRanges } from './walk-free-ranges.js';
import type { ExtRequest, ExtResponse, ExtStat, ExtWorkerData, ExtWorkerHello, FileKind, ReaddirResult } from './ext-protocol.js';

/** Reads larger than this abort the module (its heap is 16 MiB), so they are split. */
const MAX_READ_CHUNK = 1024 * 1024;
const O_RDONLY = 0;
const O_NOFOLLOW = 0o400000;

const port = parentPort!;
const { imagePath, partitionStart, partitionSize } = workerData as ExtWorkerData;
let disk: ByteSourceDisk | undefined;

function fileKind(mode: number): FileKind {
  switch (mode & 0o170000) {
    case 0o100000: return 'file';
    case 0o040000: return 'directory';
    case 0o120000: return 'symlink';
    case 0o020000: return 'char-device';
    case 0o060000: return 'block-device';
    case 0o010000: return 'fifo';
    case 0o140000: return 'socket';
    default: return 'unknown';
  }
}

function toStat(stats: Ext2Stats): ExtStat {
  return {
    kind: fileKind(stats.mode),
    mode: stats.mode & 0o7777,
    size: stats.size,
    uid: stats.uid,
    gid: stats.gid,
    ino: stats.ino,
    nlink: stats.nlink,
    mtimeMs: stats.mtime.getTime(),
  };
}

// Paths reaching the worker are already resolved by the guest tree, so the
// module must never follow a link itself: every open is O_NOFOLLOW.
async function readRange(fs: Ext2Promises, path: string, position: number, length: number): Promise<Buffer> {
  const handle = await fs.open(path, O_RDONLY | O_NOFOLLOW);
  try {
    const out = Buffer.alloc(length);
    let done = 0;
    while (done < length) {
      const chunk = Math.min(MAX_READ_CHUNK, length - done);
      const { bytesRead } = await handle.read(out, done, chunk, position + done);
      if (bytesRead <= 0) break;
      done += bytesRead;
    }
    return out.subarray(0, done);
  } finally {
    await handle.close();
  }
}

async function readDirectory(fs: Ext2Promises, path: string, limit: number): Promise<ReaddirResult> {
  // Names that are not UTF-8 arrive with U+FFFD in them and cannot be looked
  // up again; the guest tree lists such entries as unreadable.
  const names = (await fs.readdir(path)).filter((name) => name !== '.' && name !== '..');
  return { names: names.slice(0, limit), truncated: names.length > limit };
}

async function handle(fs: Ext2Promises, request: ExtRequest): Promise<unknown> {
  switch (request.op) {
    case 'lstat':
      return toStat(await fs.lstat(request.path));
    case 'readlink':
      return fs.readlink(request.path);
    case 'readdir':
      return readDirectory(fs, request.path, request.limit);
    case 'read':
      return readRange(fs, request.path, request.position, request.length);
    case 'freeRanges':
      return walkFreeRanges(disk!, fs);
  }
}

function errorInfo(error: unknown) {
  return describeExtError(error, disk?.lastReadError);
}

async function main(): Promise<void> {
  let fs: Ext2Promises;
  try {
    const { source } = await openImage(imagePath);
    disk = new ByteSourceDisk(new ReadCache(source), partitionStart, partitionSize);
    fs = (await mount(disk, 0)).promises;
  } catch (error) {
    port.postMessage({ ready: false, error: errorInfo(error) } satisfies ExtWorkerHello);
    return;
  }
  port.on('message', (request: ExtRequest) => {
    handle(fs, request).then(
      (value) => port.postMessage({ id: request.id, ok: true, value } satisfies ExtResponse),
      (error) => port.postMessage({ id: request.id, ok: false, error: errorInfo(error) } satisfies ExtResponse),
    );
  });
  port.postMessage({ ready: true } satisfies ExtWorkerHello);
}

void main();
