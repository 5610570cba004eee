// The packager's questions, answered through streams as a person would type.
import { PassThrough } from 'node:stream';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { askPackageQuestions, defaultPackageFile, packageNameProblem } from '../../src/commands/package-questions.js';
import { tempDir } from '../helpers/build-image.js';

function answering(lines: string[], end = true) {
  const input = new PassThrough();
  const output = new PassThrough();
  const asked: string[] = [];
  output.on('data', (chunk: Buffer) => asked.push(chunk.toString()));
  // Each answer is typed once the previous question has been shown.
  let next = 0;
  output.on('data', (chunk: Buffer) => {
    // Questions end with a space; other lines (why an answer was refused) wait for the next question.
    if (!chunk.toString().endsWith(' ')) return;
    if (next < lines.length) setImmediate(() => input.write(`${lines[next++]}\n`));
    else if (end) setImmediate(() => input.end());
  });
  return { io: { input, output }, asked };
}

describe('askPackageQuestions', () => {
  it('asks the reference questions in order and takes the defaults on empty answers', async () => {
    const dir = tempDir('questions');
    const image = join(dir, 'd0.img');
    writeFileSync(image, Buffer.alloc(512));
    const { io, asked } = answering(['', image, '', '', '', '']);
    const settings = await askPackageQuestions({ images: [], features: {} }, 'd0', io);
    expect(settings).toEqual({ name: 'd0', images: [image], features: { pae: true, acpi: true, apic: true } });
    const text = asked.join('');
    const order = ['Package name [d0]', 'Image path [d0.img]', 'Add another disk (1 so far', 'Use PAE? [Y/n]', 'Use ACPI? [Y/n]', 'Use APIC? [Y/n]'];
    const positions = order.map((question) => text.indexOf(question));
    expect(positions.every((position) => position >= 0)).toBe(true);
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
  });

  it('adds a second disk, re-asks after an unusable answer, and asks only what was not given', async () => {
    const dir = tempDir('questions');
    const first = join(dir, 'd0.img');
    const second = join(dir, 'd1.img');
    writeFileSync(first, Buffer.alloc(1024));
    writeFileSync(second, Buffer.alloc(1024));
    const { io, asked } = answering(['web server', first, 'maybe', 'y', join(dir, 'missing.img'), second, 'n', 'no']);
    const settings = await askPackageQuestions({ images: [], features: { acpi: true, apic: false } }, 'd0', io);
    expect(settings).toEqual({ name: 'web server', images: [first, second], features: { pae: false, acpi: true, apic: false } });
    const text = asked.join('');
    expect(text).toContain('answer y or n');
    expect(text).toContain('missing.img is not a file');
    expect(text).toContain('Add another disk (2 so far');
    expect(text).not.toContain('Use ACPI?');
    expect(text).not.toContain('Use APIC?');
  });

  it('asks for the image path only when none was given, and about more disks only then', async () => {
    const dir = tempDir('questions');
    const image = join(dir, 'export.img');
    writeFileSync(image, Buffer.alloc(512));
    const { io, asked } = answering(['', join(dir, 'nothing-here.img'), image, '', 'y', 'y', 'y']);
    const settings = await askPackageQuestions({ images: [], features: {} }, 'd0', io);
    expect(settings.images).toEqual([image]);
    expect(asked.join('')).toContain('nothing-here.img is not a file');

    const given = answering(['', 'y', 'y', 'y']);
    const fromCommandLine = await askPackageQuestions({ images: [image], features: {} }, 'export', given.io);
    expect(fromCommandLine.images).toEqual([image]);
    expect(given.asked.join('')).not.toMatch(/Image path|Add another disk/);
  });

  it('stops with a clear error when the input ends', async () => {
    const { io } = answering([]);
    await expect(askPackageQuestions({ images: ['d0.img'], features: {} }, 'd0', io)).rejects.toThrow(/input ended.*--yes/);
  });
});

describe('package names', () => {
  it('refuses empty, overlong and control-character names', () => {
    expect(packageNameProblem('LAMP (Debian 12)')).toBeUndefined();
    expect(packageNameProblem(' ')).toMatch(/empty/);
    expect(packageNameProblem('x'.repeat(101))).toMatch(/at most 100/);
    expect(packageNameProblem('a\u001b[2Jb')).toMatch(/control/);
    expect(packageNameProblem('x\ufffey')).toMatch(/XML does not allow/);
    expect(packageNameProblem('x\ud800y')).toMatch(/XML does not allow/);
    expect(packageNameProblem('emoji \u{1f680}')).toBeUndefined();
  });

  it('makes a file name from a package name', () => {
    expect(defaultPackageFile('LAMP on Debian 12')).toBe('LAMP-on-Debian-12.xvm2');
    expect(defaultPackageFile('../../etc/x')).toBe('etc-x.xvm2');
    expect(defaultPackageFile('***')).toBe('package.xvm2');
  });
});
