import { Disk, type ReadResult, type WriteResult } from 'file-disk';
import type { ByteSource } from '../image/byte-source.js';

/**
 * One partition of an image as a `file-disk` Disk for the ext2fs module.
 * libext2fs opens filesystems read-write and updates access times as it
 * reads, so the Disk is read-only with writes recorded in memory: reads see
 * them, the image file never does.
 */
export class ByteSourceDisk extends Disk {
  /** The last error of the image layer; libext2fs only ever sees EIO. */
  lastReadError: Error | undefined;
  /**
   * Receives the ranges libext2fs discards. The module's trim is the one call
   * that walks the block bitmap and names every free range, so the free-space
   * scan borrows it: while a receiver is set, a discard is reported here and
   * nothing is recorded (a recorded discard would make those blocks read as
   * zeros, which is exactly what the scan must not assume).
   */
  discardReceiver: ((offset: number, length: number) => void) | undefined;

  constructor(
    private readonly source: ByteSource,
    private readonly start: number,
    private readonly size: number,
  ) {
    super(true, true, false, true);
  }

  protected async _getCapacity(): Promise<number> {
    return this.size;
  }

  protected async _read(buffer: Buffer, bufferOffset: number, length: number, fileOffset: number): Promise<ReadResult> {
    try {
      const inside = Math.max(0, Math.min(length, this.size - fileOffset));
      const bytesRead = await this.source.read(buffer, bufferOffset, inside, this.start + fileOffset);
      if (bytesRead < length) {
        const where = bytesRead < inside
          ? `the image ends at byte ${this.source.virtualSize}, so it is truncated (the partition table says this partition runs to byte ${this.start + this.size})`
          : 'it lies past the end of the partition';
        throw new Error(`cannot read ${length} bytes at byte ${fileOffset} of the filesystem: ${where}`);
      }
      return { bytesRead, buffer };
    } catch (error) {
      this.lastReadError = error as Error;
      throw error;
    }
  }

  override async write(buffer: Buffer, bufferOffset: number, length: number, fileOffset: number): Promise<WriteResult> {
    // The module hands us a view into its WebAssembly heap, and file-disk keeps
    // the view it is given: without a copy, the recorded write would change
    // under us as the heap is reused, and later reads would return garbage.
    const copy = Buffer.from(buffer.subarray(bufferOffset, bufferOffset + length));
    await super.write(copy, 0, length, fileOffset);
    return { bytesWritten: length, buffer };
  }

  override async discard(offset: number, length: number): Promise<void> {
    if (!this.discardReceiver) throw new Error('spotlint never discards blocks of an image while reading it');
    this.discardReceiver(offset, length);
  }

  /**
   * The writes recorded so far, merged and in order, with offsets relative
   * to the filesystem: what staging an edit would change on the image.
   */
  recordedWrites(): Array<{ offset: number; bytes: Buffer }> {
    return this.knownChunks.map((chunk) => ({ offset: chunk.start, bytes: chunk.data() }));
  }

  protected async _write(): Promise<WriteResult> {
    throw new Error('spotlint never writes to an image while reading it');
  }

  protected async _flush(): Promise<void> {}
}
