import { readAt, type ByteSource } from '../image/byte-source.js';
import { fixedString } from '../on-disk-strings.js';
import {
  EXT_SUPERBLOCK_OFFSET, EXT_SUPERBLOCK_SIZE, formatUuid, hasExtMagic, parseExtSuperblock, type ExtSuperblock,
} from '../ext/superblock.js';

export type FilesystemType =
  | 'ext2' | 'ext3' | 'ext4' | 'ext-journal' | 'xfs' | 'btrfs' | 'vfat' | 'ntfs' | 'swap' | 'LVM2_member'
  | 'crypto_LUKS' | 'iso9660' | 'squashfs' | 'ufs' | 'unknown';

export interface FilesystemProbe {
  type: FilesystemType;
  uuid?: string;
  label?: string;
  /** Extra facts a human wants to see, e.g. swap version. */
  detail?: string;
  ext?: ExtSuperblock;
}

/** Enough bytes for every signature below (btrfs keeps its superblock at 64 KiB). */
export const PROBE_BYTES = 68 * 1024;

const SWAP_PAGE_SIZES = [4096, 8192, 16384, 65536];

/** Names what a partition (or a bare disk) holds from its on-disk signatures. */
export async function probeFilesystem(source: ByteSource, start: number, size: number): Promise<FilesystemProbe> {
  const head = await readAt(source, start, Math.min(PROBE_BYTES, size));
  const swap = await probeSwap(source, start, size, head);
  if (swap) return swap;
  return identify(head);
}

/** Pure: identify from the first PROBE_BYTES of the partition. */
export function identify(head: Buffer): FilesystemProbe {
  const hasTextAt = (offset: number, text: string) =>
    head.length >= offset + text.length && head.toString('latin1', offset, offset + text.length) === text;

  const superblock = head.subarray(EXT_SUPERBLOCK_OFFSET, EXT_SUPERBLOCK_OFFSET + EXT_SUPERBLOCK_SIZE);
  if (superblock.length === EXT_SUPERBLOCK_SIZE && hasExtMagic(superblock)) {
    const ext = parseExtSuperblock(superblock);
    if (ext.features.includes('journal_dev')) {
      return { type: 'ext-journal', uuid: ext.uuid, label: ext.label, detail: 'external ext3/ext4 journal' };
    }
    return { type: ext.version, uuid: ext.uuid, label: ext.label, ext };
  }
  if (hasTextAt(0, 'XFSB')) {
    return { type: 'xfs', uuid: formatUuid(head.subarray(32, 48)), label: fixedString(head.subarray(108, 120)) };
  }
  if (hasTextAt(0x10040, '_BHRfS_M')) {
    return { type: 'btrfs', uuid: formatUuid(head.subarray(0x10020, 0x10030)), label: fixedString(head.subarray(0x1012b, 0x1022b)) };
  }
  if (hasTextAt(0, 'LUKS\xba\xbe')) {
    return { type: 'crypto_LUKS', uuid: fixedString(head.subarray(168, 208)) };
  }
  for (const sector of [0, 1, 2, 3]) {
    if (hasTextAt(sector * 512, 'LABELONE') && hasTextAt(sector * 512 + 24, 'LVM2 001')) {
      const id = fixedString(head.subarray(sector * 512 + 32, sector * 512 + 64));
      return { type: 'LVM2_member', uuid: lvmUuid(id) };
    }
  }
  if (hasTextAt(3, 'NTFS    ')) {
    return { type: 'ntfs', uuid: head.readBigUInt64LE(0x48).toString(16).toUpperCase().padStart(16, '0') };
  }
  if (head.length >= 512 && head.readUInt16LE(510) === 0xaa55 && (hasTextAt(0x36, 'FAT') || hasTextAt(0x52, 'FAT32'))) {
    const fat32 = hasTextAt(0x52, 'FAT32');
    const serial = head.readUInt32LE(fat32 ? 0x43 : 0x27).toString(16).toUpperCase().padStart(8, '0');
    const label = head.toString('latin1', fat32 ? 0x47 : 0x2b, fat32 ? 0x52 : 0x36).trim();
    return { type: 'vfat', uuid: `${serial.slice(0, 4)}-${serial.slice(4)}`, label: label === 'NO NAME' ? '' : label };
  }
  if (hasTextAt(0x8001, 'CD001')) return { type: 'iso9660', label: head.toString('latin1', 0x8028, 0x8048).trim() };
  if (hasTextAt(0, 'hsqs')) return { type: 'squashfs' };
  if (isUfs(head)) return { type: 'ufs', detail: 'BSD UFS' };
  return { type: 'unknown' };
}

async function probeSwap(source: ByteSource, start: number, size: number, head: Buffer): Promise<FilesystemProbe | undefined> {
  for (const pageSize of SWAP_PAGE_SIZES) {
    if (pageSize > size) break;
    const signature = pageSize <= head.length
      ? head.subarray(pageSize - 10, pageSize)
      : await readAt(source, start + pageSize - 10, 10);
    const text = signature.toString('latin1');
    if (text === 'SWAPSPACE2') {
      return {
        type: 'swap',
        uuid: formatUuid(head.subarray(1036, 1052)),
        label: fixedString(head.subarray(1052, 1068)),
        detail: `swap v1, ${pageSize}-byte pages`,
      };
    }
    if (text === 'SWAP-SPACE') return { type: 'swap', detail: 'swap v0 (obsolete)' };
  }
  return undefined;
}

function isUfs(head: Buffer): boolean {
  const UFS1_MAGIC = 0x011954;
  const UFS2_MAGIC = 0x19540119;
  for (const superblockOffset of [8192, 65536]) {
    const magicOffset = superblockOffset + 1372;
    if (head.length < magicOffset + 4) continue;
    const magic = head.readUInt32LE(magicOffset);
    if (magic === UFS1_MAGIC || magic === UFS2_MAGIC) return true;
  }
  return false;
}

/** LVM writes PV ids as 32 characters shown in groups 6-4-4-4-4-4-6. */
function lvmUuid(id: string): string {
  const groups = [6, 4, 4, 4, 4, 4, 6];
  let offset = 0;
  return groups.map((length) => id.slice(offset, (offset += length))).join('-');
}
