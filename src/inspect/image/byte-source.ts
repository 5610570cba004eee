/**
 * One random-access view of a virtual disk, whatever its container format.
 * Everything above the image layer (partition tables, probes, filesystems)
 * reads guest-visible bytes through this and never sees the file format.
 */
export type ImageFormat = 'raw' | 'qcow2';

export interface ByteSource {
  readonly path: string;
  readonly format: ImageFormat;
  /** Size of the disk the guest sees, in bytes. */
  readonly virtualSize: number;
  /**
   * Reads up to `length` guest bytes at `position` into `buffer`. Returns the
   * number of bytes read, which is short only at the end of the virtual disk,
   * or at the end of the file for a truncated raw image.
   */
  read(buffer: Buffer, bufferOffset: number, length: number, position: number): Promise<number>;
  /**
   * Optional: the parts of [position, position + length) that are stored in
   * the file, in order. Everything else reads as zeros without touching the
   * file (QCOW2's unallocated and zero clusters), so a scan for non-zero
   * bytes can skip it. Formats that cannot tell leave this out; raw images
   * do, as Node has no SEEK_DATA, and the kernel returns holes as zeros fast.
   */
  storedRuns?(position: number, length: number): Promise<Array<{ start: number; length: number }>>;
  close(): Promise<void>;
}

/** Reads `length` bytes at `position`; the result is shorter when the disk ends first. */
export async function readAt(source: ByteSource, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  let done = 0;
  while (done < length) {
    const n = await source.read(buffer, done, length - done, position + done);
    if (n <= 0) break;
    done += n;
  }
  return done === length ? buffer : buffer.subarray(0, done);
}
