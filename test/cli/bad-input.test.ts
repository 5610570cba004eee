import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdtempSync, openSync, closeSync, ftruncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURE_DIR, fixturePath } from '../helpers/fixtures.js';
import { CLI, expectOneLineError, runCli, type CliResult } from '../helpers/run-cli.js';

const work = mkdtempSync(join(tmpdir(), 'spotlint-bad-input-'));

async function inspect(path: string): Promise<string> {
  return expectOneLineError(await runCli(['inspect', path]));
}

describe('unusable input gets one clear line and exit code 2', () => {
  it('a missing file', async () => {
    expect(await inspect(join(work, 'd0.img'))).toBe(`spotlint: ${join(work, 'd0.img')}: no such file`);
  });

  it('a directory', async () => {
    expect(await inspect(work)).toMatch(/: is a directory, not a disk image; give the image file inside it/);
  });

  it('an empty file', async () => {
    const empty = join(work, 'empty.img');
    writeFileSync(empty, '');
    expect(await inspect(empty)).toMatch(/: the file is empty \(0 bytes\); the export probably failed/);
  });

  it('a file too small to be a disk', async () => {
    const tiny = join(work, 'tiny.img');
    writeFileSync(tiny, Buffer.alloc(100, 7));
    expect(await inspect(tiny)).toMatch(/: is only 100 bytes, too small to be a disk image/);
  });

  it('an image with no partition table and no filesystem (unknown format)', async () => {
    expect(await inspect(fixturePath('zeros.img'))).toMatch(/: unknown format: neither a partition table nor a filesystem was found/);
  });

  it('a file the user may not read', async () => {
    const secret = join(work, 'secret.img');
    copyFileSync(fixturePath('zeros.img'), secret);
    chmodSync(secret, 0o600);
    let result: CliResult;
    if (process.getuid?.() === 0) {
      // root reads everything: run the CLI as an unprivileged user instead.
      chmodSync(work, 0o755);
      let stderr = '';
      let code = 0;
      try {
        execFileSync('runuser', ['-u', 'nobody', '--', process.execPath, CLI, 'inspect', secret], { stdio: 'pipe' });
      } catch (error) {
        const failed = error as { status: number; stderr: Buffer };
        code = failed.status;
        stderr = failed.stderr.toString();
      }
      result = { code, signal: null, stdout: '', stdoutBytes: Buffer.alloc(0), stderr };
    } else {
      chmodSync(secret, 0o000);
      result = await runCli(['inspect', secret]);
    }
    expect(expectOneLineError(result)).toBe(`spotlint: ${secret}: permission denied (spotlint needs read access to the image)`);
  });

  it.each([
    ['disk.vdi', /is a VirtualBox VDI image, not a raw or QCOW2 disk image; convert it to raw first: VBoxManage internalcommands converttoraw/],
    ['disk.vmdk', /is a VMware VMDK image, .*qemu-img convert -f vmdk -O raw/],
    ['disk.vhd', /is a Virtual PC\/Hyper-V VHD image, .*qemu-img convert -f vpc -O raw/],
    ['disk.vhdx', /is a Hyper-V VHDX image, .*qemu-img convert -f vhdx -O raw/],
    ['cdrom.iso', /is an ISO 9660 CD\/DVD image, not a raw or QCOW2 disk image; install the operating system from it in a VM/],
  ])('a foreign format: %s', async (name, expected) => {
    expect(await inspect(fixturePath(name))).toMatch(expected);
  });

  it('a gzip file given instead of the image inside it', async () => {
    expect(await inspect(join(FIXTURE_DIR, 'mbr.img.gz'))).toMatch(/is a gzip-compressed file, .*decompress it first: gunzip -k FILE/);
  });

  it.each([
    ['backing.qcow2', /QCOW2 image has a backing file "base\.qcow2": .*qemu-img convert -O qcow2 IMAGE merged\.qcow2/],
    ['encrypted.qcow2', /QCOW2 image is encrypted \(LUKS\)/],
    ['bad-l1.qcow2', /QCOW2 image is corrupt or truncated: its L1 table at offset 8795824586752 .* lies beyond the end of the file \(14286848 bytes\)/],
    ['bad-l2.qcow2', /QCOW2 image is corrupt or truncated: L1 entry 0 points to an L2 table at offset \d+, beyond the end of the file/],
  ])('a QCOW2 image spotlint must refuse: %s', async (name, expected) => {
    expect(await inspect(fixturePath(name))).toMatch(expected);
  });

  it('arguments that make no sense', async () => {
    expect(expectOneLineError(await runCli([]))).toBe('spotlint: give one or more disk images to check, or a command (spotlint --help lists them)');
    expect(expectOneLineError(await runCli(['inspect']))).toMatch(/Not enough non-option arguments/);
    expect(expectOneLineError(await runCli(['inspect', 'a.img', '--frobnicate']))).toMatch(/Unknown argument: frobnicate/);
    const typo = await runCli(['inspcet']);
    expect(typo.code).toBe(2);
    expect(typo.stdout).toContain('cannot be checked: inspcet: no such file');
  });
});

describe('output and environment problems', () => {
  it.each([
    ['inspect', '--json', 'sample.img'],
    ['cat', 'sample.img', '/boot/vmlinuz-6.1.0-13-amd64'],
  ])('a full disk on stdout is an error, not a silent success: %s', async (...args) => {
    const full = openSync('/dev/full', 'w');
    try {
      const withImage = args.map((a) => (a === 'sample.img' ? join(FIXTURE_DIR, 'sample.img') : a));
      const result = spawnSync(process.execPath, [CLI, ...withImage], { stdio: ['ignore', full, 'pipe'], timeout: 60_000 });
      expect(result.signal).toBeNull();
      expect(result.status).toBe(2);
      expect(result.stderr.toString()).toBe('spotlint: cannot write the output: ENOSPC\n');
    } finally {
      closeSync(full);
    }
  });

  it('an invalid SPOTLINT_FS_TIMEOUT_MS', async () => {
    const line = expectOneLineError(await runCli(['inspect', fixturePath('bare.img')], { SPOTLINT_FS_TIMEOUT_MS: '99999999999' }));
    expect(line).toBe('spotlint: SPOTLINT_FS_TIMEOUT_MS must be a whole number of milliseconds from 100 to 3600000, not "99999999999"');
  });
});

describe('help and version', () => {
  it.each([['--help'], ['--version'], ['inspect', '--help']])('%s exits 0 with nothing on stderr', async (...args) => {
    const result = await runCli(args);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout.length).toBeGreaterThan(0);
  });
});

describe('a truncated image is reported, not a crash', () => {
  const truncated = join(work, 'truncated.img');
  copyFileSync(fixturePath('mbr.img'), truncated);
  const fd = openSync(truncated, 'r+');
  ftruncateSync(fd, 20 * 1024 * 1024);
  closeSync(fd);

  it('inspect marks the partitions that run past the end', async () => {
    const result = await runCli(['inspect', '--json', truncated]);
    expect(result.code).toBe(0);
    const json = JSON.parse(result.stdout) as { volumes: { index: number; partition: { beyondEnd: boolean } }[] };
    expect(json.volumes.map((v) => [v.index, v.partition.beyondEnd])).toEqual([[1, false], [2, true], [3, true]]);
    expect((await runCli(['inspect', truncated])).stdout).toMatch(/24\.0 MiB \(PAST END OF IMAGE\)/);
  });

  it('reading a file from the missing part names the truncation', async () => {
    const line = expectOneLineError(await runCli(['cat', truncated, '/var/lib/big.bin']));
    expect(line).toMatch(/\/var\/lib\/big\.bin: I\/O error reading the image: .*the image ends at byte 20971520, so it is truncated \(the partition table says this partition runs to byte 34603008\)$/);
  });
});
