// A fix killed with SIGKILL at any moment must leave either the original
// image, byte for byte, or one `spotlint undo` restores: every file as it
// was (debugfs rdump listing with sha256), a filesystem e2fsck finds sound,
// and no byte changed outside the blocks that were free in the original
// (those the fix zeroes without journalling, by design).
//
// The image is large enough for the fix to write for a while: 256 MiB of
// ext4 with 150 MiB of a deleted file's bytes in its free blocks, a udev
// rules file and a machine-id to fix. Kills come at fixed times after the
// start (most of them land in Node's start-up or the inspection) and at the
// moments the fix passes through the states that matter, watched from here:
// the lock taken, the journal created, the journal being written, the
// journal sealed (the image about to be written), half-way through zeroing
// the free space, and the fix applied (the fixed image being linted).
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/build-image.js';
import { MiB, randomGarbage } from '../helpers/dirty-free-space.js';
import {
  blockDifferences, debianGeneratedNetRules, e2fsck, fileSha256, freeBlocks, journalState, jsonReport, listFiles, lockFileOf, onlyRulesConfig,
  sha256Of, sparseCopy, undoJournalOf, type FileListing, type FreeBlocks, type JournalState, type ListedFile,
} from '../helpers/fix-fixtures.js';
import { debianSystemdGuest, makeGuestImage, NIC_MAC } from '../helpers/guest-styles/index.js';
import { CLI, runCli } from '../helpers/run-cli.js';

const NET_RULES = '/etc/udev/rules.d/70-persistent-net.rules';
const DELETED_FILE = '/var/tmp/build-cache.bin';
const GARBAGE_MIB = 150;

interface Observed {
  /** ms after the start. */
  elapsed: number;
  lock: boolean;
  journal: JournalState;
  /** The block that held the middle of the deleted file reads as zeros. */
  middleZeroed: boolean;
}

interface Timeline {
  /** When each was first seen, in ms after the start. */
  lock?: number;
  journal?: number;
  sealed?: number;
  applied?: number;
  exited: number;
}

interface FixRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timeline: Timeline;
  /** What was seen when the kill was sent; undefined when the run was not killed. */
  killedAt?: Observed;
}

let original: string;
let originalSha: string;
let free: FreeBlocks;
let before: FileListing;
let config: string;
/** Where the middle block of the deleted file is in the image. */
let middleOfDeletedFile: number;

function isZeroAt(image: string, offset: number): boolean {
  const bytes = Buffer.alloc(free.blockSize);
  const fd = openSync(image, 'r');
  try {
    readSync(fd, bytes, 0, bytes.length, offset);
  } finally {
    closeSync(fd);
  }
  return bytes.every((byte) => byte === 0);
}

/**
 * Runs `spotlint IMAGE --fix`, looking at the lock and the journal every
 * millisecond, and sends SIGKILL the first time `killWhen` says so.
 */
function fixAndKill(image: string, killWhen: (seen: Observed, timeline: Timeline) => boolean = () => false): Promise<FixRun> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [CLI, image, '--config', config, '--format', 'json', '--fix'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    const timeline: Timeline = { exited: 0 };
    let killedAt: Observed | undefined;
    const look = () => {
      if (killedAt) return;
      const seen: Observed = {
        elapsed: performance.now() - started, lock: existsSync(lockFileOf(image)), journal: journalState(image), middleZeroed: isZeroAt(image, middleOfDeletedFile),
      };
      if (seen.lock) timeline.lock ??= seen.elapsed;
      if (seen.journal !== 'absent') timeline.journal ??= seen.elapsed;
      if (seen.journal === 'sealed' || seen.journal === 'applied') timeline.sealed ??= seen.elapsed;
      if (seen.journal === 'applied') timeline.applied ??= seen.elapsed;
      if (killWhen(seen, timeline)) {
        killedAt = seen;
        child.kill('SIGKILL');
      }
    };
    const watcher = setInterval(look, 1);
    look();
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearInterval(watcher);
      timeline.exited = performance.now() - started;
      resolve({ code, signal, stdout: Buffer.concat(stdout).toString('utf8'), stderr: Buffer.concat(stderr).toString('utf8'), timeline, killedAt });
    });
  });
}

/** Every file as in the original, a sound filesystem, and no byte changed outside the original's free blocks. */
function expectOriginalFilesAndBlocks(image: string): void {
  const differences = blockDifferences(original, image, free);
  expect(differences.elsewhere, `bytes outside the original's free blocks differ (${differences.elsewhereCount} blocks)`).toEqual([]);
  if (differences.inFreeBlocks === 0) return;
  expect(e2fsck(image).code).toBe(0);
  expect(listFiles(image).files).toEqual(before.files);
}

/** After a kill: the original bytes, or a journal that undo restores from. Returns the journal state found. */
async function expectRecoverable(image: string): Promise<JournalState> {
  const state = journalState(image);
  if (state === 'absent') {
    expect(fileSha256(image), 'no undo journal, so the image must be the original').toBe(originalSha);
    return state;
  }
  const undo = await runCli(['undo', image]);
  expect(undo.code, `spotlint undo after a kill with a ${state} journal: ${undo.stderr}`).toBe(0);
  expect(existsSync(undoJournalOf(image))).toBe(false);
  expect(existsSync(lockFileOf(image))).toBe(false);
  // Until the journal is sealed, the image must not have been touched at all.
  if (state === 'writing' || state === 'no header') expect(fileSha256(image)).toBe(originalSha);
  expectOriginalFilesAndBlocks(image);
  return state;
}

beforeAll(() => {
  const tree = debianSystemdGuest();
  tree[NET_RULES.slice(1)] = debianGeneratedNetRules(NIC_MAC);
  original = makeGuestImage(tree, { sizeMiB: 256 });
  // A build cache deleted before export: written with debugfs, then removed, its blocks are free and keep their bytes.
  const block = randomGarbage(MiB, 0xc4a5);
  const garbageDir = tempDir('crash-garbage');
  const hostFile = join(garbageDir, 'build-cache.bin');
  writeFileSync(hostFile, Buffer.concat(Array.from({ length: GARBAGE_MIB }, (_, index) => Buffer.concat([Buffer.from(`${index}:`), block.subarray(`${index}:`.length)]))));
  try {
    execFileSync('debugfs', ['-w', '-R', `write ${hostFile} ${DELETED_FILE}`, original], { stdio: 'pipe' });
  } finally {
    rmSync(garbageDir, { recursive: true, force: true });
  }
  free = freeBlocks(original);
  const middleBlock = execFileSync('debugfs', ['-R', `bmap ${DELETED_FILE} ${(GARBAGE_MIB * MiB) / free.blockSize / 2}`, original], { encoding: 'utf8', stdio: 'pipe' });
  middleOfDeletedFile = Number(middleBlock.trim()) * free.blockSize;
  expect(middleOfDeletedFile).toBeGreaterThan(0);
  execFileSync('debugfs', ['-w', '-R', `rm ${DELETED_FILE}`, original], { stdio: 'pipe' });
  free = freeBlocks(original);
  expect(free.isFree(middleOfDeletedFile / free.blockSize)).toBe(true);
  expect(isZeroAt(original, middleOfDeletedFile)).toBe(false);
  originalSha = fileSha256(original);
  before = listFiles(original);
  expect(before.files[DELETED_FILE]).toBeUndefined();
  config = onlyRulesConfig({ 'persistent-net-rules': 'error', 'machine-id': 'warning', 'free-space-zeroed': 'warning' });
}, 120_000);

afterAll(() => {
  if (original) rmSync(dirname(original), { recursive: true, force: true });
});

/** A fresh sparse copy of the original for one run, removed afterwards (each is 256 MiB). */
async function withCopy(work: (image: string) => Promise<void>): Promise<void> {
  const image = sparseCopy(original);
  try {
    await work(image);
  } finally {
    rmSync(dirname(image), { recursive: true, force: true });
  }
}

describe('spotlint --fix killed with SIGKILL', () => {
  it('runs to the end when not killed: the reference, and its undo', async () => {
    await withCopy(async (image) => {
      const run = await fixAndKill(image);
      expect(run.code, run.stderr).toBe(0);
      // The fix went through every state the kills below aim at.
      expect(run.timeline.lock).toBeDefined();
      expect(run.timeline.sealed).toBeDefined();
      expect(run.timeline.applied).toBeDefined();
      expect(e2fsck(image).code).toBe(0);
      const files = structuredClone(before.files);
      delete files[NET_RULES];
      files['/etc/machine-id'] = { ...(files['/etc/machine-id'] as Extract<ListedFile, { type: 'file' }>), size: 0, sha256: sha256Of('') };
      expect(listFiles(image).files).toEqual(files);
      const report = jsonReport(run.stdout);
      expect(report.findings).toEqual([]);
      expect(report.volumes[0]!.freeSpace).toMatchObject({ status: 'scanned', nonZeroBytes: 0 });
      expect(blockDifferences(original, image, free).inFreeBlocks).toBeGreaterThanOrEqual((GARBAGE_MIB * MiB) / free.blockSize);

      expect(await expectRecoverable(image)).toBe('applied');
    });
  });

  it.each([50, 150, 300, 600, 1000])('%i ms after the start', async (ms) => {
    await withCopy(async (image) => {
      const run = await fixAndKill(image, (seen) => seen.elapsed >= ms);
      expect(run.signal, `the fix ended before the kill: ${run.stderr}`).toBe('SIGKILL');
      await expectRecoverable(image);
    });
  });

  const moments: Array<[string, (seen: Observed, timeline: Timeline) => boolean, JournalState[]]> = [
    ['once it holds the lock', (seen) => seen.lock, ['absent', 'no header', 'writing', 'sealed', 'applied']],
    ['once the undo journal exists', (seen) => seen.journal !== 'absent', ['no header', 'writing', 'sealed', 'applied']],
    ['once the journal is sealed and the image is being written', (seen) => seen.journal === 'sealed' || seen.journal === 'applied', ['sealed', 'applied']],
    ['once the journal is being written', (seen) => seen.journal === 'writing' || seen.journal === 'sealed' || seen.journal === 'applied', ['writing', 'sealed', 'applied']],
    // Zeros are written in ascending order: the deleted file's middle block turning to zeros means about half of them are on the image.
    ['half-way through zeroing the free space', (seen) => seen.middleZeroed, ['sealed', 'applied']],
    ['once the fix is applied, while the fixed image is linted', (seen) => seen.journal === 'applied', ['applied']],
  ];
  it.each(moments)('%s', async (_name, killWhen, expectedStates) => {
    await withCopy(async (image) => {
      const run = await fixAndKill(image, killWhen);
      expect(run.signal, `the fix ended before the kill: ${run.stderr}`).toBe('SIGKILL');
      expect(expectedStates).toContain(await expectRecoverable(image));
    });
  });
});
