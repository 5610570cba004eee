import { EXT2_ERROR_NAMES, EXT2_ET_BASE } from './ext2-error-names.js';
import type { ExtErrorInfo } from './ext-protocol.js';

/** Plain words for the libext2fs errors that a broken image typically gives. */
const EXPLANATIONS: Record<string, string> = {
  EXT2_ET_BAD_MAGIC: 'no ext2/3/4 superblock where one should be',
  EXT2_ET_CORRUPT_SUPERBLOCK: 'the superblock is corrupt',
  EXT2_ET_SB_CSUM_INVALID: 'the superblock checksum is wrong',
  EXT2_ET_BAD_DESC_SIZE: 'the group descriptor size is invalid',
  EXT2_ET_GDESC_BAD_BLOCK_MAP: 'a group descriptor points outside its group (block bitmap)',
  EXT2_ET_GDESC_BAD_INODE_MAP: 'a group descriptor points outside its group (inode bitmap)',
  EXT2_ET_GDESC_BAD_INODE_TABLE: 'a group descriptor points outside its group (inode table)',
  EXT2_ET_UNSUPP_FEATURE: 'the filesystem uses a feature libext2fs cannot read',
  EXT2_ET_RO_UNSUPP_FEATURE: 'the filesystem uses a feature libext2fs cannot write',
  EXT2_ET_SHORT_READ: 'a read came back short: the image is probably truncated',
  EXT2_ET_DIR_CORRUPTED: 'a directory block is corrupt',
  EXT2_ET_TOOSMALL: 'the filesystem is smaller than its superblock says',
  EXT2_ET_NO_MEMORY: 'libext2fs ran out of memory',
  EXT2_ET_BLOCK_BITMAP_READ: 'a block bitmap cannot be read',
  EXT2_ET_INODE_BITMAP_READ: 'an inode bitmap cannot be read',
  EXT2_ET_BLOCK_BITMAP_CSUM_INVALID: 'a block bitmap checksum is wrong',
  EXT2_ET_INODE_BITMAP_CSUM_INVALID: 'an inode bitmap checksum is wrong',
  EXT2_ET_CANT_USE_LEGACY_BITMAPS: 'the filesystem needs 64-bit block bitmaps (bigalloc clusters, or a very large filesystem), which the ext2fs module cannot open',
  EXT2_ET_MMP_OPEN_DIRECT: 'the filesystem uses multiple-mount protection (mmp), which the ext2fs module cannot open',
};

interface ErrnoLike {
  errno?: number;
  code?: string;
  message?: string;
}

/**
 * An abort of the WebAssembly module (a RuntimeError "Aborted(...)"), as a
 * fatal error; undefined for anything else. `stderr` is what the module
 * printed, which names the cause when the error itself does not.
 */
export function describeWasmAbort(error: unknown, stderr = ''): ExtErrorInfo | undefined {
  const message = (error as Error)?.message ?? '';
  if (!(error instanceof WebAssembly.RuntimeError) && !/^Aborted\b/.test(message)) return undefined;
  const outOfMemory = /OOM/.test(message) || /OOM/.test(stderr);
  return {
    code: outOfMemory ? 'WASM_OUT_OF_MEMORY' : 'WASM_ABORT',
    message: outOfMemory
      ? 'libext2fs ran out of its 16 MiB WebAssembly memory (a corrupt structure claims huge sizes)'
      : 'libext2fs aborted on a corrupt structure',
    fatal: true,
  };
}

/**
 * Turns whatever the ext2fs module threw into a code and a sentence: errno
 * names for ordinary failures, libext2fs names for filesystem corruption,
 * and never a bare number or a heap pointer.
 */
export function describeExtError(error: unknown, lastReadError?: Error): ExtErrorInfo {
  const abort = describeWasmAbort(error);
  if (abort) return abort;
  const errnoLike = error as ErrnoLike;
  if (typeof errnoLike?.errno === 'number' && errnoLike.errno >= EXT2_ET_BASE) {
    const name = EXT2_ERROR_NAMES[errnoLike.errno - EXT2_ET_BASE] ?? 'EXT2_ET_UNKNOWN';
    const why = EXPLANATIONS[name];
    return { code: name, message: why ? `${name}: ${why}` : name, fatal: false };
  }
  if (typeof errnoLike?.code === 'string' && errnoLike.code !== 'UNKNOWN' && /^E[A-Z]+$/.test(errnoLike.code)) {
    if (errnoLike.code === 'EIO' && lastReadError) {
      return { code: 'EIO', message: `I/O error reading the image: ${lastReadError.message}`, fatal: false };
    }
    return { code: errnoLike.code, message: errnoLike.code, fatal: false };
  }
  if (typeof errnoLike?.errno === 'number') {
    // The module's own text is "<function> UNKNOWN (<number>) args: [...]": internal, not for users.
    return { code: 'EUNKNOWN', message: 'libext2fs failed with an error spotlint does not know', fatal: false };
  }
  return { code: 'EUNKNOWN', message: (error as Error)?.message ?? String(error), fatal: false };
}
