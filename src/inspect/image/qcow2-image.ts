import type { FileHandle } from 'node:fs/promises';
import { LRUCache } from 'lru-cache';
import { inflateRawSync, constants as zlibConstants } from 'node:zlib';
import { SpotlintError } from '../../errors.js';
import type { ByteSource } from './byte-source.js';
import { parseQcow2Header, type Qcow2Header } from './qcow2-header.js';

// Caches are sized in bytes, not entries: clusters range from 512 B to 2 MiB.
const L2_CACHE_BYTES = 16 * 1024 * 1024;
const COMPRESSED_CACHE_BYTES = 8 * 1024 * 1024;
const MAX_HEADER_READ = 64 * 1024;

/** Bits 9-55 of a big-endian L1 or L2 entry: a host offset (0 = none). */
function hostOffset(table: Buffer, entryOffset: number): number {
  const high = table.readUInt32BE(entryOffset) & 0x00ffffff;
  const low = table.readUInt32BE(entryOffset + 4) & ~0x1ff;
  return high * 2 ** 32 + (low >>> 0);
}

/** Where one guest cluster's bytes come from. */
type ClusterLocation =
  | { kind: 'zero' }
  | { kind: 'data'; hostOffset: number }
  | { kind: 'compressed'; hostOffset: number; compressedBytes: number };

/**
 * A QCOW2 image (v2/v3) read through its two-level cluster map. Unallocated
 * and zero-flagged clusters read as zeros without touching the file; runs of
 * clusters stored back to back are read with one call.
 */
export class Qcow2Image implements ByteSource {
  readonly format = 'qcow2' as const;
  readonly virtualSize: number;
  private readonly l2Entries: number;
  private readonly l2Cache = new LRUCache<number, Buffer>({ maxSize: L2_CACHE_BYTES, sizeCalculation: (table) => table.length });
  private readonly compressedCache = new LRUCache<number, Buffer>({ maxSize: COMPRESSED_CACHE_BYTES, sizeCalculation: (cluster) => cluster.length });

  private constructor(
    readonly path: string,
    private readonly handle: FileHandle,
    private readonly fileSize: number,
    readonly header: Qcow2Header,
    private readonly l1: Buffer,
  ) {
    this.virtualSize = header.virtualSize;
    this.l2Entries = header.clusterSize / 8;
  }

  static async open(path: string, handle: FileHandle, fileSize: number): Promise<Qcow2Image> {
    const head = Buffer.alloc(Math.min(MAX_HEADER_READ, fileSize));
    await handle.read(head, 0, head.length, 0);
    const header = parseQcow2Header(path, head, fileSize);
    const l1 = Buffer.alloc(header.l1Size * 8);
    await handle.read(l1, 0, l1.length, header.l1TableOffset);
    const image = new Qcow2Image(path, handle, fileSize, header, l1);
    image.checkL1Entries();
    return image;
  }

  /** Every L2 table the L1 names must lie inside the file: checked once, up front. */
  private checkL1Entries(): void {
    for (let index = 0; index < this.header.l1Size; index++) {
      const l2Offset = this.l2TableOffset(index);
      if (l2Offset === 0) continue;
      if (l2Offset % this.header.clusterSize !== 0 || l2Offset + this.header.clusterSize > this.fileSize) {
        throw new SpotlintError(
          `${this.path}: QCOW2 image is corrupt or truncated: L1 entry ${index} points to an L2 table at offset ${l2Offset}, beyond the end of the file (${this.fileSize} bytes) or not cluster-aligned`,
        );
      }
    }
  }

  private l2TableOffset(l1Index: number): number {
    return hostOffset(this.l1, l1Index * 8);
  }

  private async l2Table(l2Offset: number): Promise<Buffer> {
    const cached = this.l2Cache.get(l2Offset);
    if (cached) return cached;
    const table = Buffer.alloc(this.header.clusterSize);
    await this.handle.read(table, 0, table.length, l2Offset);
    this.l2Cache.set(l2Offset, table);
    return table;
  }

  private async locateCluster(guestCluster: number): Promise<ClusterLocation> {
    const l1Index = Math.floor(guestCluster / this.l2Entries);
    const l2Offset = this.l2TableOffset(l1Index);
    if (l2Offset === 0) return { kind: 'zero' };
    const table = await this.l2Table(l2Offset);
    const entryOffset = (guestCluster % this.l2Entries) * 8;
    const compressed = (table.readUInt32BE(entryOffset) & 0x40000000) !== 0;
    if (compressed) return this.compressedLocation(table.readBigUInt64BE(entryOffset), guestCluster);

    const dataOffset = hostOffset(table, entryOffset);
    const zeroFlag = this.header.version === 3 && (table.readUInt32BE(entryOffset + 4) & 1) === 1;
    if (zeroFlag || dataOffset === 0) return { kind: 'zero' };
    if (dataOffset % this.header.clusterSize !== 0 || dataOffset + this.header.clusterSize > this.fileSize) {
      throw this.corruptCluster(guestCluster, dataOffset);
    }
    return { kind: 'data', hostOffset: dataOffset };
  }

  private compressedLocation(entry: bigint, guestCluster: number): ClusterLocation {
    // Compressed descriptor: low x bits = host byte offset, then the count of
    // additional 512-byte sectors, with x = 62 - (cluster_bits - 8).
    const offsetBits = BigInt(62 - (this.header.clusterBits - 8));
    const descriptor = entry & ((1n << 62n) - 1n);
    const hostOffset = Number(descriptor & ((1n << offsetBits) - 1n));
    const extraSectors = Number(descriptor >> offsetBits);
    const compressedBytes = (extraSectors + 1) * 512 - (hostOffset % 512);
    if (hostOffset === 0 || hostOffset >= this.fileSize) throw this.corruptCluster(guestCluster, hostOffset);
    return { kind: 'compressed', hostOffset, compressedBytes: Math.min(compressedBytes, this.fileSize - hostOffset) };
  }

  private corruptCluster(guestCluster: number, hostOffset: number): SpotlintError {
    return new SpotlintError(
      `${this.path}: QCOW2 image is corrupt or truncated: guest offset ${guestCluster * this.header.clusterSize} maps to file offset ${hostOffset}, beyond the end of the file (${this.fileSize} bytes)`,
    );
  }

  private async decompressCluster(location: { hostOffset: number; compressedBytes: number }): Promise<Buffer> {
    const cached = this.compressedCache.get(location.hostOffset);
    if (cached) return cached;
    const compressed = Buffer.alloc(location.compressedBytes);
    await this.handle.read(compressed, 0, compressed.length, location.hostOffset);
    let cluster: Buffer;
    try {
      // The stored length is rounded up to sectors, so trailing bytes follow the
      // deflate stream: a sync flush stops cleanly at its end instead of failing.
      cluster = inflateRawSync(compressed, {
        finishFlush: zlibConstants.Z_SYNC_FLUSH,
        maxOutputLength: this.header.clusterSize,
      });
    } catch (error) {
      throw new SpotlintError(`${this.path}: QCOW2 image is corrupt: the compressed cluster at file offset ${location.hostOffset} does not decompress (${(error as Error).message})`);
    }
    if (cluster.length !== this.header.clusterSize) {
      throw new SpotlintError(`${this.path}: QCOW2 image is corrupt: the compressed cluster at file offset ${location.hostOffset} holds ${cluster.length} bytes, not a whole cluster of ${this.header.clusterSize}`);
    }
    this.compressedCache.set(location.hostOffset, cluster);
    return cluster;
  }

  async read(buffer: Buffer, bufferOffset: number, length: number, position: number): Promise<number> {
    const total = Math.max(0, Math.min(length, this.virtualSize - position));
    const clusterSize = this.header.clusterSize;
    let done = 0;
    while (done < total) {
      const guestOffset = position + done;
      const guestCluster = Math.floor(guestOffset / clusterSize);
      const inCluster = guestOffset % clusterSize;
      const location = await this.locateCluster(guestCluster);
      let span = Math.min(clusterSize - inCluster, total - done);

      if (location.kind === 'zero') {
        buffer.fill(0, bufferOffset + done, bufferOffset + done + span);
      } else if (location.kind === 'compressed') {
        const cluster = await this.decompressCluster(location);
        cluster.copy(buffer, bufferOffset + done, inCluster, inCluster + span);
      } else {
        // Extend the read over following clusters stored right after this one.
        let nextCluster = guestCluster + 1;
        while (done + span < total) {
          const next = await this.locateCluster(nextCluster);
          if (next.kind !== 'data' || next.hostOffset !== location.hostOffset + (nextCluster - guestCluster) * clusterSize) break;
          span = Math.min(span + clusterSize, total - done);
          nextCluster++;
        }
        const { bytesRead } = await this.handle.read(buffer, bufferOffset + done, span, location.hostOffset + inCluster);
        if (bytesRead < span) throw this.corruptCluster(guestCluster, location.hostOffset + inCluster + bytesRead);
      }
      done += span;
    }
    return done;
  }

  async storedRuns(position: number, length: number): Promise<Array<{ start: number; length: number }>> {
    const end = Math.min(position + length, this.virtualSize);
    if (end <= position) return [];
    const clusterSize = this.header.clusterSize;
    const runs: Array<{ start: number; length: number }> = [];
    for (let cluster = Math.floor(position / clusterSize); cluster * clusterSize < end; cluster++) {
      if ((await this.locateCluster(cluster)).kind === 'zero') continue;
      const start = Math.max(position, cluster * clusterSize);
      const stop = Math.min(end, (cluster + 1) * clusterSize);
      const last = runs[runs.length - 1];
      if (last && last.start + last.length === start) last.length += stop - start;
      else runs.push({ start, length: stop - start });
    }
    return runs;
  }

  async close(): Promise<void> {
    await this.handle.close();
  }
}
