import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { makeExtImage, makeExtImageFromDirectory, tempDir, wrapInMbr, writeTree } from '../helpers/build-image.js';
import { expectOneLineError, runCli } from '../helpers/run-cli.js';

const ROOT_UUID = '11111111-2222-4333-8444-555555555555';
const DATA_UUID = '66666666-7777-4888-9999-aaaaaaaaaaaa';
const osRelease = 'ID=debian\nVERSION_ID="12"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n';

function guestWith(fstab: string, extraRoot: Record<string, string | { symlink: string }> = {}) {
  const root = makeExtImage({
    'etc/fstab': fstab,
    'etc/os-release': osRelease,
    'etc/hostname': 'guest-host\n',
    'boot/': '',
    'srv/': '',
    ...extraRoot,
  }, { uuid: ROOT_UUID, label: 'root' });
  const boot = makeExtImage({
    'vmlinuz-6.1.0': 'kernel',
    'current': { symlink: '/etc/hostname' },
    'up': { symlink: '../etc/hostname' },
  }, { type: 'ext2', sizeMiB: 4, label: 'BOOT' });
  const data = makeExtImage({ 'note.txt': 'data volume\n' }, { type: 'ext3', sizeMiB: 4, uuid: DATA_UUID });
  return wrapInMbr([{ image: boot, active: true }, { image: root }, { image: data }], 0xa1b2c3d4);
}

describe('images built at test time with mke2fs -d', () => {
  it('attaches filesystems by LABEL, PARTUUID and kernel device name', async () => {
    const image = guestWith([
      `UUID=${ROOT_UUID} / ext4 defaults 0 1`,
      'PARTUUID=a1b2c3d4-01 /boot ext2 defaults 0 2',
      '/dev/sda3 /srv ext3 defaults 0 2',
      'proc /proc proc defaults 0 0',
      '/dev/sdb1 /backup ext4 defaults 0 2',
      '/dev/mapper/vg-data /data ext4 defaults 0 2',
      '',
    ].join('\n'));
    const result = await runCli(['inspect', '--json', image]);
    expect(result.code).toBe(0);
    const json = JSON.parse(result.stdout);
    expect(json.mounts).toEqual([
      { mountPoint: '/', partition: 2, spec: 'root' },
      { mountPoint: '/boot', partition: 1, spec: 'PARTUUID=a1b2c3d4-01' },
      { mountPoint: '/srv', partition: 3, spec: '/dev/sda3' },
    ]);
    expect(json.volumes.map((v: { filesystem: { type: string } }) => v.filesystem.type)).toEqual(['ext2', 'ext4', 'ext3']);
    expect(json.fstabProblems).toEqual([
      { line: 5, spec: '/dev/sdb1', mountPoint: '/backup', reason: 'refers to another disk (sdb); spotlint checks only this image' },
      { line: 6, spec: '/dev/mapper/vg-data', mountPoint: '/data', reason: 'spotlint cannot tell which partition "/dev/mapper/vg-data" is (LVM, RAID and by-path names are not followed)' },
    ]);
    expect((await runCli(['cat', image, '/srv/note.txt'])).stdout).toBe('data volume\n');
  });

  it('resolves links across filesystems inside the guest: absolute targets start at the guest root', async () => {
    const image = guestWith('LABEL=root / ext4 defaults 0 1\nLABEL=BOOT /boot ext2 defaults 0 2\n', {
      'vmlinuz': { symlink: 'boot/vmlinuz-6.1.0' },
      'etc/passwd': { symlink: '../../../../../../../etc/passwd' },
      'etc/environ': { symlink: '/proc/self/environ' },
    });
    // A link on /boot's filesystem whose absolute target lives on the root filesystem.
    expect((await runCli(['cat', image, '/boot/current'])).stdout).toBe('guest-host\n');
    // ".." from the top of a mounted filesystem goes to its parent in the guest.
    expect((await runCli(['cat', image, '/boot/up'])).stdout).toBe('guest-host\n');
    expect((await runCli(['cat', image, '/boot/../etc/hostname'])).stdout).toBe('guest-host\n');
    expect((await runCli(['cat', image, '/vmlinuz'])).stdout).toBe('kernel');
    // The host's /etc/passwd and /proc exist; the guest's do not, and that is what counts.
    expect(readFileSync('/etc/passwd', 'utf8').length).toBeGreaterThan(0);
    expect(expectOneLineError(await runCli(['cat', image, '/etc/passwd']))).toMatch(/\/etc\/passwd: more than 40 symbolic links/);
    expect(expectOneLineError(await runCli(['cat', image, '/etc/environ']))).toMatch(/\/etc\/environ: no such file or directory in the guest \(\/proc does not exist\)/);
  });

  it('keeps linting the rest of the image when one filesystem cannot be read', async () => {
    const image = guestWith('LABEL=root / ext4 defaults 0 1\nLABEL=BOOT /boot ext2 defaults 0 2\n');
    // Zero s_inodes_per_group in partition 1's superblock: the magic stays, the filesystem is unusable.
    const bytes = readFileSync(image);
    bytes.writeUInt32LE(0, 1024 * 1024 + 1024 + 40);
    writeFileSync(image, bytes);
    const result = await runCli(['inspect', '--json', image]);
    expect(result.code).toBe(0);
    const json = JSON.parse(result.stdout);
    expect(json.volumes[0].readError.code).toBe('EXT2_ET_CORRUPT_SUPERBLOCK');
    expect(json.volumes[0].readError.message).not.toMatch(/\d{6,}/);
    expect(json.rootPartition).toBe(2);
    expect(json.fstabProblems).toEqual([
      expect.objectContaining({ spec: 'LABEL=BOOT', reason: expect.stringMatching(/^the filesystem on partition 1 cannot be read \(EXT2_ET_/) }),
    ]);
    const table = await runCli(['inspect', image]);
    expect(table.stdout).toMatch(/ext2: UNREADABLE/);
    expect(table.stdout).toMatch(/cannot read its files: EXT2_ET_\w+: /);
    expect((await runCli(['cat', image, '/etc/hostname'])).stdout).toBe('guest-host\n');
  });

  it('reports an image with filesystems but no Linux root', async () => {
    const data = makeExtImage({ 'note.txt': 'x' });
    const image = wrapInMbr([{ image: data }]);
    const inspect = await runCli(['inspect', image]);
    expect(inspect.code).toBe(0);
    expect(inspect.stdout).toMatch(/Root filesystem: none found/);
    expect(expectOneLineError(await runCli(['cat', image, '/etc/fstab']))).toMatch(/no Linux root filesystem found/);
  });
});

describe('guests with awkward contents', () => {
  it('lists entries it cannot read instead of failing the directory, and escapes hostile names', async () => {
    const dir = tempDir('names');
    writeTree(dir, { 'etc/fstab': '/dev/sda1 / ext4 defaults 0 1\n', 'etc/os-release': osRelease, 'data/ok.txt': 'ok\n' });
    // A Latin-1 name (not UTF-8) and a name that would colour the terminal red.
    writeFileSync(Buffer.concat([Buffer.from(`${dir}/data/caf`), Buffer.from([0xe9])]), 'latin-1 name\n');
    writeFileSync(`${dir}/data/red\x1b[31mname`, 'escape\n');
    const image = makeExtImageFromDirectory(dir);
    const result = await runCli(['ls', image, '/data']);
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^\?{10} +\? +\? +\? caf\uFFFD \(\/data\/caf\uFFFD: no such file or directory in the guest\)$/);
    expect(lines[1]).toMatch(/^-rw-r--r-- .* ok\.txt$/);
    expect(lines[2]).toMatch(/ red\\x1b\[31mname$/);
    expect(result.stdout).not.toContain('\x1b');
  });

  it('escapes control characters from labels and fstab in the table', async () => {
    const image = makeExtImage({
      'etc/os-release': osRelease,
      'etc/fstab': 'LABEL=x\\033[2J /boot ext2 defaults 0 2\n',
    }, { label: 'red\x1b[31m\nx' });
    const result = await runCli(['inspect', image]);
    expect(result.code).toBe(0);
    expect(result.stdout).not.toContain('\x1b');
    expect(result.stdout).toContain('red\\x1b[31m\\x0ax');
    expect(result.stdout).toContain('/etc/fstab line 1: LABEL=x\\x1b[2J on /boot: no filesystem in this image matches LABEL=x\\x1b[2J');
  });

  it('mounts where the mount point leads through the root\'s links, and a later fstab line wins', async () => {
    const extra = makeExtImage({ 'first.txt': 'first\n' }, { type: 'ext2', sizeMiB: 4, label: 'FIRST' });
    const second = makeExtImage({ 'second.txt': 'second\n' }, { type: 'ext2', sizeMiB: 4, label: 'SECOND' });
    const root = makeExtImage({
      'etc/fstab': [
        'LABEL=root / ext4 defaults 0 1',
        'LABEL=FIRST /srv/stuff ext2 defaults 0 2',
        'LABEL=SECOND /srv/stuff ext2 defaults 0 2',
        'LABEL=FIRST /missing ext2 defaults 0 2',
        '',
      ].join('\n'),
      'etc/os-release': osRelease,
      'data/stuff/': '',
      'srv': { symlink: '/data' },
    }, { label: 'root' });
    const image = wrapInMbr([{ image: root }, { image: extra }, { image: second }]);
    const json = JSON.parse((await runCli(['inspect', '--json', image])).stdout);
    expect(json.mounts).toEqual([
      { mountPoint: '/', partition: 1, spec: 'root' },
      { mountPoint: '/data/stuff', partition: 3, spec: 'LABEL=SECOND' },
      { mountPoint: '/missing', partition: 2, spec: 'LABEL=FIRST' },
    ]);
    expect(json.fstabProblems).toEqual([
      { line: 4, spec: 'LABEL=FIRST', mountPoint: '/missing', reason: 'the mount point does not exist in the root filesystem, so the mount fails at boot' },
    ]);
    expect((await runCli(['cat', image, '/srv/stuff/second.txt'])).stdout).toBe('second\n');
  });

  it('picks the same root every time when several partitions look like one', async () => {
    const candidate = (name: string, withUsr: boolean) => makeExtImage({
      'etc/fstab': 'LABEL=root / ext4 defaults 0 1\n',
      'etc/hostname': `${name}\n`,
      ...(withUsr ? { 'usr/bin/true': 'x' } : {}),
    });
    const image = wrapInMbr([
      { image: candidate('rescue', false) },
      { image: candidate('main', true) },
      { image: candidate('copy', true) },
    ]);
    for (let run = 0; run < 4; run++) {
      expect(JSON.parse((await runCli(['inspect', '--json', image])).stdout).rootPartition).toBe(2);
    }
    expect((await runCli(['cat', image, '/etc/hostname'])).stdout).toBe('main\n');
  });

  it('reports an /etc/fstab it cannot read rather than ignoring it', async () => {
    const image = makeExtImage({ 'etc/os-release': osRelease, 'etc/fstab': { symlink: 'fstab' } });
    const json = JSON.parse((await runCli(['inspect', '--json', image])).stdout);
    expect(json.fstabProblems).toEqual([
      { line: 0, spec: '', mountPoint: '', reason: '/etc/fstab cannot be read: /etc/fstab: more than 40 symbolic links (a link loop?)' },
    ]);
    expect((await runCli(['inspect', image])).stdout).toContain('\n/etc/fstab cannot be read: /etc/fstab: more than 40 symbolic links (a link loop?)\n');
  });
});
