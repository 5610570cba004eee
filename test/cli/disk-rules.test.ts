// The disk rules (partition-table, partition-alignment, boot-loader,
// kernel-in-first-partition, filesystem-unsupported, no-root-filesystem) on
// real disks: ext filesystems by mke2fs, MBRs by hand or sfdisk, GPTs by
// sfdisk, GRUB's and SYSLINUX's real boot code; through the CLI's JSON report.
import { closeSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeExtImage, type Tree } from '../helpers/build-image.js';
import {
  addDebianKernel, addGrubMenu, CORE_IMG_PLACEHOLDER, fakeEspContent, GPT_TYPE, grubBootCode, KERNEL_VERSION, mbrDisk, MiB, MiB_SECTORS,
  grubLegacyBootCode, sfdiskDisk, signatureContent, syslinuxMbrCode, VOLUME_BOOT_RECORD_PLACEHOLDER, wellBuiltDebianDisk,
} from '../helpers/disk-images.js';
import { FIXTURE_DIR } from '../helpers/fixtures.js';
import { wellBuiltDebianGuest } from '../helpers/guest-styles/debian-systemd.js';
import { makeGuestImage } from '../helpers/guest-styles/guest-image.js';
import { byRule, lintImage, type JsonFinding } from '../helpers/lint-guest.js';
import { runCli } from '../helpers/run-cli.js';

const DISK_RULES = ['partition-table', 'partition-alignment', 'boot-loader', 'kernel-in-first-partition', 'filesystem-unsupported', 'no-root-filesystem'];
const ROOT_UUID = '0d6c1b5e-3a2f-4e8d-9c7b-6a5f4e3d2c1b';
const BOOT_UUID = '7e8f9a0b-1c2d-4e3f-8a5b-6c7d8e9f0a1b';
/** The UUID signatureContent gives xfs and btrfs. */
const SIGNATURE_UUID = '01234567-89ab-cdef-0123-456789abcdef';

/** A small root filesystem: enough for spotlint to take it for the root (/etc/fstab, /etc/os-release). */
function smallRoot(extra: Tree = {}, fstab = `UUID=${ROOT_UUID} / ext4 errors=remount-ro 0 1\n`): string {
  return makeExtImage({
    'etc/os-release': 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_ID="12"\n',
    'etc/fstab': fstab,
    'boot/': '',
    ...extra,
  }, { uuid: ROOT_UUID, sizeMiB: 8 });
}

/** A small root with a kernel and initrd in /boot (what kernel-booting providers need) and the GRUB menu that boots them. */
function smallRootWithKernel(): string {
  return smallRoot(addGrubMenu(addDebianKernel({}), ROOT_UUID));
}

const lintDisk = (image: string) => lintImage(image);

/** The grub.cfg addGrubMenu writes for the small root. */
function readGrubMenu(): string {
  return addGrubMenu({}, ROOT_UUID)['boot/grub/grub.cfg'] as string;
}

function rulesOf(findings: JsonFinding[], rules = DISK_RULES): JsonFinding[] {
  return findings.filter((f) => rules.includes(f.ruleId));
}

function zeroSector(image: string, lba: number): void {
  const fd = openSync(image, 'r+');
  writeSync(fd, Buffer.alloc(512), 0, 512, lba * 512);
  closeSync(fd);
}

describe('a well-built disk', () => {
  it('gets no finding from the disk rules and no error or warning from any rule', async () => {
    const disk = wellBuiltDebianDisk();
    const findings = await lintImage(disk, []);
    expect(rulesOf(findings)).toEqual([]);
    expect(findings.filter((f) => f.severity !== 'info')).toEqual([]);
    const inspect = await runCli(['inspect', disk]);
    expect(inspect.stdout).toContain('Boot code:  GRUB 2 boot.img; loading core.img from sector 1\n');
  });
});

describe('partition-table', () => {
  it('is an error for overlapping partitions, naming both and the overlap', async () => {
    const disk = mbrDisk([
      { startSector: MiB_SECTORS, sectors: 8 * MiB_SECTORS, content: smallRootWithKernel() },
      { startSector: 5 * MiB_SECTORS, sectors: 8 * MiB_SECTORS, type: 0x82 },
    ], { bootCode: grubBootCode(1), sectors: { 1: CORE_IMG_PLACEHOLDER } });
    const findings = byRule(await lintDisk(disk), 'partition-table');
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ severity: 'error', location: { partition: 2 } });
    expect(findings[0]!.message).toMatch(/^partition 2 \(from sector 10240\) overlaps partition 1 \(sector 2048 to sector 18432\) by 4\.0 MiB/);
  });

  it('is an error when the image was cut short, saying how much of the partition is missing', async () => {
    const disk = mbrDisk([{ startSector: MiB_SECTORS, sectors: 8 * MiB_SECTORS, content: smallRootWithKernel() }], { truncateTo: 5 * MiB });
    const findings = byRule(await lintDisk(disk), 'partition-table');
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ severity: 'error', location: { partition: 1 } });
    expect(findings[0]!.message).toContain('ends 4.0 MiB (4194304 bytes) past the end of the 5242880-byte image: the export was cut short');
  });

  it('reports a damaged primary GPT that was read from its backup, and a GPT with neither usable', async () => {
    const parts = [{ startSector: MiB_SECTORS, sectors: 8 * MiB_SECTORS, type: GPT_TYPE.linux, content: smallRootWithKernel() }];
    const backupUsed = sfdiskDisk('gpt', parts);
    zeroSector(backupUsed, 1);
    const [finding, ...rest] = byRule(await lintDisk(backupUsed), 'partition-table');
    expect(rest.map((f) => f.message)).toContain('The GPT partition table is damaged: the backup GPT at sector 20479 was used. A provider\'s firmware or kernel may not find the partitions the way spotlint did; repair the table (gdisk, fdisk) in the VM and export the disk again.');
    expect(finding).toMatchObject({ severity: 'error', location: {} });
    expect(finding!.message).toContain('no GPT header at sector 1');

    const neither = sfdiskDisk('gpt', parts);
    zeroSector(neither, 1);
    zeroSector(neither, 20479);
    const messages = byRule(await lintDisk(neither), 'partition-table').map((f) => f.message);
    expect(messages.some((m) => m.includes('the backup GPT is unusable too'))).toBe(true);
  });

  it('is quiet for tables sfdisk wrote, MBR and GPT', async () => {
    const gpt = sfdiskDisk('gpt', [
      { startSector: MiB_SECTORS, sectors: MiB_SECTORS, type: GPT_TYPE.biosBoot },
      { startSector: 2 * MiB_SECTORS, sectors: 8 * MiB_SECTORS, type: GPT_TYPE.linux, content: smallRootWithKernel() },
    ]);
    expect(byRule(await lintDisk(gpt), 'partition-table')).toEqual([]);
  });
});

describe('partition-alignment', () => {
  it('warns about the DOS layout\'s sector 63, in sectors and bytes', async () => {
    const disk = mbrDisk([{ startSector: 63, sectors: 8 * MiB_SECTORS, content: smallRootWithKernel() }], { bootCode: grubBootCode(1), sectors: { 1: CORE_IMG_PLACEHOLDER } });
    const [finding, ...rest] = byRule(await lintDisk(disk), 'partition-alignment');
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({ severity: 'warning', location: { partition: 1 } });
    expect(finding!.message).toMatch(/^partition 1 starts at sector 63 \(byte 32256\) \(the old cylinder-aligned DOS layout\), not on a 4 KiB boundary/);
    expect(finding!.message).toContain('(sector 2048)');
  });

  it('only notes a start that is 4 KiB but not 1 MiB aligned', async () => {
    const disk = mbrDisk([{ startSector: 2056, sectors: 8 * MiB_SECTORS, content: smallRootWithKernel() }]);
    const [finding, ...rest] = byRule(await lintDisk(disk), 'partition-alignment');
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({ severity: 'info', location: { partition: 1 } });
    expect(finding!.message).toMatch(/^partition 1 starts at sector 2056 \(byte 1052672\): on a 4 KiB boundary but not on a 1 MiB one/);
  });

  it('skips extended containers and BIOS boot partitions, but not the logical partitions inside', async () => {
    // sfdisk (util-linux) writes the EBR chain; the container starts off any boundary.
    const dos = sfdiskDisk('dos', [
      { startSector: MiB_SECTORS, sectors: 8 * MiB_SECTORS, type: '83', bootable: true, content: smallRootWithKernel() },
      { startSector: 9 * MiB_SECTORS + 1, sectors: 6 * MiB_SECTORS, type: '5' },
      { startSector: 10 * MiB_SECTORS, sectors: 2 * MiB_SECTORS, type: '82' },
      { startSector: 12 * MiB_SECTORS + 63, sectors: 2 * MiB_SECTORS, type: '83' },
    ]);
    const findings = byRule(await lintDisk(dos), 'partition-alignment');
    expect(findings.map((f) => [f.location.partition, f.severity])).toEqual([[6, 'warning']]);

    const gpt = sfdiskDisk('gpt', [
      { startSector: 34, sectors: MiB_SECTORS - 34, type: GPT_TYPE.biosBoot },
      { startSector: MiB_SECTORS, sectors: 8 * MiB_SECTORS, type: GPT_TYPE.linux, content: smallRootWithKernel() },
    ]);
    expect(byRule(await lintDisk(gpt), 'partition-alignment')).toEqual([]);
  });
});

describe('boot-loader', () => {
  it('is an error when the MBR holds no boot code, as in the sample image', async () => {
    const disk = mbrDisk([{ startSector: MiB_SECTORS, content: smallRootWithKernel(), active: true }]);
    const [finding, ...rest] = byRule(await lintDisk(disk), 'boot-loader');
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({ severity: 'error', location: {} });
    expect(finding!.message).toMatch(/^The MBR's boot code area is all zero, so nothing is installed to boot this disk: .*KVM or Xen HVM/);
    expect(finding!.message).toContain('grub-install /dev/sda');

    const sample = byRule(await lintDisk(join(FIXTURE_DIR, 'sample.img')), 'boot-loader');
    expect(sample.map((f) => f.severity)).toEqual(['error']);
  });

  it('is an error when GRUB\'s boot.img points at an empty core.img sector', async () => {
    const disk = mbrDisk([{ startSector: MiB_SECTORS, content: smallRootWithKernel() }], { bootCode: grubBootCode(1) });
    const [finding] = byRule(await lintDisk(disk), 'boot-loader');
    expect(finding).toMatchObject({ severity: 'error' });
    expect(finding!.message).toMatch(/^The disk starts with GRUB 2 boot\.img, which loads core\.img from sector 1 \(the gap between the MBR and the first partition\), but that sector is empty or missing/);
  });

  it('checks the active partition behind SYSLINUX\'s mbr.bin', async () => {
    const root = smallRootWithKernel();
    const noActive = mbrDisk([{ startSector: MiB_SECTORS, content: root }], { bootCode: syslinuxMbrCode() });
    const [none] = byRule(await lintDisk(noActive), 'boot-loader');
    expect(none!.message).toMatch(/^The MBR holds SYSLINUX mbr\.bin, which boots the active partition's own boot sector, but no partition is marked active/);

    const emptyBootSector = mbrDisk([{ startSector: MiB_SECTORS, content: root, active: true }], { bootCode: syslinuxMbrCode() });
    const [empty] = byRule(await lintDisk(emptyBootSector), 'boot-loader');
    expect(empty).toMatchObject({ severity: 'error', location: { partition: 1 } });
    expect(empty!.message).toContain('the active partition 1, but that partition\'s first sector holds no boot code');

    // The ext boot block (its first 1024 bytes) is where extlinux --install writes.
    const extlinux = mbrDisk([{ startSector: MiB_SECTORS, content: root, active: true }], { bootCode: syslinuxMbrCode(), sectors: { [MiB_SECTORS]: VOLUME_BOOT_RECORD_PLACEHOLDER } });
    expect(byRule(await lintDisk(extlinux), 'boot-loader')).toEqual([]);
    expect((await runCli(['inspect', extlinux])).stdout).toContain('Boot code:  SYSLINUX mbr.bin; active partition 1: boot code spotlint does not recognise\n');
  });

  it('accepts GPT with a BIOS boot partition holding core.img, and names a GPT that only UEFI can boot', async () => {
    const root = smallRootWithKernel();
    const bios = sfdiskDisk('gpt', [
      { startSector: 2 * MiB_SECTORS, sectors: 8 * MiB_SECTORS, type: GPT_TYPE.linux, content: root },
      { startSector: MiB_SECTORS, sectors: MiB_SECTORS, type: GPT_TYPE.biosBoot },
    ], { bootCode: grubBootCode(MiB_SECTORS), sectors: { [MiB_SECTORS]: CORE_IMG_PLACEHOLDER } });
    expect(byRule(await lintDisk(bios), 'boot-loader')).toEqual([]);

    const uefiOnly = sfdiskDisk('gpt', [
      { startSector: MiB_SECTORS, sectors: MiB_SECTORS, type: GPT_TYPE.esp, content: fakeEspContent(1) },
      { startSector: 2 * MiB_SECTORS, sectors: 8 * MiB_SECTORS, type: GPT_TYPE.linux, content: root },
    ]);
    const [finding] = byRule(await lintDisk(uefiOnly), 'boot-loader');
    expect(finding).toMatchObject({ severity: 'error', location: { partition: 1 } });
    expect(finding!.message).toMatch(/^The disk boots with UEFI only: it has an EFI System Partition \(partition 1\) but no BIOS boot code in the protective MBR and no BIOS boot partition/);
  });

  it('says when a BIOS boot partition was never filled, and warns about GRUB on GPT without one', async () => {
    const root = smallRootWithKernel();
    const unfilled = sfdiskDisk('gpt', [
      { startSector: MiB_SECTORS, sectors: MiB_SECTORS, type: GPT_TYPE.biosBoot },
      { startSector: 2 * MiB_SECTORS, sectors: 8 * MiB_SECTORS, type: GPT_TYPE.linux, content: root },
    ]);
    const [never] = byRule(await lintDisk(unfilled), 'boot-loader');
    expect(never).toMatchObject({ severity: 'error', location: { partition: 1 } });
    expect(never!.message).toContain('has a BIOS boot partition (partition 1) but the protective MBR holds no boot code');

    const blocklist = sfdiskDisk('gpt', [{ startSector: MiB_SECTORS, sectors: 8 * MiB_SECTORS, type: GPT_TYPE.linux, content: root }],
      { bootCode: grubBootCode(40), sectors: { 40: CORE_IMG_PLACEHOLDER } });
    const [warning] = byRule(await lintDisk(blocklist), 'boot-loader');
    expect(warning).toMatchObject({ severity: 'warning' });
    expect(warning!.message).toContain('on a GPT disk without a BIOS boot partition, so GRUB finds core.img (at sector 40) through a block list');
  });

  it('is an error when GRUB is in the MBR but the image has no menu for it, which stops at the grub> prompt', async () => {
    const grub2 = (root: string) => mbrDisk([{ startSector: MiB_SECTORS, content: root, active: true }], { bootCode: grubBootCode(1), sectors: { 1: CORE_IMG_PLACEHOLDER } });
    const [finding, ...rest] = byRule(await lintDisk(grub2(smallRoot(addDebianKernel({})))), 'boot-loader');
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({ severity: 'error', location: {} });
    expect(finding!.message).toBe('The disk starts with GRUB 2 boot.img, but the image has no GRUB menu for it (/boot/grub/grub.cfg or /boot/grub2/grub.cfg): GRUB stops at its grub> prompt instead of starting Linux, and with no console on SpotCloud the appliance never boots. Run update-grub in the VM (RHEL, Fedora, SUSE: grub2-mkconfig -o /boot/grub2/grub.cfg), then export the disk again.');
    expect(byRule(await lintDisk(grub2(smallRootWithKernel())), 'boot-loader')).toEqual([]);
    // RHEL, Fedora and SUSE keep it in /boot/grub2.
    const rhel = smallRoot({ ...addDebianKernel({}), 'boot/grub2/grub.cfg': readGrubMenu() });
    expect(byRule(await lintDisk(grub2(rhel)), 'boot-loader')).toEqual([]);

    const legacy = (root: string) => mbrDisk([{ startSector: MiB_SECTORS, content: root, active: true }], { bootCode: grubLegacyBootCode() });
    const [noMenu] = byRule(await lintDisk(legacy(smallRoot(addDebianKernel({})))), 'boot-loader');
    expect(noMenu).toMatchObject({ severity: 'error' });
    expect(noMenu!.message).toMatch(/^The disk starts with GRUB Legacy stage1, but the image has no GRUB menu for it \(\/boot\/grub\/menu\.lst or \/boot\/grub\/grub\.conf\)/);
    // Hand-written: RHEL 6's anaconda writes grub.conf (menu.lst links to it).
    const grubConf = `default=0\ntimeout=5\ntitle CentOS (2.6.32-754.el6.x86_64)\n\troot (hd0,0)\n\tkernel /boot/vmlinuz-2.6.32-754.el6.x86_64 ro root=UUID=${ROOT_UUID}\n`;
    expect(byRule(await lintDisk(legacy(smallRoot({ ...addDebianKernel({}), 'boot/grub/grub.conf': grubConf }))), 'boot-loader')).toEqual([]);
  });

  it('only notes a missing GRUB menu when /boot is on a filesystem spotlint cannot read', async () => {
    const fstab = `UUID=${ROOT_UUID} / ext4 errors=remount-ro 0 1\nUUID=${SIGNATURE_UUID} /boot xfs defaults 0 2\n`;
    const disk = mbrDisk([
      { startSector: MiB_SECTORS, content: signatureContent('xfs'), active: true },
      { startSector: 2 * MiB_SECTORS, content: smallRoot({}, fstab) },
    ], { bootCode: grubBootCode(1), sectors: { 1: CORE_IMG_PLACEHOLDER } });
    const [finding, ...rest] = byRule(await lintDisk(disk), 'boot-loader');
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({ severity: 'info' });
    expect(finding!.message).toMatch(new RegExp(`^The disk starts with GRUB 2 boot\\.img, but the guest mounts /boot from UUID=${SIGNATURE_UUID}, which spotlint could not attach \\(.*\\), so it did not check for GRUB's menu`));
  });

  it('is an error for a bare filesystem, which no BIOS can boot', async () => {
    const [finding] = byRule(await lintDisk(smallRootWithKernel()), 'boot-loader');
    expect(finding).toMatchObject({ severity: 'error', location: {} });
    expect(finding!.message).toMatch(/^The disk is a bare ext4 filesystem with no partition table and no boot code in its first sector/);
  });
});

describe('kernel-in-first-partition', () => {
  it('warns when the root in partition 1 has no kernel or no initrd in /boot', async () => {
    const neither = mbrDisk([{ startSector: MiB_SECTORS, content: smallRoot() }]);
    const [finding] = byRule(await lintDisk(neither), 'kernel-in-first-partition');
    expect(finding).toMatchObject({ severity: 'warning', location: { partition: 1 } });
    expect(finding!.message).toMatch(/^The first partition \(partition 1\) \(mounted at \/\) has no kernel \(\/boot\/vmlinuz\*\) and no initrd \(\/boot\/initrd\* or \/boot\/initramfs\*\) in its own filesystem/);
    expect(finding!.message).toContain('apt install linux-image-amd64');

    const kernelOnly = mbrDisk([{ startSector: MiB_SECTORS, content: smallRoot({ [`boot/vmlinuz-${KERNEL_VERSION}`]: 'placeholder kernel\n' }) }]);
    const [noInitrd] = byRule(await lintDisk(kernelOnly), 'kernel-in-first-partition');
    expect(noInitrd!.message).toContain('has no initrd (/boot/initrd* or /boot/initramfs*)');
    expect(noInitrd!.message).toContain('update-initramfs -c -k all');
  });

  it('explains a separate /boot filesystem in partition 1, and accepts one with a boot -> . link', async () => {
    const fstab = `UUID=${ROOT_UUID} / ext4 errors=remount-ro 0 1\nUUID=${BOOT_UUID} /boot ext2 defaults 0 2\n`;
    const separate = (boot: Tree) => mbrDisk([
      { startSector: MiB_SECTORS, content: makeExtImage(boot, { type: 'ext2', uuid: BOOT_UUID, sizeMiB: 4 }), active: true },
      { startSector: 5 * MiB_SECTORS, content: smallRoot({}, fstab) },
    ], { bootCode: grubBootCode(1), sectors: { 1: CORE_IMG_PLACEHOLDER } });
    const [finding, ...rest] = byRule(await lintDisk(separate(addDebianKernel({ 'grub/': '' }, ''))), 'kernel-in-first-partition');
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({ severity: 'warning', location: { partition: 1 } });
    expect(finding!.message).toBe(`The first partition (partition 1) is a separate /boot filesystem: its kernel is at /vmlinuz-${KERNEL_VERSION} in that filesystem (the guest mounts it at /boot, so it sees /boot/vmlinuz-${KERNEL_VERSION}), and it has no /boot folder of its own, so a provider that boots the kernel and initrd it reads from /boot on the first partition (the XVM2 bridge reads /boot/vmlinuz* and /boot/initrd* there) finds nothing. Add a link inside it so /boot/vmlinuz* resolves there too (in the VM: ln -s . /boot/boot), or move /boot onto a root filesystem in partition 1.`);

    const linked = separate(addDebianKernel({ boot: { symlink: '.' } }, ''));
    expect(byRule(await lintDisk(linked), 'kernel-in-first-partition')).toEqual([]);

    // Read even when the guest does not mount it: the provider reads partition 1 itself.
    const unmounted = mbrDisk([
      { startSector: MiB_SECTORS, content: makeExtImage(addDebianKernel({}, ''), { type: 'ext2', uuid: BOOT_UUID, sizeMiB: 4 }) },
      { startSector: 5 * MiB_SECTORS, content: smallRoot() },
    ]);
    const [notMounted] = byRule(await lintDisk(unmounted), 'kernel-in-first-partition');
    expect(notMounted!.message).toContain(`its kernel is at /vmlinuz-${KERNEL_VERSION} in that filesystem (the guest's fstab does not mount it)`);
  });

  it('names the partition /boot is mounted from when the root comes first', async () => {
    const fstab = `UUID=${ROOT_UUID} / ext4 errors=remount-ro 0 1\nUUID=${BOOT_UUID} /boot ext2 defaults 0 2\n`;
    const disk = mbrDisk([
      { startSector: MiB_SECTORS, content: smallRoot({}, fstab) },
      { startSector: 9 * MiB_SECTORS, content: makeExtImage(addDebianKernel({}, ''), { type: 'ext2', uuid: BOOT_UUID, sizeMiB: 4 }) },
    ]);
    const [finding] = byRule(await lintDisk(disk), 'kernel-in-first-partition');
    expect(finding!.message).toContain(`holds the root filesystem, but the guest mounts /boot from partition 2 (fstab: UUID=${BOOT_UUID})`);
  });

  it('says what partition 1 holds when it is no filesystem, or one spotlint cannot read', async () => {
    const root = smallRootWithKernel();
    const biosFirst = sfdiskDisk('gpt', [
      { startSector: MiB_SECTORS, sectors: MiB_SECTORS, type: GPT_TYPE.biosBoot },
      { startSector: 2 * MiB_SECTORS, sectors: 8 * MiB_SECTORS, type: GPT_TYPE.linux, content: root },
    ], { bootCode: grubBootCode(MiB_SECTORS), sectors: { [MiB_SECTORS]: CORE_IMG_PLACEHOLDER } });
    const [bios] = byRule(await lintDisk(biosFirst), 'kernel-in-first-partition');
    expect(bios).toMatchObject({ severity: 'warning', location: { partition: 1 } });
    expect(bios!.message).toMatch(/^The first partition \(partition 1\) holds a BIOS boot partition \(GRUB's core\.img\), not a filesystem with \/boot in it/);
    expect(bios!.message).toContain('sgdisk --transpose=1:N');

    const xfsFirst = mbrDisk([
      { startSector: MiB_SECTORS, content: signatureContent('xfs') },
      { startSector: 2 * MiB_SECTORS, content: root },
    ]);
    const [xfs] = byRule(await lintDisk(xfsFirst), 'kernel-in-first-partition');
    expect(xfs).toMatchObject({ severity: 'info', location: { partition: 1 } });
    expect(xfs!.message).toMatch(/^The first partition \(partition 1\) holds xfs, which spotlint cannot read yet, so it did not check/);
  });

  it('takes a bare filesystem for the first partition', async () => {
    const [finding] = byRule(await lintDisk(makeGuestImage(wellBuiltDebianGuest())), 'kernel-in-first-partition');
    expect(finding).toMatchObject({ severity: 'warning', location: { partition: null } });
    expect(finding!.message).toMatch(/^The disk \(a bare filesystem: the whole disk counts as its first partition\) \(mounted at \/\) has no kernel/);
    expect(byRule(await lintDisk(smallRootWithKernel()), 'kernel-in-first-partition')).toEqual([]);
  });
});

describe('filesystem-unsupported', () => {
  it('notes xfs, btrfs and LVM partitions, with where fstab mounts them', async () => {
    const fstab = `UUID=${ROOT_UUID} / ext4 errors=remount-ro 0 1\nUUID=${SIGNATURE_UUID} /srv xfs defaults 0 2\n`;
    const disk = mbrDisk([
      { startSector: MiB_SECTORS, content: smallRoot(addDebianKernel({}), fstab) },
      { startSector: 9 * MiB_SECTORS, content: signatureContent('xfs') },
      { startSector: 10 * MiB_SECTORS, content: signatureContent('btrfs') },
      { startSector: 11 * MiB_SECTORS, content: signatureContent('lvm'), type: 0x8e },
    ]);
    const findings = byRule(await lintDisk(disk), 'filesystem-unsupported');
    expect(findings.map((f) => [f.location.partition, f.severity])).toEqual([[2, 'info'], [3, 'info'], [4, 'info']]);
    expect(findings[0]!.message).toBe(`Partition 2 holds an xfs filesystem (UUID ${SIGNATURE_UUID}); the guest mounts it at /srv. spotlint cannot read it yet, so no check looked at the files on it and a clean report says nothing about them; check them by hand.`);
    expect(findings[1]!.message).toMatch(/^Partition 3 holds a btrfs filesystem \(UUID /);
    expect(findings[2]!.message).toMatch(/^Partition 4 holds an LVM physical volume \(the logical volumes inside it, often the root, are not read\)/);
  });

  it('says nothing about swap, an EFI System Partition or ext filesystems, but notes another FAT partition', async () => {
    const root = smallRootWithKernel();
    const esp = sfdiskDisk('gpt', [
      { startSector: MiB_SECTORS, sectors: MiB_SECTORS, type: GPT_TYPE.esp, content: fakeEspContent(1) },
      { startSector: 2 * MiB_SECTORS, sectors: 8 * MiB_SECTORS, type: GPT_TYPE.linux, content: root },
      { startSector: 10 * MiB_SECTORS, sectors: MiB_SECTORS, type: GPT_TYPE.swap },
    ]);
    expect(byRule(await lintDisk(esp), 'filesystem-unsupported')).toEqual([]);

    const data = mbrDisk([
      { startSector: MiB_SECTORS, content: root },
      { startSector: 9 * MiB_SECTORS, content: fakeEspContent(1), type: 0x0c },
    ]);
    const [fat] = byRule(await lintDisk(data), 'filesystem-unsupported');
    expect(fat).toMatchObject({ severity: 'info', location: { partition: 2 } });
    expect(fat!.message).toMatch(/^Partition 2 holds a FAT filesystem/);
  });
});

describe('no-root-filesystem', () => {
  it('is only a warning when the root may be on a filesystem spotlint cannot read (an xfs root; CentOS 6\'s ext4 /boot and LVM)', async () => {
    const disk = mbrDisk([{ startSector: MiB_SECTORS, content: signatureContent('xfs', 2) }], { bootCode: grubBootCode(1), sectors: { 1: CORE_IMG_PLACEHOLDER } });
    const [finding, ...rest] = byRule(await lintDisk(disk), 'no-root-filesystem');
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({ severity: 'warning', location: { partition: 1 } });
    expect(finding!.message).toMatch(/^No Linux root filesystem could be read \(partition 1: xfs, which spotlint cannot read yet\): the root is probably on a filesystem spotlint cannot read yet, so none of the checks of the guest's configuration .* could run/);

    // CentOS 6's installer: /boot on ext4 in partition 1, everything else in an LVM physical volume.
    const centos6 = mbrDisk([
      { startSector: MiB_SECTORS, content: makeExtImage(addDebianKernel({ 'grub/': '' }, ''), { type: 'ext4', sizeMiB: 4 }), active: true },
      { startSector: 5 * MiB_SECTORS, content: signatureContent('lvm'), type: 0x8e },
    ], { bootCode: grubLegacyBootCode() });
    const centos6Findings = await lintDisk(centos6);
    const [lvm] = byRule(centos6Findings, 'no-root-filesystem');
    expect(lvm).toMatchObject({ severity: 'warning', location: {} });
    expect(lvm!.message).toContain('(partition 1: ext4, with no /etc holding fstab or os-release; partition 2: an LVM physical volume, whose logical volumes spotlint cannot read yet)');
    // With no root, nothing says whether GRUB has a menu: boot-loader does not guess.
    expect(byRule(centos6Findings, 'boot-loader')).toEqual([]);
  });

  it('is an error when the ext filesystems hold no /etc with fstab or os-release', async () => {
    const disk = mbrDisk([
      { startSector: MiB_SECTORS, content: makeExtImage({ 'srv/data.txt': 'data\n' }) },
      { startSector: 9 * MiB_SECTORS, content: makeExtImage({ 'etc/motd': 'hello\n' }) },
    ]);
    const [finding] = byRule(await lintDisk(disk), 'no-root-filesystem');
    expect(finding).toMatchObject({ severity: 'error', location: {} });
    expect(finding!.message).toContain('(partition 1: ext4, with no /etc holding fstab or os-release; partition 2: ext4, with no /etc holding fstab or os-release)');
  });

  it('says nothing when a root is found, or when nothing in the image looks like Linux', async () => {
    expect(byRule(await lintDisk(mbrDisk([{ startSector: MiB_SECTORS, content: smallRootWithKernel() }])), 'no-root-filesystem')).toEqual([]);
    const espOnly = sfdiskDisk('gpt', [{ startSector: MiB_SECTORS, sectors: MiB_SECTORS, type: GPT_TYPE.esp, content: fakeEspContent(1) }]);
    expect(byRule(await lintDisk(espOnly), 'no-root-filesystem')).toEqual([]);
  });
});
