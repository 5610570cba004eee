import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { access, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SpotlintError } from '../../src/errors.js';
import { acquireImageLock, imageLockPath } from '../../src/fix/image-lock.js';

let dir: string;
let imagePath: string;
let lockPath: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'spotlint-lock-'));
  imagePath = join(dir, 'd0.img');
  lockPath = imageLockPath(imagePath);
  await writeFile(imagePath, Buffer.alloc(4096));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const exists = (path: string) => access(path).then(() => true, () => false);
const lockContent = async () => JSON.parse(await readFile(lockPath, 'utf8')) as { pid: number; host: string; started: string };

/** The pid of a process that has finished: no process has it (until the system reuses it). */
async function finishedPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  await once(child, 'exit');
  return child.pid!;
}

async function refusal(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(() => undefined, (caught: unknown) => caught);
  expect(error).toBeInstanceOf(SpotlintError);
  return (error as Error).message;
}

describe('acquireImageLock', () => {
  it('writes a lock naming this process and removes it on release', async () => {
    const lock = await acquireImageLock(imagePath);
    expect(lock.path).toBe(`${imagePath}.spotlint-lock`);
    const content = await lockContent();
    expect(content).toMatchObject({ pid: process.pid, host: hostname() });
    expect(Number.isNaN(Date.parse(content.started))).toBe(false);
    await lock.release();
    expect(await exists(lockPath)).toBe(false);
    await lock.release(); // a second release is harmless
    const again = await acquireImageLock(imagePath);
    await again.release();
  });

  it('refuses a second lock while the first is held, naming pid, time and lock file', async () => {
    const lock = await acquireImageLock(imagePath);
    const { started } = await lockContent();
    const message = await refusal(acquireImageLock(imagePath));
    expect(message).toBe(`${imagePath} is being changed by another spotlint (pid ${process.pid} since ${started}); if that is wrong, remove ${lockPath}`);
    await lock.release();
  });

  it('takes over a stale lock left on this host by a process that has ended', async () => {
    const pid = await finishedPid();
    await writeFile(lockPath, JSON.stringify({ pid, host: hostname(), started: '2020-01-01T00:00:00.000Z', token: 'old' }));
    const lock = await acquireImageLock(imagePath);
    expect((await lockContent()).pid).toBe(process.pid);
    expect((await readdir(dir)).sort()).toEqual(['d0.img', 'd0.img.spotlint-lock']); // no temporary left behind
    await lock.release();
    expect(await exists(lockPath)).toBe(false);
  });

  it('refuses a lock of a live process, and one from another host even with a dead pid', async () => {
    const live = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)'], { stdio: 'ignore' });
    try {
      await writeFile(lockPath, JSON.stringify({ pid: live.pid, host: hostname(), started: '2020-01-01T00:00:00.000Z' }));
      expect(await refusal(acquireImageLock(imagePath))).toMatch(new RegExp(`pid ${live.pid} since 2020-01-01T00:00:00.000Z`));
    } finally {
      live.kill();
    }
    const pid = await finishedPid();
    await writeFile(lockPath, JSON.stringify({ pid, host: 'elsewhere.example', started: '2020-01-01T00:00:00.000Z' }));
    expect(await refusal(acquireImageLock(imagePath))).toMatch(new RegExp(`pid ${pid} on elsewhere.example since`));
    expect((await lockContent()).host).toBe('elsewhere.example');
  });

  it('refuses a lock that does not say who holds it', async () => {
    await writeFile(lockPath, 'garbage');
    expect(await refusal(acquireImageLock(imagePath))).toMatch(/does not say who holds it.*remove .*spotlint-lock/);
    await writeFile(lockPath, JSON.stringify({ pid: 0, host: hostname(), started: 'x' }));
    expect(await refusal(acquireImageLock(imagePath))).toMatch(/does not say who holds it/);
  });

  it('release leaves alone a lock that is no longer ours', async () => {
    const lock = await acquireImageLock(imagePath);
    const foreign = JSON.stringify({ pid: process.pid + 1, host: hostname(), started: '2020-01-01T00:00:00.000Z', token: 'theirs' });
    await writeFile(lockPath, foreign);
    await lock.release();
    expect(await readFile(lockPath, 'utf8')).toBe(foreign);
  });
});
