import { describe, expect, it } from 'vitest';
import { classifyFstabSource, parseFstab } from '../../src/inspect/guest/fstab.js';

describe('parseFstab', () => {
  it('parses entries, skipping comments and blank lines, with 1-based line numbers', () => {
    const text = [
      '# /etc/fstab: static file system information.',
      '',
      'UUID=3f1c2a9e-1111-4222-8333-444455556666 /     ext4 errors=remount-ro 0 1',
      '   # an indented comment',
      '/dev/sda1\t/boot\text2\tdefaults,noatime\t0\t2',
      '   ',
      'proc /proc proc defaults 0 0',
    ].join('\n');
    expect(parseFstab(text)).toEqual([
      { line: 3, spec: 'UUID=3f1c2a9e-1111-4222-8333-444455556666', mountPoint: '/', type: 'ext4', options: ['errors=remount-ro'] },
      { line: 5, spec: '/dev/sda1', mountPoint: '/boot', type: 'ext2', options: ['defaults', 'noatime'] },
      { line: 7, spec: 'proc', mountPoint: '/proc', type: 'proc', options: ['defaults'] },
    ]);
  });

  it('unescapes \\040 (space) and \\011 (tab) in the source and mount point', () => {
    const [entry] = parseFstab('LABEL=My\\040Disk /mnt/my\\040data\\011x vfat ro 0 0');
    expect(entry!.spec).toBe('LABEL=My Disk');
    expect(entry!.mountPoint).toBe('/mnt/my data\tx');
  });

  it('unescapes a backslash written as \\134', () => {
    expect(parseFstab('/dev/sdb1 /mnt/a\\134b ext4')[0]!.mountPoint).toBe('/mnt/a\\b');
  });

  it('defaults a missing type to "auto" and missing options to ["defaults"]', () => {
    expect(parseFstab('/dev/sdb1 /data')).toEqual([
      { line: 1, spec: '/dev/sdb1', mountPoint: '/data', type: 'auto', options: ['defaults'] },
    ]);
    expect(parseFstab('/dev/sdb1 /data xfs')[0]).toMatchObject({ type: 'xfs', options: ['defaults'] });
  });

  it('skips a line with only one field', () => {
    expect(parseFstab('/dev/sdb1\nnone /dev/shm tmpfs')).toEqual([
      { line: 2, spec: 'none', mountPoint: '/dev/shm', type: 'tmpfs', options: ['defaults'] },
    ]);
  });

  it('handles CRLF line endings and trailing spaces', () => {
    expect(parseFstab('/dev/vda1 / ext4 rw 0 1\r\n/dev/vda2 none swap sw 0 0  \r\n')).toEqual([
      { line: 1, spec: '/dev/vda1', mountPoint: '/', type: 'ext4', options: ['rw'] },
      { line: 2, spec: '/dev/vda2', mountPoint: 'none', type: 'swap', options: ['sw'] },
    ]);
  });

  it('returns nothing for an empty or comment-only file', () => {
    expect(parseFstab('')).toEqual([]);
    expect(parseFstab('# nothing here\n#/dev/sda1 / ext4 defaults 0 1\n')).toEqual([]);
  });
});

describe('classifyFstabSource', () => {
  it.each([
    ['UUID=3f1c2a9e-1111-4222-8333-444455556666', { by: 'uuid', value: '3f1c2a9e-1111-4222-8333-444455556666' }],
    ['LABEL=cloudimg-rootfs', { by: 'label', value: 'cloudimg-rootfs' }],
    ['PARTUUID=1234abcd-02', { by: 'partuuid', value: '1234abcd-02' }],
    ['PARTLABEL=EFI System Partition', { by: 'partlabel', value: 'EFI System Partition' }],
    ['UUID="3f1c2a9e-1111-4222-8333-444455556666"', { by: 'uuid', value: '3f1c2a9e-1111-4222-8333-444455556666' }],
    ['LABEL="my root"', { by: 'label', value: 'my root' }],
    ['UUID=', { by: 'uuid', value: '' }],
  ])('classifies the tag %s', (spec, expected) => {
    expect(classifyFstabSource(spec)).toEqual(expected);
  });

  it('keeps a value whose quotes do not enclose all of it', () => {
    expect(classifyFstabSource('LABEL="a"b')).toEqual({ by: 'label', value: '"a"b' });
  });

  it.each([
    ['/dev/disk/by-uuid/3f1c2a9e-1111-4222-8333-444455556666', { by: 'uuid', value: '3f1c2a9e-1111-4222-8333-444455556666' }],
    ['/dev/disk/by-label/with\\x20space', { by: 'label', value: 'with space' }],
    ['/dev/disk/by-partuuid/1234abcd-01', { by: 'partuuid', value: '1234abcd-01' }],
    ['/dev/disk/by-partlabel/root\\x2fa', { by: 'partlabel', value: 'root/a' }],
  ])('classifies the udev link %s', (spec, expected) => {
    expect(classifyFstabSource(spec)).toEqual(expected);
  });

  it.each([
    ['/dev/sda2', 'sda', 2],
    ['/dev/hda1', 'hda', 1],
    ['/dev/vdb', 'vdb', null],
    ['/dev/sda', 'sda', null],
    ['/dev/xvda3', 'xvda', 3],
    ['/dev/sdab12', 'sdab', 12],
    ['/dev/nvme0n1p2', 'nvme0n1', 2],
    ['/dev/nvme1n2', 'nvme1n2', null],
  ])('classifies the kernel device %s as disk %s partition %s', (spec, disk, partition) => {
    expect(classifyFstabSource(spec)).toEqual({ by: 'device', disk, partition });
  });

  it.each([
    '/dev/loop0',
    '/dev/loop0p1',
    '/dev/loop12p3',
    '/dev/nbd0',
    '/dev/nbd0p1',
    '/dev/mapper/loop0p1',
    '/dev/mapper/nbd0p2',
  ])('classifies %s as a device of the machine that built the image', (spec) => {
    expect(classifyFstabSource(spec)).toEqual({ by: 'build-host', value: spec });
  });

  it.each([
    '/dev/mapper/vg-root',
    '/dev/mapper/loopvg-root',
    '/dev/loop-control',
    '/dev/vg0/root',
    '/dev/disk/by-id/ata-QEMU_HARDDISK_QM00001-part1',
    '/dev/md0',
    '/dev/mmcblk0p1',
    'tmpfs',
    'proc',
    'ID=abc',
    'uuid=3f1c2a9e',
    'server:/export',
    '/dev/sda2x',
  ])('classifies %s as other', (spec) => {
    expect(classifyFstabSource(spec)).toEqual({ by: 'other', value: spec });
  });
});
