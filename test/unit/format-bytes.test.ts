import { describe, expect, it } from 'vitest';
import { formatBytes } from '../../src/report/format-bytes.js';

describe('formatBytes', () => {
  it.each([
    [0, '0 B'],
    [1, '1 B'],
    [1023, '1023 B'],
    [1024, '1.0 KiB'],
    [1536, '1.5 KiB'],
    [10 * 1024, '10.0 KiB'],
    [99.94 * 1024, '99.9 KiB'],
    [100 * 1024, '100 KiB'],
    [1000 * 1024, '1000 KiB'],
    [1024 ** 2, '1.0 MiB'],
    [8 * 1024 ** 2, '8.0 MiB'],
    [512 * 1024 ** 2, '512 MiB'],
    [1024 ** 3, '1.0 GiB'],
    [2.25 * 1024 ** 3, '2.3 GiB'],
    [20 * 1024 ** 3, '20.0 GiB'],
    [1024 ** 4, '1.0 TiB'],
    [1024 ** 5, '1.0 PiB'],
    [2048 * 1024 ** 5, '2048 PiB'],
  ])('formats %d bytes as %s', (bytes, expected) => {
    expect(formatBytes(bytes)).toBe(expected);
  });

  it('moves to the next unit when rounding reaches 1024', () => {
    expect(formatBytes(1024 ** 2 - 1)).toBe('1.0 MiB');
  });
});
