#!/usr/bin/env node
// How fast `spotlint package` builds an XVM2 package, against doing the same
// work with the C tools: the reference packager's sequence (md5sum, gzip -1,
// tar) and the same sequence with pigz on every core. Every case packs the
// free-space benchmark's 2 GiB disk (see free-space-image.mjs, built once and
// shared) into description.xml + manifest.txt + hd0.img.gz in a scratch
// folder next to the disk, removed after each run.
//   npm run bench:package
// BENCH_RUNS (default 3) sets the runs; BENCH_DIR the work directory (shared
// with bench/free-space-scan.mjs). Figures are printed, never asserted; the
// one thing checked is that spotlint's package holds the disk's exact bytes.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildFreeSpaceImage } from './free-space-image.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const cli = join(root, 'dist', 'cli.js');
const runs = Number(process.env.BENCH_RUNS) || 3;
const workDir = process.env.BENCH_DIR || join(tmpdir(), 'spotlint-bench-free-space');
const gnuTime = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;
const which = (command) => ['/usr/sbin', '/sbin', '/usr/bin', '/bin'].map((dir) => join(dir, command)).find(existsSync);
const threads = availableParallelism();

function fail(message) {
  console.error(`package bench: ${message}`);
  process.exit(2);
}

if (!existsSync(cli)) fail(`${cli} is missing: build first (npm run build, or run npm run bench:package)`);
const help = spawnSync(process.execPath, [cli, 'package', '--help'], { encoding: 'utf8' });
// Before the command existed, `package --help` fell through to the lint's help.
if (help.status !== 0 || !/spotlint package/.test(help.stdout)) fail(`${cli} has no \`package\` command (rebuild with npm run build)`);
for (const tool of ['mke2fs', 'debugfs', 'sfdisk', 'dd', 'md5sum', 'gzip', 'gunzip', 'tar', 'bash']) {
  if (!which(tool)) fail(`${tool} is needed (apt install e2fsprogs fdisk coreutils gzip tar bash)`);
}
const pigz = which('pigz');

// No spotlint.config.json from this folder or above may change what the lint does.
const configDir = mkdtempSync(join(tmpdir(), 'spotlint-bench-config-'));
const emptyConfig = join(configDir, 'spotlint.config.json');
writeFileSync(emptyConfig, '{}');
// On every way out, fail() included: process.exit skips finally blocks.
process.on('exit', () => {
  rmSync(configDir, { recursive: true, force: true });
  for (const id of ['reference', 'pigz', 'spotlint', 'spotlintNoScan']) rmSync(join(workDir, `package-${id}`), { recursive: true, force: true });
});

const { disk } = buildFreeSpaceImage(workDir, (step) => console.log(`building the test disk: ${step}`));
const diskBytes = statSync(disk).size;

/** md5 hex of a file or of a shell pipeline's output, via md5sum. */
function md5Of(script, ...args) {
  const result = spawnSync('bash', ['-c', `set -o pipefail; ${script} | md5sum`, 'bash', ...args], { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (result.status !== 0) throw new Error(`${script} failed: ${result.stderr}`);
  return result.stdout.split(' ')[0];
}

// Taken before this bench adds its own load: how busy the machine already is.
const loadBefore = loadavg()[0];
// One untimed read warms the page cache, and gives the digest every package must carry.
console.log('warming the page cache (md5sum of the disk)');
const diskMd5 = md5Of('cat "$1"', disk);

// What the reference packager did, one step after the other; $1 the disk,
// the scratch folder is the working directory. Only the compressor differs.
const sequence = (compressor) => `set -euo pipefail
md5=$(md5sum "$1" | cut -d' ' -f1)
${compressor} -c "$1" > hd0.img.gz
cat > description.xml <<'XML'
<?xml version="1.0" encoding="UTF-8"?>
<domain>
  <name>bench</name>
  <uuid>6f1d3c52-9a51-4e0b-8a8e-2f7d0c1b9e44</uuid>
  <os><type>hvm</type><boot dev="hd"/></os>
  <features><pae/><acpi/><apic/></features>
  <devices><disk device="disk" type="file"><source file="hd0.img.gz"/><target dev="hda"/></disk></devices>
</domain>
XML
printf 'hd0.img %s %s\\n' "$(stat -c %s "$1")" "$md5" > manifest.txt
tar -cf out.xvm2 description.xml manifest.txt hd0.img.gz`;

const spotlintArgs = [cli, 'package', disk, '--yes', '--force', '--name', 'bench', '-o', 'out.xvm2', '--quiet', '--overwrite', '--config', emptyConfig];
const cases = [
  { id: 'reference', label: 'md5sum; gzip -1; tar (reference tool)', command: 'bash', args: ['-c', sequence('gzip -1'), 'bash', disk] },
  pigz
    ? { id: 'pigz', label: `md5sum; pigz -1 -p ${threads}; tar`, command: 'bash', args: ['-c', sequence(`pigz -1 -p ${threads}`), 'bash', disk] }
    : { id: 'pigz', label: 'md5sum; pigz -1; tar', skipped: 'pigz not installed (apt install pigz)' },
  { id: 'spotlint', label: 'spotlint package (lint included)', command: process.execPath, args: spotlintArgs, spotlint: true },
  { id: 'spotlintNoScan', label: 'spotlint package --no-scan --fail-on none', command: process.execPath, args: [...spotlintArgs, '--no-scan', '--fail-on', 'none'], spotlint: true },
];

/** The archive's members, from `tar -tvf`: name and size in bytes. */
function listArchive(archive) {
  const result = spawnSync('tar', ['-tvf', archive], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`tar -tvf ${archive} failed: ${result.stderr}`);
  return result.stdout.trim().split('\n').map((line) => {
    const match = /^\S+\s+\S+\s+(\d+)\s+\S+\s+\S+\s+(.+)$/.exec(line);
    if (!match) throw new Error(`tar -tvf: unexpected line "${line}"`);
    return { name: match[2], size: Number(match[1]) };
  });
}

const expectedMembers = ['description.xml', 'manifest.txt', 'hd0.img.gz'];

/** Checked once per case, outside the timing: the members, and for spotlint, the bytes. */
function inspectPackage(testCase, archive, stdout) {
  const members = listArchive(archive);
  const names = members.map((member) => member.name);
  if (names.join() !== expectedMembers.join()) fail(`${testCase.label}: the package holds ${names.join(', ')}, expected ${expectedMembers.join(', ')}`);
  const result = { compressedBytes: members[2].size };
  if (testCase.spotlint) {
    result.summary = stdout.trim().split('\n').filter((line) => line.startsWith('Packaged')).pop();
    const manifest = spawnSync('tar', ['-xOf', archive, 'manifest.txt'], { encoding: 'utf8' }).stdout;
    if (manifest !== `hd0.img ${diskBytes} ${diskMd5}\n`) fail(`${testCase.label}: manifest.txt is "${manifest.trim()}", expected "hd0.img ${diskBytes} ${diskMd5}"`);
    if (testCase.id === 'spotlint') {
      console.log('  checking that hd0.img.gz gunzips to the disk');
      const unpacked = md5Of('tar -xOf "$1" hd0.img.gz | gunzip -c', archive);
      if (unpacked !== diskMd5) fail(`${testCase.label}: hd0.img.gz gunzips to md5 ${unpacked}, the disk's is ${diskMd5}: the package is wrong, its timing means nothing`);
    }
  }
  return result;
}

/** One run in a fresh scratch folder: wall seconds, peak RSS in MiB (with GNU time), stdout. */
function measure(testCase, scratch) {
  rmSync(scratch, { recursive: true, force: true });
  mkdirSync(scratch);
  const command = gnuTime ?? testCase.command;
  const args = gnuTime ? ['-f', '%M', testCase.command, ...testCase.args] : testCase.args;
  const started = process.hrtime.bigint();
  const result = spawnSync(command, args, { cwd: scratch, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20, encoding: 'utf8' });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const stderrLines = result.stderr.trim().split('\n');
  const lastLine = gnuTime ? stderrLines.pop() : undefined;
  const ownStderr = stderrLines.filter((line) => !line.startsWith('Command exited with non-zero status')).join('\n');
  // --force packages despite findings; the exit status may still report them.
  const accepted = testCase.spotlint ? [0, 1] : [0];
  if (!accepted.includes(result.status)) fail(`${testCase.label} exited ${result.status ?? result.signal}:\n${ownStderr}`);
  const archive = join(scratch, 'out.xvm2');
  if (!existsSync(archive)) fail(`${testCase.label} exited ${result.status} and wrote no package:\n${ownStderr}`);
  return { seconds, rssMiB: gnuTime ? Number(lastLine) / 1024 : NaN, archive, stdout: result.stdout };
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

// spotlint first: a wrong package stops the bench before minutes of reference runs.
const timed = cases.filter((c) => !c.skipped).sort((a, b) => Number(Boolean(b.spotlint)) - Number(Boolean(a.spotlint)));
const samples = new Map(timed.map((testCase) => [testCase, []]));
// Rounds of every case rather than every run of one case: on a shared machine
// the load drifts, and each case should see the same drift.
for (let run = 1; run <= runs; run++) {
  for (const testCase of timed) {
    console.log(`run ${run} of ${runs}: ${testCase.label}`);
    const scratch = join(workDir, `package-${testCase.id}`);
    const sample = measure(testCase, scratch);
    samples.get(testCase).push(sample);
    if (run === 1) Object.assign(testCase, inspectPackage(testCase, sample.archive, sample.stdout));
    rmSync(scratch, { recursive: true, force: true });
  }
}
const results = Object.fromEntries(timed.map((testCase) => {
  const taken = samples.get(testCase);
  const seconds = taken.map((s) => s.seconds);
  return [testCase.id, { seconds: median(seconds), spread: Math.max(...seconds) - Math.min(...seconds), rssMiB: median(taken.map((s) => s.rssMiB)) }];
}));

const mb = (bytes) => `${(bytes / 1e6).toFixed(0)} MB`;
console.log(`\nnode ${process.version}, ${threads} cores, median of ${runs} runs; page cache warm`);
const busy = loadBefore > threads / 2;
console.log(`load average ${loadBefore.toFixed(1)} at the start${busy ? ': the machine was busy with other work, so the figures are noisy' : ''}`);
console.log(`disk: ${mb(diskBytes)} MBR image with an ext4 filesystem (free-space-image.mjs), md5 ${diskMd5}`);
const spotlintSummary = cases.find((c) => c.id === 'spotlint').summary;
if (spotlintSummary) console.log(`spotlint: ${spotlintSummary}`);
console.log();

console.log('case'.padEnd(44), 'seconds'.padStart(8), 'max-min'.padStart(8), 'MB/s'.padStart(6), 'peak RSS MiB'.padStart(13));
for (const testCase of cases) {
  const result = results[testCase.id];
  if (!result) { console.log(testCase.label.padEnd(44), ` skipped: ${testCase.skipped}`); continue; }
  const rss = Number.isNaN(result.rssMiB) ? 'n/a' : result.rssMiB.toFixed(0);
  console.log(testCase.label.padEnd(44), result.seconds.toFixed(2).padStart(8), result.spread.toFixed(2).padStart(8), (diskBytes / 1e6 / result.seconds).toFixed(0).padStart(6), rss.padStart(13));
}

const verdict = (pass) => (pass ? 'PASS' : 'MISS');
const { reference, pigz: pigzResult, spotlint, spotlintNoScan } = results;
console.log('\ntargets');
const speedup = reference.seconds / spotlint.seconds;
console.log(`  reference / spotlint: ${speedup.toFixed(2)}x (target >= 2.5)  ${verdict(speedup >= 2.5)}`);
if (pigzResult) {
  const versusPigz = spotlint.seconds / pigzResult.seconds;
  console.log(`  spotlint / pigz sequence: ${versusPigz.toFixed(2)} (target <= 0.8)  ${verdict(versusPigz <= 0.8)}`);
} else {
  console.log('  spotlint / pigz sequence: not measured (pigz not installed)');
}
if (gnuTime) {
  const peakMB = (spotlint.rssMiB * 1024 * 1024) / 1e6;
  console.log(`  spotlint peak RSS: ${peakMB.toFixed(0)} MB (target < 300 MB)  ${verdict(peakMB < 300)}`);
} else {
  console.log('  spotlint peak RSS: not measured (no /usr/bin/time)');
}
if (spotlintNoScan) console.log(`  the lint's free-space scan costs ${(spotlint.seconds - spotlintNoScan.seconds).toFixed(2)} s of the package run`);

const percent = (bytes) => `${((100 * bytes) / diskBytes).toFixed(1)}%`;
console.log('\ncompressed hd0.img.gz (from tar -tvf)');
for (const testCase of cases.filter((c) => c.compressedBytes !== undefined)) {
  console.log(`  ${testCase.label.padEnd(44)} ${String(testCase.compressedBytes).padStart(11)} bytes (${percent(testCase.compressedBytes)} of the disk)`);
}
const gzipBytes = cases.find((c) => c.id === 'reference').compressedBytes;
const spotlintBytes = cases.find((c) => c.id === 'spotlint').compressedBytes;
const difference = 100 * (spotlintBytes / gzipBytes - 1);
console.log(`  spotlint's member is ${difference >= 0 ? '+' : ''}${difference.toFixed(1)}% against gzip -1's, and gunzips to the disk's md5`);
