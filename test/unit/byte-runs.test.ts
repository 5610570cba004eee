import { describe, expect, it } from 'vitest';
import { ByteRuns, runsOf } from '../../src/inspect/freespace/byte-runs.js';

function pairsOf(runs: ByteRuns): number[] {
  return Array.from(runs.toPairs());
}

describe('ByteRuns', () => {
  it('starts empty', () => {
    const runs = new ByteRuns();
    expect(runs.count).toBe(0);
    expect(pairsOf(runs)).toEqual([]);
  });

  it('merges a run that starts where the previous one ends', () => {
    const runs = new ByteRuns();
    runs.add(4096, 4096);
    runs.add(8192, 1024);
    runs.add(9216, 3072);
    expect(runs.count).toBe(1);
    expect(pairsOf(runs)).toEqual([4096, 8192]);
  });

  it('keeps runs separate when there is a gap, however small', () => {
    const runs = new ByteRuns();
    runs.add(0, 4096);
    runs.add(4097, 10);
    runs.add(8192, 4096);
    expect(runs.count).toBe(3);
    expect(pairsOf(runs)).toEqual([0, 4096, 4097, 10, 8192, 4096]);
  });

  it('ignores zero-length and negative-length runs, also between adjacent ones', () => {
    const runs = new ByteRuns();
    runs.add(100, 0);
    runs.add(0, 512);
    runs.add(512, 0);
    runs.add(700, -5);
    runs.add(512, 512);
    expect(pairsOf(runs)).toEqual([0, 1024]);
  });

  it('keeps offsets beyond 4 GiB exact', () => {
    const runs = new ByteRuns();
    const far = 3 * 2 ** 40 + 4096;
    runs.add(far, 4096);
    runs.add(far + 4096, 4096);
    runs.add(2 ** 52, 1);
    expect(pairsOf(runs)).toEqual([far, 8192, 2 ** 52, 1]);
  });

  it('keeps every pair when it grows far past its first capacity', () => {
    const runs = new ByteRuns();
    const expected: number[] = [];
    for (let i = 0; i < 5000; i++) {
      const start = i * 3 * 4096;
      // Every run is added in two adjacent halves, which must merge.
      runs.add(start, 4096);
      runs.add(start + 4096, 4096);
      expected.push(start, 8192);
    }
    expect(runs.count).toBe(5000);
    const pairs = runs.toPairs();
    expect(pairs.length).toBe(10000);
    expect(Array.from(pairs)).toEqual(expected);
  });

  it('merges across a growth of its storage', () => {
    const runs = new ByteRuns();
    for (let i = 0; i < 128; i++) runs.add(i * 10, 5); // fills the first capacity exactly
    runs.add(127 * 10 + 5, 5); // adjacent to the last run: must merge, not grow
    runs.add(2000, 1); // now it grows
    expect(runs.count).toBe(129);
    const pairs = Array.from(runs.toPairs());
    expect(pairs.slice(-4)).toEqual([1270, 10, 2000, 1]);
  });

  it('returns a trimmed copy that later adds do not change', () => {
    const runs = new ByteRuns();
    runs.add(0, 10);
    const before = runs.toPairs();
    expect(before).toBeInstanceOf(Float64Array);
    expect(before.length).toBe(2);
    runs.add(10, 10); // merges into the run the copy holds
    runs.add(100, 10);
    expect(Array.from(before)).toEqual([0, 10]);
    before[0] = 999;
    expect(pairsOf(runs)).toEqual([0, 20, 100, 10]);
  });
});

describe('runsOf', () => {
  it('yields each (start, length) pair in order', () => {
    expect([...runsOf(new Float64Array([0, 4096, 8192, 1024, 2 ** 40, 7]))]).toEqual([
      { start: 0, length: 4096 },
      { start: 8192, length: 1024 },
      { start: 2 ** 40, length: 7 },
    ]);
  });

  it('yields nothing for no pairs and ignores a dangling half pair', () => {
    expect([...runsOf(new Float64Array(0))]).toEqual([]);
    expect([...runsOf(new Float64Array([5, 6, 7]))]).toEqual([{ start: 5, length: 6 }]);
  });

  it('round-trips what ByteRuns collected', () => {
    const runs = new ByteRuns();
    runs.add(0, 1);
    runs.add(1, 1);
    runs.add(3, 2);
    expect([...runsOf(runs.toPairs())]).toEqual([
      { start: 0, length: 2 },
      { start: 3, length: 2 },
    ]);
  });
});
