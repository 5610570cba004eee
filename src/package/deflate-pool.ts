import { Worker } from 'node:worker_threads';
import type { DeflateRequest, DeflateResponse } from './deflate-worker.js';

export interface Deflated {
  output: Buffer;
  /** The buffer that was deflated, handed back so it can be reused. */
  input: Buffer;
}

/**
 * Compression threads that deflate pieces of a stream in parallel. Requests
 * go to the thread with the fewest outstanding pieces; answers come back by
 * id, in any order (the caller keeps the order).
 */
export class DeflatePool {
  private readonly workers: Worker[] = [];
  private readonly outstanding: number[] = [];
  private readonly waiting = new Map<number, { worker: number; resolve: (result: Deflated) => void; reject: (error: Error) => void }>();
  private nextId = 0;
  private failure: Error | undefined;

  constructor(threads: number) {
    for (let index = 0; index < threads; index++) {
      const worker = new Worker(new URL('./deflate-worker.js', import.meta.url));
      worker.on('message', (response: DeflateResponse) => this.answer(index, response));
      worker.on('error', (error) => this.fail(new Error(`a compression thread failed: ${error.message}`)));
      worker.on('exit', (code) => { if (code !== 0) this.fail(new Error(`a compression thread stopped (exit code ${code})`)); });
      this.workers.push(worker);
      this.outstanding.push(0);
    }
  }

  /** Deflates `data`, which is handed over to the thread (unusable here afterwards). */
  deflate(data: Buffer, dictionary: Buffer | undefined, last: boolean, level: number): Promise<Deflated> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    let worker = 0;
    for (let index = 1; index < this.workers.length; index++) if (this.outstanding[index]! < this.outstanding[worker]!) worker = index;
    this.outstanding[worker]!++;
    const wholeBuffer = data.byteOffset === 0 && data.byteLength === data.buffer.byteLength;
    const request: DeflateRequest = { id, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), dictionary, last, level };
    return new Promise<Deflated>((resolve, reject) => {
      this.waiting.set(id, { worker, resolve, reject });
      this.workers[worker]!.postMessage(request, wholeBuffer ? [data.buffer as ArrayBuffer] : []);
    });
  }

  async close(): Promise<void> {
    this.failure ??= new Error('the compression threads were closed');
    await Promise.all(this.workers.map((worker) => worker.terminate()));
  }

  private answer(worker: number, response: DeflateResponse): void {
    this.outstanding[worker]!--;
    const waiter = this.waiting.get(response.id);
    if (!waiter) return;
    this.waiting.delete(response.id);
    if ('error' in response) waiter.reject(new Error(`compression failed: ${response.error}`));
    else {
      const view = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      waiter.resolve({ output: view(response.output), input: view(response.input) });
    }
  }

  private fail(error: Error): void {
    if (this.failure) return;
    this.failure = error;
    for (const waiter of this.waiting.values()) waiter.reject(error);
    this.waiting.clear();
  }
}
