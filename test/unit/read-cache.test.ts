import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { readAt } from '../../src/inspect/image/byte-source.js';
import { ReadCache } from '../../src/inspect/image/read-cache.js';
import { ByteBufferSource } from './byte-buffer-source.js';

const CHUNK = 4096;

describe('ReadCache', () => {
  const bytes = randomBytes(10 * CHUNK + 123);

  it('returns the same bytes as the source for reads inside, across and past chunks', async () => {
    const cache = new ReadCache(new ByteBufferSource(bytes), CHUNK, 4);
    for (const [position, length] of [[0, 10], [CHUNK - 5, 10], [3 * CHUNK + 7, 2 * CHUNK - 20], [10 * CHUNK + 100, 50], [bytes.length, 10]] as const) {
      const got = await readAt(cache, position, length);
      expect(got.equals(bytes.subarray(position, position + length))).toBe(true);
    }
  });

  it('reads each chunk from the source once while it stays cached', async () => {
    const source = new ByteBufferSource(bytes);
    const cache = new ReadCache(source, CHUNK, 4);
    for (let block = 0; block < 8; block++) await readAt(cache, CHUNK + block * 512, 512);
    expect(source.reads).toEqual([[CHUNK, CHUNK]]);
  });

  it('evicts the least recently used chunk beyond its capacity', async () => {
    const source = new ByteBufferSource(bytes);
    const cache = new ReadCache(source, CHUNK, 2);
    await readAt(cache, 0, 1);
    await readAt(cache, CHUNK, 1);
    await readAt(cache, 0, 1); // chunk 0 is now the most recent
    await readAt(cache, 2 * CHUNK, 1); // evicts chunk 1
    await readAt(cache, 0, 1);
    await readAt(cache, CHUNK, 1);
    expect(source.reads.map(([position]) => position / CHUNK)).toEqual([0, 1, 2, 1]);
  });

  it('passes large reads straight through', async () => {
    const source = new ByteBufferSource(bytes);
    const cache = new ReadCache(source, CHUNK, 4);
    const got = await readAt(cache, 100, 3 * CHUNK);
    expect(got.equals(bytes.subarray(100, 100 + 3 * CHUNK))).toBe(true);
    expect(source.reads).toEqual([[100, 3 * CHUNK]]);
  });
});
