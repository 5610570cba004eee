#!/usr/bin/env node
// Wall time and peak memory of `spotlint` (lint), `inspect` and `cat` on the
// test fixtures, median of several runs. Run after `npm run build`:
//   npm run bench
// Numbers are printed, never asserted: speed is reported, not tested.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';

const root = fileURLToPath(new URL('..', import.meta.url));
const cli = join(root, 'dist', 'cli.js');
const runs = Number(process.env.BENCH_RUNS) || 7;
const work = mkdtempSync(join(tmpdir(), 'spotlint-bench-'));
const haveGnuTime = existsSync('/usr/bin/time');

function unpack(name) {
  const target = join(work, name);
  writeFileSync(target, gunzipSync(readFileSync(join(root, 'test', 'images', `${name}.gz`))));
  return target;
}

/** One run: seconds and peak resident memory in MiB (when GNU time is there). */
function measure(args) {
  const started = process.hrtime.bigint();
  const result = haveGnuTime
    ? spawnSync('/usr/bin/time', ['-f', '%M', process.execPath, cli, ...args], { maxBuffer: 64 << 20 })
    : spawnSync(process.execPath, [cli, ...args], { maxBuffer: 64 << 20 });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (result.status !== 0) throw new Error(`spotlint ${args.join(' ')} failed: ${result.stderr}`);
  const lastLine = result.stderr.toString().trim().split('\n').pop();
  return { seconds, rssMiB: haveGnuTime ? Number(lastLine) / 1024 : NaN };
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

const cases = [
  ['inspect, raw MBR image', ['inspect', unpack('mbr.img')]],
  ['lint, raw MBR image (table)', [join(work, 'mbr.img'), '--fail-on', 'none']],
  ['lint, raw MBR image (SARIF)', [join(work, 'mbr.img'), '--fail-on', 'none', '--format', 'sarif']],
  ['inspect, QCOW2', ['inspect', unpack('mbr.qcow2')]],
  ['inspect, compressed QCOW2', ['inspect', unpack('mbr-compressed.qcow2')]],
  ['cat 12 MiB file, raw', ['cat', join(work, 'mbr.img'), '/var/lib/big.bin']],
  ['cat 12 MiB file, compressed QCOW2', ['cat', join(work, 'mbr-compressed.qcow2'), '/var/lib/big.bin']],
];

console.log(`node ${process.version}, ${runs} runs each, median`);
console.log('case'.padEnd(40), 'seconds'.padStart(8), 'peak RSS MiB'.padStart(14));
for (const [label, args] of cases) {
  measure(args); // warm the page cache
  const samples = Array.from({ length: runs }, () => measure(args));
  console.log(label.padEnd(40), median(samples.map((s) => s.seconds)).toFixed(3).padStart(8), median(samples.map((s) => s.rssMiB)).toFixed(1).padStart(14));
}
execFileSync('rm', ['-rf', work]);
