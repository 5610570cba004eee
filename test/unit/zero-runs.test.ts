import { describe, expect, it } from 'vitest';
import { imageWrites, splitByFreeBefore } from '../../src/fix/zero-runs.js';

const KiB = 1024;
const START = 1024 * KiB; // the filesystem's offset in the image

describe('splitByFreeBefore', () => {
  // Free before the fix (filesystem-relative): blocks 10-19 and 40-49 of 4 KiB.
  const FREE_BEFORE = new Float64Array([10 * 4 * KiB, 10 * 4 * KiB, 40 * 4 * KiB, 10 * 4 * KiB]);
  const at = (block: number) => START + block * 4 * KiB;

  it('needs no undo entry for blocks that were free before the fix, and one for blocks the fix freed', () => {
    // One run from block 5 to 24 (crossing the first free range), one inside the second range,
    // one after every range (a removed file's blocks at the end).
    const runs = new Float64Array([at(5), 20 * 4 * KiB, at(42), 2 * 4 * KiB, at(60), 4 * KiB]);
    expect(splitByFreeBefore(runs, FREE_BEFORE, START)).toEqual([
      { offset: at(5), length: 5 * 4 * KiB, journal: true },
      { offset: at(10), length: 10 * 4 * KiB, journal: false },
      { offset: at(20), length: 5 * 4 * KiB, journal: true },
      { offset: at(42), length: 2 * 4 * KiB, journal: false },
      { offset: at(60), length: 4 * KiB, journal: true },
    ]);
  });

  it('covers every byte of the runs exactly once', () => {
    const runs = new Float64Array([at(0), 70 * 4 * KiB]);
    const parts = splitByFreeBefore(runs, FREE_BEFORE, START);
    expect(parts.reduce((sum, part) => sum + part.length, 0)).toBe(70 * 4 * KiB);
    for (let i = 1; i < parts.length; i++) expect(parts[i]!.offset).toBe(parts[i - 1]!.offset + parts[i - 1]!.length);
    expect(parts.filter((p) => !p.journal).reduce((sum, p) => sum + p.length, 0)).toBe(20 * 4 * KiB);
  });

  it('journals everything when nothing was free before', () => {
    expect(splitByFreeBefore(new Float64Array([at(1), 4 * KiB]), new Float64Array(), START)).toEqual([{ offset: at(1), length: 4 * KiB, journal: true }]);
  });
});

describe('imageWrites', () => {
  it('journals every staged write and zero run as split, staged writes first', () => {
    const bytes = Buffer.from('new');
    expect(imageWrites([{ offset: 10, bytes }], [{ offset: 100, length: 50, journal: false }])).toEqual([
      { offset: 10, length: 3, bytes, journal: true },
      { offset: 100, length: 50, journal: false },
    ]);
  });
});
