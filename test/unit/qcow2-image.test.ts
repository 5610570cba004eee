import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { readAt } from '../../src/inspect/image/byte-source.js';
import { Qcow2Image } from '../../src/inspect/image/qcow2-image.js';

const CLUSTER = 512; // cluster_bits 9: the smallest valid size keeps the file tiny

/**
 * A hand-made QCOW2 v3 image whose six guest clusters exercise every kind of
 * L2 entry: two data clusters stored back to back, a zero-flagged cluster
 * whose stale host cluster is full of 0xAA, a compressed cluster, an
 * unallocated one, and one pointing past the end of the file.
 */
function buildImage(): { path: string; compressedPattern: Buffer } {
  const file = Buffer.alloc(7 * CLUSTER);
  const header = file;
  header.write('QFI\xfb', 0, 'latin1');
  header.writeUInt32BE(3, 4);
  header.writeUInt32BE(9, 20);
  header.writeBigUInt64BE(BigInt(6 * CLUSTER), 24);
  header.writeUInt32BE(1, 36); // l1_size
  header.writeBigUInt64BE(BigInt(1 * CLUSTER), 40); // L1 at cluster 1
  header.writeUInt32BE(4, 96); // refcount_order
  header.writeUInt32BE(104, 100); // header_length

  file.writeBigUInt64BE((1n << 63n) | BigInt(2 * CLUSTER), CLUSTER); // L1[0] -> L2 at cluster 2
  const l2 = 2 * CLUSTER;
  const entry = (guest: number, value: bigint) => file.writeBigUInt64BE(value, l2 + guest * 8);
  entry(0, (1n << 63n) | BigInt(3 * CLUSTER));
  entry(1, (1n << 63n) | BigInt(4 * CLUSTER));
  entry(2, BigInt(5 * CLUSTER) | 1n); // zero flag wins over the stale data
  const compressedPattern = Buffer.alloc(CLUSTER);
  for (let i = 0; i < CLUSTER; i++) compressedPattern[i] = (i * 7) % 251;
  const compressed = deflateRawSync(compressedPattern);
  compressed.copy(file, 6 * CLUSTER);
  entry(3, (1n << 62n) | BigInt(6 * CLUSTER)); // one sector, no extra sectors
  // guest 4 stays 0: unallocated
  entry(5, (1n << 63n) | BigInt(100 * CLUSTER));

  file.fill(0x11, 3 * CLUSTER, 4 * CLUSTER);
  file.fill(0x22, 4 * CLUSTER, 5 * CLUSTER);
  file.fill(0xaa, 5 * CLUSTER, 6 * CLUSTER);
  const path = join(mkdtempSync(join(tmpdir(), 'spotlint-qcow2-')), 'hand.qcow2');
  writeFileSync(path, file);
  return { path, compressedPattern };
}

describe('Qcow2Image', () => {
  const { path, compressedPattern } = buildImage();

  async function withImage<T>(work: (image: Qcow2Image) => Promise<T>): Promise<T> {
    const handle = await open(path, 'r');
    const image = await Qcow2Image.open(path, handle, (await handle.stat()).size);
    try {
      return await work(image);
    } finally {
      await image.close();
    }
  }

  it('maps data, zero-flagged, compressed and unallocated clusters', async () => {
    await withImage(async (image) => {
      expect(image.virtualSize).toBe(6 * CLUSTER);
      const guest = await readAt(image, 0, 5 * CLUSTER);
      expect(guest.subarray(0, CLUSTER).every((b) => b === 0x11)).toBe(true);
      expect(guest.subarray(CLUSTER, 2 * CLUSTER).every((b) => b === 0x22)).toBe(true);
      expect(guest.subarray(2 * CLUSTER, 3 * CLUSTER).every((b) => b === 0)).toBe(true);
      expect(guest.subarray(3 * CLUSTER, 4 * CLUSTER).equals(compressedPattern)).toBe(true);
      expect(guest.subarray(4 * CLUSTER, 5 * CLUSTER).every((b) => b === 0)).toBe(true);
    });
  });

  it('reads unaligned ranges that straddle clusters', async () => {
    await withImage(async (image) => {
      const bytes = await readAt(image, CLUSTER - 3, 6);
      expect([...bytes]).toEqual([0x11, 0x11, 0x11, 0x22, 0x22, 0x22]);
      const inCompressed = await readAt(image, 3 * CLUSTER + 100, 10);
      expect(inCompressed.equals(compressedPattern.subarray(100, 110))).toBe(true);
    });
  });

  it('stops at the end of the virtual disk', async () => {
    await withImage(async (image) => {
      expect((await readAt(image, 6 * CLUSTER, 10)).length).toBe(0);
      expect((await readAt(image, 10 * CLUSTER, 10)).length).toBe(0);
    });
  });

  it('refuses a cluster that points past the end of the file, naming both offsets', async () => {
    await withImage(async (image) => {
      await expect(readAt(image, 5 * CLUSTER, 10)).rejects.toThrow(
        `${path}: QCOW2 image is corrupt or truncated: guest offset ${5 * CLUSTER} maps to file offset ${100 * CLUSTER}, beyond the end of the file (${7 * CLUSTER} bytes)`,
      );
    });
  });
});

describe('Qcow2Image with a damaged compressed cluster', () => {
  it('refuses a cluster whose deflate stream is cut short instead of padding it with zeros', async () => {
    const { path } = buildImage();
    const bytes = readFileSync(path);
    const compressedStart = 6 * CLUSTER;
    // Keep the first bytes of the stream, then zeros: it inflates to a few bytes, not a cluster.
    bytes.fill(0, compressedStart + 8, 7 * CLUSTER);
    writeFileSync(path, bytes);
    const handle = await open(path, 'r');
    const image = await Qcow2Image.open(path, handle, bytes.length);
    try {
      await expect(readAt(image, 3 * CLUSTER, 10)).rejects.toThrow(
        new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: QCOW2 image is corrupt: the compressed cluster at file offset ${compressedStart} holds \\d+ bytes, not a whole cluster of ${CLUSTER}$`),
      );
    } finally {
      await image.close();
    }
  });
});
