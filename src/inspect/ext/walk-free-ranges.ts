import type { Ext2Promises } from 'ext2fs';
import { ByteRuns } from '../freespace/byte-runs.js';
import type { ByteSourceDisk } from './byte-source-disk.js';

/**
 * Every free range of the block bitmap, as (offset, length) byte pairs
 * relative to the filesystem: the module's trim walk, its discards caught by
 * the disk's receiver. One walk per disk at a time.
 */
export async function walkFreeRanges(disk: ByteSourceDisk, fs: Ext2Promises): Promise<Float64Array> {
  if (disk.discardReceiver) throw new Error('the block bitmap is already being walked');
  const ranges = new ByteRuns();
  disk.discardReceiver = (offset, length) => ranges.add(offset, length);
  try {
    await fs.trim();
  } finally {
    disk.discardReceiver = undefined;
  }
  return ranges.toPairs();
}
