// `spotlint package` end to end, judged by the tools a consumer of the
// package uses: tar lists and extracts it, gzip tests and gunzip unpacks its
// disks, md5sum hashes them, fast-xml-parser reads description.xml. The
// images are real: the well-built Debian disk (which passes the lint), a
// bare ext4 data disk, a QCOW2 made by qemu-img, and the README's sample
// (which does not pass).
//
// stdin is not a terminal in these runs (runCli ignores it), so nothing is
// ever asked. Scenarios run concurrently; each costs a CLI run or a few.
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, lstatSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, it, type ExpectStatic } from 'vitest';
import { formatBytes } from '../../dist/report/format-bytes.js';
import { makeExtImage, tempDir } from '../helpers/build-image.js';
import { MiB, wellBuiltDebianDisk } from '../helpers/disk-images.js';
import { fixturePath } from '../helpers/fixtures.js';
import { debianGeneratedNetRules, e2fsck, fsDevice } from '../helpers/fix-fixtures.js';
import { NIC_MAC } from '../helpers/guest-styles/index.js';
import {
  gunzipFile, gzipMemberCount, gzipTest, isUuid, md5sum, partialFilesIn, removeInspectionFolders, unpackPackage, type UnpackedPackage,
} from '../helpers/package-inspect.js';
import { expectOneLineError, runCli, type CliResult } from '../helpers/run-cli.js';

const NET_RULES = '/etc/udev/rules.d/70-persistent-net.rules';
const ALL_FEATURES = ['pae', 'acpi', 'apic'];

/** The well-built Debian disk: passes the lint at the default gate. */
let guestDisk: string;
/** A bare 8 MiB ext4 with a file on it: a data disk (the lint finds errors: no root, no boot code). */
let dataDisk: string;
/** A QCOW2 (made by qemu-img where installed, else the mbr.qcow2 fixture). */
let qcow2Disk: string;
/** The README's sample image, copied: 5 errors at the default gate. */
let sampleCopy: string;
/** The well-built disk with udev's generated rules file for the NIC: one error, which --fix repairs. */
let netRulesDisk: string;
/** An empty config, so a config file lying around where the tests run cannot change the gate. */
let config: string;

/** Folders of this file's images and packages: removed at the end (the disks are tens of MiB each). */
const madeFolders: string[] = [];

function folder(prefix: string): string {
  const dir = tempDir(prefix);
  madeFolders.push(dir);
  return dir;
}

function hasQemuImg(): boolean {
  return spawnSync('qemu-img', ['--version'], { stdio: 'ignore' }).status === 0;
}

beforeAll(() => {
  guestDisk = wellBuiltDebianDisk();
  dataDisk = makeExtImage({ 'srv/data/readme.txt': 'the data disk of a two-disk appliance\n' }, { sizeMiB: 8, label: 'data' });
  if (hasQemuImg()) {
    qcow2Disk = join(folder('package-qcow2'), 'data.qcow2');
    execFileSync('qemu-img', ['convert', '-f', 'raw', '-O', 'qcow2', dataDisk, qcow2Disk], { stdio: 'pipe' });
  } else {
    qcow2Disk = join(folder('package-qcow2'), 'mbr.qcow2');
    copyFileSync(fixturePath('mbr.qcow2'), qcow2Disk);
  }
  sampleCopy = join(folder('package-sample'), 'sample.img');
  copyFileSync(fixturePath('sample.img'), sampleCopy);
  netRulesDisk = wellBuiltDebianDisk((tree) => {
    tree[NET_RULES.slice(1)] = debianGeneratedNetRules(NIC_MAC);
  });
  config = join(folder('package-config'), 'spotlint.config.json');
  writeFileSync(config, '{}');
  madeFolders.push(...[guestDisk, dataDisk, netRulesDisk].map((image) => dirname(image)));
});

afterAll(() => {
  removeInspectionFolders();
  for (const dir of madeFolders) rmSync(dir, { recursive: true, force: true });
});

/** `spotlint package IMAGES -c CONFIG ARGS`. */
function spotlintPackage(images: string[], args: string[]): Promise<CliResult> {
  return runCli(['package', ...images, '-c', config, ...args]);
}

/** A fresh, empty folder for a package, and the package's path in it. */
function outputIn(name: string): { dir: string; file: string } {
  const dir = folder('package-out');
  return { dir, file: join(dir, name) };
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The last line of stdout: `Packaged "NAME" into FILE: N disk(s), SIZE -> SIZE (PCT%) in S s`. */
function packagedLine(name: string, file: string, disks: number): RegExp {
  const count = disks === 1 ? '1 disk(?:\\(s\\))?' : `${disks} disk(?:s|\\(s\\))`;
  return new RegExp(`^Packaged "${escapeRegExp(name)}" into ${escapeRegExp(file)}: ${count}, (.+) -> (.+) \\(\\d+(?:\\.\\d+)?%\\) in \\d+(?:\\.\\d+)? s$`);
}

/** A member is a regular file with a plain name: no folder, no slash, no `..`. */
function expectPlainRegularMembers(expect: ExpectStatic, unpacked: UnpackedPackage): void {
  for (const member of unpacked.members) {
    expect(member.type, member.line).toBe('-');
    expect(member.name, member.line).toMatch(/^[^/\\]+$/);
    expect(member.name, member.line).not.toMatch(/^\.\.?$/);
  }
}

/** The gunzipped member holds exactly the source's bytes; gzip -t passes; one gzip member. */
function expectDiskMember(expect: ExpectStatic, unpacked: UnpackedPackage, member: string, source: string): void {
  const gz = join(unpacked.dir, member);
  expect(gzipTest(gz), member).toEqual({ code: 0, output: '' });
  expect(gzipMemberCount(gz), `${member}: gzip members`).toBe(1);
  const disk = gunzipFile(gz);
  try {
    expect(statSync(disk).size, member).toBe(statSync(source).size);
    expect(md5sum(disk), member).toBe(md5sum(source));
  } finally {
    rmSync(disk);
  }
}

/** The manifest line XVM2.md asks for, from the source image itself. */
function manifestLine(name: string, source: string): string {
  return `${name} ${statSync(source).size} ${md5sum(source)}\n`;
}

/** The first package of the guest disk with defaults (but --yes and a name), shared by the tests that compare with it. */
let basicRun: Promise<{ result: CliResult; lint: CliResult; file: string; dir: string }> | undefined;
function basicPackage() {
  basicRun ??= (async () => {
    const { dir, file } = outputIn('web-1.xvm2');
    const [result, lint] = await Promise.all([
      spotlintPackage([guestDisk], ['--yes', '--name', 'web-1', '-o', file]),
      runCli([guestDisk, '-c', config]),
    ]);
    return { result, lint, file, dir };
  })();
  return basicRun;
}

describe.concurrent('spotlint package', { timeout: 120_000 }, () => {
  it.concurrent('packages a disk that passes the lint: tar members in order, a sound gzip of the very bytes, the manifest, the lint table and one summary line', async ({ expect }) => {
    const { result, lint, file, dir } = await basicPackage();
    expect(result.code, result.stderr).toBe(0);
    expect(lint.code, lint.stderr).toBe(0);
    expect(readdirSync(dir)).toEqual(['web-1.xvm2']);

    const unpacked = unpackPackage(file);
    expect(unpacked.names).toEqual(['description.xml', 'manifest.txt', 'hd0.img.gz']);
    expectPlainRegularMembers(expect, unpacked);
    expectDiskMember(expect, unpacked, 'hd0.img.gz', guestDisk);
    expect(unpacked.manifest).toBe(manifestLine('hd0.img', guestDisk));
    // The manifest's digest is the gunzipped member's, computed here by md5sum.
    expect(unpacked.manifest.trimEnd().split(' ')[2]).toBe(md5sum(gunzipFile(join(unpacked.dir, 'hd0.img.gz'))));

    // stdout: the lint table exactly as `spotlint IMAGE` prints it, then the one summary line.
    expect(result.stdout.startsWith(lint.stdout), `stdout:\n${result.stdout}`).toBe(true);
    const rest = result.stdout.slice(lint.stdout.length);
    expect(rest.endsWith('\n')).toBe(true);
    expect(rest.trimEnd().split('\n')).toHaveLength(1);
    const summary = packagedLine('web-1', file, 1).exec(rest.trimEnd());
    expect(summary, rest).not.toBeNull();
    expect(summary![1]).toBe(formatBytes(statSync(guestDisk).size));
    expect(summary![2]).toBe(formatBytes(statSync(file).size));

    // spotlint's own reader accepts what spotlint wrote.
    const verified = await runCli(['verify', file]);
    expect(verified.code, verified.stdout).toBe(0);
    expect(verified.stdout).toContain(`${file}: valid XVM2 package "web-1", 1 disk`);
  });

  it.concurrent('writes description.xml: domain, the name, a fresh UUID, hvm booting from hd, pae acpi apic by default, one IDE disk', async ({ expect }) => {
    const { result, file } = await basicPackage();
    expect(result.code, result.stderr).toBe(0);
    const { description } = unpackPackage(file);
    expect(description.root).toBe('domain');
    expect(description.name).toBe('web-1');
    expect(isUuid(description.uuid), description.uuid).toBe(true);
    expect(description.osType).toBe('hvm');
    expect(description.bootDev).toBe('hd');
    expect(description.features).toEqual(ALL_FEATURES);
    expect(description.disks).toEqual([{ device: 'disk', type: 'file', source: 'hd0.img.gz', target: 'hda' }]);
  });

  it.concurrent('--level 9 gives a sound gzip no larger than level 1\'s, and a UUID of its own', async ({ expect }) => {
    const { file, dir } = outputIn('smallest.xvm2');
    const [level9, basic] = await Promise.all([spotlintPackage([guestDisk], ['--yes', '--name', 'web-1', '--level', '9', '--no-scan', '-o', file]), basicPackage()]);
    expect(level9.code, level9.stderr).toBe(0);
    expect(basic.result.code, basic.result.stderr).toBe(0);
    expect(readdirSync(dir)).toEqual(['smallest.xvm2']);
    const best = unpackPackage(file);
    const fast = unpackPackage(basic.file);
    expect(best.names).toEqual(['description.xml', 'manifest.txt', 'hd0.img.gz']);
    expectDiskMember(expect, best, 'hd0.img.gz', guestDisk);
    expect(best.manifest).toBe(fast.manifest);
    const size = (unpacked: UnpackedPackage) => unpacked.members.find((member) => member.name === 'hd0.img.gz')!.size;
    expect(size(best)).toBeLessThanOrEqual(size(fast));
    expect(isUuid(best.description.uuid)).toBe(true);
    expect(best.description.uuid).not.toBe(fast.description.uuid);
  });

  for (const feature of ALL_FEATURES) {
    it.concurrent(`--no-${feature} leaves out <${feature}/> and keeps the others`, async ({ expect }) => {
      const { file } = outputIn(`no-${feature}.xvm2`);
      // The data disk: the description does not depend on the guest, and the small disk keeps the run short.
      const result = await spotlintPackage([dataDisk], ['--yes', '--name', `no-${feature}`, `--no-${feature}`, '--force', '--no-scan', '-o', file]);
      expect(result.code, result.stderr).toBe(0);
      const { description } = unpackPackage(file);
      expect(description.name).toBe(`no-${feature}`);
      expect(description.features).toEqual(ALL_FEATURES.filter((other) => other !== feature));
    });
  }

  it.concurrent('takes the first image\'s file name as the name when none is given and stdin is not a terminal (no --yes)', async ({ expect }) => {
    const source = join(folder('package-named'), 'data-disk.v2.img');
    copyFileSync(dataDisk, source);
    const { file } = outputIn('named.xvm2');
    const result = await spotlintPackage([source], ['--force', '--no-scan', '-o', file]);
    expect(result.code, result.stderr).toBe(0);
    expect(unpackPackage(file).description.name).toBe('data-disk.v2');
    expect(result.stdout.trimEnd().split('\n').at(-1)).toMatch(packagedLine('data-disk.v2', file, 1));
  });

  it.concurrent('packages three disks in order on hda, hdb, hdc: raw ones as .img, a QCOW2 (known by its content) as its file\'s bytes in .qcow2', async ({ expect }) => {
    // A QCOW2 whose name does not say so: the format comes from the content.
    const disguised = join(folder('package-qcow2-named'), 'third-disk.img');
    copyFileSync(qcow2Disk, disguised);
    const { file } = outputIn('three.xvm2');
    // The data disks hold no guest, so the lint finds errors there.
    const result = await spotlintPackage([guestDisk, dataDisk, disguised], ['--yes', '--name', 'three', '--force', '--no-scan', '-o', file]);
    expect(result.code, result.stderr).toBe(0);
    const unpacked = unpackPackage(file);
    expect(unpacked.names).toEqual(['description.xml', 'manifest.txt', 'hd0.img.gz', 'hd1.img.gz', 'hd2.qcow2.gz']);
    expectPlainRegularMembers(expect, unpacked);
    expect(unpacked.description.disks).toEqual([
      { device: 'disk', type: 'file', source: 'hd0.img.gz', target: 'hda' },
      { device: 'disk', type: 'file', source: 'hd1.img.gz', target: 'hdb' },
      { device: 'disk', type: 'file', source: 'hd2.qcow2.gz', target: 'hdc' },
    ]);
    // The QCOW2's line has the size and MD5 of its file, not of the disk it describes.
    expect(unpacked.manifest).toBe(manifestLine('hd0.img', guestDisk) + manifestLine('hd1.img', dataDisk) + manifestLine('hd2.qcow2', qcow2Disk));
    expectDiskMember(expect, unpacked, 'hd0.img.gz', guestDisk);
    expectDiskMember(expect, unpacked, 'hd1.img.gz', dataDisk);
    expectDiskMember(expect, unpacked, 'hd2.qcow2.gz', qcow2Disk);
    expect(result.stdout.trimEnd().split('\n').at(-1)).toMatch(packagedLine('three', file, 3));
  });

  describe('the lint gate', () => {
    it.concurrent('refuses an image with errors: exit 1, the lint table on stdout, a line naming the count and --force, nothing written', async ({ expect }) => {
      const lint = await runCli([sampleCopy, '-c', config]);
      expect(lint.code, lint.stderr).toBe(1);
      const errors = Number(/^(\d+) errors?, /m.exec(lint.stdout)?.[1]);
      expect(errors).toBeGreaterThan(0);

      const { dir, file } = outputIn('sample.xvm2');
      const refused = await spotlintPackage([sampleCopy], ['--yes', '--name', 'sample', '-o', file]);
      expect(refused.code, refused.stderr).toBe(1);
      expect(refused.stdout).toBe(lint.stdout);
      const line = refused.stderr.trimEnd();
      expect(line.split('\n'), refused.stderr).toHaveLength(1);
      expect(line).toMatch(/^spotlint: not packaged: /);
      expect(line).toContain('--force');
      expect(line).toMatch(new RegExp(`\\b${errors} (?:errors?|findings?)\\b`));
      expect(existsSync(file)).toBe(false);
      expect(readdirSync(dir)).toEqual([]);
    });

    it.concurrent('--force packages it anyway', async ({ expect }) => {
      const { dir, file } = outputIn('forced.xvm2');
      const result = await spotlintPackage([sampleCopy], ['--yes', '--name', 'forced', '--force', '--no-scan', '-o', file]);
      expect(result.code, result.stderr).toBe(0);
      expect(readdirSync(dir)).toEqual(['forced.xvm2']);
      const unpacked = unpackPackage(file);
      expect(unpacked.names).toEqual(['description.xml', 'manifest.txt', 'hd0.img.gz']);
      expect(unpacked.manifest).toBe(manifestLine('hd0.img', sampleCopy));
      expectDiskMember(expect, unpacked, 'hd0.img.gz', sampleCopy);
      expect(result.stdout.trimEnd().split('\n').at(-1)).toMatch(packagedLine('forced', file, 1));
    });

    it.concurrent('--fail-on none packages it too', async ({ expect }) => {
      const { dir, file } = outputIn('lenient.xvm2');
      const result = await spotlintPackage([sampleCopy], ['--yes', '--name', 'lenient', '--fail-on', 'none', '--no-scan', '-o', file]);
      expect(result.code, result.stderr).toBe(0);
      expect(readdirSync(dir)).toEqual(['lenient.xvm2']);
      expect(unpackPackage(file).names).toEqual(['description.xml', 'manifest.txt', 'hd0.img.gz']);
    });
  });

  describe('refuses with exit 2 and one line, writing nothing:', () => {
    it.concurrent('an output file that exists (and --overwrite replaces it)', async ({ expect }) => {
      const { dir, file } = outputIn('taken.xvm2');
      writeFileSync(file, 'somebody else\'s file\n');
      const line = expectOneLineError(await spotlintPackage([dataDisk], ['--yes', '--name', 'taken', '--force', '--no-scan', '-o', file]));
      expect(line).toContain(file);
      expect(readFileSync(file, 'utf8')).toBe('somebody else\'s file\n');
      expect(readdirSync(dir)).toEqual(['taken.xvm2']);

      const replaced = await spotlintPackage([dataDisk], ['--yes', '--name', 'taken', '--force', '--no-scan', '--overwrite', '-o', file]);
      expect(replaced.code, replaced.stderr).toBe(0);
      expect(readdirSync(dir)).toEqual(['taken.xvm2']);
      const unpacked = unpackPackage(file);
      expect(unpacked.names).toEqual(['description.xml', 'manifest.txt', 'hd0.img.gz']);
      expect(unpacked.manifest).toBe(manifestLine('hd0.img', dataDisk));
    });

    it.concurrent('a missing image', async ({ expect }) => {
      const { dir, file } = outputIn('missing.xvm2');
      const missing = join(folder('package-missing'), 'd0.img');
      const line = expectOneLineError(await spotlintPackage([missing], ['--yes', '--name', 'missing', '-o', file]));
      expect(line).toContain(missing);
      // Said in words, as the lint says it, not as the system call's error code.
      expect(line).toContain('no such file');
      expect(line).not.toMatch(/ENOENT|I\/O error/);
      expect(readdirSync(dir)).toEqual([]);
    });

    it.concurrent('an output in a folder that does not exist, or naming a folder', async ({ expect }) => {
      const { dir } = outputIn('unused.xvm2');
      const inMissing = expectOneLineError(await spotlintPackage([dataDisk], ['--yes', '--name', 'x', '--force', '--no-scan', '-o', join(dir, 'no-such-folder', 'x.xvm2')]));
      expect(inMissing).toMatch(/does not exist/);
      const endsInSlash = expectOneLineError(await spotlintPackage([dataDisk], ['--yes', '--name', 'x', '--force', '--no-scan', '-o', `${join(dir, 'new-folder')}/`]));
      expect(endsInSlash).toMatch(/names a folder/);
      const isFolder = expectOneLineError(await spotlintPackage([dataDisk], ['--yes', '--name', 'x', '--force', '--no-scan', '-o', dir]));
      expect(isFolder).toMatch(/is a folder/);
      expect(readdirSync(dir)).toEqual([]);
    });

    it.concurrent('an output that is not a regular file, even with --overwrite (a pipe, a link)', async ({ expect }) => {
      const { dir, file } = outputIn('pipe.xvm2');
      execFileSync('mkfifo', [file]);
      const line = expectOneLineError(await spotlintPackage([dataDisk], ['--yes', '--name', 'x', '--force', '--no-scan', '--overwrite', '-o', file]));
      expect(line).toMatch(/not a regular file/);
      expect(lstatSync(file).isFIFO()).toBe(true);
      const link = join(dir, 'link.xvm2');
      symlinkSync(join(dir, 'nowhere.xvm2'), link);
      expect(expectOneLineError(await spotlintPackage([dataDisk], ['--yes', '--name', 'x', '--force', '--no-scan', '--overwrite', '-o', link]))).toMatch(/not a regular file/);
      expect(readdirSync(dir).sort()).toEqual(['link.xvm2', 'pipe.xvm2']);
    });

    it.concurrent('an image that is not a regular file', async ({ expect }) => {
      const { dir, file } = outputIn('device.xvm2');
      const line = expectOneLineError(await spotlintPackage(['/dev/null'], ['--yes', '--name', 'x', '--force', '-o', file]));
      expect(line).toMatch(/\/dev\/null is not a regular file/);
      expect(readdirSync(dir)).toEqual([]);
    });

    it.concurrent('a VDI image', async ({ expect }) => {
      const vdi = join(folder('package-vdi'), 'disk.vdi');
      copyFileSync(fixturePath('disk.vdi'), vdi);
      const { dir, file } = outputIn('vdi.xvm2');
      const line = expectOneLineError(await spotlintPackage([vdi], ['--yes', '--name', 'vdi', '--force', '-o', file]));
      expect(line).toContain(vdi);
      expect(line).toMatch(/VDI/);
      expect(readdirSync(dir)).toEqual([]);
    });

    it.concurrent('five images (IDE has hda to hdd)', async ({ expect }) => {
      const imagesDir = folder('package-five');
      const images = [1, 2, 3, 4, 5].map((n) => {
        const path = join(imagesDir, `d${n}.img`);
        copyFileSync(dataDisk, path);
        return path;
      });
      const { dir, file } = outputIn('five.xvm2');
      const line = expectOneLineError(await spotlintPackage(images, ['--yes', '--name', 'five', '--force', '--no-scan', '-o', file]));
      expect(line).toMatch(/\b4\b/);
      expect(readdirSync(dir)).toEqual([]);
    });

    for (const level of ['0', '10']) {
      it.concurrent(`--level ${level}`, async ({ expect }) => {
        const { dir, file } = outputIn(`level-${level}.xvm2`);
        const line = expectOneLineError(await spotlintPackage([dataDisk], ['--yes', '--name', 'level', '--level', level, '--force', '-o', file]));
        expect(line).toMatch(/level/i);
        expect(readdirSync(dir)).toEqual([]);
      });
    }
  });

  it.concurrent('--fix removes the generated udev rules from a raw image first, and packages the fixed disk', async ({ expect }) => {
    const offset = MiB;
    const rulesListing = (image: string) => execFileSync('debugfs', ['-R', 'ls -l /etc/udev/rules.d', fsDevice(image, offset)], {
      encoding: 'utf8', stdio: 'pipe', env: { ...process.env, DEBUGFS_PAGER: '__none__', PAGER: 'cat' },
    });
    expect(rulesListing(netRulesDisk)).toContain('70-persistent-net.rules');
    const { file } = outputIn('fixed.xvm2');
    const result = await spotlintPackage([netRulesDisk], ['--yes', '--name', 'fixed', '--fix', '--no-scan', '-o', file]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).not.toContain('persistent-net-rules');
    const unpacked = unpackPackage(file);
    expect(unpacked.names).toEqual(['description.xml', 'manifest.txt', 'hd0.img.gz']);
    const packaged = gunzipFile(join(unpacked.dir, 'hd0.img.gz'));
    const listing = rulesListing(packaged);
    expect(listing).not.toContain('70-persistent-net.rules');
    expect(listing).toMatch(/^\s*\d+\s+40755 \(2\)/m); // the folder itself is still there
    expect(e2fsck(packaged, offset).code).toBe(0);
    // The image was fixed in place (as `spotlint IMAGE --fix` does), and the package holds it as fixed.
    expect(md5sum(packaged)).toBe(md5sum(netRulesDisk));
    expect(unpacked.manifest).toBe(manifestLine('hd0.img', netRulesDisk));
    expect(existsSync(`${netRulesDisk}.spotlint-undo`)).toBe(true);
  });

  it.concurrent('leaves no .partial file beside a finished package', async ({ expect }) => {
    const { result, dir } = await basicPackage();
    expect(result.code, result.stderr).toBe(0);
    expect(partialFilesIn(dir)).toEqual([]);
  });
});
