/** Messages between the main thread and the worker that owns one ext filesystem. */

export interface ExtWorkerData {
  imagePath: string;
  partitionStart: number;
  partitionSize: number;
}

export type FileKind = 'file' | 'directory' | 'symlink' | 'char-device' | 'block-device' | 'fifo' | 'socket' | 'unknown';

export interface ExtStat {
  kind: FileKind;
  mode: number;
  size: number;
  uid: number;
  gid: number;
  ino: number;
  nlink: number;
  mtimeMs: number;
}

export type ExtRequest =
  | { id: number; op: 'lstat'; path: string }
  | { id: number; op: 'readlink'; path: string }
  | { id: number; op: 'readdir'; path: string; limit: number }
  | { id: number; op: 'read'; path: string; position: number; length: number }
  | { id: number; op: 'freeRanges' };

/**
 * The free blocks of the filesystem as libext2fs's block bitmap has them:
 * byte offset and length pairs, relative to the start of the filesystem, in
 * ascending order and never adjacent.
 */
export type FreeRanges = Float64Array;

export interface ExtErrorInfo {
  /** errno-style code (ENOENT, ELOOP...) or a libext2fs name (EXT2_ET_BAD_MAGIC). */
  code: string;
  message: string;
  /** The WebAssembly instance died: every later call would fail too. */
  fatal: boolean;
}

export type ExtResponse =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; error: ExtErrorInfo };

export type ExtWorkerHello = { ready: true } | { ready: false; error: ExtErrorInfo };

export interface ReaddirResult {
  names: string[];
  truncated: boolean;
}
