import { isSpotlintError } from '../../errors.js';
import { ExtError, type ExtFilesystem } from '../ext/ext-filesystem.js';
import type { ByteSource } from '../image/byte-source.js';
import type { Volume } from '../volumes.js';
import { scanFreeSpace } from './scan-free-space.js';

/** What the scan found on one filesystem (the figures of FreeSpaceMeasurement a user sees). */
export interface FreeSpaceFacts {
  status: 'scanned';
  blockSize: number;
  freeBytes: number;
  nonZeroBytes: number;
  /** Free bytes zero without a read: QCOW2 clusters never allocated, or the missing end of a truncated image. */
  unstoredBytes: number;
  estimatedPackageSavingBytes: number;
  sampleBytes: number;
}

/** The scan could not run on a filesystem that was otherwise read: why. */
export interface FreeSpaceFailure {
  status: 'failed';
  reason: string;
}

export type FreeSpaceResult = FreeSpaceFacts | FreeSpaceFailure;

/** Progress of the whole image's scan: bytes settled, and the total known so far. */
export type ScanProgress = (done: number, total: number) => void;

/**
 * The free-space scan of one image. Each ext filesystem is handed over as
 * soon as its worker has mounted it (`add`): the free ranges come from the
 * worker's block bitmap at once, and the bytes are scanned on this thread
 * while the rest of the inspection goes on, one filesystem after another.
 * Results land on each volume's `freeSpace`; the non-zero runs (what a fix
 * must zero) stay in `nonZeroRuns`, out of the reports.
 */
export class FreeSpaceScan {
  readonly nonZeroRuns = new Map<Volume, Float64Array>();
  private queue: Promise<void> = Promise.resolve();
  private total = 0;
  private done = 0;

  constructor(private readonly source: ByteSource, private readonly onProgress: ScanProgress = () => {}) {}

  /** Takes the free ranges now (the filesystem may be closed after this returns) and queues the scan. */
  async add(volume: Volume, fs: ExtFilesystem): Promise<void> {
    const blockSize = volume.filesystem.ext?.blockSize;
    if (!blockSize) return;
    let freeRanges: Float64Array;
    try {
      freeRanges = await fs.freeRanges();
    } catch (error) {
      if (!(error instanceof ExtError)) throw error;
      volume.freeSpace = { status: 'failed', reason: `its block bitmap cannot be read (${error.message})` };
      return;
    }
    // A filesystem larger than its partition would have the next partition's
    // bytes counted (and later zeroed) as its free space: refuse to guess.
    // (The table's size, not the part present: a truncated image only loses
    // its end, which counts as not stored. A bare filesystem has no neighbour.)
    const partitionBytes = volume.partition?.size ?? Number.POSITIVE_INFINITY;
    const lastFreeEnd = freeRanges.length >= 2 ? freeRanges[freeRanges.length - 2]! + freeRanges[freeRanges.length - 1]! : 0;
    if (lastFreeEnd > partitionBytes) {
      volume.freeSpace = { status: 'failed', reason: `the filesystem claims free blocks up to byte ${lastFreeEnd}, beyond the ${partitionBytes} bytes of its partition` };
      return;
    }
    for (let i = 1; i < freeRanges.length; i += 2) this.total += freeRanges[i]!;
    this.onProgress(this.done, this.total);
    this.queue = this.queue.then(() => this.scan(volume, { start: volume.start, blockSize, freeRanges }));
    // Rejects only on a bug; held until finished() so it is never reported as unhandled first.
    this.queue.catch(() => {});
  }

  private async scan(volume: Volume, target: Parameters<typeof scanFreeSpace>[1]): Promise<void> {
    try {
      const { nonZeroRuns, ...figures } = await scanFreeSpace(this.source, target, (bytes) => {
        this.done += bytes;
        this.onProgress(this.done, this.total);
      });
      volume.freeSpace = { status: 'scanned', blockSize: target.blockSize, ...figures };
      this.nonZeroRuns.set(volume, nonZeroRuns);
    } catch (error) {
      // The image layer names what is wrong (a corrupt QCOW2 cluster, an I/O error).
      if (!isSpotlintError(error) && !(error as NodeJS.ErrnoException).code) throw error;
      volume.freeSpace = { status: 'failed', reason: `its free blocks cannot be read (${(error as Error).message})` };
    }
  }

  /** Resolves when every queued filesystem is scanned; rejects only on a bug. */
  finished(): Promise<void> {
    return this.queue;
  }
}
