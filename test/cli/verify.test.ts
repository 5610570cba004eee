import { spawn } from 'node:child_process';
import { closeSync, copyFileSync, existsSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { renderVerdict } from '../../src/commands/verify-command.js';
import { decompressToFile } from '../../src/package/decompress-to-file.js';
import { verifyPackage } from '../../src/package/verify-package.js';
import { tempDir } from '../helpers/build-image.js';
import { fixturePath } from '../helpers/fixtures.js';
import {
  cutFile,
  gzipInParts,
  gzipOfZeros,
  makeDiskFile,
  md5File,
  stagedMembers,
  stagePackage,
  tarWithGnuTar,
  tarWithPython,
  writeManifest,
  type StagedPackage,
} from '../helpers/package-fixtures.js';
import { CLI, expectOneLineError, runCli } from '../helpers/run-cli.js';

const DISK_BYTES = 256 * 1024;
let disk: string;
let staged: StagedPackage;
let good: string;

beforeAll(() => {
  disk = makeDiskFile(DISK_BYTES);
  staged = stagePackage([disk], 'Fixture appliance');
  good = tarWithGnuTar(staged.dir, staged.members);
});

/** A copy of the staged members in a fresh folder, for a variant to change. */
function restage(): StagedPackage {
  const dir = tempDir('pkg-variant');
  for (const member of staged.members) copyFileSync(join(staged.dir, member), join(dir, member));
  return { ...staged, dir, disks: staged.disks.map((entry) => ({ ...entry })) };
}

function stdoutLines(result: { stdout: string }): string[] {
  return result.stdout.trimEnd().split('\n');
}

/**
 * What `spotlint verify PATH` prints, computed in this process: the CLI's
 * start-up costs a second or more on a loaded machine, so the many hostile
 * packages are judged here, and the tests that run the CLI show the same
 * text reaches the user with the right exit code.
 */
async function verifyOutput(path: string): Promise<{ stdout: string; code: number }> {
  const verdict = await verifyPackage(path);
  return { stdout: renderVerdict(path, verdict), code: verdict.valid ? 0 : 1 };
}

/** Exit 1 and exactly these problem lines, under the heading that counts them. */
function expectProblems(result: { stdout: string; code: number | null; stderr?: string }, path: string, problems: string[]): void {
  if (result.stderr !== undefined) expect(result.stderr).toBe('');
  expect(stdoutLines(result)).toEqual([
    `${path}: not a valid XVM2 package: ${problems.length} problem${problems.length === 1 ? '' : 's'}`,
    ...problems.map((problem) => `  ${problem}`),
  ]);
  expect(result.code).toBe(1);
}

const OUTSIDE = 'member name is not a plain top-level name; extracting the package would write outside its folder';

describe('spotlint verify accepts sound packages', () => {
  it('a package made by gzip, md5sum and GNU tar: name, disks, sizes and MD5s', async () => {
    const result = await runCli(['verify', good]);
    expect(result.stderr).toBe('');
    expect(stdoutLines(result)).toEqual([
      `${good}: valid XVM2 package "Fixture appliance", 1 disk`,
      `  hd0.img.gz (hda): ${DISK_BYTES} bytes (256 KiB), md5 ${md5File(disk)}, ok`,
    ]);
    expect(result.code).toBe(0);
  });

  it('a disk gzipped as several concatenated members (valid gzip)', async () => {
    const variant = restage();
    gzipInParts(disk, join(variant.dir, 'hd0.img.gz'), 3);
    const path = tarWithGnuTar(variant.dir, variant.members);
    const result = await verifyOutput(path);
    expect(result.stdout).toContain(`: valid XVM2 package "Fixture appliance", 1 disk\n  hd0.img.gz (hda): ${DISK_BYTES} bytes`);
    expect(result.code).toBe(0);
  });

  it('a package whose manifest comes after the disk, and two disks', async () => {
    const second = makeDiskFile(10_000);
    const two = stagePackage([disk, second]);
    const path = tarWithGnuTar(two.dir, ['hd1.img.gz', 'description.xml', 'hd0.img.gz', 'manifest.txt']);
    const result = await verifyOutput(path);
    expect(stdoutLines(result)).toEqual([
      `${path}: valid XVM2 package "Fixture appliance", 2 disks`,
      `  hd0.img.gz (hda): ${DISK_BYTES} bytes (256 KiB), md5 ${md5File(disk)}, ok`,
      `  hd1.img.gz (hdb): 10000 bytes (9.8 KiB), md5 ${md5File(second)}, ok`,
    ]);
    expect(result.code).toBe(0);
  });
});

describe('spotlint verify refuses hostile member names and types', () => {
  it('a member named ../evil (and --lint lints nothing then)', async () => {
    const path = tarWithPython([...stagedMembers(staged), { name: '../evil', text: 'x' }]);
    expectProblems(await runCli(['verify', path, '--lint']), path, [`../evil: ${OUTSIDE}`]);
  });

  it('an absolute member name, which GNU tar would not even write', async () => {
    const path = tarWithPython([...stagedMembers(staged), { name: '/etc/evil', text: 'x' }]);
    expectProblems(await verifyOutput(path), path, [`/etc/evil: ${OUTSIDE}`]);
  });

  it('names from pax and GNU long-name headers are the ones judged', async () => {
    const long = `../${'a'.repeat(200)}`;
    const gnu = tarWithPython([...stagedMembers(staged), { name: long, text: 'x' }]);
    expectProblems(await verifyOutput(gnu), gnu, [`${long}: ${OUTSIDE}`]);
    const pax = tarWithPython([...stagedMembers(staged), { name: 'sub/dir/évil', text: 'x' }], { pax: true });
    expectProblems(await verifyOutput(pax), pax, [`sub/dir/évil: ${OUTSIDE}`]);
  });

  it('a symbolic link', async () => {
    const path = tarWithPython([...stagedMembers(staged), { name: 'passwd', type: 'symlink', linkname: '/etc/passwd' }]);
    expectProblems(await verifyOutput(path), path, ['passwd: is a symbolic link to "/etc/passwd", not a regular file; a package holds only files']);
  });

  it('a directory, a hard link and a FIFO', async () => {
    const path = tarWithPython([
      { name: 'extra', type: 'directory' },
      ...stagedMembers(staged),
      { name: 'again', type: 'hardlink', linkname: 'manifest.txt' },
      { name: 'pipe', type: 'fifo' },
    ]);
    expectProblems(await verifyOutput(path), path, [
      'extra/: is a directory, not a regular file; a package holds only files',
      'again: is a hard link to "manifest.txt", not a regular file; a package holds only files',
      'pipe: is a FIFO, not a regular file; a package holds only files',
    ]);
  });

  it('a name given twice, and a member that is no part of a package', async () => {
    const path = tarWithPython([...stagedMembers(staged), { name: 'manifest.txt', text: 'hd0.img 1 00000000000000000000000000000000\n' }, { name: 'README', text: 'hi' }]);
    const result = await verifyOutput(path);
    expect(stdoutLines(result)).toContain('  manifest.txt: appears 2 times; extracting the package keeps only the last');
    expect(stdoutLines(result)).toContain('  README: is not part of an XVM2 package, which holds only description.xml, manifest.txt and .gz disks');
    expect(result.code).toBe(1);
  });

  it('more than 64 members: reading stops there', async () => {
    const many = Array.from({ length: 70 }, (_, index) => ({ name: `f${index}`, text: '' }));
    const path = tarWithPython([...stagedMembers(staged), ...many]);
    const result = await verifyOutput(path);
    expect(stdoutLines(result)).toContain('  the archive holds more than 64 members; a package holds description.xml, manifest.txt and at most 4 disks (reading stopped there)');
    expect(result.stdout).not.toContain('f62:');
    expect(result.code).toBe(1);
  });

  it('a control character in a name is shown escaped, on one line', async () => {
    const path = tarWithPython([...stagedMembers(staged), { name: 'evil\nname\u001b[31m', text: 'x' }], { pax: true });
    expectProblems(await verifyOutput(path), path, [`evil\\x0aname\\x1b[31m: ${OUTSIDE}`]);
  });
});

describe('spotlint verify checks description.xml and manifest.txt', () => {
  it('a missing description.xml', async () => {
    const path = tarWithGnuTar(staged.dir, staged.members.filter((member) => member !== 'description.xml'));
    expectProblems(await verifyOutput(path), path, ['description.xml: is missing; every XVM2 package has one']);
  });

  it('a description.xml that is not XML', async () => {
    const variant = restage();
    writeFileSync(join(variant.dir, 'description.xml'), 'name=Fixture appliance\n');
    const path = tarWithGnuTar(variant.dir, variant.members);
    const result = await verifyOutput(path);
    expect(stdoutLines(result)).toEqual([`${path}: not a valid XVM2 package: 1 problem`, expect.stringMatching(/^ {2}description\.xml: not well-formed XML: .+ \(line 1, column 1\)$/)]);
    expect(result.code).toBe(1);
  });

  it('a description naming a disk the package lacks', async () => {
    const variant = restage();
    const xml = readFileSync(join(variant.dir, 'description.xml'), 'utf8').replace('hd0.img.gz', 'hd9.img.gz');
    writeFileSync(join(variant.dir, 'description.xml'), xml);
    const path = tarWithGnuTar(variant.dir, variant.members);
    expectProblems(await verifyOutput(path), path, [
      'description.xml: names the disk "hd9.img.gz", which is not a file in the package',
      'hd0.img.gz: is not described in description.xml; consumers would unpack a disk the machine does not have',
    ]);
  });

  it('a description.xml over 1 MiB is not read', async () => {
    const path = tarWithPython([{ name: 'description.xml', text: `<domain>${' '.repeat(1024 * 1024)}</domain>` }, ...stagedMembers(staged).slice(1)]);
    expectProblems(await verifyOutput(path), path, [`description.xml: is ${1024 * 1024 + 17} bytes, more than the 1048576 a package's description.xml may have`]);
  });

  it('a .gz member that neither description.xml nor manifest.txt mentions', async () => {
    const path = tarWithPython([...stagedMembers(staged), { name: 'hd1.img.gz', source: join(staged.dir, 'hd0.img.gz') }]);
    expectProblems(await verifyOutput(path), path, [
      'hd1.img.gz: is not described in description.xml; consumers would unpack a disk the machine does not have',
      'hd1.img.gz: has no line in manifest.txt (expected one for "hd1.img"), so its size and MD5 cannot be checked',
    ]);
  });

  it('a manifest that does not parse, and one listing a disk that is not there', async () => {
    const variant = restage();
    writeFileSync(join(variant.dir, 'manifest.txt'), `hd0.img  ${DISK_BYTES} ${staged.disks[0]!.md5}\n`);
    const bad = tarWithGnuTar(variant.dir, variant.members);
    expectProblems(await verifyOutput(bad), bad, ['manifest.txt: line 1: expected "NAME SIZE MD5" separated by single spaces, found 4 fields']);
    writeManifest(variant.dir, [...variant.disks, { imageName: 'hd1.img', size: 5, md5: 'f'.repeat(32) }]);
    const extra = tarWithGnuTar(variant.dir, variant.members);
    expectProblems(await verifyOutput(extra), extra, ['manifest.txt: lists "hd1.img", but the package has no member "hd1.img.gz"']);
  });
});

describe('spotlint verify checks every disk against manifest.txt', () => {
  it('an MD5 that does not match', async () => {
    const variant = restage();
    const wrong = '0123456789abcdef0123456789abcdef';
    writeManifest(variant.dir, [{ ...variant.disks[0]!, md5: wrong }]);
    const path = tarWithGnuTar(variant.dir, variant.members);
    expectProblems(await verifyOutput(path), path, [`hd0.img.gz: MD5 of the uncompressed disk is ${md5File(disk)}, but manifest.txt says ${wrong}`]);
  });

  it('a size that does not match', async () => {
    const variant = restage();
    writeManifest(variant.dir, [{ ...variant.disks[0]!, size: DISK_BYTES + 512 }]);
    const path = tarWithGnuTar(variant.dir, variant.members);
    expectProblems(await verifyOutput(path), path, [`hd0.img.gz: decompresses to ${DISK_BYTES} bytes, but manifest.txt says ${DISK_BYTES + 512}`]);
  });

  it('a truncated gzip stream', async () => {
    const variant = restage();
    const gz = join(variant.dir, 'hd0.img.gz');
    cutFile(gz, Math.floor(statSync(gz).size / 2));
    const path = tarWithGnuTar(variant.dir, variant.members);
    const result = await verifyOutput(path);
    expect(stdoutLines(result)).toEqual([`${path}: not a valid XVM2 package: 1 problem`, expect.stringMatching(new RegExp(`^ {2}hd0\\.img\\.gz: the gzip data is truncated: it ends after \\d+ of ${DISK_BYTES} uncompressed bytes$`))]);
    expect(result.code).toBe(1);
  });

  it('a disk member that is not gzip at all', async () => {
    const variant = restage();
    copyFileSync(disk, join(variant.dir, 'hd0.img.gz'));
    const path = tarWithGnuTar(variant.dir, variant.members);
    expectProblems(await verifyOutput(path), path, ['hd0.img.gz: is not valid gzip data (incorrect header check) after 0 uncompressed bytes']);
  });

  it('a decompression bomb: 64 MiB of zeros under a 1 MiB manifest line stops early', async () => {
    const variant = restage();
    gzipOfZeros(64 * 1024 * 1024, join(variant.dir, 'hd0.img.gz'));
    writeManifest(variant.dir, [{ ...variant.disks[0]!, size: 1024 * 1024 }]);
    const path = tarWithGnuTar(variant.dir, variant.members);
    const result = await verifyOutput(path);
    expect(stdoutLines(result)).toHaveLength(2);
    const stoppedAt = /^ {2}hd0\.img\.gz: decompresses to more than the 1048576 bytes manifest\.txt says \(size mismatch\); decompression stopped at (\d+) bytes$/.exec(stdoutLines(result)[1]!);
    expect(stoppedAt).not.toBeNull();
    expect(Number(stoppedAt![1])).toBeLessThan(2 * 1024 * 1024);
    expect(result.code).toBe(1);
  });

  it('a manifest size above --max-disk-size: the disk is not decompressed', async () => {
    const result = await runCli(['verify', good, '--max-disk-size', '1000']);
    expectProblems(result, good, [`hd0.img.gz: manifest.txt gives ${DISK_BYTES} bytes uncompressed, more than --max-disk-size (1000); not decompressed`]);
  });
});

describe('spotlint verify checks the tar structure', () => {
  it('a header with a bad checksum', async () => {
    const path = join(tempDir('pkg-bad-sum'), 'package.xvm2');
    copyFileSync(good, path);
    const descriptionBlocks = Math.ceil(statSync(join(staged.dir, 'description.xml')).size / 512);
    // The manifest's header, after description.xml's header and data: a byte of its name changed.
    const fd = openSync(path, 'r+');
    writeSync(fd, Buffer.from('M'), 0, 1, 512 * (1 + descriptionBlocks));
    closeSync(fd);
    const result = await verifyOutput(path);
    expect(stdoutLines(result)[1]).toBe('  the tar header after member "description.xml" has a bad checksum: the archive is damaged from there on');
    expect(result.code).toBe(1);
  });

  it('an archive cut inside a disk member', async () => {
    const path = join(tempDir('pkg-cut'), 'package.xvm2');
    copyFileSync(good, path);
    cutFile(path, statSync(path).size - 10240 - 4096);
    const result = await verifyOutput(path);
    expect(stdoutLines(result)).toContain(`  the archive ends inside member "hd0.img.gz" (${statSync(join(staged.dir, 'hd0.img.gz')).size} bytes announced): the package is truncated`);
    expect(result.code).toBe(1);
  });

  it('a file that is not a tar, a gzipped tar, a missing file: exit 2, one line each', async () => {
    const gzipped = join(tempDir('pkg-gz'), 'package.xvm2');
    copyFileSync(join(staged.dir, 'hd0.img.gz'), gzipped);
    const missing = join(tempDir('pkg-missing'), 'nothing.xvm2');
    const [notTar, gz, none] = await Promise.all([disk, gzipped, missing].map((path) => runCli(['verify', path])));
    expect(expectOneLineError(notTar!)).toBe(`spotlint: ${disk}: not a tar archive`);
    expect(expectOneLineError(gz!)).toBe(`spotlint: ${gzipped}: is gzip-compressed; an XVM2 package is an uncompressed tar archive (gunzip it first, or check that this is the package)`);
    expect(expectOneLineError(none!)).toBe(`spotlint: ${missing}: no such file`);
  });
});

describe('spotlint verify --lint', () => {
  let linted: string;
  beforeAll(() => {
    const withGuest = stagePackage([fixturePath('mbr.img')], 'Guest appliance');
    linted = tarWithGnuTar(withGuest.dir, withGuest.members);
  });

  it('lints each disk from a temporary copy, shown as PACKAGE:hd0.img, and removes the copy', async () => {
    const tmp = tempDir('verify-tmp');
    const result = await runCli(['verify', linted, '--lint', '--fail-on', 'none'], { TMPDIR: tmp });
    const lines = stdoutLines(result);
    expect(lines[0]).toBe(`${linted}: valid XVM2 package "Guest appliance", 1 disk`);
    expect(lines).toContain(`${linted}:hd0.img (raw, 38.0 MiB, Debian GNU/Linux 12 (bookworm))`);
    expect(lines.at(-1)).toMatch(new RegExp(`^\\d+ errors?, \\d+ warnings?, \\d+ info in ${linted.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:hd0\\.img$`));
    expect(result.stdout).toContain('persistent-net-rules');
    expect(result.code).toBe(0);
    expect(readdirSync(tmp)).toEqual([]);
    rmSync(tmp, { recursive: true, force: true });
  });

  it('exits 1 for findings at or above --fail-on', async () => {
    const tmp = tempDir('verify-tmp');
    const result = await runCli(['verify', linted, '--lint', '--quiet'], { TMPDIR: tmp });
    expect(result.stdout).toContain(`${linted}:hd0.img`);
    expect(result.code).toBe(1);
    expect(readdirSync(tmp)).toEqual([]);
    rmSync(tmp, { recursive: true, force: true });
  });

  it('Ctrl-C while a disk is being unpacked leaves no temporary file', async () => {
    const big = makeDiskFile(128 * 1024 * 1024, 'zeros');
    const bigPackage = stagePackage([big]);
    const path = tarWithGnuTar(bigPackage.dir, bigPackage.members);
    const tmp = tempDir('verify-tmp');
    const child = spawn(process.execPath, [CLI, 'verify', path, '--lint'], { env: { ...process.env, TMPDIR: tmp }, stdio: 'ignore' });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    let copy: string | undefined;
    for (let tries = 0; tries < 1500 && !copy; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      const dir = readdirSync(tmp).find((name) => name.startsWith('spotlint-verify-'));
      if (dir && existsSync(join(tmp, dir, 'hd0'))) copy = join(tmp, dir, 'hd0');
    }
    expect(copy).toBeDefined();
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(readdirSync(tmp)).toEqual([]);
    rmSync(tmp, { recursive: true, force: true });
  });
});

describe('decompressToFile', () => {
  it('writes the disk byte for byte, with holes where 4 KiB blocks are zero', async () => {
    // Data, 8 MiB of zeros, data ending off a block boundary.
    const image = join(tempDir('sparse-src'), 'disk.img');
    const head = readFileSync(disk).subarray(0, 100_000);
    const tail = readFileSync(disk).subarray(100_000, 105_001);
    writeFileSync(image, Buffer.concat([head, Buffer.alloc(8 * 1024 * 1024), tail]));
    const sparse = stagePackage([image]);
    const path = tarWithGnuTar(sparse.dir, sparse.members);
    const out = join(tempDir('sparse-out'), 'hd0');
    await decompressToFile(path, 'hd0.img.gz', out, { size: BigInt(sparse.disks[0]!.size), md5: sparse.disks[0]!.md5 });
    expect(readFileSync(out).equals(readFileSync(image))).toBe(true);
    expect(statSync(out).blocks * 512).toBeLessThan(1024 * 1024);
  });

  it('refuses, and leaves nothing, when the package no longer matches what was verified', async () => {
    const dir = tempDir('sparse-out');
    const out = join(dir, 'hd0');
    await expect(decompressToFile(good, 'hd0.img.gz', out, { size: BigInt(DISK_BYTES), md5: 'f'.repeat(32) })).rejects.toThrow(/no longer decompresses as it did when verified/);
    expect(readdirSync(dir)).toEqual([]);
  });
});
