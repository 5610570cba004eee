import { Worker } from 'node:worker_threads';
import { SpotlintError } from '../errors.js';
import { callTimeoutMs } from '../inspect/ext/ext-filesystem.js';
import type { StageJob, StageResponse, StageResult } from './fs-edit.js';

/**
 * Stages one filesystem's edits in a worker of its own (see stage-worker.ts)
 * and returns what would be written. A staging that fails, aborts or takes
 * longer than the filesystem call timeout is an error: nothing is written.
 */
export async function stageEdits(job: StageJob, where: string, timeoutMs = callTimeoutMs()): Promise<StageResult> {
  const worker = new Worker(new URL('./stage-worker.js', import.meta.url), { workerData: job, stdout: true, stderr: true });
  worker.stdout.resume();
  worker.stderr.resume();
  try {
    const response = await new Promise<StageResponse>((resolve, reject) => {
      const timer = setTimeout(() => reject(new SpotlintError(`${where}: staging the fixes took longer than ${timeoutMs / 1000} s; nothing was written`)), timeoutMs);
      worker.once('message', (message: StageResponse) => { clearTimeout(timer); resolve(message); });
      worker.once('error', (error) => { clearTimeout(timer); reject(new SpotlintError(`${where}: staging the fixes failed (${error.message.split('\n')[0]}); nothing was written`)); });
      worker.once('exit', (code) => { clearTimeout(timer); reject(new SpotlintError(`${where}: staging the fixes stopped (exit code ${code}); nothing was written`)); });
    });
    if (!response.ok) throw new SpotlintError(`${where}: the fixes could not be staged: ${response.error.message} (${response.error.code}); nothing was written`);
    // Buffers cross the thread boundary as plain Uint8Arrays.
    const writes = response.result.writes.map(({ offset, bytes }) => ({ offset, bytes: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) }));
    return { ...response.result, writes };
  } finally {
    await worker.terminate();
  }
}
