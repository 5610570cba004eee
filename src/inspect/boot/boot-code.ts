// Which boot loader's first stage sits in a disk's (or a partition's) first
// sector. Signatures come from the real files where a reachable package ships
// them (GRUB 2's boot.img from grub-pc-bin 2.06, SYSLINUX's mbr.bin from
// syslinux-common 6.04); GRUB Legacy, LILO and DOS/Windows MBRs from the
// layouts and messages their sources document.

export type BootCodeKind = 'grub2' | 'grub-legacy' | 'syslinux' | 'lilo' | 'windows' | 'zero' | 'unknown';

export interface BootCode {
  kind: BootCodeKind;
  /** What a person calls it, e.g. "GRUB 2 boot.img". */
  name: string;
  /**
   * GRUB 2 only: the sector (LBA) boot.img loads the first sector of
   * core.img from; grub-install writes it (1 for the gap after an MBR, the
   * BIOS boot partition's start on GPT).
   */
  coreSector?: number;
}

/** The boot code area of an MBR: the disk signature and the partition table follow. */
export const BOOT_CODE_BYTES = 440;

/**
 * The error messages of GRUB's first stage, NUL-separated: GRUB Legacy's
 * stage1 and GRUB 2's boot.img (written from it) both carry them.
 */
const GRUB_MESSAGES = Buffer.from('Geom\0Hard Disk\0Read\0 Error', 'latin1');
/** boot.img starts with "jmp 0x65" over a BPB ending at 0x5a. */
const GRUB2_JUMP = [0xeb, 0x63];
/** boot.img's kernel_address (0x8000, where core.img is loaded) and kernel_sector fields. */
const GRUB2_KERNEL_ADDRESS_OFFSET = 0x5a;
const GRUB2_KERNEL_ADDRESS = 0x8000;
const GRUB2_KERNEL_SECTOR_OFFSET = 0x5c;
/** GRUB Legacy's stage1 jumps to 0x4a, and stores its format version 3.2 at 0x3e (stage1.h). */
const GRUB_LEGACY_JUMP = [0xeb, 0x48];
const GRUB_LEGACY_VERSION_OFFSET = 0x3e;
const GRUB_LEGACY_VERSION = [3, 2];
/** SYSLINUX mbr.bin's own messages (DOS MBRs say "Missing operating system" too, but not these). */
const SYSLINUX_MESSAGES = ['Multiple active partitions.', 'Operating system load error.'].map((m) => Buffer.from(m, 'latin1'));
/** LILO's first stage carries the magic "LILO" in its header. */
const LILO_MAGIC = Buffer.from('LILO', 'latin1');
/** Every MS-DOS and Windows MBR since DOS 2 prints this when the table is bad. */
const DOS_MESSAGE = Buffer.from('Invalid partition table', 'latin1');

function bytesAt(code: Buffer, offset: number, expected: number[]): boolean {
  return expected.every((byte, i) => code[offset + i] === byte);
}

/**
 * Names the boot code in the first BOOT_CODE_BYTES of `sector` (an MBR, a
 * protective MBR or a volume boot record). Bytes from 440 on (disk signature,
 * partition table) are not looked at: they change with every disk.
 */
export function identifyBootCode(sector: Buffer): BootCode {
  // A short read (the end of a truncated image) counts as zeros, as a BIOS would see it.
  const code = Buffer.alloc(BOOT_CODE_BYTES);
  sector.copy(code, 0, 0, BOOT_CODE_BYTES);
  if (code.every((byte) => byte === 0)) return { kind: 'zero', name: 'none (the boot code area is all zero)' };
  if (code.includes(GRUB_MESSAGES)) {
    if (bytesAt(code, 0, GRUB_LEGACY_JUMP) && bytesAt(code, GRUB_LEGACY_VERSION_OFFSET, GRUB_LEGACY_VERSION)) {
      return { kind: 'grub-legacy', name: 'GRUB Legacy stage1' };
    }
    if (bytesAt(code, 0, GRUB2_JUMP) && code.readUInt16LE(GRUB2_KERNEL_ADDRESS_OFFSET) === GRUB2_KERNEL_ADDRESS) {
      return { kind: 'grub2', name: 'GRUB 2 boot.img', coreSector: Number(code.readBigUInt64LE(GRUB2_KERNEL_SECTOR_OFFSET)) };
    }
    return { kind: 'grub2', name: 'GRUB boot code of an unrecognised version' };
  }
  if (SYSLINUX_MESSAGES.every((message) => code.includes(message))) return { kind: 'syslinux', name: 'SYSLINUX mbr.bin' };
  if (code.includes(LILO_MAGIC)) return { kind: 'lilo', name: 'LILO' };
  if (code.includes(DOS_MESSAGE)) return { kind: 'windows', name: 'a DOS/Windows MBR' };
  return { kind: 'unknown', name: 'boot code spotlint does not recognise' };
}

/**
 * MBR code that loads the first sector of the active partition and runs it,
 * so it needs exactly one active partition with boot code of its own.
 */
export function chainLoadsActivePartition(kind: BootCodeKind): boolean {
  return kind === 'syslinux' || kind === 'windows';
}
