// Whole disks around filesystems, for the disk rules: MBRs written by hand
// (any start sector, overlaps, truncation), GPTs written by sfdisk, real boot
// code from Debian 12's packages (GRUB 2's boot.img, SYSLINUX's mbr.bin), and
// the signatures of filesystems spotlint does not read.
import { execFileSync } from 'node:child_process';
import { closeSync, openSync, readFileSync, truncateSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir, type Tree } from './build-image.js';
import { wellBuiltDebianGuest } from './guest-styles/debian-systemd.js';
import { distroFile } from './guest-styles/distro-file.js';
import { GUEST_IMAGE_MIB, makeGuestImage } from './guest-styles/guest-image.js';
import { SWAP_UUID } from './guest-styles/layout.js';

export const SECTOR = 512;
export const MiB = 1024 * 1024;
/** Sectors in a MiB: where aligned partitions start. */
export const MiB_SECTORS = MiB / SECTOR;
const BOOT_CODE_BYTES = 440;
/** boot.img's kernel_sector field, which grub-install sets to where it put core.img. */
const GRUB_KERNEL_SECTOR_OFFSET = 0x5c;

export const GPT_TYPE = {
  biosBoot: '21686148-6449-6E6F-744E-656564454649',
  esp: 'C12A7328-F81F-11D2-BA4B-00A0C93EC93B',
  linux: '0FC63DAF-8483-4772-8E79-3D69D8477DE4',
  swap: '0657FD6D-A4AB-43C4-84E5-0933C84B4F4F',
} as const;

/** GRUB 2's boot.img (grub-pc-bin) as grub-install writes it: its 440 code bytes, loading core.img from `coreSector`. */
export function grubBootCode(coreSector = 1): Buffer {
  const code = Buffer.from(distroFile('grub-pc-bin', 'usr/lib/grub/i386-pc/boot.img').subarray(0, BOOT_CODE_BYTES));
  code.writeBigUInt64LE(BigInt(coreSector), GRUB_KERNEL_SECTOR_OFFSET);
  return code;
}

/** SYSLINUX's mbr.bin (syslinux-common): 440 bytes that boot the active partition's own boot sector. */
export function syslinuxMbrCode(): Buffer {
  return distroFile('syslinux-common', 'usr/lib/syslinux/mbr/mbr.bin');
}

/**
 * Hand-written stand-ins: grub-install builds core.img for each machine (no
 * package ships it), and extlinux writes its boot sector from inside its
 * binary. The rules only ask whether these sectors hold anything.
 */
export const CORE_IMG_PLACEHOLDER = Buffer.concat([Buffer.from('placeholder for the first sector of GRUB core.img (made by grub-install)'), Buffer.alloc(SECTOR)]).subarray(0, SECTOR);
export const VOLUME_BOOT_RECORD_PLACEHOLDER = Buffer.concat([Buffer.from([0xeb, 0x58, 0x90]), Buffer.from('placeholder for an EXTLINUX boot sector'), Buffer.alloc(SECTOR)]).subarray(0, SECTOR);

export interface MbrDiskPart {
  startSector: number;
  /** Defaults to the content's size rounded up to a MiB, or 1 MiB. */
  sectors?: number;
  /** MBR type byte; 0x83 (Linux) unless said. */
  type?: number;
  active?: boolean;
  /** A filesystem image file, or bytes, copied to the partition's start. */
  content?: string | Buffer;
}

export interface DiskOptions {
  /** Copied into bytes 0..439 of sector 0. */
  bootCode?: Buffer;
  /** Raw sectors to write, by LBA (core.img in the gap after the MBR, a partition's boot sector). */
  sectors?: Record<number, Buffer>;
  /** Cut the finished image to this many bytes (an export cut short). */
  truncateTo?: number;
}

function contentBytes(content: string | Buffer | undefined): Buffer | undefined {
  return typeof content === 'string' ? readFileSync(content) : content;
}

function defaultSectors(content: Buffer | undefined): number {
  return Math.ceil((content?.length ?? MiB) / MiB) * MiB_SECTORS;
}

function finish(disk: string, options: DiskOptions): string {
  const fd = openSync(disk, 'r+');
  if (options.bootCode) writeSync(fd, options.bootCode, 0, Math.min(options.bootCode.length, BOOT_CODE_BYTES), 0);
  for (const [lba, bytes] of Object.entries(options.sectors ?? {})) writeSync(fd, bytes, 0, bytes.length, Number(lba) * SECTOR);
  closeSync(fd);
  if (options.truncateTo !== undefined) truncateSync(disk, options.truncateTo);
  return disk;
}

/**
 * An MBR disk written by hand: partitions exactly where asked (sector 63,
 * overlapping, anything), one spare MiB after the last, disk signature
 * 0x5107c0de.
 */
export function mbrDisk(parts: MbrDiskPart[], options: DiskOptions = {}): string {
  if (parts.length > 4) throw new Error('mbrDisk writes primary partitions only (at most 4)');
  const disk = join(tempDir('disk'), 'disk.img');
  const mbr = Buffer.alloc(SECTOR);
  mbr.writeUInt32LE(0x5107c0de, 0x1b8);
  mbr.writeUInt16LE(0xaa55, 510);
  const fd = openSync(disk, 'w');
  let end = MiB_SECTORS;
  parts.forEach((part, slot) => {
    const content = contentBytes(part.content);
    const sectors = part.sectors ?? defaultSectors(content);
    const entry = 0x1be + slot * 16;
    mbr[entry] = part.active ? 0x80 : 0x00;
    mbr[entry + 4] = part.type ?? 0x83;
    mbr.writeUInt32LE(part.startSector, entry + 8);
    mbr.writeUInt32LE(sectors, entry + 12);
    if (content) writeSync(fd, content, 0, content.length, part.startSector * SECTOR);
    end = Math.max(end, part.startSector + sectors);
  });
  writeSync(fd, mbr, 0, SECTOR, 0);
  writeSync(fd, Buffer.alloc(1), 0, 1, (end + MiB_SECTORS) * SECTOR - 1);
  closeSync(fd);
  return finish(disk, options);
}

export interface SfdiskPart {
  startSector: number;
  sectors?: number;
  /** sfdisk's type: a GPT type GUID, or an MBR type in hex ("83", "5" for extended). */
  type: string;
  /** GPT only. */
  name?: string;
  /** dos only: the active flag. */
  bootable?: boolean;
  content?: string | Buffer;
}

/**
 * A disk partitioned by sfdisk (util-linux), the oracle for what real tools
 * write: `label` gpt (protective MBR, primary and backup GPT) or dos (with
 * the EBR chain for logical partitions, numbered from 5 as sfdisk does).
 */
export function sfdiskDisk(label: 'gpt' | 'dos', parts: SfdiskPart[], options: DiskOptions = {}): string {
  const disk = join(tempDir('disk'), 'disk.img');
  const contents = parts.map((p) => contentBytes(p.content));
  const sizes = parts.map((p, i) => p.sectors ?? defaultSectors(contents[i]));
  const end = Math.max(MiB_SECTORS, ...parts.map((p, i) => p.startSector + sizes[i]!));
  const fd = openSync(disk, 'w');
  writeSync(fd, Buffer.alloc(1), 0, 1, (end + MiB_SECTORS) * SECTOR - 1);
  closeSync(fd);
  // A fixed MBR signature (sfdisk picks a random one); a GPT keeps sfdisk's random GUIDs.
  const lines = [`label: ${label}`, label === 'gpt' ? 'first-lba: 34' : 'label-id: 0x5107c0de'];
  parts.forEach((p, i) => lines.push(`start=${p.startSector}, size=${sizes[i]}, type=${p.type}${p.name ? `, name="${p.name}"` : ''}${p.bootable ? ', bootable' : ''}`));
  execFileSync('sfdisk', ['--quiet', '--no-reread', '--no-tell-kernel', disk], { input: `${lines.join('\n')}\n`, stdio: ['pipe', 'pipe', 'pipe'] });
  const write = openSync(disk, 'r+');
  parts.forEach((p, i) => {
    const content = contents[i];
    if (content) writeSync(write, content, 0, content.length, p.startSector * SECTOR);
  });
  closeSync(write);
  return finish(disk, options);
}

/**
 * A FAT32 boot sector as an EFI System Partition starts with, by hand:
 * mkfs.vfat (dosfstools) is not installed here, and spotlint only probes
 * the boot sector.
 */
export function fakeEspContent(sizeMiB = 1): Buffer {
  const bytes = Buffer.alloc(sizeMiB * MiB);
  bytes.set([0xeb, 0x58, 0x90], 0);
  bytes.write('mkfs.fat', 3, 'latin1');
  bytes.writeUInt16LE(SECTOR, 0x0b);
  bytes[0x0d] = 1; // sectors per cluster
  bytes.writeUInt16LE(32, 0x0e); // reserved sectors
  bytes[0x10] = 2; // FATs
  bytes[0x15] = 0xf8; // fixed disk
  bytes.writeUInt32LE(sizeMiB * MiB_SECTORS, 0x20);
  bytes.writeUInt32LE(8, 0x24); // sectors per FAT
  bytes.writeUInt32LE(2, 0x2c); // root directory cluster
  bytes[0x40] = 0x80;
  bytes[0x42] = 0x29; // extended boot signature
  bytes.writeUInt32LE(0x1234abcd, 0x43);
  bytes.write('EFI        ', 0x47, 'latin1');
  bytes.write('FAT32   ', 0x52, 'latin1');
  bytes.writeUInt16LE(0xaa55, 510);
  return bytes;
}

/** Only the signature blkid and spotlint look for: enough to be recognised, nothing readable behind it. */
export function signatureContent(kind: 'xfs' | 'btrfs' | 'lvm', sizeMiB = 1): Buffer {
  const bytes = Buffer.alloc(sizeMiB * MiB);
  const uuid = Buffer.from('0123456789abcdef0123456789abcdef', 'hex');
  switch (kind) {
    case 'xfs':
      bytes.write('XFSB', 0, 'latin1');
      uuid.copy(bytes, 32);
      break;
    case 'btrfs':
      bytes.write('_BHRfS_M', 0x10040, 'latin1');
      uuid.copy(bytes, 0x10020);
      break;
    case 'lvm':
      bytes.write('LABELONE', SECTOR, 'latin1');
      bytes.write('LVM2 001', SECTOR + 24, 'latin1');
      bytes.write('AbCdEf0123456789AbCdEf0123456789', SECTOR + 32, 'latin1');
      break;
  }
  return bytes;
}

/** A swap area made by mkswap (util-linux), with the UUID fstab names it by. */
export function swapContent(uuid: string, sizeMiB = 8): Buffer {
  const file = join(tempDir('swap'), 'swap.img');
  closeSync(openSync(file, 'w'));
  truncateSync(file, sizeMiB * MiB);
  execFileSync('mkswap', ['-U', uuid, file], { stdio: 'pipe' });
  return readFileSync(file);
}

export const KERNEL_VERSION = '6.1.0-13-amd64';
/** The root UUID of wellBuiltDebianDisk, as mke2fs -U gets it and /etc/fstab names it. */
export const WELL_BUILT_ROOT_UUID = '5c1e0f2a-7b3d-4e9a-8c6b-1d2f3a4b5c6d';

/**
 * A kernel and initrd where Debian's linux-image package and
 * update-initramfs put them, under `boot` ('boot/' in a root filesystem,
 * '' in a separate /boot filesystem). Placeholders: no reachable package
 * ships a kernel small enough for a test image, and no rule reads their bytes.
 */
export function addDebianKernel(tree: Tree, boot = 'boot/'): Tree {
  tree[`${boot}vmlinuz-${KERNEL_VERSION}`] = Buffer.from(`placeholder for Debian 12's vmlinuz-${KERNEL_VERSION}\n`);
  tree[`${boot}initrd.img-${KERNEL_VERSION}`] = Buffer.from(`placeholder for the initrd update-initramfs makes for ${KERNEL_VERSION}\n`);
  return tree;
}

/**
 * The well-built Debian guest as a bootable disk, laid out as Debian's
 * installer does ("swap was on /dev/sda5", its fstab says): an MBR with
 * GRUB 2's real boot.img, core.img (a placeholder) in the gap after it, an
 * active 1 MiB-aligned ext4 root in partition 1 (UUID as its fstab says) with
 * the kernel and initrd in /boot and the /vmlinuz and /initrd.img links
 * Debian makes, and swap (the UUID fstab names) in logical partition 5.
 * `change` edits the tree before the image is made.
 */
export function wellBuiltDebianDisk(change: (tree: Tree) => void = () => {}): string {
  const tree = addDebianKernel(wellBuiltDebianGuest({ rootUuid: WELL_BUILT_ROOT_UUID }));
  tree['vmlinuz'] = { symlink: `boot/vmlinuz-${KERNEL_VERSION}` };
  tree['initrd.img'] = { symlink: `boot/initrd.img-${KERNEL_VERSION}` };
  change(tree);
  const root = makeGuestImage(tree, { uuid: WELL_BUILT_ROOT_UUID });
  const rootSectors = GUEST_IMAGE_MIB * MiB_SECTORS;
  const extended = MiB_SECTORS + rootSectors;
  return sfdiskDisk('dos', [
    { startSector: MiB_SECTORS, sectors: rootSectors, type: '83', bootable: true, content: root },
    { startSector: extended, sectors: 9 * MiB_SECTORS, type: '5' },
    { startSector: extended + MiB_SECTORS, sectors: 8 * MiB_SECTORS, type: '82', content: swapContent(SWAP_UUID) },
  ], { bootCode: grubBootCode(1), sectors: { 1: CORE_IMG_PLACEHOLDER } });
}
