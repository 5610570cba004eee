import { SpotlintError } from '../errors.js';

/**
 * Writes to a stream and waits until it can take more. A stream that fails
 * or closes instead (a full disk, a closed pipe) ends the wait with an error,
 * where waiting for 'drain' alone would wait forever.
 */
export function writeChunk(out: NodeJS.WritableStream, chunk: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      out.off('drain', onDrain);
      out.off('error', onError);
      out.off('close', onClose);
    };
    const onDrain = () => { cleanup(); resolve(); };
    const onError = (error: Error) => { cleanup(); reject(new SpotlintError(`cannot write the output: ${error.message}`)); };
    const onClose = () => { cleanup(); reject(new SpotlintError('cannot write the output: it was closed')); };
    out.on('error', onError);
    out.on('close', onClose);
    if (out.write(chunk)) {
      cleanup();
      resolve();
    } else {
      out.on('drain', onDrain);
    }
  });
}
