/** Names for the partition types an appliance image is likely to hold, and the types rules single out. */

/** GPT BIOS boot partition (gdisk ef02): GRUB for BIOS puts core.img here, and writes it at install time only. */
export const BIOS_BOOT_GPT_TYPE = '21686148-6449-6E6F-744E-656564454649';
/** EFI System Partition: boot loader binaries for UEFI firmware, by GPT type GUID or MBR type byte. */
export const ESP_GPT_TYPE = 'C12A7328-F81F-11D2-BA4B-00A0C93EC93B';
export const ESP_MBR_TYPE = '0xef';

/** Whether a partition's type (as Partition.type spells it: 0xNN or an upper-case GUID) is a BIOS boot partition. */
export function isBiosBootType(type: string | undefined): boolean {
  return type === BIOS_BOOT_GPT_TYPE;
}

/** Whether a partition's type (0xNN or an upper-case GUID) is an EFI System Partition. */
export function isEspType(type: string | undefined): boolean {
  return type === ESP_GPT_TYPE || type === ESP_MBR_TYPE;
}

const MBR_TYPE_NAMES: Record<number, string> = {
  0x01: 'FAT12',
  0x04: 'FAT16 <32M',
  0x05: 'Extended',
  0x06: 'FAT16',
  0x07: 'HPFS/NTFS/exFAT',
  0x0b: 'W95 FAT32',
  0x0c: 'W95 FAT32 (LBA)',
  0x0e: 'W95 FAT16 (LBA)',
  0x0f: 'W95 Extended (LBA)',
  0x27: 'Hidden NTFS (recovery)',
  0x82: 'Linux swap',
  0x83: 'Linux',
  0x85: 'Linux extended',
  0x8e: 'Linux LVM',
  0xa5: 'FreeBSD',
  0xa6: 'OpenBSD',
  0xa9: 'NetBSD',
  0xee: 'GPT protective',
  0xef: 'EFI (FAT)',
  0xfd: 'Linux RAID autodetect',
};

const GPT_TYPE_NAMES: Record<string, string> = {
  [BIOS_BOOT_GPT_TYPE]: 'BIOS boot',
  [ESP_GPT_TYPE]: 'EFI System',
  '0FC63DAF-8483-4772-8E79-3D69D8477DE4': 'Linux filesystem',
  '0657FD6D-A4AB-43C4-84E5-0933C84B4F4F': 'Linux swap',
  'E6D6D379-F507-44C2-A23C-238F2A3DF928': 'Linux LVM',
  'A19D880F-05FC-4D3B-A006-743F0F84911E': 'Linux RAID',
  '4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709': 'Linux root (x86-64)',
  '44479540-F297-41B2-9AF7-D131D5F0458A': 'Linux root (x86)',
  'B921B045-1DF0-41C3-AF44-4C6F280D3FAE': 'Linux root (ARM64)',
  '933AC7E1-2EB4-4F13-B844-0E14E2AEF915': 'Linux home',
  'BC13C2FF-59E6-4262-A352-B275FD6F7172': 'Linux extended boot',
  'EBD0A0A2-B9E5-4433-87C0-68B6B72699C7': 'Microsoft basic data',
  'E3C9E316-0B5C-4DB8-817D-F92DF00215AE': 'Microsoft reserved',
  'DE94BBA4-06D1-4D40-A16A-BFD50179D6AC': 'Windows recovery',
  '516E7CB4-6ECF-11D6-8FF8-00022D09712B': 'FreeBSD data',
  '516E7CB6-6ECF-11D6-8FF8-00022D09712B': 'FreeBSD UFS',
};

export function mbrTypeName(type: number): string {
  return MBR_TYPE_NAMES[type] ?? 'unknown';
}

export function gptTypeName(typeGuid: string): string {
  return GPT_TYPE_NAMES[typeGuid.toUpperCase()] ?? 'unknown';
}
