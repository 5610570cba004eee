import { describe, expect, it } from 'vitest';
import { OverlaySource } from '../../src/fix/overlay-source.js';
import { ByteBufferSource } from './byte-buffer-source.js';

async function readAll(source: OverlaySource, position: number, length: number): Promise<string> {
  const buffer = Buffer.alloc(length);
  const n = await source.read(buffer, 0, length, position);
  return buffer.subarray(0, n).toString('latin1');
}

describe('OverlaySource', () => {
  const base = () => new ByteBufferSource(Buffer.from('abcdefghijklmnopqrstuvwxyz', 'latin1'));

  it('shows staged writes over the image, however a read overlaps them', async () => {
    const overlay = new OverlaySource(base(), [
      { offset: 20, bytes: Buffer.from('XY') },
      { offset: 2, bytes: Buffer.from('123') },
      { offset: 10, bytes: Buffer.from('Z') },
    ]);
    expect(await readAll(overlay, 0, 26)).toBe('ab123fghijZlmnopqrstXYwxyz');
    expect(await readAll(overlay, 3, 2)).toBe('23');
    expect(await readAll(overlay, 4, 8)).toBe('3fghijZl');
    expect(await readAll(overlay, 21, 3)).toBe('Ywx');
    expect(await readAll(overlay, 12, 5)).toBe('mnopq');
  });

  it('never writes past what the image returned (a short read at its end)', async () => {
    const overlay = new OverlaySource(base(), [{ offset: 24, bytes: Buffer.from('7890') }]);
    expect(await readAll(overlay, 22, 10)).toBe('wx78');
  });

  it('finds the right writes among thousands', async () => {
    const image = Buffer.alloc(40_000, 0x2e);
    const writes = Array.from({ length: 5000 }, (_, i) => ({ offset: i * 8, bytes: Buffer.from([0x41 + (i % 26)]) }));
    const overlay = new OverlaySource(new ByteBufferSource(image), writes);
    const buffer = Buffer.alloc(16);
    await overlay.read(buffer, 0, 16, 8 * 3000);
    expect(buffer.toString('latin1')).toBe(`${String.fromCharCode(0x41 + (3000 % 26))}.......${String.fromCharCode(0x41 + (3001 % 26))}.......`);
  });
});
