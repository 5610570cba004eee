import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { progressBar } from '../../src/commands/progress-bar.js';

/** A stderr stand-in that keeps what is written; a terminal or not. */
function captureStream(isTTY: boolean): NodeJS.WriteStream & { text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({ write(chunk, _encoding, done) { chunks.push(String(chunk)); done(); } }) as unknown as NodeJS.WriteStream & { text: () => string };
  Object.assign(stream, { isTTY, columns: 120, cursorTo: () => true, clearLine: () => true, moveCursor: () => true, text: () => chunks.join('') });
  return stream;
}

const GiB = 1024 ** 3;

describe('scan progress', () => {
  beforeEach(() => { vi.useFakeTimers(); });
  afterEach(() => { vi.useRealTimers(); });

  it('shows nothing for a scan that ends within a second', () => {
    const stream = captureStream(true);
    const bar = progressBar('Scanning', stream);
    bar.onProgress(0, GiB);
    vi.advanceTimersByTime(900);
    bar.onProgress(GiB, GiB);
    bar.stop();
    expect(stream.text()).toBe('');
  });

  it('on a terminal, draws a bar with bytes done, total, speed and time left once the scan runs past a second', () => {
    const stream = captureStream(true);
    const bar = progressBar('Scanning free space of d0.img', stream);
    bar.onProgress(0, 2 * GiB);
    vi.advanceTimersByTime(1200);
    bar.onProgress(GiB, 2 * GiB);
    vi.advanceTimersByTime(500);
    bar.onProgress(1.5 * GiB, 2 * GiB);
    vi.advanceTimersByTime(500);
    const shown = stream.text();
    expect(shown).toContain('Scanning free space of d0.img');
    expect(shown).toMatch(/75% \| 1\.5 GiB of 2\.0 GiB \| [\d.]+ (MiB|GiB)\/s \| \d+ s left/);
    bar.stop();
    expect(() => bar.onProgress(2 * GiB, 2 * GiB)).not.toThrow();
  });

  it('asked for where stderr is not a terminal (a CI log), writes plain lines every few seconds', () => {
    const stream = captureStream(false);
    const bar = progressBar('Scanning', stream);
    bar.onProgress(0, 4 * GiB);
    vi.advanceTimersByTime(1100);
    bar.onProgress(GiB, 4 * GiB);
    for (let second = 0; second < 7; second++) {
      vi.advanceTimersByTime(1000);
      bar.onProgress(GiB + (second + 1) * 0.25 * GiB, 4 * GiB);
    }
    bar.stop();
    const lines = stream.text().split('\n').filter((line) => line.includes('Scanning'));
    expect(lines.length).toBeGreaterThanOrEqual(2);
    expect(lines.length).toBeLessThanOrEqual(5);
    // Plain lines for a log: no cursor movement or line clearing escapes.
    expect(stream.text()).not.toMatch(/\x1b\[[0-9]*[GK]/);
  });
});
