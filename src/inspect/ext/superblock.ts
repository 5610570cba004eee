/**
 * The ext2/3/4 superblock, parsed from its bytes (offset 1024 of the
 * filesystem). Field offsets follow the kernel's Documentation/filesystems/ext4.
 */
import { fixedString } from '../on-disk-strings.js';

export const EXT_SUPERBLOCK_OFFSET = 1024;
export const EXT_SUPERBLOCK_SIZE = 1024;
export const EXT_MAGIC = 0xef53;

export type ExtVersion = 'ext2' | 'ext3' | 'ext4';

export interface ExtSuperblock {
  version: ExtVersion;
  uuid: string;
  label: string;
  blockSize: number;
  blockCount: number;
  freeBlocks: number;
  inodeCount: number;
  freeInodes: number;
  inodeSize: number;
  /** s_state: cleanly unmounted, and whether errors were recorded. */
  cleanlyUnmounted: boolean;
  errorsRecorded: boolean;
  /** incompat needs_recovery: the journal holds transactions not yet applied. */
  needsRecovery: boolean;
  errorCount: number;
  lastMountedOn: string;
  /** Seconds since the epoch; 0 when never. */
  lastMountTime: number;
  lastWriteTime: number;
  mountCount: number;
  features: string[];
}

const COMPAT: Record<number, string> = {
  0x1: 'dir_prealloc', 0x2: 'imagic_inodes', 0x4: 'has_journal', 0x8: 'ext_attr', 0x10: 'resize_inode',
  0x20: 'dir_index', 0x200: 'sparse_super2', 0x400: 'fast_commit', 0x800: 'stable_inodes', 0x1000: 'orphan_file',
};
const INCOMPAT: Record<number, string> = {
  0x1: 'compression', 0x2: 'filetype', 0x4: 'needs_recovery', 0x8: 'journal_dev', 0x10: 'meta_bg', 0x40: 'extent',
  0x80: '64bit', 0x100: 'mmp', 0x200: 'flex_bg', 0x400: 'ea_inode', 0x1000: 'dirdata', 0x2000: 'metadata_csum_seed',
  0x4000: 'large_dir', 0x8000: 'inline_data', 0x10000: 'encrypt', 0x20000: 'casefold',
};
const RO_COMPAT: Record<number, string> = {
  0x1: 'sparse_super', 0x2: 'large_file', 0x4: 'btree_dir', 0x8: 'huge_file', 0x10: 'uninit_bg', 0x20: 'dir_nlink',
  0x40: 'extra_isize', 0x100: 'quota', 0x200: 'bigalloc', 0x400: 'metadata_csum', 0x1000: 'read-only',
  0x2000: 'project', 0x8000: 'verity', 0x10000: 'orphan_present',
};

/** Features an ext3 driver understands; anything else makes it ext4 (libblkid's rule). */
const EXT3_INCOMPAT = 0x2 | 0x4 | 0x10;
const EXT3_RO_COMPAT = 0x1 | 0x2 | 0x4;
const COMPAT_HAS_JOURNAL = 0x4;
const INCOMPAT_NEEDS_RECOVERY = 0x4;
const INCOMPAT_64BIT = 0x80;
const STATE_VALID = 0x1;
const STATE_ERRORS = 0x2;

export function hasExtMagic(superblock: Buffer): boolean {
  return superblock.length >= 58 && superblock.readUInt16LE(56) === EXT_MAGIC;
}

export function formatUuid(bytes: Buffer): string {
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

function featureNames(bits: number, names: Record<number, string>): string[] {
  const found: string[] = [];
  for (let bit = 0; bit < 32; bit++) {
    const mask = 2 ** bit;
    if ((bits >>> 0) & mask) found.push(names[mask] ?? `unknown_${mask.toString(16)}`);
  }
  return found;
}

/** @param sb the 1024 bytes of the superblock; call only when hasExtMagic(sb). */
export function parseExtSuperblock(sb: Buffer): ExtSuperblock {
  const compat = sb.readUInt32LE(92);
  const incompat = sb.readUInt32LE(96);
  const roCompat = sb.readUInt32LE(100);
  const is64bit = (incompat & INCOMPAT_64BIT) !== 0;
  const high = (offset: number) => (is64bit ? sb.readUInt32LE(offset) * 2 ** 32 : 0);
  const logBlockSize = sb.readUInt32LE(24);
  const state = sb.readUInt16LE(58);
  const revision = sb.readUInt32LE(76);

  let version: ExtVersion = 'ext2';
  if ((incompat & ~EXT3_INCOMPAT) !== 0 || (roCompat & ~EXT3_RO_COMPAT) !== 0) version = 'ext4';
  else if (compat & COMPAT_HAS_JOURNAL) version = 'ext3';

  return {
    version,
    uuid: formatUuid(sb.subarray(104, 120)),
    label: fixedString(sb.subarray(120, 136)),
    // A corrupt log_block_size must not produce an absurd number; ext allows 1 KiB..64 KiB.
    blockSize: logBlockSize <= 6 ? 1024 << logBlockSize : 0,
    blockCount: sb.readUInt32LE(4) + high(0x150),
    freeBlocks: sb.readUInt32LE(12) + high(0x158),
    inodeCount: sb.readUInt32LE(0),
    freeInodes: sb.readUInt32LE(16),
    inodeSize: revision === 0 ? 128 : sb.readUInt16LE(88),
    cleanlyUnmounted: (state & STATE_VALID) !== 0,
    errorsRecorded: (state & STATE_ERRORS) !== 0,
    needsRecovery: (incompat & INCOMPAT_NEEDS_RECOVERY) !== 0,
    errorCount: sb.readUInt32LE(0x194),
    lastMountedOn: fixedString(sb.subarray(136, 200)),
    lastMountTime: sb.readUInt32LE(44),
    lastWriteTime: sb.readUInt32LE(48),
    mountCount: sb.readUInt16LE(52),
    features: [...featureNames(compat, COMPAT), ...featureNames(incompat, INCOMPAT), ...featureNames(roCompat, RO_COMPAT)],
  };
}
