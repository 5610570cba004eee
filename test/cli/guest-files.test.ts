import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FIXTURE_GUEST, fixturePath } from '../helpers/fixtures.js';
import { expectOneLineError, runCli } from '../helpers/run-cli.js';

const LAYOUTS = ['mbr.img', 'gpt.img', 'logical.img', 'bare.img', 'mbr.qcow2', 'mbr-compressed.qcow2', 'mbr-v2.qcow2'];

describe('spotlint cat', () => {
  it.each(LAYOUTS)('prints the same /etc/fstab bytes from %s', async (image) => {
    const result = await runCli(['cat', fixturePath(image), '/etc/fstab']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(FIXTURE_GUEST.fstab);
  });

  it.each(['mbr.img', 'mbr-compressed.qcow2'])('streams a 12 MiB file intact from %s (larger than the module heap allows in one read)', async (image) => {
    const result = await runCli(['cat', fixturePath(image), FIXTURE_GUEST.bigFile.path]);
    expect(result.code).toBe(0);
    expect(result.stdoutBytes.length).toBe(FIXTURE_GUEST.bigFile.size);
    expect(createHash('sha256').update(result.stdoutBytes).digest('hex')).toBe(FIXTURE_GUEST.bigFile.sha256);
  });

  it('reads files from the /boot filesystem attached through fstab', async () => {
    const result = await runCli(['cat', fixturePath('gpt.img'), '/boot/grub/grub.cfg']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('insmod ext2');
  });

  it('reads a file with a non-ASCII name', async () => {
    const result = await runCli(['cat', fixturePath('mbr.img'), FIXTURE_GUEST.nonAsciiFile]);
    expect(result.code).toBe(0);
    expect(result.stdout.length).toBeGreaterThan(0);
  });
});

describe('symlinks resolve inside the guest, never on the host', () => {
  const image = () => fixturePath('mbr.img');
  const hostHostname = readFileSync('/etc/hostname', 'utf8');

  it.each(['/etc/motd', '/etc/issue.net'])('%s, which climbs above / with "..", reads the guest hostname', async (path) => {
    const result = await runCli(['cat', image(), path]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(FIXTURE_GUEST.hostname);
    // Not a tautology: this machine's own hostname is something else.
    expect(hostHostname).not.toBe(FIXTURE_GUEST.hostname);
  });

  it('follows a relative directory link (/bin -> usr/bin)', async () => {
    const viaLink = await runCli(['cat', image(), '/bin/sh']);
    const direct = await runCli(['cat', image(), '/usr/bin/sh']);
    expect(viaLink.code).toBe(0);
    expect(viaLink.stdoutBytes.subarray(0, 4).toString('latin1')).toBe('\x7fELF');
    expect(viaLink.stdoutBytes.equals(direct.stdoutBytes)).toBe(true);
  });

  it('stops a link loop with a clear error', async () => {
    const line = expectOneLineError(await runCli(['cat', image(), '/etc/loop-a']));
    expect(line).toMatch(/\/etc\/loop-a: more than 40 symbolic links \(a link loop\?\)$/);
  });

  it('says which link target is missing', async () => {
    const line = expectOneLineError(await runCli(['cat', image(), '/etc/dangling']));
    expect(line).toMatch(/\/etc\/dangling: no such file or directory in the guest \(\/nonexistent does not exist\)$/);
  });
});

describe('spotlint ls', () => {
  it('lists a directory like ls -l, with link targets as stored', async () => {
    const result = await runCli(['ls', fixturePath('mbr.img'), '/etc']);
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines).toContainEqual(expect.stringMatching(/^lrwxrwxrwx +0 +0 +25 motd -> \/\.\.\/\.\.\/\.\.\/\.\.\/etc\/hostname$/));
    expect(lines).toContainEqual(expect.stringMatching(/^-rw-r----- +0 +42 +\d+ shadow$/));
    expect(lines).toContainEqual(expect.stringMatching(/^drwxr-xr-x +0 +0 +4096 ssh$/));
    expect(lines.map((l) => l.split(' ').filter(Boolean)[4])).toEqual(
      ['dangling', 'fstab', 'group', 'hostname', 'issue.net', 'localtime', 'loop-a', 'loop-b', 'motd', 'network', 'os-release', 'passwd', 'shadow', 'ssh', 'udev'],
    );
  });

  it('lists the root of an attached filesystem at its mount point', async () => {
    const result = await runCli(['ls', fixturePath('logical.img'), '/boot']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('vmlinuz-6.1.0-13-amd64');
    expect(result.stdout).toContain('initrd.img-6.1.0-13-amd64');
  });

  it('refuses a path that does not exist, in one line', async () => {
    const line = expectOneLineError(await runCli(['ls', fixturePath('mbr.img'), '/no/such/dir']));
    expect(line).toMatch(/: \/no\/such\/dir: no such file or directory in the guest \(\/no does not exist\)$/);
  });
});
