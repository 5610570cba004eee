import { describe, expect, it } from 'vitest';
import { printable } from '../../src/report/printable.js';

describe('printable', () => {
  it('escapes control characters and C1 controls, and keeps other text', () => {
    expect(printable('a\nb\x1b[31mc\x7f\x85')).toBe('a\\x0ab\\x1b[31mc\\x7f\\x85');
    expect(printable('café ✓ 日本')).toBe('café ✓ 日本');
  });

  it('escapes lone surrogates, which a terminal cannot show', () => {
    expect(printable('x\udce9y\ud800')).toBe('x\\udce9y\\ud800');
  });
});
