import { promisify } from 'node:util';
import { gzip as gzipCallback } from 'node:zlib';

const gzip = promisify(gzipCallback);

/** Sample size: 128 pieces of 64 KiB. gzip -1 compresses 8 MiB in about 40 ms here. */
const PIECE_BYTES = 64 * 1024;
const MAX_PIECES = 128;
/** The level the XVM2 reference packager used (gzip --fast). */
const PACKAGE_GZIP_LEVEL = 1;

/**
 * Keeps an evenly spread sample of the non-zero free bytes seen during a
 * scan, without knowing in advance how many there will be: every stride-th
 * candidate piece is kept, and when the sample is full every other piece is
 * dropped and the stride doubles. Deterministic: the same image gives the
 * same sample and so the same estimate.
 */
export class GarbageSample {
  private pieces: Buffer[] = [];
  private stride = 1;
  private candidates = 0;

  /** Offers up to PIECE_BYTES of non-zero bytes; they are copied if kept. */
  offer(bytes: Buffer): void {
    if (bytes.length === 0) return;
    if (this.candidates++ % this.stride !== 0) return;
    this.pieces.push(Buffer.from(bytes.subarray(0, PIECE_BYTES)));
    if (this.pieces.length > MAX_PIECES) {
      this.pieces = this.pieces.filter((_, index) => index % 2 === 0);
      this.stride *= 2;
    }
  }

  get bytes(): number {
    return this.pieces.reduce((sum, piece) => sum + piece.length, 0);
  }

  static readonly pieceBytes = PIECE_BYTES;

  /**
   * How many bytes the gzip package shrinks by when `nonZeroBytes` of such
   * garbage become zeros: the sample's gzip -1 size per byte, less what the
   * same number of zeros still costs, both measured rather than assumed.
   */
  async estimateSaving(nonZeroBytes: number): Promise<number> {
    const sampleBytes = this.bytes;
    if (sampleBytes === 0 || nonZeroBytes === 0) return 0;
    const [garbage, zeros] = await Promise.all([
      gzip(Buffer.concat(this.pieces), { level: PACKAGE_GZIP_LEVEL }),
      gzip(Buffer.alloc(sampleBytes), { level: PACKAGE_GZIP_LEVEL }),
    ]);
    const savedPerByte = Math.max(0, garbage.length - zeros.length) / sampleBytes;
    return Math.round(nonZeroBytes * savedPerByte);
  }
}
