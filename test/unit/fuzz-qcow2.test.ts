// Property tests: QCOW2 images written by qemu-img (v2, v3, compressed),
// mutated in the header, the L1 table, the L2 tables and the data, must
// either open and read as a disk or be refused with a SpotlintError, and
// never allocate what a header merely claims. Knobs: test/helpers/fuzz.ts.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { readAt } from '../../src/inspect/image/byte-source.js';
import { parseQcow2Header } from '../../src/inspect/image/qcow2-header.js';
import { Qcow2Image } from '../../src/inspect/image/qcow2-image.js';
import { tempDir } from '../helpers/build-image.js';
import { applyByteMutations, byteMutations, expectValueOrOwnError, fuzzParameters } from '../helpers/fuzz.js';

/** Header fields: version, backing file offset and size, cluster bits, size, crypt method, L1 size and offset, refcounts, snapshots, feature bits, refcount order, header length, compression type, first extension. */
const HEADER_FIELDS = [4, 8, 16, 20, 24, 32, 36, 40, 48, 56, 60, 64, 72, 80, 88, 96, 100, 104, 112, 116];

type Range = readonly [number, number];

interface BaseImage {
  bytes: Buffer;
  hot: Range[];
}

/** Hot ranges: each header field, the header, the L1 table and its entries, every L2 table. */
function hotRanges(bytes: Buffer): Range[] {
  const clusterSize = 2 ** bytes.readUInt32BE(20);
  const l1Size = bytes.readUInt32BE(36);
  const l1Offset = Number(bytes.readBigUInt64BE(40));
  const ranges: Range[] = [...HEADER_FIELDS.map((field): Range => [field, field + 1]), [0, 112], [l1Offset, l1Offset + l1Size * 8]];
  for (let index = 0; index < l1Size; index++) {
    ranges.push([l1Offset + index * 8, l1Offset + index * 8 + 1]);
    const l2 = Number(bytes.readBigUInt64BE(l1Offset + index * 8) & 0x00ff_ffff_ffff_fe00n);
    if (l2 !== 0) ranges.push([l2, l2 + clusterSize]);
  }
  return ranges;
}

let bases: BaseImage[];
let scratch: string;

beforeAll(() => {
  const dir = tempDir('fuzz-qcow2');
  scratch = join(dir, 'mutated.qcow2');
  // Data clusters of a repeated byte, of random bytes, and zeros (left unallocated by qemu-img).
  const raw = Buffer.alloc(96 * 1024);
  for (let sector = 0; sector < raw.length / 512; sector++) {
    if (sector % 3 === 0) raw.fill(sector % 251, sector * 512, (sector + 1) * 512);
    if (sector % 3 === 1) for (let i = sector * 512; i < (sector + 1) * 512; i++) raw[i] = (i * 7919) % 253;
  }
  const rawPath = join(dir, 'raw.img');
  writeFileSync(rawPath, raw);
  const convert = (name: string, args: string[]) => {
    const path = join(dir, name);
    execFileSync('qemu-img', ['convert', '-f', 'raw', '-O', 'qcow2', ...args, rawPath, path], { stdio: 'pipe' });
    const bytes = readFileSync(path);
    return { bytes, hot: hotRanges(bytes) };
  };
  bases = [
    convert('v3.qcow2', ['-o', 'cluster_size=512,compat=1.1']),
    convert('v2.qcow2', ['-o', 'cluster_size=512,compat=0.10']),
    convert('compressed.qcow2', ['-c', '-o', 'cluster_size=4096']),
  ];
});

/** Opens the bytes as a QCOW2 file and reads it as a disk; a SpotlintError anywhere is an acceptable end. */
async function openAndRead(bytes: Buffer, position: number, length: number): Promise<Buffer | undefined> {
  writeFileSync(scratch, bytes);
  const handle = await open(scratch, 'r');
  try {
    const image = await expectValueOrOwnError(() => Qcow2Image.open(scratch, handle, bytes.length));
    if (!image) return undefined;
    expect(image.virtualSize).toBeGreaterThan(0);
    const head = await expectValueOrOwnError(() => readAt(image, 0, Math.min(image.virtualSize, 128 * 1024)));
    await expectValueOrOwnError(() => image.storedRuns(0, Math.min(image.virtualSize, 1024 * 1024)));
    // Anywhere in the disk, up to and past its end.
    const at = position % (image.virtualSize + 1024);
    const part = await expectValueOrOwnError(() => readAt(image, at, length));
    if (part) expect(part.length).toBe(Math.max(0, Math.min(length, image.virtualSize - at)));
    return head;
  } finally {
    await handle.close();
  }
}

/** One of the base images and mutations for it, `headerOnly` keeping them in the first sector. */
function mutatedBase(headerOnly: boolean) {
  return fc.nat({ max: 2 }).chain((which) => {
    const base = bases[which]!;
    const hot = headerOnly ? base.hot.filter(([start]) => start < 512) : base.hot;
    return fc.record({ which: fc.constant(which), mutations: byteMutations(base.bytes.length, hot, 8) });
  });
}

describe('fuzz: QCOW2 header', () => {
  it('parses any mutation of a real header or refuses it with a SpotlintError', async () => {
    await fc.assert(fc.asyncProperty(mutatedBase(true), fc.integer({ min: -4096, max: 4096 }), async ({ which, mutations }, sizeSlack) => {
      const bytes = applyByteMutations(bases[which]!.bytes, mutations);
      const fileSize = Math.max(0, bytes.length + sizeSlack);
      const header = await expectValueOrOwnError(() => parseQcow2Header('fuzz.qcow2', bytes.subarray(0, 64 * 1024), fileSize));
      if (!header) return;
      expect(Number.isSafeInteger(header.virtualSize) && header.virtualSize > 0).toBe(true);
      expect(header.l1TableOffset + header.l1Size * 8).toBeLessThanOrEqual(fileSize);
      expect(header.clusterSize).toBe(2 ** header.clusterBits);
    }), fuzzParameters());
  });

  it('refuses an L1 table that claims terabytes without allocating it', async () => {
    await fc.assert(fc.asyncProperty(
      fc.integer({ min: 9, max: 21 }),
      fc.integer({ min: 2 ** 22, max: 2 ** 32 - 1 }),
      fc.bigInt({ min: 2n ** 40n, max: 2n ** 53n }),
      async (clusterBits, l1Size, virtualSize) => {
        const bytes = Buffer.from(bases[0]!.bytes);
        bytes.writeUInt32BE(clusterBits, 20);
        bytes.writeBigUInt64BE(virtualSize, 24);
        bytes.writeUInt32BE(l1Size, 36);
        bytes.writeBigUInt64BE(BigInt(2 ** clusterBits), 40);
        const before = process.memoryUsage().arrayBuffers;
        await expect(openAndRead(bytes, 0, 512)).resolves.toBeUndefined();
        // Far less than the 32 MiB to 32 GiB the tables claim.
        expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(8 * 1024 * 1024);
      },
    ), fuzzParameters(0.25));
  });
});

describe('fuzz: QCOW2 image', () => {
  it('reads the unmutated images as qemu-img wrote them', async () => {
    const raw = readFileSync(join(scratch, '..', 'raw.img'));
    for (const base of bases) expect((await openAndRead(base.bytes, 0, 0))!.equals(raw)).toBe(true);
  });

  it('opens and reads any mutation of the header, L1 and L2 tables and data, or refuses it with a SpotlintError', async () => {
    await fc.assert(fc.asyncProperty(mutatedBase(false), fc.nat(), fc.integer({ min: 0, max: 300 * 1024 }), async ({ which, mutations }, position, length) => {
      await openAndRead(applyByteMutations(bases[which]!.bytes, mutations), position, length);
    }), fuzzParameters());
  });
});
