import { Worker } from 'node:worker_threads';
import { SpotlintError } from '../../errors.js';
import { describeWasmAbort } from './ext-errors.js';
import type {
  ExtErrorInfo, ExtRequest, ExtResponse, ExtStat, ExtWorkerData, ExtWorkerHello, FreeRanges, ReaddirResult,
} from './ext-protocol.js';

/** A call the filesystem could not answer; `code` is ENOENT, ELOOP, EXT2_ET_*, ... */
export class ExtError extends Error {
  constructor(readonly code: string, message: string, readonly fatal = false) {
    super(message);
    this.name = 'ExtError';
  }
}

const DEFAULT_CALL_TIMEOUT_MS = 30_000;
const MIN_CALL_TIMEOUT_MS = 100;
const MAX_CALL_TIMEOUT_MS = 3_600_000;

/** How long one filesystem call may take before its worker is stopped: 30 s, or SPOTLINT_FS_TIMEOUT_MS. */
export function callTimeoutMs(environment = process.env): number {
  const text = environment.SPOTLINT_FS_TIMEOUT_MS;
  if (text === undefined || text === '') return DEFAULT_CALL_TIMEOUT_MS;
  const value = Number(text);
  if (!Number.isInteger(value) || value < MIN_CALL_TIMEOUT_MS || value > MAX_CALL_TIMEOUT_MS) {
    throw new SpotlintError(`SPOTLINT_FS_TIMEOUT_MS must be a whole number of milliseconds from ${MIN_CALL_TIMEOUT_MS} to ${MAX_CALL_TIMEOUT_MS}, not "${text}"`);
  }
  return value;
}
const STDERR_KEPT_BYTES = 2048;
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/**
 * One ext filesystem of an image, read through its own worker. Every call is
 * answered, fails, or times out: if the worker aborts, hangs or exits, all
 * pending and later calls fail with a clear ExtError, so a run can never end
 * quietly with work still outstanding.
 */
export class ExtFilesystem {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: ExtError) => void; timer: NodeJS.Timeout }>();
  private deadError: ExtError | undefined;
  private readonly failureListeners: ((error: ExtError) => void)[] = [];
  private stderrText = '';

  private constructor(private readonly worker: Worker, private readonly timeoutMs: number) {
    worker.stderr.on('data', (chunk: Buffer) => {
      if (this.stderrText.length < STDERR_KEPT_BYTES) this.stderrText += chunk.toString('utf8');
    });
    worker.stdout.resume();
    worker.on('message', (message: ExtResponse | ExtWorkerHello) => {
      if ('id' in message) this.settle(message);
    });
    worker.on('error', (error) => this.die(this.crashError(error)));
    worker.on('exit', (code) => this.die(new ExtError('WORKER_EXIT', `the filesystem reader stopped unexpectedly (exit code ${code})`, true)));
  }

  static async open(data: ExtWorkerData, timeoutMs = callTimeoutMs()): Promise<ExtFilesystem> {
    const worker = new Worker(new URL('./ext-worker.js', import.meta.url), { workerData: data, stdout: true, stderr: true });
    const fs = new ExtFilesystem(worker, timeoutMs);
    const hello = await new Promise<ExtWorkerHello>((resolve, reject) => {
      const timer = setTimeout(() => reject(new ExtError('ETIMEDOUT', `mounting took longer than ${timeoutMs / 1000} s (a corrupt filesystem can make libext2fs loop)`, true)), timeoutMs);
      worker.once('message', (message: ExtWorkerHello) => { clearTimeout(timer); resolve(message); });
      worker.once('error', (error) => { clearTimeout(timer); reject(fs.crashError(error)); });
      worker.once('exit', (code) => { clearTimeout(timer); reject(new ExtError('WORKER_EXIT', `the filesystem reader stopped while mounting (exit code ${code})`, true)); });
    }).catch(async (error: ExtError) => {
      await worker.terminate();
      throw error;
    });
    if (!hello.ready) {
      await worker.terminate();
      throw new ExtError(hello.error.code, hello.error.message, hello.error.fatal);
    }
    return fs;
  }

  private crashError(error: Error): ExtError {
    const abort = describeWasmAbort(error, this.stderrText);
    if (abort) return toExtError(abort);
    return new ExtError('WORKER_CRASH', `the filesystem reader crashed: ${error.message.split('\n')[0]}`, true);
  }

  private settle(message: ExtResponse): void {
    const call = this.pending.get(message.id);
    if (!call) return;
    this.pending.delete(message.id);
    clearTimeout(call.timer);
    if (message.ok) {
      call.resolve(message.value);
      return;
    }
    const error = toExtError(message.error);
    if (error.fatal) this.die(error);
    call.reject(error);
  }

  private die(error: ExtError): void {
    if (this.deadError) return;
    this.deadError = error;
    for (const call of this.pending.values()) {
      clearTimeout(call.timer);
      call.reject(error);
    }
    this.pending.clear();
    void this.worker.terminate();
    if (error.code !== 'CLOSED') for (const listener of this.failureListeners) listener(error);
  }

  /**
   * Calls `listener` once when the filesystem can no longer be read (at once
   * if that has already happened), never for a close: whoever shows the
   * filesystem can say so, whichever call ran into the failure.
   */
  onFailure(listener: (error: ExtError) => void): void {
    if (this.failure) listener(this.failure);
    else if (!this.deadError) this.failureListeners.push(listener);
  }

  /** Set when the filesystem can no longer be read: why. */
  get failure(): ExtError | undefined {
    return this.deadError?.code === 'CLOSED' ? undefined : this.deadError;
  }

  private call<T>(request: DistributiveOmit<ExtRequest, 'id'>): Promise<T> {
    if (this.deadError) return Promise.reject(this.deadError);
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.die(new ExtError('ETIMEDOUT', `${'path' in request ? `reading ${request.path}` : 'reading the block bitmap'} took longer than ${this.timeoutMs / 1000} s (a corrupt filesystem can make libext2fs loop)`, true));
      }, this.timeoutMs);
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject, timer });
      this.worker.postMessage({ ...request, id });
    });
  }

  lstat(path: string): Promise<ExtStat> {
    return this.call({ op: 'lstat', path });
  }

  readlink(path: string): Promise<string> {
    return this.call({ op: 'readlink', path });
  }

  readdir(path: string, limit: number): Promise<ReaddirResult> {
    return this.call({ op: 'readdir', path, limit });
  }

  async read(path: string, position: number, length: number): Promise<Buffer> {
    const bytes = await this.call<Uint8Array>({ op: 'read', path, position, length });
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /** The free blocks as libext2fs's block bitmap has them (see FreeRanges). */
  async freeRanges(): Promise<FreeRanges> {
    return this.call<FreeRanges>({ op: 'freeRanges' });
  }

  async close(): Promise<void> {
    this.die(new ExtError('CLOSED', 'the filesystem was closed'));
    await this.worker.terminate();
  }
}

function toExtError(info: ExtErrorInfo): ExtError {
  return new ExtError(info.code, info.message, info.fatal);
}
