import { promisify } from 'node:util';
import { gzip as gzipCallback } from 'node:zlib';

const gzip = promisify(gzipCallback);

/**
 * Sample size: at most 64 pieces of 64 KiB (4 MiB). gzip -1 runs at about
 * 65 MB/s here, so the estimate costs some 30 ms with both cores.
 */
const PIECE_BYTES = 64 * 1024;
const MAX_PIECES = 64;
/** The level the XVM2 reference packager used (gzip --fast). */
const PACKAGE_GZIP_LEVEL = 1;

/**
 * Keeps an evenly spread sample of the non-zero free bytes seen during a
 * scan, without knowing in advance how many there will be. The bytes offered
 * form a stream cut into pieces of 64 KiB, across runs, so scattered dirty
 * blocks make whole pieces too (gzip's fixed overhead on tiny pieces would
 * skew the estimate). Every stride-th piece is kept; when the sample is full,
 * every other piece is dropped and the stride doubles. Only kept pieces are
 * copied. Deterministic: the same image gives the same estimate.
 *
 * Pieces are compressed only at the end, when the sample is final:
 * compressing each piece when kept compressed every piece later dropped too
 * (29 MB for a 4.7 MB sample on the benchmark disk, 0.3 s).
 */
export class GarbageSample {
  private pieces: Buffer[] = [];
  private stride = 1;
  private candidates = 0;
  /** The piece being filled, when it is to be kept; its length so far either way. */
  private filling: Buffer[] | undefined;
  private fillingBytes = 0;
  private static zeroCost: Promise<number> | undefined;

  /** Adds non-zero bytes to the stream; kept ones are copied. */
  offer(bytes: Buffer): void {
    let offset = 0;
    while (offset < bytes.length) {
      if (this.fillingBytes === 0) this.filling = this.candidates % this.stride === 0 ? [] : undefined;
      const take = Math.min(PIECE_BYTES - this.fillingBytes, bytes.length - offset);
      this.filling?.push(Buffer.from(bytes.subarray(offset, offset + take)));
      this.fillingBytes += take;
      offset += take;
      if (this.fillingBytes === PIECE_BYTES) this.endPiece();
    }
  }

  private endPiece(): void {
    if (this.filling) this.pieces.push(Buffer.concat(this.filling));
    this.filling = undefined;
    this.fillingBytes = 0;
    this.candidates++;
    if (this.pieces.length > MAX_PIECES) {
      this.pieces = this.pieces.filter((_, index) => index % 2 === 0);
      this.stride *= 2;
    }
  }

  /** Bytes in the sample, the piece still filling included. */
  get bytes(): number {
    const filling = this.filling?.reduce((sum, part) => sum + part.length, 0) ?? 0;
    return this.pieces.reduce((sum, piece) => sum + piece.length, 0) + filling;
  }

  static readonly pieceBytes = PIECE_BYTES;

  /** What gzip -1 makes of a full piece of zeros: the floor a zeroed block still costs. */
  private static zeroPieceCost(): Promise<number> {
    GarbageSample.zeroCost ??= gzip(Buffer.alloc(PIECE_BYTES), { level: PACKAGE_GZIP_LEVEL }).then((compressed) => compressed.length);
    return GarbageSample.zeroCost;
  }

  /**
   * How many bytes the gzip package shrinks by when `nonZeroBytes` of such
   * garbage become zeros: the sample's gzip -1 size per byte, less what the
   * same number of zeros still costs, both measured rather than assumed, and
   * never more than the bytes zeroed. Pieces are 64 KiB, twice deflate's
   * 32 KiB window, so compressing them apart (on Node's thread pool, all
   * cores at once) costs the ratio next to nothing.
   */
  async estimateSaving(nonZeroBytes: number): Promise<number> {
    if (this.filling && this.fillingBytes > 0) {
      // The last, partial piece counts: a small filesystem may have no other.
      this.pieces.push(Buffer.concat(this.filling));
      this.filling = undefined;
      this.fillingBytes = 0;
    }
    const sampleBytes = this.bytes;
    if (sampleBytes === 0 || nonZeroBytes === 0) return 0;
    const sizes = await Promise.all(this.pieces.map(async (piece) => (await gzip(piece, { level: PACKAGE_GZIP_LEVEL })).length));
    const garbagePerByte = sizes.reduce((sum, size) => sum + size, 0) / sampleBytes;
    const zerosPerByte = (await GarbageSample.zeroPieceCost()) / PIECE_BYTES;
    return Math.min(nonZeroBytes, Math.round(nonZeroBytes * Math.max(0, garbagePerByte - zerosPerByte)));
  }
}
