/**
 * Worker entry: verifies candidate passwords against one hash at a time.
 * A SHA-512 crypt costs ~19 ms, so guess-passwords.ts spreads the
 * candidates over one worker per core. A shared flag per account lets a
 * worker stop mid-task once any worker has found that account's password.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { verifyCrypt } from './verify-crypt.js';

export interface GuessWorkerData {
  /** One Int32 per target account: non-zero once its password is found. */
  stopFlags: SharedArrayBuffer;
}

export interface GuessTask {
  taskId: number;
  /** Index of the account in the caller's targets, and of its stop flag. */
  target: number;
  hash: string;
  candidates: string[];
}

export interface GuessTaskResult {
  taskId: number;
  /** Candidates verified before the task ended. */
  tried: number;
  /** The candidate that matched. */
  password?: string;
  unsupported?: boolean;
}

if (!parentPort) throw new Error('guess-worker.js runs as a worker thread of guess-passwords.js');
const port = parentPort;
const stopFlags = new Int32Array((workerData as GuessWorkerData).stopFlags);

function runTask(task: GuessTask): GuessTaskResult {
  let tried = 0;
  for (const candidate of task.candidates) {
    if (Atomics.load(stopFlags, task.target) !== 0) break;
    const verdict = verifyCrypt(candidate, task.hash);
    if (verdict === 'unsupported') return { taskId: task.taskId, tried, unsupported: true };
    tried++;
    if (verdict) {
      Atomics.store(stopFlags, task.target, 1);
      return { taskId: task.taskId, tried, password: candidate };
    }
  }
  return { taskId: task.taskId, tried };
}

port.on('message', (task: GuessTask) => {
  port.postMessage(runTask(task));
});
