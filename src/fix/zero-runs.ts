import type { StagedWrite } from './overlay-source.js';

/** A stretch of the image to write zeros over, and whether its old bytes must be kept for undo. */
export interface ZeroRun {
  offset: number;
  length: number;
  /**
   * False for blocks that were free before the fix too: they held deleted
   * data the filesystem does not use either way, so undo need not bring it
   * back (and a journal of gigabytes of garbage would defeat the purpose).
   */
  journal: boolean;
}

/**
 * Splits the runs to zero (image offsets) by the free ranges the filesystem
 * had before the fix (filesystem-relative, ascending): parts inside them need
 * no undo entry; parts outside (blocks the fix itself freed, such as a
 * removed shell history) do.
 */
export function splitByFreeBefore(runs: Float64Array, freeBefore: Float64Array, filesystemStart: number): ZeroRun[] {
  const out: ZeroRun[] = [];
  let range = 0;
  for (let i = 0; i + 1 < runs.length; i += 2) {
    let position = runs[i]!;
    const end = position + runs[i + 1]!;
    while (position < end) {
      while (range + 1 < freeBefore.length && filesystemStart + freeBefore[range]! + freeBefore[range + 1]! <= position) range += 2;
      const freeStart = range + 1 < freeBefore.length ? filesystemStart + freeBefore[range]! : Number.POSITIVE_INFINITY;
      const freeEnd = range + 1 < freeBefore.length ? freeStart + freeBefore[range + 1]! : Number.POSITIVE_INFINITY;
      const inside = position >= freeStart;
      const stop = inside ? Math.min(end, freeEnd) : Math.min(end, freeStart);
      const last = out[out.length - 1];
      if (last && last.journal === !inside && last.offset + last.length === position) last.length += stop - position;
      else out.push({ offset: position, length: stop - position, journal: !inside });
      position = stop;
    }
  }
  return out;
}

/** The bytes a fix writes: staged writes, then zero runs, each with whether undo needs its old content. */
export interface ImageWrite {
  offset: number;
  length: number;
  /** undefined: zeros. */
  bytes?: Buffer;
  journal: boolean;
}

export function imageWrites(staged: readonly StagedWrite[], zeros: readonly ZeroRun[]): ImageWrite[] {
  return [
    ...staged.map(({ offset, bytes }) => ({ offset, length: bytes.length, bytes, journal: true })),
    ...zeros.map(({ offset, length, journal }) => ({ offset, length, journal })),
  ];
}
