// An in-memory ByteSource over a Buffer, for unit tests of the layers above
// the image format (partition tables, probes). Behaves like a raw image file:
// reads past the end come back short.
import type { ByteSource } from '../../src/inspect/image/byte-source.js';

export class ByteBufferSource implements ByteSource {
  readonly path = 'mem.img';
  readonly format = 'raw' as const;
  readonly virtualSize: number;
  /** Every read as [position, length], to check that callers stay bounded. */
  readonly reads: Array<[number, number]> = [];
  closed = false;

  constructor(private readonly bytes: Buffer, virtualSize = bytes.length) {
    this.virtualSize = virtualSize;
  }

  async read(buffer: Buffer, bufferOffset: number, length: number, position: number): Promise<number> {
    this.reads.push([position, length]);
    if (position < 0 || position >= this.bytes.length) return 0;
    const end = Math.min(position + length, this.bytes.length);
    return this.bytes.copy(buffer, bufferOffset, position, end);
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}
