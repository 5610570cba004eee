import { LRUCache } from 'lru-cache';
import { readAt, type ByteSource } from './byte-source.js';

const DEFAULT_CHUNK_BYTES = 256 * 1024;
const DEFAULT_CHUNKS = 32;

/**
 * A ByteSource that serves small reads from recently read aligned chunks.
 * libext2fs reads one filesystem block (1-4 KiB) per call; without this,
 * every block is a system call and reading a file is many times slower.
 * Reads of a chunk or more go straight through.
 */
export class ReadCache implements ByteSource {
  private readonly chunks: LRUCache<number, Buffer>;

  constructor(
    private readonly source: ByteSource,
    private readonly chunkBytes = DEFAULT_CHUNK_BYTES,
    maxChunks = DEFAULT_CHUNKS,
  ) {
    this.chunks = new LRUCache({ max: maxChunks });
  }

  get path() { return this.source.path; }
  get format() { return this.source.format; }
  get virtualSize() { return this.source.virtualSize; }

  private async chunk(index: number): Promise<Buffer> {
    const cached = this.chunks.get(index);
    if (cached) return cached;
    const start = index * this.chunkBytes;
    const data = await readAt(this.source, start, Math.min(this.chunkBytes, Math.max(0, this.source.virtualSize - start)));
    this.chunks.set(index, data);
    return data;
  }

  async read(buffer: Buffer, bufferOffset: number, length: number, position: number): Promise<number> {
    if (length >= this.chunkBytes) return this.source.read(buffer, bufferOffset, length, position);
    let done = 0;
    while (done < length) {
      const at = position + done;
      const index = Math.floor(at / this.chunkBytes);
      const data = await this.chunk(index);
      const inChunk = at - index * this.chunkBytes;
      if (inChunk >= data.length) break;
      const n = Math.min(length - done, data.length - inChunk);
      data.copy(buffer, bufferOffset + done, inChunk, inChunk + n);
      done += n;
    }
    return done;
  }

  close(): Promise<void> {
    return this.source.close();
  }
}
