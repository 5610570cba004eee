import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { link, mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findOtherWriters } from '../../src/fix/open-writers.js';

let dir: string;
let imagePath: string;
const children: ChildProcess[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'spotlint-writers-'));
  imagePath = join(dir, 'd0.img');
  await writeFile(imagePath, Buffer.alloc(4096));
});
afterEach(async () => {
  for (const child of children.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill();
      await once(child, 'exit');
    }
  }
  await rm(dir, { recursive: true, force: true });
});

/** A node process holding `path` open with `flags` until killed; resolves once the file is open. */
async function holdOpen(path: string, flags: string): Promise<ChildProcess> {
  const script = `require('fs').openSync(process.argv[1], process.argv[2]); process.stdout.write('open\\n'); setInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ['-e', script, path, flags], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  const [chunk] = (await once(child.stdout!, 'data')) as [Buffer];
  expect(chunk.toString()).toBe('open\n');
  return child;
}

describe.runIf(process.platform === 'linux')('findOtherWriters', () => {
  it('finds a process that has the image open for reading and writing', async () => {
    const child = await holdOpen(imagePath, 'r+');
    const writers = await findOtherWriters(imagePath);
    expect(writers).toEqual([{ pid: child.pid, command: expect.stringMatching(/node/) }]);
  });

  it('finds a writer that opened the image through another hard link, and one opened write-only', async () => {
    const otherName = join(dir, 'other-name.img');
    await link(imagePath, otherName);
    const throughLink = await holdOpen(otherName, 'r+');
    const writeOnly = await holdOpen(imagePath, 'a');
    const pids = (await findOtherWriters(imagePath))!.map((writer) => writer.pid).sort((a, b) => a - b);
    expect(pids).toEqual([throughLink.pid!, writeOnly.pid!].sort((a, b) => a - b));
  });

  it('ignores readers, other files, and the caller\'s own write handle', async () => {
    await holdOpen(imagePath, 'r');
    const otherFile = join(dir, 'other.img');
    await writeFile(otherFile, Buffer.alloc(4096));
    await holdOpen(otherFile, 'r+');
    const own = await open(imagePath, 'r+');
    try {
      expect(await findOtherWriters(imagePath)).toEqual([]);
    } finally {
      await own.close();
    }
  });
});

describe.runIf(process.platform !== 'linux')('findOtherWriters off Linux', () => {
  it('cannot tell', async () => {
    expect(await findOtherWriters(imagePath)).toBeUndefined();
  });
});
