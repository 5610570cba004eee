import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { scanFreeSpace } from '../../src/inspect/freespace/scan-free-space.js';
import { readAt, type ByteSource } from '../../src/inspect/image/byte-source.js';
import { openImage } from '../../src/inspect/image/open-image.js';
import type { Qcow2Image } from '../../src/inspect/image/qcow2-image.js';
import { tempDir } from '../helpers/build-image.js';

const KiB = 1024;
const CLUSTER = 64 * KiB; // qemu-img's default cluster size
const cluster = (n: number) => n * CLUSTER;

type Run = { start: number; length: number };

function hasTool(name: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${name}`], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
}
const hasQemuIo = hasTool('qemu-io');

function qemuImg(...args: string[]): string {
  return execFileSync('qemu-img', args, { encoding: 'utf8', stdio: 'pipe' });
}

function qemuIo(image: string, ...commands: string[]): void {
  execFileSync('qemu-io', ['-f', 'qcow2', ...commands.flatMap((command) => ['-c', command]), image], { stdio: 'pipe' });
}

interface MapEntry {
  start: number;
  length: number;
  data: boolean;
  zero: boolean;
  offset?: number;
}

function qemuMap(image: string): MapEntry[] {
  return JSON.parse(qemuImg('map', '--output=json', '-f', 'qcow2', image)) as MapEntry[];
}

/** What qemu-img says holds data, merged: the oracle for storedRuns over the whole disk. */
function dataRunsOf(map: MapEntry[]): Run[] {
  const runs: Run[] = [];
  for (const entry of map) {
    if (!entry.data) continue;
    const last = runs[runs.length - 1];
    if (last && last.start + last.length === entry.start) last.length += entry.length;
    else runs.push({ start: entry.start, length: entry.length });
  }
  return runs;
}

/** Compressible, non-zero, and different in each cluster. */
function textCluster(index: number): Buffer {
  return Buffer.from(`cluster ${index} holds some text that gzip squeezes well. `.repeat(CLUSTER).slice(0, CLUSTER), 'latin1');
}

/** 16 clusters of raw disk: text in cluster 3 and 5-7, one byte in cluster 10, zeros elsewhere. */
function rawDisk(): Buffer {
  const disk = Buffer.alloc(cluster(16));
  for (const index of [3, 5, 6, 7]) textCluster(index).copy(disk, cluster(index));
  disk[cluster(10) + 4321] = 0x01;
  return disk;
}

const EXPECTED: Run[] = [
  { start: cluster(3), length: CLUSTER },
  { start: cluster(5), length: cluster(3) },
  { start: cluster(10), length: CLUSTER },
];

async function withImage<T>(path: string, work: (image: Qcow2Image) => Promise<T>): Promise<T> {
  const { source } = await openImage(path);
  try {
    expect(source.format).toBe('qcow2');
    return await work(source as Qcow2Image);
  } finally {
    await source.close();
  }
}

/** Everything outside the stored runs must read as zeros: otherwise a scan that skips it would miss garbage. */
async function expectZerosOutside(source: ByteSource, runs: Run[]): Promise<void> {
  const disk = await readAt(source, 0, source.virtualSize);
  let from = 0;
  for (const run of [...runs, { start: source.virtualSize, length: 0 }]) {
    expect(disk.subarray(from, run.start).every((byte) => byte === 0), `zeros in [${from}, ${run.start})`).toBe(true);
    from = run.start + run.length;
  }
}

describe('Qcow2Image.storedRuns', () => {
  let dir: string;
  let plain: string;
  let compressed: string;

  beforeAll(() => {
    dir = tempDir('qcow2-stored');
    const raw = join(dir, 'disk.raw');
    writeFileSync(raw, rawDisk());
    plain = join(dir, 'plain.qcow2');
    compressed = join(dir, 'compressed.qcow2');
    qemuImg('convert', '-f', 'raw', '-O', 'qcow2', raw, plain);
    qemuImg('convert', '-f', 'raw', '-O', 'qcow2', '-c', raw, compressed);
  });

  describe('on an image made by qemu-img convert', () => {
    it('returns exactly the clusters holding data, merged, as qemu-img map does', async () => {
      expect(dataRunsOf(qemuMap(plain))).toEqual(EXPECTED);
      await withImage(plain, async (image) => {
        expect(await image.storedRuns(0, image.virtualSize)).toEqual(EXPECTED);
        await expectZerosOutside(image, EXPECTED);
      });
    });

    it('clips the runs to a range that starts and ends inside clusters', async () => {
      await withImage(plain, async (image) => {
        expect(await image.storedRuns(cluster(3) + 100, cluster(4))).toEqual([
          { start: cluster(3) + 100, length: CLUSTER - 100 },
          { start: cluster(5), length: cluster(2) + 100 },
        ]);
        expect(await image.storedRuns(cluster(6) + 1, 10)).toEqual([{ start: cluster(6) + 1, length: 10 }]);
        expect(await image.storedRuns(cluster(2) + 5, CLUSTER + 7)).toEqual([{ start: cluster(3), length: 12 }]);
      });
    });

    it('returns nothing for a range of unallocated clusters, or one that ends where data starts', async () => {
      await withImage(plain, async (image) => {
        expect(await image.storedRuns(0, cluster(3))).toEqual([]);
        expect(await image.storedRuns(cluster(8) + 512, cluster(2) - 512)).toEqual([]);
        expect(await image.storedRuns(cluster(11), cluster(5))).toEqual([]);
      });
    });

    it('stops at the end of the disk', async () => {
      await withImage(plain, async (image) => {
        expect(await image.storedRuns(cluster(10), cluster(100))).toEqual([{ start: cluster(10), length: CLUSTER }]);
        expect(await image.storedRuns(cluster(16), cluster(4))).toEqual([]);
      });
    });

    it('returns nothing for an empty range, even inside a stored cluster', async () => {
      await withImage(plain, async (image) => {
        expect(await image.storedRuns(cluster(5), 0)).toEqual([]);
        expect(await image.storedRuns(cluster(5) + 4096, 0)).toEqual([]);
      });
    });
  });

  describe('on a compressed image (qemu-img convert -c)', () => {
    it('counts compressed clusters as stored', async () => {
      const map = qemuMap(compressed);
      // qemu-img map gives no file offset for a compressed cluster: make sure they are.
      expect(map.filter((entry) => entry.data && entry.offset === undefined).length).toBe(map.filter((entry) => entry.data).length);
      expect(dataRunsOf(map)).toEqual(EXPECTED);
      await withImage(compressed, async (image) => {
        expect(await image.storedRuns(0, image.virtualSize)).toEqual(EXPECTED);
        expect(await image.storedRuns(cluster(7) + 3, cluster(3) + 10)).toEqual([
          { start: cluster(7) + 3, length: CLUSTER - 3 },
          { start: cluster(10), length: 13 },
        ]);
        await expectZerosOutside(image, EXPECTED);
      });
    });
  });

  describe.skipIf(!hasQemuIo)('on images written with qemu-io', () => {
    it('skips zero-flagged clusters whose storage is kept', async () => {
      const path = join(dir, 'zero-flag.qcow2');
      qemuImg('create', '-q', '-f', 'qcow2', '-o', 'compat=1.1', path, String(cluster(8)));
      qemuIo(path, `write -P 0xaa 0 ${cluster(6)}`, `write -z ${cluster(1)} ${CLUSTER}`, `write -z ${cluster(4)} ${CLUSTER}`);
      const map = qemuMap(path);
      // The zeroed clusters keep their host offset, holding the old 0xaa bytes.
      expect(map.filter((entry) => entry.zero && entry.offset !== undefined).length).toBeGreaterThan(0);
      const expected = [
        { start: 0, length: CLUSTER },
        { start: cluster(2), length: cluster(2) },
        { start: cluster(5), length: CLUSTER },
      ];
      expect(dataRunsOf(map)).toEqual(expected);
      await withImage(path, async (image) => {
        expect(await image.storedRuns(0, image.virtualSize)).toEqual(expected);
        await expectZerosOutside(image, expected);
      });
    });

    it('follows the map across L2 tables, including one never allocated', async () => {
      // 4 KiB clusters: one L2 table maps 512 clusters, 2 MiB of disk.
      const small = 4 * KiB;
      const l2Span = 512 * small;
      const path = join(dir, 'small-clusters.qcow2');
      qemuImg('create', '-q', '-f', 'qcow2', '-o', `cluster_size=${small}`, path, String(4 * l2Span));
      qemuIo(path, `write -P 0x11 ${l2Span - 2 * small} ${4 * small}`, `write -P 0x22 ${3 * l2Span + 5 * small} ${small}`);
      const expected = [
        { start: l2Span - 2 * small, length: 4 * small },
        { start: 3 * l2Span + 5 * small, length: small },
      ];
      expect(dataRunsOf(qemuMap(path))).toEqual(expected);
      await withImage(path, async (image) => {
        expect(await image.storedRuns(0, image.virtualSize)).toEqual(expected);
        expect(await image.storedRuns(l2Span - 1, 2)).toEqual([{ start: l2Span - 1, length: 2 }]);
      });
    });
  });

  describe('on a disk whose size is not a multiple of the cluster', () => {
    const virtualSize = cluster(1) + 34816; // 100352 bytes
    let oddSize: string;

    beforeAll(() => {
      const raw = join(dir, 'odd-size.raw');
      const disk = Buffer.alloc(virtualSize);
      disk.fill(0x5a, cluster(1));
      writeFileSync(raw, disk);
      oddSize = join(dir, 'odd-size.qcow2');
      qemuImg('convert', '-f', 'raw', '-O', 'qcow2', raw, oddSize);
    });

    it('clips the runs to the end of the disk inside the last cluster', async () => {
      await withImage(oddSize, async (image) => {
        expect(image.virtualSize).toBe(virtualSize);
        expect(await image.storedRuns(0, cluster(4))).toEqual([{ start: cluster(1), length: 34816 }]);
        expect(await image.storedRuns(virtualSize - 512, 4096)).toEqual([{ start: virtualSize - 512, length: 512 }]);
      });
    });

    it('returns nothing for a range past the end of the disk, even inside its last cluster', async () => {
      await withImage(oddSize, async (image) => {
        expect(await image.storedRuns(virtualSize, 4096)).toEqual([]);
        expect(await image.storedRuns(virtualSize + 512, 4096)).toEqual([]);
      });
    });

    it('counts a free range past the end of the disk once, as unstored, under scanFreeSpace', async () => {
      await withImage(oddSize, async (image) => {
        // A filesystem larger than its disk: its last free blocks lie past the end.
        const freeRanges = new Float64Array([cluster(1), 8192, virtualSize + 512, 4096]);
        let progress = 0;
        const result = await scanFreeSpace(image, { start: 0, blockSize: 512, freeRanges }, (bytes) => (progress += bytes));
        expect(result.freeBytes).toBe(8192 + 4096);
        expect(result.nonZeroBytes).toBe(8192);
        expect(result.unstoredBytes).toBe(4096);
        expect(progress).toBe(result.freeBytes);
      });
    });
  });

  describe('under scanFreeSpace', () => {
    it('reads only the stored clusters and counts the rest as unstored', async () => {
      await withImage(plain, async (image) => {
        const freeRanges = new Float64Array([cluster(2), cluster(4), cluster(9), cluster(3)]);
        const result = await scanFreeSpace(image, { start: 0, blockSize: 4096, freeRanges });
        expect(result.freeBytes).toBe(cluster(7));
        // Stored inside the ranges: cluster 3, 5 and 10; every byte of the text is non-zero.
        expect(result.unstoredBytes).toBe(cluster(7) - cluster(3));
        expect(Array.from(result.nonZeroRuns)).toEqual([cluster(3), CLUSTER, cluster(5), CLUSTER, cluster(10) + 4096, 4096]);
        expect(result.nonZeroBytes).toBe(cluster(2) + 4096);
      });
    });
  });
});
