import { describe, expect, it } from 'vitest';
import { unstableDeviceName } from '../../src/rules/support/device-naming.js';

describe('unstableDeviceName', () => {
  it.each([
    ['/dev/sda2', /^a kernel device name/],
    ['/dev/nvme0n1p2', /^a kernel device name/],
    ['/dev/disk/by-id/ata-QEMU_HARDDISK_QM00001-part1', /^a by-id name, made from the model and serial number/],
    ['/dev/disk/by-id/wwn-0x5000c500a1b2c3d4-part1', /^a by-id name/],
    ['/dev/disk/by-path/pci-0000:00:01.1-ata-1-part1', /^a by-path name/],
    ['/dev/loop0p1', /^a loop or network block device of the machine that built the image/],
    ['/dev/nbd0p1', /^a loop or network block device/],
    ['/dev/mapper/loop0p1', /^a loop or network block device/],
    ['/dev/mapper/nbd0p1', /^a loop or network block device/],
  ])('calls %s unstable', (spec, why) => {
    expect(unstableDeviceName(spec)).toMatch(why);
  });

  it.each([
    'UUID=3f1c2a9e-1111-4222-8333-444455556666',
    'LABEL=root',
    'PARTUUID=5107c0de-01',
    '/dev/disk/by-uuid/3f1c2a9e-1111-4222-8333-444455556666',
    '/dev/disk/by-id/dm-name-vg0-root',
    '/dev/disk/by-id/dm-uuid-LVM-AbCdEf0123456789AbCdEf0123456789',
    '/dev/disk/by-id/md-uuid-1a2b3c4d:5e6f7a8b:9c0d1e2f:3a4b5c6d',
    '/dev/disk/by-id/md-name-host:root',
    '/dev/disk/by-id/lvm-pv-uuid-AbCdEf-0123-4567-89Ab-CdEf-0123-456789',
    '/dev/mapper/vg0-root',
    '/dev/vg0/root',
  ])('takes %s for stable', (spec) => {
    expect(unstableDeviceName(spec)).toBeUndefined();
  });
});
