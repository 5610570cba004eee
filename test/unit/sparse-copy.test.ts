import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, open, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SpotlintError } from '../../src/errors.js';
import { copySparse } from '../../src/fix/sparse-copy.js';

const MiB = 1024 * 1024;
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'spotlint-sparse-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const sha256 = async (path: string) => createHash('sha256').update(await readFile(path)).digest('hex');

/** A file of `size` bytes: holes everywhere except the given pieces. */
async function writePieces(path: string, size: number, pieces: Array<[offset: number, bytes: Buffer]>): Promise<void> {
  const handle = await open(path, 'wx');
  try {
    await handle.truncate(size);
    for (const [offset, bytes] of pieces) await handle.write(bytes, 0, bytes.length, offset);
  } finally {
    await handle.close();
  }
}

describe('copySparse', () => {
  it('copies data, holes and written zeros byte for byte, whatever the alignment', async () => {
    const source = join(dir, 'source.img');
    const size = 10 * MiB + 123; // not a multiple of a block or of a read chunk
    const oneByte = Buffer.from([0x5a]);
    await writePieces(source, size, [
      [0, randomBytes(4096)], // the first block
      [4 * MiB - 10, randomBytes(20)], // across a read-chunk boundary
      [5 * MiB, Buffer.alloc(MiB)], // zeros written out
      [6 * MiB + 4095, oneByte], // the last byte of a block
      [6 * MiB + 4096, oneByte], // the first byte of the next one
      [size - 1, oneByte], // the very last byte, in a partial block
    ]);
    const destination = join(dir, 'copy.img');
    await copySparse(source, destination);
    expect((await stat(destination)).size).toBe(size);
    expect(await sha256(destination)).toBe(await sha256(source));
  });

  it('keeps the size of a file that ends in zeros, and copies an empty file', async () => {
    const source = join(dir, 'zeros-at-end.img');
    await writeFile(source, Buffer.concat([randomBytes(5000), Buffer.alloc(3 * MiB)]));
    await copySparse(source, join(dir, 'copy.img'));
    expect(await sha256(join(dir, 'copy.img'))).toBe(await sha256(source));

    await writeFile(join(dir, 'empty.img'), '');
    await copySparse(join(dir, 'empty.img'), join(dir, 'empty-copy.img'));
    expect((await stat(join(dir, 'empty-copy.img'))).size).toBe(0);
  });

  it('leaves holes where a mostly zero file has zeros, even zeros that were written out', async () => {
    const source = join(dir, 'dense.img');
    const size = 32 * MiB;
    const content = Buffer.alloc(size);
    randomBytes(64 * 1024).copy(content, MiB);
    randomBytes(4096).copy(content, 20 * MiB);
    await writeFile(source, content); // fully allocated, zeros included
    const destination = join(dir, 'copy.img');
    await copySparse(source, destination);

    const copied = await stat(destination);
    expect(copied.size).toBe(size);
    expect(copied.blocks * 512).toBeLessThan(size / 8);
    expect(await sha256(destination)).toBe(await sha256(source));
  });

  it('refuses a destination that exists and leaves it as it was', async () => {
    const source = join(dir, 'source.img');
    const destination = join(dir, 'taken.img');
    await writeFile(source, randomBytes(4096));
    await writeFile(destination, 'precious');
    const error = await copySparse(source, destination).then(() => undefined, (caught: unknown) => caught);
    expect(error).toBeInstanceOf(SpotlintError);
    expect((error as Error).message).toMatch(/taken\.img already exists/);
    expect(await readFile(destination, 'utf8')).toBe('precious');
  });

  it('says so when the source is missing, and creates nothing', async () => {
    await expect(copySparse(join(dir, 'missing.img'), join(dir, 'copy.img'))).rejects.toThrow(SpotlintError);
    await expect(stat(join(dir, 'copy.img'))).rejects.toThrow(/ENOENT/);
  });
});
