// The ext2fs WebAssembly module can abort or loop on a corrupted filesystem.
// Each filesystem runs in its own worker, so that is one failed filesystem,
// never a dead or silently-exiting spotlint. Exercised on the built code.
import { createHash } from 'node:crypto';
import { statSync, writeFileSync } from 'node:fs';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ExtFilesystem } from '../../dist/inspect/ext/ext-filesystem.js';
import { FIXTURE_GUEST, fixturePath } from '../helpers/fixtures.js';
import { makeExtImage, tempDir, wrapInMbr, type Tree } from '../helpers/build-image.js';
import { runCli } from '../helpers/run-cli.js';

const CORPUS = new URL('../../../shared/corpus/e2fsprogs/', import.meta.url);

function corpusImage(name: string): string {
  const path = join(tempDir('corpus'), name);
  writeFileSync(path, gunzipSync(readFileSync(new URL(`${name}.gz`, CORPUS))));
  return path;
}

const rootOfMbr = () => {
  const layout = FIXTURE_GUEST.layouts.mbr.partitions[1]!;
  return { imagePath: fixturePath('mbr.img'), partitionStart: layout.start, partitionSize: layout.size };
};

describe('ext filesystem workers', () => {
  it('turn a WebAssembly abort into a fatal error for that filesystem only', async () => {
    // A fast symlink whose inline data is too small makes libext2fs abort.
    const image = corpusImage('f_badsymlinks2.img');
    const broken = await ExtFilesystem.open({ imagePath: image, partitionStart: 0, partitionSize: statSync(image).size });
    const healthy = await ExtFilesystem.open(rootOfMbr());
    try {
      await expect(broken.readlink('/inline_data/slow_isize_too_small')).rejects.toMatchObject({ code: 'WASM_ABORT', fatal: true });
      // Later calls fail at once with the same cause instead of hanging.
      await expect(broken.lstat('/')).rejects.toMatchObject({ code: 'WASM_ABORT' });
      expect(broken.failure?.message).toBe('libext2fs aborted on a corrupt structure');
      // Another filesystem in the same process is untouched.
      expect((await healthy.read('/etc/hostname', 0, 100)).toString()).toBe(FIXTURE_GUEST.hostname);
    } finally {
      await broken.close();
      await healthy.close();
    }
  });

  it('stop a call that takes too long and fail everything after it', async () => {
    const fs = await ExtFilesystem.open(rootOfMbr(), 1000);
    try {
      (fs as unknown as { timeoutMs: number }).timeoutMs = 1;
      await expect(fs.read(FIXTURE_GUEST.bigFile.path, 0, FIXTURE_GUEST.bigFile.size)).rejects.toMatchObject({ code: 'ETIMEDOUT', fatal: true });
      await expect(fs.lstat('/etc')).rejects.toMatchObject({ code: 'ETIMEDOUT' });
    } finally {
      await fs.close();
    }
  });

  it('name libext2fs errors instead of printing their numbers', async () => {
    const image = corpusImage('f_desc_size_zero.img');
    await expect(ExtFilesystem.open({ imagePath: image, partitionStart: 0, partitionSize: statSync(image).size }))
      .rejects.toMatchObject({ code: 'EXT2_ET_BAD_DESC_SIZE', message: 'EXT2_ET_BAD_DESC_SIZE: the group descriptor size is invalid' });
  });
});

const DEBIAN_12 = 'Debian GNU/Linux 12 (bookworm)';

/** An MBR disk: a good ext4 root on partition 1, whose fstab mounts partition 2, a corpus image, at /srv. */
function rootWithCorruptSrv(corpusName: string, root: Tree = {}): string {
  const good = makeExtImage({
    'etc/os-release': `NAME="Debian GNU/Linux"\nID=debian\nVERSION_ID="12"\nPRETTY_NAME="${DEBIAN_12}"\n`,
    'etc/fstab': '/dev/sda1 / ext4 defaults 0 1\n/dev/sda2 /srv ext4 defaults 0 2\n',
    'srv/': '',
    ...root,
  });
  return wrapInMbr([{ image: good }, { image: corpusImage(corpusName) }]);
}

interface LintedDisk {
  code: number | null;
  stderr: string;
  os?: string;
  root: { partition: number | null } | null;
  readErrors: ({ code: string; message: string } | undefined)[];
  findings: { ruleId: string; message: string; location: { partition?: number | null; path?: string; line?: number } }[];
  rulesRun: string[];
  unchanged: boolean;
}

async function lint(disk: string): Promise<LintedDisk> {
  const hash = () => createHash('sha256').update(readFileSync(disk)).digest('hex');
  const before = hash();
  const result = await runCli([disk, '--format', 'json']);
  expect(result.signal).toBeNull();
  const [image] = JSON.parse(result.stdout).images;
  return {
    code: result.code,
    stderr: result.stderr,
    os: image.os,
    root: image.inspection.root,
    readErrors: image.inspection.volumes.map((v: { readError?: { code: string; message: string } }) => v.readError),
    findings: image.findings,
    rulesRun: image.rulesRun,
    unchanged: hash() === before,
  };
}

/** The root partition was read: its os-release named the OS, and a rule quoted its fstab. */
function expectRootLinted(linted: LintedDisk): void {
  expect(linted.os).toBe(DEBIAN_12);
  expect(linted.root).toEqual({ partition: 1 });
  expect(linted.findings).toContainEqual(expect.objectContaining({ ruleId: 'device-names', location: { partition: 1, path: '/etc/fstab', line: 1 } }));
}

describe('a corrupt partition next to a good root, through the CLI', () => {
  it('one libext2fs cannot mount is named with its decoded error; the root is still linted, and the exit code is not 0', async () => {
    const linted = await lint(rootWithCorruptSrv('f_desc_size_zero.img'));
    expect(linted.stderr).toBe('');
    expect(linted.code).toBe(1);
    expect(linted.readErrors).toEqual([undefined, { code: 'EXT2_ET_BAD_DESC_SIZE', message: 'EXT2_ET_BAD_DESC_SIZE: the group descriptor size is invalid' }]);
    expect(linted.findings.filter((f) => f.ruleId === 'filesystem-unreadable')).toEqual([expect.objectContaining({
      location: { partition: 2 },
      message: 'The ext4 filesystem on partition 2 cannot be read: EXT2_ET_BAD_DESC_SIZE: the group descriptor size is invalid. No check of its files ran. Repair it with e2fsck -f and export again.',
    })]);
    expectRootLinted(linted);
    expect(linted.rulesRun).toContain('leftover-secrets');
    expect(linted.unchanged).toBe(true);
  });

  it('one that makes libext2fs abort while the guest\'s files are read is named too, and the rest of the guest is still linted', async () => {
    // Reading the network facts follows this link into a fast symlink whose inline data is too small: libext2fs aborts.
    const linted = await lint(rootWithCorruptSrv('f_badsymlinks2.img', { 'etc/network/interfaces': { symlink: '/srv/inline_data/slow_isize_too_small' } }));
    expect(linted.stderr).toBe('');
    expect(linted.code).toBe(1);
    expect(linted.readErrors).toEqual([undefined, { code: 'WASM_ABORT', message: 'libext2fs aborted on a corrupt structure' }]);
    expect(linted.findings.filter((f) => f.ruleId === 'filesystem-unreadable')).toEqual([expect.objectContaining({
      location: { partition: 2 },
      message: 'The ext4 filesystem on partition 2 cannot be read: libext2fs aborted on a corrupt structure. It failed while its files were being read, so the checks of its files are incomplete. Repair it with e2fsck -f and export again.',
    })]);
    expectRootLinted(linted);
    expect(linted.unchanged).toBe(true);
  });
});
