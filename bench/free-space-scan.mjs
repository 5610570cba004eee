#!/usr/bin/env node
// How fast spotlint measures non-zero free space, against what this machine
// can do: `cat` of the image (the page-cache read limit) and `zerofree -n`
// (which reads only the free blocks, as the scan must). Builds its own 2 GiB
// test disk (see free-space-image.mjs), warms the page cache, then runs each
// case several times and prints the medians and the ratios.
//   npm run build && node bench/free-space-scan.mjs
// BENCH_RUNS (default 5) sets the runs; BENCH_DIR the work directory (kept
// for the next run). Figures are printed, never asserted.
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildFreeSpaceImage, RECIPE } from './free-space-image.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const cli = join(root, 'dist', 'cli.js');
const phase = join(root, 'bench', 'free-space-phase.mjs');
const runs = Number(process.env.BENCH_RUNS) || 5;
const workDir = process.env.BENCH_DIR || join(tmpdir(), 'spotlint-bench-free-space');
const gnuTime = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;
const which = (command) => ['/usr/sbin', '/sbin', '/usr/bin', '/bin'].map((dir) => join(dir, command)).find(existsSync);
const zerofree = which('zerofree');

for (const tool of ['mke2fs', 'debugfs', 'sfdisk', 'dd']) {
  if (!which(tool)) {
    console.error(`free-space bench: ${tool} is needed to build the test disk (apt install e2fsprogs fdisk coreutils)`);
    process.exit(2);
  }
}

// No spotlint.config.json from this folder or above may turn the rule off.
const emptyConfig = join(mkdtempSync(join(tmpdir(), 'spotlint-bench-config-')), 'spotlint.config.json');
writeFileSync(emptyConfig, '{}');

const { disk, filesystem, garbageBytes, filesBytes } = buildFreeSpaceImage(workDir, (step) => console.log(`building the test disk: ${step}`));

/** One run of a command: wall seconds and (with GNU time) peak RSS in MiB. Output goes to /dev/null. */
function measure(command, args) {
  const devNull = openSync('/dev/null', 'w');
  const started = process.hrtime.bigint();
  const result = gnuTime
    ? spawnSync(gnuTime, ['-f', '%M', command, ...args], { stdio: ['ignore', devNull, 'pipe'] })
    : spawnSync(command, args, { stdio: ['ignore', devNull, 'pipe'] });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  closeSync(devNull);
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  const lastLine = result.stderr.toString().trim().split('\n').pop();
  return { seconds, rssMiB: gnuTime ? Number(lastLine) / 1024 : NaN };
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

function bench(command, args) {
  measure(command, args); // warm: page cache, and Node's own files
  const samples = Array.from({ length: runs }, () => measure(command, args));
  return { seconds: median(samples.map((s) => s.seconds)), rssMiB: median(samples.map((s) => s.rssMiB)) };
}

// What spotlint finds on this disk, and the free bytes the scan reads.
const inspected = spawnSync(process.execPath, [cli, 'inspect', '--json', disk], { maxBuffer: 64 << 20 });
if (inspected.status !== 0) throw new Error(`spotlint inspect failed: ${inspected.stderr}`);
const report = JSON.parse(inspected.stdout.toString());
const volume = report.volumes[0];
if (volume.freeSpace?.status !== 'scanned') throw new Error(`the scan did not run on the test disk: ${JSON.stringify(volume.freeSpace)}`);
const { freeBytes, nonZeroBytes, estimatedPackageSavingBytes } = volume.freeSpace;
const imageBytes = report.image.virtualSize;

const node = process.execPath;
const cases = {
  cat: bench('cat', [disk]),
  zerofree: zerofree ? bench(zerofree, ['-n', filesystem]) : undefined,
  scanPhase: bench(node, [phase, disk, String(volume.start), String(volume.size), String(volume.filesystem.ext.blockSize)]),
  lint: bench(node, [cli, '--config', emptyConfig, disk, '--fail-on', 'none']),
  lintNoScan: bench(node, [cli, '--config', emptyConfig, disk, '--fail-on', 'none', '--no-scan']),
};

const mb = (bytes) => `${(bytes / 1e6).toFixed(0)} MB`;
console.log(`\nnode ${process.version}, ${runs} runs each after one warm-up, median; page cache warm`);
console.log(`disk: ${mb(imageBytes)} MBR image, ext4 of ${mb(RECIPE.filesystemBytes)} holding ${mb(filesBytes)} of files from /usr; ${mb(garbageBytes)} of deleted-file garbage written`);
console.log(`spotlint found: ${mb(freeBytes)} free, ${mb(nonZeroBytes)} of it not zero; zeroing it saves about ${mb(estimatedPackageSavingBytes)} of gzip -1 package\n`);

const rows = [
  ['cat IMAGE > /dev/null (whole image)', cases.cat],
  ['zerofree -n FILESYSTEM', cases.zerofree],
  ['spotlint scan alone (open, bitmap, free blocks)', cases.scanPhase],
  ['spotlint IMAGE (full lint with the scan)', cases.lint],
  ['spotlint IMAGE --no-scan (metadata only)', cases.lintNoScan],
];
console.log('case'.padEnd(50), 'seconds'.padStart(8), 'peak RSS MiB'.padStart(13));
for (const [label, result] of rows) {
  if (!result) console.log(label.padEnd(50), 'not installed (apt install zerofree)'.padStart(22));
  else console.log(label.padEnd(50), result.seconds.toFixed(3).padStart(8), result.rssMiB.toFixed(0).padStart(13));
}

// cat reads every byte of the image; the scan reads only the free ones. The
// scan's figure includes starting Node and the worker (about 0.2 s), cat's does not.
const catSameBytes = cases.cat.seconds * (freeBytes / imageBytes);
const ratio = (a, b) => `${(a / b).toFixed(2)}x`;
console.log('\nratios');
console.log(`  scan alone / cat over the same bytes (${mb(freeBytes)}): ${ratio(cases.scanPhase.seconds, catSameBytes)}`);
console.log(`  scan's cost in the lint (lint - lint --no-scan): ${(cases.lint.seconds - cases.lintNoScan.seconds).toFixed(3)} s`);
if (cases.zerofree) {
  console.log(`  scan alone / zerofree -n: ${ratio(cases.scanPhase.seconds, cases.zerofree.seconds)}`);
  console.log(`  full lint / zerofree -n: ${ratio(cases.lint.seconds, cases.zerofree.seconds)}`);
}
console.log(`  peak RSS of the full lint: ${cases.lint.rssMiB.toFixed(0)} MiB`);
