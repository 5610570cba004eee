// The parallel gzip writer against the system's gzip: every stream it makes
// must pass `gzip -t`, be a single member, and gunzip to the input exactly,
// whatever the mix of zero and non-zero pieces, the piece size and the threads.
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compressDisk } from '../../dist/package/compress-disk.js';
import { DeflatePool } from '../../dist/package/deflate-pool.js';
import { tempDir } from '../helpers/build-image.js';

const KiB = 1024;
const PIECE = 64 * KiB;
const dir = tempDir('gzip');
let pool: DeflatePool;
beforeAll(() => { pool = new DeflatePool(3); });
afterAll(async () => { await pool.close(); });

/** Text-like bytes that deflate well but are not trivial. */
function textBytes(length: number, seed: number): Buffer {
  const words = ['disk', 'image', 'appliance', 'spot', 'cloud', 'kernel', 'boot', '\n', 'eth0', 'udev'];
  const parts: string[] = [];
  let total = 0;
  let state = seed;
  while (total < length) {
    state = (state * 1103515245 + 12345) >>> 0;
    const word = words[state % words.length]!;
    parts.push(word, ' ');
    total += word.length + 1;
  }
  return Buffer.from(parts.join('')).subarray(0, length);
}

async function compress(name: string, data: Buffer, options: { level?: number; threads?: number; pieceBytes?: number } = {}) {
  const path = join(dir, name);
  writeFileSync(path, data);
  const chunks: Buffer[] = [];
  const progress: number[] = [];
  const result = await compressDisk(path, {
    pool,
    threads: options.threads ?? 3,
    level: options.level ?? 1,
    name: 'hd0.img',
    pieceBytes: options.pieceBytes ?? PIECE,
    write: async (bytes) => { chunks.push(Buffer.from(bytes)); },
    onProgress: (done) => progress.push(done),
  });
  const gz = Buffer.concat(chunks);
  const gzPath = `${path}.gz`;
  writeFileSync(gzPath, gz);
  return { result, gz, gzPath, progress };
}

function expectSound(data: Buffer, { result, gz, gzPath }: Awaited<ReturnType<typeof compress>>) {
  execFileSync('gzip', ['-t', gzPath]);
  expect(execFileSync('gunzip', ['-c', gzPath], { maxBuffer: 1 << 30 }).equals(data)).toBe(true);
  expect(result.md5).toBe(createHash('md5').update(data).digest('hex'));
  expect(result.size).toBe(data.length);
  expect(result.compressedBytes).toBe(gz.length);
  // One member: Python's decompressobj stops at the end of the first member;
  // it must have reached the end of the file and given back all the input.
  const oneMember = execFileSync('python3', ['-c', [
    'import sys, zlib, hashlib',
    'data = open(sys.argv[1], "rb").read()',
    'd = zlib.decompressobj(31)',
    'out = d.decompress(data)',
    'print(d.eof, len(d.unused_data), len(out), hashlib.md5(out).hexdigest())',
  ].join('\n'), gzPath]).toString().trim();
  expect(oneMember).toBe(`True 0 ${data.length} ${result.md5}`);
  // gzip -l reads the trailer: the stored size is the input's length.
  expect(gz.readUInt32LE(gz.length - 4)).toBe(data.length % 2 ** 32);
}

describe('compressDisk', () => {
  it('joins pieces of mixed zeros, text and random bytes into one valid gzip member', async () => {
    const data = Buffer.concat([
      textBytes(3 * PIECE + 1000, 1),
      Buffer.alloc(5 * PIECE), // zero pieces after a non-zero tail: deflated with a real dictionary first
      randomBytes(PIECE),
      Buffer.alloc(4 * PIECE + 17), // unaligned run of zeros
      textBytes(2 * PIECE, 2),
      Buffer.alloc(PIECE - 3),
    ]);
    const compressed = await compress('mixed.img', data);
    expectSound(data, compressed);
    expect(compressed.progress.at(-1)).toBe(data.length);
    expect(compressed.progress).toEqual([...compressed.progress].sort((a, b) => a - b));
  });

  it('makes the same bytes whatever the number of threads (the order is kept)', async () => {
    const data = Buffer.concat([textBytes(7 * PIECE, 3), Buffer.alloc(6 * PIECE), textBytes(PIECE / 2, 4)]);
    const one = await compress('t1.img', data, { threads: 1 });
    const three = await compress('t3.img', data, { threads: 3 });
    expectSound(data, three);
    expect(three.gz.equals(one.gz)).toBe(true);
  });

  it('reuses the deflated zero piece only where its dictionary is zeros too, and the result stays exact', async () => {
    // A zero piece right after text must not get the bytes of a zero piece after zeros.
    const data = Buffer.concat([Buffer.alloc(3 * PIECE), textBytes(PIECE, 5), Buffer.alloc(3 * PIECE), textBytes(100, 6)]);
    expectSound(data, await compress('zeros.img', data));
  });

  it('compresses zeros about as well as gzip -1 does', async () => {
    const data = Buffer.alloc(16 * 1024 * KiB);
    const compressed = await compress('allzero.img', data, { pieceBytes: 1024 * KiB });
    expectSound(data, compressed);
    const gzip = execFileSync('gzip', ['-1', '-c', join(dir, 'allzero.img')]);
    expect(compressed.gz.length).toBeLessThan(gzip.length * 1.1);
  });

  it('handles an empty file, a file shorter than the deflate window and a whole number of pieces', async () => {
    for (const [name, data] of [['empty.img', Buffer.alloc(0)], ['short.img', textBytes(1000, 7)], ['exact.img', textBytes(4 * PIECE, 8)]] as const) {
      expectSound(data, await compress(name, data));
    }
  });

  it('level 9 is valid and no larger than level 1', async () => {
    const data = Buffer.concat([textBytes(6 * PIECE, 9), randomBytes(PIECE / 4)]);
    const fast = await compress('l1.img', data, { level: 1 });
    const best = await compress('l9.img', data, { level: 9 });
    expectSound(data, best);
    expect(best.gz.length).toBeLessThanOrEqual(fast.gz.length);
    // XFL says how hard gzip tried: 4 fastest, 2 best.
    expect(fast.gz[8]).toBe(4);
    expect(best.gz[8]).toBe(2);
  });

  it('records the original name, as gzip -N shows it', async () => {
    const compressed = await compress('named.img', textBytes(5000, 10));
    const listing = execFileSync('gzip', ['-lvN', compressed.gzPath]).toString();
    expect(listing).toMatch(/hd0\.img/);
  });

  it('refuses pieces smaller than the deflate window', async () => {
    const path = join(dir, 'tiny-pieces.img');
    writeFileSync(path, textBytes(100_000, 11));
    await expect(compressDisk(path, { pool, threads: 1, level: 1, pieceBytes: 1024, write: async () => {} })).rejects.toThrow(/at least/);
  });
});
