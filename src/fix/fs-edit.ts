/** Messages between the fixer and the worker that stages edits on one ext filesystem. */
import type { StagedWrite } from './overlay-source.js';

/** One change to a file, with a path inside the filesystem (links already resolved). */
export type FsEdit =
  /** Replace the content, keeping the inode (mode, owner, attributes). */
  | { kind: 'write'; path: string; content: Buffer }
  | { kind: 'truncate'; path: string }
  | { kind: 'remove'; path: string }
  /** Replace the file by a symbolic link. */
  | { kind: 'link'; path: string; target: string };

export interface StageJob {
  imagePath: string;
  partitionStart: number;
  partitionSize: number;
  edits: FsEdit[];
}

export interface StageResult {
  /** Every byte libext2fs wrote, in image offsets: the edits, and the metadata it updated on closing. */
  writes: StagedWrite[];
  /** Free ranges (filesystem-relative byte pairs) before and after the edits. */
  freeBefore: Float64Array;
  freeAfter: Float64Array;
}

export type StageResponse =
  | { ok: true; result: StageResult }
  | { ok: false; error: { code: string; message: string; fatal: boolean } };
