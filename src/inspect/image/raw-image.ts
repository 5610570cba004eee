import type { FileHandle } from 'node:fs/promises';
import type { ByteSource } from './byte-source.js';

/**
 * A raw disk image: guest byte N is file byte N. Sparse files read as zeros
 * through the kernel, so nothing special is needed for them here.
 */
export class RawImage implements ByteSource {
  readonly format = 'raw' as const;

  constructor(
    readonly path: string,
    private readonly handle: FileHandle,
    readonly virtualSize: number,
  ) {}

  async read(buffer: Buffer, bufferOffset: number, length: number, position: number): Promise<number> {
    const available = Math.max(0, Math.min(length, this.virtualSize - position));
    if (available === 0) return 0;
    const { bytesRead } = await this.handle.read(buffer, bufferOffset, available, position);
    return bytesRead;
  }

  async close(): Promise<void> {
    await this.handle.close();
  }
}
