/**
 * The gzip header and trailer (RFC 1952) around a raw deflate stream. Written
 * here because the packager deflates a disk in parallel pieces and joins
 * them into one gzip member itself (see compress-disk.ts); zlib's own gzip
 * mode can only frame a stream it deflated whole.
 */

const FLAG_NAME = 0x08;
const OS_UNIX = 3;

export interface GzipHeaderFields {
  level: number;
  /** The original file's modification time; 0 means unknown. */
  mtime?: Date;
  /** The original file name, as `gzip` records it (gunzip -N restores it). */
  name?: string;
}

export function gzipHeader(fields: GzipHeaderFields): Buffer {
  const fixed = Buffer.alloc(10);
  fixed[0] = 0x1f;
  fixed[1] = 0x8b;
  fixed[2] = 8; // deflate
  const name = fields.name === undefined ? undefined : Buffer.from(fields.name, 'latin1');
  fixed[3] = name ? FLAG_NAME : 0;
  const seconds = fields.mtime ? Math.floor(fields.mtime.getTime() / 1000) : 0;
  fixed.writeUInt32LE(seconds > 0 && seconds <= 0xffffffff ? seconds : 0, 4);
  // XFL: 2 for the slowest/best compression, 4 for the fastest, as gzip sets it.
  fixed[8] = fields.level >= 9 ? 2 : fields.level <= 1 ? 4 : 0;
  fixed[9] = OS_UNIX;
  return name ? Buffer.concat([fixed, name, Buffer.alloc(1)]) : fixed;
}

/** CRC-32 of the uncompressed data and its length modulo 2^32. */
export function gzipTrailer(crc32: number, uncompressedBytes: number | bigint): Buffer {
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(crc32 >>> 0, 0);
  trailer.writeUInt32LE(Number(BigInt(uncompressedBytes) & 0xffffffffn), 4);
  return trailer;
}
