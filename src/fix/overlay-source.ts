import type { ByteSource } from '../inspect/image/byte-source.js';

/** Bytes to put at an image offset. */
export interface StagedWrite {
  offset: number;
  bytes: Buffer;
}

/**
 * The image as it will be once staged writes are applied, without applying
 * them: reads come from the image and are patched with the writes that
 * overlap them. The check mounts the edited filesystem through this, and the
 * free-space zeroing measures what is left to zero through it.
 */
export class OverlaySource implements ByteSource {
  private readonly writes: StagedWrite[];

  constructor(private readonly base: ByteSource, writes: readonly StagedWrite[]) {
    this.writes = [...writes].sort((a, b) => a.offset - b.offset);
  }

  get path() { return this.base.path; }
  get format() { return this.base.format; }
  get virtualSize() { return this.base.virtualSize; }

  async read(buffer: Buffer, bufferOffset: number, length: number, position: number): Promise<number> {
    const n = await this.base.read(buffer, bufferOffset, length, position);
    const end = position + n;
    for (const write of this.firstWriteEndingAfter(position)) {
      if (write.offset >= end) break;
      const from = Math.max(position, write.offset);
      const to = Math.min(end, write.offset + write.bytes.length);
      if (to > from) write.bytes.copy(buffer, bufferOffset + (from - position), from - write.offset, to - write.offset);
    }
    return n;
  }

  /** Writes from the first one that ends after `position`, in order (binary search: there can be thousands). */
  private *firstWriteEndingAfter(position: number): Generator<StagedWrite> {
    let low = 0;
    let high = this.writes.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      const write = this.writes[middle]!;
      if (write.offset + write.bytes.length <= position) low = middle + 1;
      else high = middle;
    }
    for (let index = low; index < this.writes.length; index++) yield this.writes[index]!;
  }

  async close(): Promise<void> {}
}
