import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { crc32 } from 'node:zlib';
import { SpotlintError } from '../errors.js';
import type { DeflatePool } from './deflate-pool.js';
import { gzipHeader, gzipTrailer } from './gzip-framing.js';

/** deflate reaches back at most 32 KiB: the dictionary each piece is primed with. */
const WINDOW_BYTES = 32 * 1024;

/**
 * Measured on a 2 GiB disk with 2 threads: 2 MiB pieces 14.1 s, 4 MiB 13.0 s,
 * 8 MiB 12.3 s, 16 MiB 12.4 s (peak RSS 205, 214, 218, 249 MiB).
 */
export const DEFAULT_PIECE_BYTES = 8 * 1024 * 1024;

/** Pieces queued for writing at most, reused zero pieces included (a bound on the queue, not on memory). */
const MAX_QUEUED_PIECES = 1024;

/** The default number of threads at most: beyond it, memory grows faster than speed. */
export const DEFAULT_MAX_THREADS = 8;
/** Threads beyond the pieces in flight would only wait. */
export const MAX_THREADS = 16;

/**
 * Pieces read ahead of what is written: two per thread keeps every thread
 * fed (measured: four per thread was no faster), and the cap keeps memory
 * bounded on machines with many cores (16 x 8 MiB in, as much out at most).
 */
export function piecesInFlight(threads: number): number {
  return Math.min(16, Math.max(2, threads * 2));
}

export interface CompressOptions {
  pool: DeflatePool;
  threads: number;
  level: number;
  /** Recorded in the gzip header, as gzip does. */
  name?: string;
  pieceBytes?: number;
  /** Called as pieces are written: bytes of the disk done so far. */
  onProgress?: (bytesDone: number) => void;
  /** Receives the gzip stream in order; the next piece waits for it. */
  write: (bytes: Buffer) => Promise<void>;
}

export interface CompressedDisk {
  size: number;
  md5: string;
  crc32: number;
  compressedBytes: number;
}

/**
 * Reads a disk image once, front to back, and from the same bytes computes
 * its MD5 (for manifest.txt) and one gzip member, deflated in parallel
 * pieces pigz-style: every piece but the last ends on a sync flush, pieces
 * are joined in order, and the CRC-32 runs over the whole disk here.
 *
 * Written here rather than taken from npm: no maintained package deflates in
 * parallel into a single gzip member. Memory stays bounded whatever the disk's
 * size: at most piecesInFlight() pieces are read ahead of what has been written.
 */
export async function compressDisk(path: string, options: CompressOptions): Promise<CompressedDisk> {
  const pieceBytes = options.pieceBytes ?? DEFAULT_PIECE_BYTES;
  if (pieceBytes < WINDOW_BYTES) throw new RangeError(`pieces must be at least ${WINDOW_BYTES} bytes`);
  const file = await open(path, 'r');
  try {
    const stat = await file.stat();
    const size = stat.size;
    const md5 = createHash('md5');
    let crc = 0;
    let compressedBytes = 0;
    const emit = async (bytes: Buffer) => {
      compressedBytes += bytes.length;
      await options.write(bytes);
    };
    await emit(gzipHeader({ level: options.level, mtime: stat.mtime, name: options.name }));

    // Pieces read and not yet written, in order. Only those being deflated
    // hold memory (a reused zero piece is one shared output), so only they
    // count against the limit: through zeroed free space the reading (and
    // the MD5, which only this thread can compute) runs ahead while the
    // threads deflate the data before it, instead of both waiting in turn.
    const inFlight: { output: Promise<Buffer>; end: number; deflating: boolean }[] = [];
    let deflating = 0;
    const spare: Buffer[] = [];
    const deflate = (piece: Buffer, last: boolean) => options.pool.deflate(piece, dictionary, last, options.level).then(({ output, input }) => {
      if (input.byteLength === pieceBytes) spare.push(input);
      return output;
    });
    const maxInFlight = piecesInFlight(options.threads);
    // A piece of zeros after zeros deflates to the same bytes every time:
    // most of a well-prepared disk is zeroed free space, so it is deflated once.
    const zeroPiece = Buffer.alloc(pieceBytes);
    let zeroOutput: Promise<Buffer> | undefined;
    let dictionaryIsZero = false;
    let dictionary: Buffer | undefined;
    let offset = 0;
    do {
      const length = Math.min(pieceBytes, size - offset);
      // Buffers come back from the threads and are read into again: the
      // memory used stays that of the pieces in flight, whatever the disk's size.
      const piece = spare.pop()?.subarray(0, length) ?? Buffer.allocUnsafeSlow(pieceBytes).subarray(0, length);
      let filled = 0;
      while (filled < length) {
        const { bytesRead } = await file.read(piece, filled, length - filled, offset + filled);
        if (bytesRead === 0) throw new SpotlintError(`${path} became shorter while it was being packaged (${offset + filled} of ${size} bytes read): is something writing to it?`);
        filled += bytesRead;
      }
      md5.update(piece);
      crc = crc32(piece, crc);
      const end = offset + length;
      const last = end >= size;
      const isZero = !last && length === pieceBytes && piece.equals(zeroPiece);
      // Taken before the piece is handed to a thread: the next piece's dictionary.
      const nextDictionary = last ? undefined : Buffer.from(piece.subarray(length - WINDOW_BYTES));
      let output: Promise<Buffer>;
      const reused = isZero && dictionaryIsZero && zeroOutput !== undefined;
      if (reused) {
        spare.push(piece);
        output = zeroOutput!;
      } else {
        output = deflate(piece, last);
        if (isZero && dictionaryIsZero) zeroOutput = output;
      }
      dictionary = nextDictionary;
      dictionaryIsZero = dictionary !== undefined && dictionary.equals(zeroPiece.subarray(0, WINDOW_BYTES));
      // Caught here too so a failure while earlier pieces are awaited is not "unhandled".
      output.catch(() => {});
      inFlight.push({ output, end, deflating: !reused });
      if (!reused) deflating++;
      offset = end;
      while (deflating >= maxInFlight || inFlight.length >= MAX_QUEUED_PIECES || (last && inFlight.length > 0)) {
        const done = inFlight.shift()!;
        if (done.deflating) deflating--;
        await emit(await done.output);
        options.onProgress?.(done.end);
      }
    } while (offset < size);

    await emit(gzipTrailer(crc, size));
    return { size, md5: md5.digest('hex'), crc32: crc >>> 0, compressedBytes };
  } finally {
    await file.close();
  }
}
