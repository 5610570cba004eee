import { open, type FileHandle } from 'node:fs/promises';
import type { ImageWrite } from './zero-runs.js';
import type { UndoJournalWriter } from './undo-journal.js';

/** Zeros are written 4 MiB at a time: large sequential writes, bounded memory. */
const ZERO_CHUNK_BYTES = 4 * 1024 * 1024;
/** Old bytes are read for the journal in pieces of at most this. */
const JOURNAL_READ_BYTES = 4 * 1024 * 1024;

async function readExactly(handle: FileHandle, position: number, length: number): Promise<Buffer> {
  const bytes = Buffer.alloc(length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await handle.read(bytes, done, length - done, position + done);
    if (bytesRead <= 0) throw new Error(`the image ends at byte ${position + done}, before byte ${position + length} a fix must change`);
    done += bytesRead;
  }
  return bytes;
}

/**
 * Records in the journal the current bytes of everything `writes` will
 * change that undo must restore. Must run, and the journal be sealed, before
 * the first write.
 */
export async function journalOldBytes(imagePath: string, writes: readonly ImageWrite[], journal: UndoJournalWriter): Promise<void> {
  const handle = await open(imagePath, 'r');
  try {
    for (const write of writes) {
      if (!write.journal) continue;
      for (let done = 0; done < write.length; done += JOURNAL_READ_BYTES) {
        const length = Math.min(JOURNAL_READ_BYTES, write.length - done);
        await journal.record(write.offset + done, await readExactly(handle, write.offset + done, length));
      }
    }
  } finally {
    await handle.close();
  }
}

/** Writes every change to the image file and flushes it to disk. */
export async function writeToImage(imagePath: string, writes: readonly ImageWrite[], onProgress: (bytes: number) => void = () => {}): Promise<void> {
  const handle = await open(imagePath, 'r+');
  const zeros = Buffer.alloc(ZERO_CHUNK_BYTES);
  try {
    for (const write of writes) {
      for (let done = 0; done < write.length;) {
        const length = write.bytes ? write.length - done : Math.min(ZERO_CHUNK_BYTES, write.length - done);
        const source = write.bytes ?? zeros;
        const { bytesWritten } = await handle.write(source, write.bytes ? done : 0, length, write.offset + done);
        done += bytesWritten;
        onProgress(bytesWritten);
      }
    }
    await handle.sync();
  } finally {
    await handle.close();
  }
}
