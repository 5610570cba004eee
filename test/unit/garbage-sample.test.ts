import { describe, expect, it } from 'vitest';
import { GarbageSample } from '../../src/inspect/freespace/garbage-sample.js';

const MAX_PIECES = 64;

/** A seeded xorshift32 stream: incompressible bytes that are the same on every run. */
function seededBytes(length: number, seed: number): Buffer {
  const bytes = Buffer.alloc(length);
  let state = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    bytes[i] = state & 0xff;
  }
  return bytes;
}

/** Compressible text, different per piece so no two pieces are equal. */
function textPiece(length: number, index: number): Buffer {
  const piece = Buffer.alloc(length, 'a');
  piece.write(String(index).padStart(8, '0'), 0, 'latin1');
  return piece;
}

describe('GarbageSample', () => {
  it('estimates no saving for no garbage', async () => {
    const sample = new GarbageSample();
    expect(sample.bytes).toBe(0);
    expect(await sample.estimateSaving(0)).toBe(0);
    expect(await sample.estimateSaving(1 << 20)).toBe(0);
    sample.offer(Buffer.alloc(0));
    expect(sample.bytes).toBe(0);
  });

  it('estimates no saving when nothing is left to zero, whatever it sampled', async () => {
    const sample = new GarbageSample();
    sample.offer(seededBytes(64 * 1024, 1));
    expect(await sample.estimateSaving(0)).toBe(0);
  });

  it('cuts what is offered into 64 KiB pieces, across offers, so scattered blocks make whole pieces', async () => {
    const long = new GarbageSample();
    long.offer(seededBytes(3 * GarbageSample.pieceBytes, 2));
    expect(long.bytes).toBe(3 * GarbageSample.pieceBytes);

    const scattered = new GarbageSample();
    for (let i = 0; i < 64; i++) scattered.offer(seededBytes(1024, 10 + i));
    expect(scattered.bytes).toBe(GarbageSample.pieceBytes);
    // gzip's fixed overhead on tiny pieces must not push the estimate past the bytes zeroed.
    expect(await scattered.estimateSaving(120 * 1024 * 1024)).toBeLessThanOrEqual(120 * 1024 * 1024);
  });

  it('estimates close to all of the bytes for random garbage', async () => {
    const sample = new GarbageSample();
    for (let i = 0; i < 40; i++) sample.offer(seededBytes(64 * 1024, 100 + i));
    const nonZeroBytes = 1 << 30;
    const estimate = await sample.estimateSaving(nonZeroBytes);
    expect(estimate).toBeGreaterThan(0.95 * nonZeroBytes);
    expect(estimate).toBeLessThanOrEqual(nonZeroBytes * 1.01);
  });

  it('estimates close to nothing for highly compressible garbage', async () => {
    const sample = new GarbageSample();
    for (let i = 0; i < 40; i++) sample.offer(Buffer.alloc(64 * 1024, 'a'));
    const nonZeroBytes = 1 << 30;
    const estimate = await sample.estimateSaving(nonZeroBytes);
    expect(estimate).toBeGreaterThanOrEqual(0);
    expect(estimate).toBeLessThan(0.05 * nonZeroBytes);
  });

  it('scales the estimate linearly with the bytes to zero', async () => {
    const sample = new GarbageSample();
    for (let i = 0; i < 8; i++) sample.offer(i % 2 === 0 ? seededBytes(32 * 1024, i + 7) : textPiece(32 * 1024, i));
    const one = await sample.estimateSaving(100 * 1024 * 1024);
    expect(one).toBeGreaterThan(0);
    for (const factor of [2, 10, 1000]) {
      const scaled = await sample.estimateSaving(factor * 100 * 1024 * 1024);
      // Each estimate is rounded to a byte on its own.
      expect(Math.abs(scaled - factor * one)).toBeLessThanOrEqual(factor);
    }
  });

  it('is deterministic: the same offers give the same sample and the same estimate', async () => {
    const offerAll = (sample: GarbageSample) => {
      for (let i = 0; i < 3000; i++) sample.offer(i % 3 === 0 ? seededBytes(2048, i + 1) : textPiece(2048, i));
    };
    const first = new GarbageSample();
    const second = new GarbageSample();
    offerAll(first);
    offerAll(second);
    expect(second.bytes).toBe(first.bytes);
    const nonZeroBytes = 123_456_789;
    expect(await second.estimateSaving(nonZeroBytes)).toBe(await first.estimateSaving(nonZeroBytes));
    expect(await first.estimateSaving(nonZeroBytes)).toBe(await first.estimateSaving(nonZeroBytes));
  });

  it('copies the pieces it keeps', async () => {
    const kept = new GarbageSample();
    const reference = new GarbageSample();
    const offered: Buffer[] = [];
    for (let i = 0; i < 20; i++) {
      const piece = seededBytes(16 * 1024, 500 + i);
      offered.push(piece);
      kept.offer(piece);
      reference.offer(Buffer.from(piece));
    }
    // The scan reuses its read buffers: what was offered is overwritten next.
    for (const piece of offered) piece.fill('a');
    const nonZeroBytes = 64 * 1024 * 1024;
    const estimate = await kept.estimateSaving(nonZeroBytes);
    expect(estimate).toBe(await reference.estimateSaving(nonZeroBytes));
    expect(estimate).toBeGreaterThan(0.95 * nonZeroBytes);
  });

  describe('offered 10000 distinct pieces', () => {
    const PIECES = 10_000;
    const PIECE = 1024;

    /** A sample of PIECES pieces that are random in one quarter of the stream and compressible text elsewhere. */
    function sampleWithRandomQuarter(quarter: number): GarbageSample {
      const sample = new GarbageSample();
      for (let i = 0; i < PIECES; i++) {
        const random = Math.floor((4 * i) / PIECES) === quarter;
        sample.offer(random ? seededBytes(PIECE, i + 1) : textPiece(PIECE, i));
      }
      return sample;
    }

    it('keeps no more than 64 pieces (4 MiB), and at least half that', () => {
      // 10,000 offers of 1 KiB make 156 pieces of 64 KiB, and a partial one.
      const sample = sampleWithRandomQuarter(0);
      const pieces = sample.bytes / GarbageSample.pieceBytes;
      expect(pieces).toBeLessThanOrEqual(MAX_PIECES + 1);
      expect(pieces).toBeGreaterThanOrEqual(MAX_PIECES / 2);
    });

    it('keeps a share of every quarter of the stream in proportion, from the first to the last', async () => {
      // Only one quarter is incompressible, so the estimate per byte is the
      // share of the sample drawn from that quarter: about a quarter if the
      // sample is spread evenly, near 0 or 1 if it is bunched at one end.
      const nonZeroBytes = 1 << 30;
      for (let quarter = 0; quarter < 4; quarter++) {
        const share = (await sampleWithRandomQuarter(quarter).estimateSaving(nonZeroBytes)) / nonZeroBytes;
        expect(share, `quarter ${quarter}`).toBeGreaterThan(0.18);
        expect(share, `quarter ${quarter}`).toBeLessThan(0.32);
      }
    });
  });
});
