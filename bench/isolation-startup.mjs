#!/usr/bin/env node
// Why each ext filesystem is read in a worker thread rather than a child
// process: the cost of starting one, loading the ext2fs WebAssembly module,
// mounting a filesystem and reading one file, median of several runs.
//   npm run build && node bench/isolation-startup.mjs
import { fork } from 'node:child_process';
import { Worker } from 'node:worker_threads';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';

const root = fileURLToPath(new URL('..', import.meta.url));
const image = join(mkdtempSync(join(tmpdir(), 'spotlint-bench-')), 'bare.img');
writeFileSync(image, gunzipSync(readFileSync(join(root, 'test', 'images', 'bare.img.gz'))));
const runs = Number(process.env.BENCH_RUNS) || 9;

// The same small program runs in both: mount, read /etc/fstab, report.
const program = join(root, 'bench', '.isolation-probe.mjs');
writeFileSync(program, `
import { parentPort } from 'node:worker_threads';
import { mount } from 'ext2fs';
import { FileDisk } from 'file-disk';
import { open } from 'node:fs/promises';
const handle = await open(${JSON.stringify(image)}, 'r');
const fs = (await mount(new FileDisk(handle, true, true), 0)).promises;
const fd = await fs.open('/etc/fstab', 0);
await fd.read(Buffer.alloc(4096), 0, 4096, 0);
(parentPort ?? process).postMessage ? parentPort.postMessage('done') : process.send('done');
`);

function timeWorker() {
  const started = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const worker = new Worker(program);
    worker.once('message', () => { void worker.terminate(); resolve(Number(process.hrtime.bigint() - started) / 1e6); });
    worker.once('error', reject);
  });
}

function timeChild() {
  const started = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const child = fork(program);
    child.once('message', () => { child.kill(); resolve(Number(process.hrtime.bigint() - started) / 1e6); });
    child.once('error', reject);
  });
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const workers = [];
const children = [];
for (let i = 0; i < runs; i++) {
  workers.push(await timeWorker());
  children.push(await timeChild());
}
console.log(`worker thread: ${median(workers).toFixed(1)} ms, child process: ${median(children).toFixed(1)} ms (median of ${runs})`);
