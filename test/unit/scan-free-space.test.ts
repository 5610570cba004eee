import { describe, expect, it } from 'vitest';
import type { ByteSource } from '../../src/inspect/image/byte-source.js';
import { scanFreeSpace, type FreeSpaceTarget } from '../../src/inspect/freespace/scan-free-space.js';

const KiB = 1024;
const MiB = 1024 * KiB;
/** The scan's read size: ranges are cut into chunks of this many bytes. */
const CHUNK = 4 * MiB;

type Span = [start: number, length: number];

interface FakeDiskOptions {
  /** The disk's size as its header declares it; the bytes may be shorter (a truncated file). */
  virtualSize?: number;
  /** Milliseconds a read at `position` takes. */
  delayOf?: (position: number) => number;
  /** An error for a read at `position`, or undefined to read normally. */
  failureOf?: (position: number) => Error | undefined;
}

/**
 * An in-memory disk that records every read, how many run at once, and
 * whether any is still running; reads past the bytes come back short, like
 * a truncated raw file.
 */
class FakeDisk implements ByteSource {
  readonly path = 'fake.img';
  readonly format: 'raw' | 'qcow2' = 'raw';
  readonly virtualSize: number;
  readonly reads: Span[] = [];
  bytesRead = 0;
  running = 0;

  constructor(protected readonly bytes: Buffer, private readonly options: FakeDiskOptions = {}) {
    this.virtualSize = options.virtualSize ?? bytes.length;
  }

  async read(buffer: Buffer, bufferOffset: number, length: number, position: number): Promise<number> {
    this.reads.push([position, length]);
    this.running++;
    try {
      const delay = this.options.delayOf?.(position) ?? 0;
      if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
      else await Promise.resolve();
      const failure = this.options.failureOf?.(position);
      if (failure) throw failure;
      if (position >= this.bytes.length) return 0;
      const n = this.bytes.copy(buffer, bufferOffset, position, Math.min(position + length, this.bytes.length, this.virtualSize));
      this.bytesRead += n;
      return n;
    } finally {
      this.running--;
    }
  }

  async close(): Promise<void> {}
}

/**
 * A disk that, like a QCOW2 image, stores only some regions and says so
 * through storedRuns; everything else is zeros the scan must not read.
 * The bytes outside the stored regions hold garbage, so a read there would
 * also show up as non-zero bytes.
 */
class PartlyStoredDisk extends FakeDisk {
  override readonly format = 'qcow2' as const;
  readonly unstoredReads: Span[] = [];

  constructor(bytes: Buffer, private readonly stored: Span[], options: FakeDiskOptions = {}) {
    super(bytes, options);
  }

  async storedRuns(position: number, length: number): Promise<Array<{ start: number; length: number }>> {
    const end = Math.min(position + length, this.virtualSize);
    const runs: Array<{ start: number; length: number }> = [];
    for (const [start, size] of this.stored) {
      const from = Math.max(start, position);
      const to = Math.min(start + size, end);
      if (from < to) runs.push({ start: from, length: to - from });
    }
    await Promise.resolve();
    return runs;
  }

  override async read(buffer: Buffer, bufferOffset: number, length: number, position: number): Promise<number> {
    const inside = this.stored.some(([start, size]) => position >= start && position + length <= start + size);
    if (!inside) this.unstoredReads.push([position, length]);
    return super.read(buffer, bufferOffset, length, position);
  }
}

function target(start: number, blockSize: number, freeRanges: Span[]): FreeSpaceTarget {
  return { start, blockSize, freeRanges: new Float64Array(freeRanges.flat()) };
}

function pairs(runs: Float64Array): Span[] {
  const spans: Span[] = [];
  for (let i = 0; i + 1 < runs.length; i += 2) spans.push([runs[i]!, runs[i + 1]!]);
  return spans;
}

/** Scans and adds up what onProgress reported. */
async function scanWithProgress(source: ByteSource, scanTarget: FreeSpaceTarget) {
  let progress = 0;
  const measurement = await scanFreeSpace(source, scanTarget, (bytes) => {
    expect(bytes).toBeGreaterThanOrEqual(0);
    progress += bytes;
  });
  return { ...measurement, progress };
}

/** Puts a non-zero byte at `offsets` (image offsets). */
function dirty(bytes: Buffer, ...offsets: number[]): Buffer {
  for (const offset of offsets) bytes[offset] = 0x5a;
  return bytes;
}

describe('scanFreeSpace', () => {
  describe('over a disk that stores every byte', () => {
    const START = 1 * MiB; // the filesystem's offset in the image
    const BLOCK = 4096;
    // Filesystem-relative free ranges; the blocks between them are in use.
    const FREE: Span[] = [
      [8 * BLOCK, 4 * BLOCK], // blocks 8-11
      [20 * BLOCK, 10 * BLOCK], // blocks 20-29
      [40 * BLOCK, 1 * BLOCK], // block 40
    ];
    const block = (n: number) => START + n * BLOCK;

    it('counts non-zero free blocks to the block, at image offsets, and ignores garbage in used blocks', async () => {
      const image = Buffer.alloc(4 * MiB);
      dirty(image, block(8), block(11) + BLOCK - 1); // first and last free block of the first range
      dirty(image, block(12), block(19) + 5, block(0)); // used blocks: next to free ones and far away
      dirty(image, block(21) + 100, block(22), block(23) + 4095, block(25) + 2000); // 21-23 and 25
      dirty(image, block(29) + 7, block(30)); // last free block of a range, and the used one after it
      dirty(image, block(40) + 4095);
      dirty(image, 100, START - 1); // before the filesystem
      const disk = new FakeDisk(image);

      const result = await scanWithProgress(disk, target(START, BLOCK, FREE));

      expect(pairs(result.nonZeroRuns)).toEqual([
        [block(8), BLOCK],
        [block(11), BLOCK],
        [block(21), 3 * BLOCK],
        [block(25), BLOCK],
        [block(29), BLOCK],
        [block(40), BLOCK],
      ]);
      expect(result.nonZeroBytes).toBe(8 * BLOCK);
      expect(result.freeBytes).toBe(15 * BLOCK);
      expect(result.unstoredBytes).toBe(0);
      expect(result.progress).toBe(result.freeBytes);
      expect(result.sampleBytes).toBeGreaterThan(0);
      expect(result.sampleBytes).toBeLessThanOrEqual(result.nonZeroBytes);
    });

    it('reads free ranges separated by at most 64 KiB of used blocks in one read, and farther ones apart', async () => {
      const near = new FakeDisk(Buffer.alloc(4 * MiB));
      await scanFreeSpace(near, target(START, BLOCK, FREE));
      // Gaps of 8 and 10 used blocks (32 and 40 KiB): one read from block 8 to block 40.
      expect(near.reads).toEqual([[block(8), 33 * BLOCK]]);

      const GAP = 64 * KiB;
      const far = new FakeDisk(Buffer.alloc(4 * MiB));
      await scanFreeSpace(far, target(START, BLOCK, [[0, BLOCK], [BLOCK + GAP, BLOCK], [3 * BLOCK + 2 * GAP, BLOCK]]));
      // 64 KiB is still read across; 64 KiB and one block is not.
      expect(far.reads).toEqual([[START, 2 * BLOCK + GAP], [START + 3 * BLOCK + 2 * GAP, BLOCK]]);
    });

    it('finds nothing on clean free space and estimates no saving', async () => {
      const image = Buffer.alloc(4 * MiB, 0xee);
      for (const [offset, length] of FREE) image.fill(0, START + offset, START + offset + length);
      const result = await scanWithProgress(new FakeDisk(image), target(START, BLOCK, FREE));
      expect(result).toMatchObject({ freeBytes: 15 * BLOCK, nonZeroBytes: 0, unstoredBytes: 0, estimatedPackageSavingBytes: 0, sampleBytes: 0, progress: 15 * BLOCK });
      expect(pairs(result.nonZeroRuns)).toEqual([]);
    });

    it('handles no free ranges at all', async () => {
      const disk = new FakeDisk(Buffer.alloc(MiB, 1));
      const result = await scanWithProgress(disk, target(0, BLOCK, []));
      expect(result).toMatchObject({ freeBytes: 0, nonZeroBytes: 0, unstoredBytes: 0, progress: 0 });
      expect(disk.reads).toEqual([]);
    });
  });

  describe('across chunks', () => {
    const START = 512 * KiB;
    const BLOCK = 4096;
    // Longer than two chunks and not a multiple of the chunk.
    const LONG: Span = [2 * BLOCK, 2 * CHUNK + 3 * BLOCK];
    const SHORT: Span = [LONG[0] + LONG[1] + 5 * BLOCK, 3 * BLOCK];
    const at = (fsOffset: number) => START + fsOffset;

    it('merges a dirty run that crosses a chunk boundary and counts the last partial chunk', async () => {
      const image = Buffer.alloc(START + SHORT[0] + SHORT[1] + MiB);
      const rangeStart = LONG[0];
      dirty(image, at(rangeStart + CHUNK - BLOCK), at(rangeStart + CHUNK)); // the last block of chunk 1 and first of chunk 2
      dirty(image, at(rangeStart + 2 * CHUNK - 1)); // the last byte of chunk 2
      dirty(image, at(rangeStart + 2 * CHUNK + 2 * BLOCK)); // the last block of the range, in its short last chunk
      dirty(image, at(rangeStart + 2 * CHUNK + 3 * BLOCK)); // the used block after it
      dirty(image, at(SHORT[0]) + 1);
      const disk = new FakeDisk(image);

      const result = await scanWithProgress(disk, target(START, BLOCK, [LONG, SHORT]));

      expect(pairs(result.nonZeroRuns)).toEqual([
        [at(rangeStart + CHUNK - BLOCK), 2 * BLOCK],
        [at(rangeStart + 2 * CHUNK - BLOCK), BLOCK],
        [at(rangeStart + 2 * CHUNK + 2 * BLOCK), BLOCK],
        [at(SHORT[0]), BLOCK],
      ]);
      expect(result.nonZeroBytes).toBe(5 * BLOCK);
      expect(result.freeBytes).toBe(LONG[1] + SHORT[1]);
      expect(result.progress).toBe(result.freeBytes);
      // No read is larger than a chunk, and together they cover the ranges once.
      expect(Math.max(...disk.reads.map(([, length]) => length))).toBe(CHUNK);
      // The 5 used blocks between the two ranges are read along with them.
      expect(disk.bytesRead).toBe(result.freeBytes + 5 * BLOCK);
    });

    it('measures 1 KiB blocks to the block in a range that is not a multiple of the chunk', async () => {
      const blockSize = 1024;
      const range: Span = [blockSize, CHUNK + 7 * blockSize];
      const image = Buffer.alloc(CHUNK + 64 * blockSize);
      dirty(image, range[0] + CHUNK - 1, range[0] + CHUNK, range[0] + CHUNK + 6 * blockSize + 1023);
      const result = await scanWithProgress(new FakeDisk(image), target(0, blockSize, [range]));
      expect(pairs(result.nonZeroRuns)).toEqual([
        [range[0] + CHUNK - blockSize, 2 * blockSize],
        [range[0] + CHUNK + 6 * blockSize, blockSize],
      ]);
      expect(result.nonZeroBytes).toBe(3 * blockSize);
    });

    it('estimates close to all of the non-zero bytes when they are random', async () => {
      const image = Buffer.alloc(START + LONG[0] + LONG[1]);
      let state = 12345;
      for (let i = at(LONG[0]); i < at(LONG[0] + CHUNK); i++) {
        // xorshift32: incompressible, and the same on every run.
        state ^= state << 13;
        state ^= state >>> 17;
        state ^= state << 5;
        image[i] = state & 0xff || 1; // never zero: every block is dirty
      }
      const result = await scanWithProgress(new FakeDisk(image), target(START, BLOCK, [LONG]));
      expect(result.nonZeroBytes).toBe(CHUNK);
      expect(pairs(result.nonZeroRuns)).toEqual([[at(LONG[0]), CHUNK]]);
      expect(result.estimatedPackageSavingBytes).toBeGreaterThan(0.9 * CHUNK);
      expect(result.estimatedPackageSavingBytes).toBeLessThanOrEqual(CHUNK);
    });
  });

  describe('over a disk that says what it stores', () => {
    const START = 1 * MiB;
    const BLOCK = 4096;
    const CLUSTER = 64 * KiB;
    const cluster = (n: number) => n * CLUSTER;

    it('never reads what is not stored and counts it as unstored', async () => {
      // Garbage everywhere: only reads of stored regions may see it.
      const image = Buffer.alloc(12 * MiB, 0x77);
      const stored: Span[] = [
        [cluster(16), 2 * CLUSTER], // fs 0-128 KiB
        [cluster(20), CLUSTER], // fs 256-320 KiB
        [cluster(100), 3 * CLUSTER], // fs clusters 84-86
      ];
      const disk = new PartlyStoredDisk(image, stored);
      // Filesystem-relative; the filesystem starts at the image's cluster 16.
      const free: Span[] = [
        [4 * KiB, 512 * KiB], // stored: fs 4-128 KiB and 256-320 KiB
        [cluster(85), 11 * CLUSTER + 8 * KiB], // stored: fs clusters 85-86
      ];

      const result = await scanWithProgress(disk, target(START, BLOCK, free));

      expect(disk.unstoredReads).toEqual([]);
      const expectedStored = 124 * KiB + 64 * KiB + 2 * CLUSTER;
      expect(disk.bytesRead).toBe(expectedStored);
      expect(result.nonZeroBytes).toBe(expectedStored);
      expect(pairs(result.nonZeroRuns)).toEqual([
        [START + 4 * KiB, 124 * KiB],
        [START + 256 * KiB, 64 * KiB],
        [START + cluster(85), 2 * CLUSTER],
      ]);
      expect(result.freeBytes).toBe(512 * KiB + 11 * CLUSTER + 8 * KiB);
      expect(result.unstoredBytes).toBe(result.freeBytes - expectedStored);
      expect(result.progress).toBe(result.freeBytes);
    });

    it('reads a stored region that starts inside a free range and ends past it only up to the range end', async () => {
      const image = Buffer.alloc(4 * MiB);
      const disk = new PartlyStoredDisk(image, [[cluster(2), 4 * CLUSTER]]);
      dirty(image, cluster(2) + 10, cluster(3) - 1, cluster(5) + 5, cluster(5) + CLUSTER - 1);
      // Free: the image's clusters 1-3 and the first half of 5; the filesystem starts at 0.
      const result = await scanWithProgress(disk, target(0, BLOCK, [[cluster(1), 3 * CLUSTER], [cluster(5), CLUSTER / 2]]));
      expect(disk.unstoredReads).toEqual([]);
      // Clusters 2-3 and half of 5, and cluster 4 between them (used, stored, 64 KiB) is read along.
      expect(disk.bytesRead).toBe(2 * CLUSTER + CLUSTER / 2 + CLUSTER);
      expect(pairs(result.nonZeroRuns)).toEqual([
        [cluster(2), BLOCK],
        [cluster(3) - BLOCK, BLOCK],
        [cluster(5), BLOCK],
      ]);
      expect(result.unstoredBytes).toBe(CLUSTER);
      expect(result.progress).toBe(result.freeBytes);
    });

    it('reads nothing when nothing is stored', async () => {
      const disk = new PartlyStoredDisk(Buffer.alloc(2 * MiB, 0xff), []);
      const result = await scanWithProgress(disk, target(0, BLOCK, [[0, MiB], [MiB + BLOCK, 10 * BLOCK]]));
      expect(disk.reads).toEqual([]);
      expect(result).toMatchObject({ freeBytes: MiB + 10 * BLOCK, nonZeroBytes: 0, unstoredBytes: MiB + 10 * BLOCK, progress: MiB + 10 * BLOCK });
    });

    // Old DOS partitioning put the first partition at sector 63, so the
    // filesystem's blocks do not line up with the image's 64 KiB clusters.
    it('counts whole filesystem blocks when clusters do not line up with them', async () => {
      const start = 63 * 512;
      const image = Buffer.alloc(2 * MiB);
      // Cluster 0 of the image is not stored (reads as zeros); the rest is.
      const disk = new PartlyStoredDisk(image, [[CLUSTER, 2 * MiB - CLUSTER]]);
      // Filesystem block 9 is the first whole block after the cluster boundary
      // (block 8 straddles it); it has garbage at both ends.
      const block9 = start + 9 * BLOCK;
      dirty(image, block9, block9 + BLOCK - 1);
      const result = await scanWithProgress(disk, target(start, BLOCK, [[0, 64 * BLOCK]]));
      expect(result.nonZeroBytes).toBe(BLOCK);
      expect(pairs(result.nonZeroRuns)).toEqual([[block9, BLOCK]]);
    });
  });

  describe('over a truncated disk', () => {
    const BLOCK = 4096;

    it('counts the free bytes past the end of the disk as unstored', async () => {
      // The free ranges run past the disk's end: one crosses it, one lies beyond.
      const image = dirty(Buffer.alloc(MiB), MiB - 1, 10 * BLOCK);
      const disk = new FakeDisk(image);
      const result = await scanWithProgress(disk, target(0, BLOCK, [[8 * BLOCK, 16 * BLOCK], [MiB - 2 * BLOCK, 10 * BLOCK], [2 * MiB, 5 * BLOCK]]));
      expect(pairs(result.nonZeroRuns)).toEqual([
        [10 * BLOCK, BLOCK],
        [MiB - BLOCK, BLOCK],
      ]);
      expect(result.freeBytes).toBe(31 * BLOCK);
      expect(result.unstoredBytes).toBe(8 * BLOCK + 5 * BLOCK);
      expect(result.progress).toBe(result.freeBytes);
      for (const [position, length] of disk.reads) expect(position + length).toBeLessThanOrEqual(MiB);
    });

    it('counts what a short read leaves out as unstored (a file shorter than its declared size)', async () => {
      const fileBytes = 5 * MiB + 3 * BLOCK;
      const image = dirty(Buffer.alloc(fileBytes), fileBytes - 1, 100);
      const disk = new FakeDisk(image, { virtualSize: 16 * MiB });
      const result = await scanWithProgress(disk, target(0, BLOCK, [[0, 12 * MiB]]));
      expect(pairs(result.nonZeroRuns)).toEqual([
        [0, BLOCK],
        [fileBytes - BLOCK, BLOCK],
      ]);
      expect(result.unstoredBytes).toBe(12 * MiB - fileBytes);
      expect(result.progress).toBe(12 * MiB);
    });

    it('counts the part past the end of a disk that stores only some regions as unstored', async () => {
      const CLUSTER = 64 * KiB;
      const image = Buffer.alloc(MiB, 0x33);
      const disk = new PartlyStoredDisk(image, [[0, MiB]], { virtualSize: MiB - 3 * CLUSTER + 512 });
      const result = await scanWithProgress(disk, target(0, BLOCK, [[MiB - 4 * CLUSTER, 4 * CLUSTER], [MiB + BLOCK, BLOCK]]));
      expect(disk.unstoredReads).toEqual([]);
      expect(result.freeBytes).toBe(4 * CLUSTER + BLOCK);
      // The block cut by the end of the image counts whole.
      expect(result.nonZeroBytes).toBe(CLUSTER + BLOCK);
      expect(result.unstoredBytes).toBe(3 * CLUSTER - 512 + BLOCK);
      expect(result.progress).toBe(result.freeBytes);
    });
  });

  describe('when a read fails', () => {
    const BLOCK = 4096;
    const eio = () => Object.assign(new Error('EIO: i/o error, read'), { code: 'EIO' });

    it('rejects with the error after the reads in flight have ended', async () => {
      const disk = new FakeDisk(Buffer.alloc(32 * MiB), {
        failureOf: (position) => (position === 0 ? eio() : undefined),
        delayOf: (position) => (position === 0 ? 0 : 30),
      });
      await expect(scanFreeSpace(disk, target(0, BLOCK, [[0, 32 * MiB]]))).rejects.toThrow('EIO');
      expect(disk.running).toBe(0);
      expect(disk.reads.length).toBeGreaterThan(1); // reads did overlap
    });

    it('rejects with the error when a later read fails while an earlier one is still running', async () => {
      const unhandled: unknown[] = [];
      const onUnhandled = (reason: unknown) => unhandled.push(reason);
      process.on('unhandledRejection', onUnhandled);
      try {
        const disk = new FakeDisk(Buffer.alloc(32 * MiB), {
          failureOf: (position) => (position === CHUNK ? eio() : undefined),
          delayOf: (position) => (position === 0 ? 50 : 0),
        });
        await expect(scanFreeSpace(disk, target(0, BLOCK, [[0, 32 * MiB]]))).rejects.toThrow('EIO');
        expect(disk.running).toBe(0);
        await new Promise((resolve) => setTimeout(resolve, 20));
        // A rejection nobody handles in time crashes Node (--unhandled-rejections=throw is the default).
        expect(unhandled).toEqual([]);
      } finally {
        process.off('unhandledRejection', onUnhandled);
      }
    });

    it('rejects when the disk cannot say what it stores', async () => {
      const disk = new PartlyStoredDisk(Buffer.alloc(MiB), [[0, MiB]]);
      disk.storedRuns = async () => {
        throw new Error('QCOW2 image is corrupt');
      };
      await expect(scanFreeSpace(disk, target(0, BLOCK, [[0, MiB]]))).rejects.toThrow('QCOW2 image is corrupt');
      expect(disk.running).toBe(0);
    });
  });
});
