import { describe, expect, it } from 'vitest';
import { ZeroBlocks } from '../../src/inspect/freespace/zero-blocks.js';

type Run = [offset: number, length: number];

function nonZeroRuns(zeroBlocks: ZeroBlocks, chunk: Buffer): Run[] {
  const runs: Run[] = [];
  zeroBlocks.forEachNonZeroRun(chunk, (offset, length) => runs.push([offset, length]));
  return runs;
}

/** A chunk of `blocks` blocks where the listed blocks hold one non-zero byte each, placed at `where` in the block. */
function chunkWithDirtyBlocks(blockSize: number, blocks: number, dirty: number[], where: 'first' | 'middle' | 'last' = 'middle'): Buffer {
  const chunk = Buffer.alloc(blockSize * blocks);
  const inBlock = where === 'first' ? 0 : where === 'last' ? blockSize - 1 : blockSize >> 1;
  for (const block of dirty) chunk[block * blockSize + inBlock] = 0x01;
  return chunk;
}

/** The -0.0 double in little-endian byte order: zero but for the sign bit. */
const NEGATIVE_ZERO = Buffer.from([0, 0, 0, 0, 0, 0, 0, 0x80]);

describe('ZeroBlocks.isZero', () => {
  const zeroBlocks = new ZeroBlocks(4096, 64 * 1024);

  it('is true for all-zero buffers of any length up to the chunk size', () => {
    for (const length of [0, 1, 7, 4096, 4097, 64 * 1024]) expect(zeroBlocks.isZero(Buffer.alloc(length))).toBe(true);
  });

  it('is false when a single byte is non-zero, at the first, middle or last position', () => {
    for (const length of [1, 9, 4096, 64 * 1024]) {
      for (const position of new Set([0, length >> 1, length - 1])) {
        for (const value of [0x01, 0x80, 0xff]) {
          const bytes = Buffer.alloc(length);
          bytes[position] = value;
          expect(zeroBlocks.isZero(bytes), `length ${length}, byte ${position} = ${value}`).toBe(false);
        }
      }
    }
  });

  it('is false for a buffer holding only the bytes of -0.0', () => {
    const bytes = Buffer.alloc(4096);
    NEGATIVE_ZERO.copy(bytes, 4096 - 8);
    expect(zeroBlocks.isZero(bytes)).toBe(false);
  });
});

describe('ZeroBlocks.forEachNonZeroRun', () => {
  it('reports nothing for an all-zero chunk', () => {
    expect(nonZeroRuns(new ZeroBlocks(4096, 1 << 20), Buffer.alloc(1 << 20))).toEqual([]);
  });

  it('counts a block holding only -0.0 doubles as non-zero', () => {
    const blockSize = 1024;
    const chunk = Buffer.alloc(8 * blockSize);
    for (let offset = 5 * blockSize; offset < 6 * blockSize; offset += 8) NEGATIVE_ZERO.copy(chunk, offset);
    expect(nonZeroRuns(new ZeroBlocks(blockSize, chunk.length), chunk)).toEqual([[5 * blockSize, blockSize]]);
  });

  it('counts a block whose only non-zero byte is one -0.0 at its end as non-zero', () => {
    const blockSize = 4096;
    const chunk = Buffer.alloc(4 * blockSize);
    NEGATIVE_ZERO.copy(chunk, 3 * blockSize - 8);
    expect(nonZeroRuns(new ZeroBlocks(blockSize, chunk.length), chunk)).toEqual([[2 * blockSize, blockSize]]);
  });

  for (const blockSize of [1024, 4096, 65536]) {
    describe(`with ${blockSize}-byte blocks`, () => {
      const blocks = 16;
      const zeroBlocks = new ZeroBlocks(blockSize, blockSize * blocks);

      it('reports alternating dirty blocks as separate one-block runs, whatever byte of the block is dirty', () => {
        for (const where of ['first', 'middle', 'last'] as const) {
          const chunk = chunkWithDirtyBlocks(blockSize, blocks, [1, 3, 5, 7, 9, 11, 13, 15], where);
          expect(nonZeroRuns(zeroBlocks, chunk), where).toEqual([1, 3, 5, 7, 9, 11, 13, 15].map((block) => [block * blockSize, blockSize]));
        }
      });

      it('merges adjacent dirty blocks into one run, at the start, in the middle and at the end', () => {
        const chunk = chunkWithDirtyBlocks(blockSize, blocks, [0, 1, 2, 6, 7, 13, 14, 15]);
        expect(nonZeroRuns(zeroBlocks, chunk)).toEqual([
          [0, 3 * blockSize],
          [6 * blockSize, 2 * blockSize],
          [13 * blockSize, 3 * blockSize],
        ]);
      });

      it('reports one run for a chunk dirty throughout', () => {
        const chunk = Buffer.alloc(blocks * blockSize, 0xaa);
        expect(nonZeroRuns(zeroBlocks, chunk)).toEqual([[0, blocks * blockSize]]);
      });

      it('counts a dirty trailing partial block as a block of its own length', () => {
        const partial = blockSize >> 2;
        const chunk = Buffer.alloc(4 * blockSize + partial);
        chunk[chunk.length - 1] = 0x01;
        expect(nonZeroRuns(zeroBlocks, chunk)).toEqual([[4 * blockSize, partial]]);
      });

      it('extends a run that reaches the end over the trailing partial block', () => {
        const partial = 3;
        const chunk = Buffer.alloc(4 * blockSize + partial);
        chunk[2 * blockSize] = 0x01;
        chunk[3 * blockSize + 5] = 0x01;
        chunk[4 * blockSize] = 0x01;
        expect(nonZeroRuns(zeroBlocks, chunk)).toEqual([[2 * blockSize, 2 * blockSize + partial]]);
      });

      it('ignores a clean trailing partial block', () => {
        const chunk = Buffer.alloc(4 * blockSize + 100);
        chunk[blockSize] = 0x01;
        expect(nonZeroRuns(zeroBlocks, chunk)).toEqual([[blockSize, blockSize]]);
      });

      it('handles a chunk shorter than one block', () => {
        const chunk = Buffer.alloc(blockSize >> 1);
        expect(nonZeroRuns(zeroBlocks, chunk)).toEqual([]);
        chunk[chunk.length - 1] = 0x7f;
        expect(nonZeroRuns(zeroBlocks, chunk)).toEqual([[0, chunk.length]]);
      });
    });
  }

  it('works on a subarray that does not start at the beginning of its memory', () => {
    const blockSize = 1024;
    const backing = Buffer.alloc(10 * blockSize + 17, 0xff);
    const chunk = backing.subarray(17);
    chunk.fill(0);
    chunk[3 * blockSize] = 0x01;
    expect(nonZeroRuns(new ZeroBlocks(blockSize, chunk.length), chunk)).toEqual([[3 * blockSize, blockSize]]);
  });

  it('reports the same runs for a 4 MiB chunk as a block-by-block check', () => {
    const blockSize = 4096;
    const chunk = Buffer.alloc(4 * 1024 * 1024);
    // A fixed scatter of dirty bytes: runs of every length from 1 to 5 blocks.
    let block = 3;
    for (let length = 1; block + length < chunk.length / blockSize; length = (length % 5) + 1) {
      for (let i = 0; i < length; i++) chunk[(block + i) * blockSize + ((block * 131 + i * 17) % blockSize)] = 0x40;
      block += length + 1 + (block % 7);
    }
    const expected: Run[] = [];
    for (let offset = 0; offset < chunk.length; offset += blockSize) {
      if (!chunk.subarray(offset, offset + blockSize).some((byte) => byte !== 0)) continue;
      const last = expected[expected.length - 1];
      if (last && last[0] + last[1] === offset) last[1] += blockSize;
      else expected.push([offset, blockSize]);
    }
    expect(expected.length).toBeGreaterThan(100);
    expect(nonZeroRuns(new ZeroBlocks(blockSize, chunk.length), chunk)).toEqual(expected);
  });
});
