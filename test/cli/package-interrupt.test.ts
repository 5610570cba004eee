// A package is written under a hidden `.partial` name and renamed only when
// complete, so whatever stops a run, nothing half-written ever sits at the
// package's name. Ctrl-C (SIGINT) also removes the partial file and exits
// 130; SIGKILL cannot be caught, so its partial file may stay.
//
// The run must last long enough to be caught writing: a bare ext4 holding
// 300 MiB of random bytes (incompressible, so deflate at level 9 on one
// thread takes seconds), packaged with --force (a bare filesystem is no
// guest) and --no-scan.
import { spawn } from 'node:child_process';
import { randomFillSync } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, rmSync, statSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeExtImageFromDirectory, tempDir } from '../helpers/build-image.js';
import { memberNames, partialFilesIn } from '../helpers/package-inspect.js';
import { CLI, runCli } from '../helpers/run-cli.js';

const MiB = 1024 * 1024;
const RANDOM_MIB = 300;

let image: string;
const madeFolders: string[] = [];

/** A fresh, empty folder for a package (removed after the file), and the package's path in it. */
function outputIn(name: string): { dir: string; file: string } {
  const dir = tempDir('package-interrupt-out');
  madeFolders.push(dir);
  return { dir, file: join(dir, name) };
}

/** Files of random bytes, 30 MiB each, written in pieces. */
function writeRandomFiles(dir: string, totalMiB: number): void {
  const piece = Buffer.allocUnsafe(8 * MiB);
  for (let n = 0; n * 30 < totalMiB; n++) {
    const fd = openSync(join(dir, `random-${n}.bin`), 'w');
    try {
      for (let written = 0; written < Math.min(30, totalMiB - n * 30) * MiB; written += piece.length) writeSync(fd, randomFillSync(piece));
    } finally {
      closeSync(fd);
    }
  }
}

beforeAll(() => {
  const tree = tempDir('package-interrupt-tree');
  madeFolders.push(tree);
  mkdirSync(join(tree, 'srv'));
  writeRandomFiles(join(tree, 'srv'), RANDOM_MIB);
  image = makeExtImageFromDirectory(tree, { sizeMiB: RANDOM_MIB + 100 });
  madeFolders.push(dirname(image));
  rmSync(tree, { recursive: true, force: true });
});

afterAll(() => {
  for (const folder of madeFolders) rmSync(folder, { recursive: true, force: true });
});

interface InterruptedRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
  /** The partial file seen before the signal was sent, and its size then. */
  partial?: string;
  partialBytes: number;
  /** The child's pid: the partial file's name holds it. */
  pid: number;
}

/** Bytes of the partial file that show the disk is being compressed into it (past the headers and description). */
const WRITING_BYTES = 4 * MiB;
/** How long to wait for the partial file to reach WRITING_BYTES before signalling anyway (a writer may fill it another way). */
const WRITING_WAIT_MS = 3_000;

function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/**
 * Spawns the package command, watches `dir` until a `.partial` file shows
 * up and has grown to WRITING_BYTES (or WRITING_WAIT_MS have passed), then
 * sends `signal` and waits for the process to end (killing it after
 * `exitWithinMs` if it does not).
 */
function packageAndSignal(file: string, signal: NodeJS.Signals, exitWithinMs = 20_000): Promise<InterruptedRun> {
  const dir = dirname(file);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'package', image, '--yes', '--name', 'big', '--level', '9', '--jobs', '1', '--force', '--no-scan', '-o', file], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const stderr: Buffer[] = [];
    child.stderr!.on('data', (chunk: Buffer) => stderr.push(chunk));
    let partial: string | undefined;
    let partialSeenAt = 0;
    let partialBytes = 0;
    let deadline: NodeJS.Timeout | undefined;
    const watcher = setInterval(() => {
      if (!partial) {
        partial = partialFilesIn(dir)[0];
        partialSeenAt = performance.now();
        if (!partial) return;
      }
      partialBytes = sizeOf(join(dir, partial));
      if (partialBytes < WRITING_BYTES && performance.now() - partialSeenAt < WRITING_WAIT_MS) return;
      clearInterval(watcher);
      child.kill(signal);
      deadline = setTimeout(() => child.kill('SIGKILL'), exitWithinMs);
    }, 5);
    // Never wait for ever: a run that writes no partial file in a minute is a failure of its own.
    const giveUp = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code, closeSignal) => {
      clearInterval(watcher);
      clearTimeout(giveUp);
      if (deadline) clearTimeout(deadline);
      resolve({ code, signal: closeSignal, stderr: Buffer.concat(stderr).toString('utf8'), partial, partialBytes, pid: child.pid! });
    });
  });
}

describe('an interrupted package run leaves nothing at the package\'s name', { timeout: 90_000 }, () => {
  it('SIGINT while writing: exit 130, no package, and the partial file removed', async () => {
    const { dir, file } = outputIn('big.xvm2');
    const run = await packageAndSignal(file, 'SIGINT');
    expect(run.partial, `no .partial file appeared; exit ${run.code} ${run.signal}: ${run.stderr}`).toBeDefined();
    expect(run.partial).toBe(`.${basename(file)}.${run.pid}.partial`);
    // Interrupted, not finished: 130 as shells report Ctrl-C, or death by the signal itself.
    expect(run.code === 130 || run.signal === 'SIGINT', `exit ${run.code} ${run.signal} (signalled at ${run.partialBytes} bytes of partial file): ${run.stderr}`).toBe(true);
    expect(existsSync(file)).toBe(false);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('SIGKILL while writing: no package (a partial file may stay)', async () => {
    const { dir, file } = outputIn('big.xvm2');
    const run = await packageAndSignal(file, 'SIGKILL');
    expect(run.partial, `no .partial file appeared; exit ${run.code} ${run.signal}: ${run.stderr}`).toBeDefined();
    expect(run.signal).toBe('SIGKILL');
    expect(existsSync(file)).toBe(false);
    // Whatever stays is hidden and named as partial.
    for (const name of readdirSync(dir)) expect(name).toMatch(/^\..*\.partial$/);
  });

  it('a run that completes leaves the package and no partial file, and shows plain progress lines off a terminal', async () => {
    const { dir, file } = outputIn('big.xvm2');
    // One thread: long enough (seconds) for the progress to show.
    const result = await runCli(['package', image, '--yes', '--name', 'big', '--force', '--no-scan', '--jobs', '1', '--progress', '-o', file]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/^Packaging big\.xvm2 \[[^\]]*\] \d+% \| [\d.]+ [KMG]i?B of [\d.]+ [KMG]i?B \| [\d.]+ [KMG]i?B\/s \| (\d+ s left|estimating time left)$/m);
    expect(readdirSync(dir)).toEqual(['big.xvm2']);
    expect(memberNames(file)).toEqual(['description.xml', 'manifest.txt', 'hd0.img.gz']);
  });
});
