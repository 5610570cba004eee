import { link, open, realpath, rm, stat, unlink } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import type { ResolvedConfig } from '../config/config.js';
import { applyWaivers } from '../config/waivers.js';
import { SpotlintError } from '../errors.js';
import { scanFreeSpace } from '../inspect/freespace/scan-free-space.js';
import { inspectImage, type InspectedImage } from '../inspect/inspect-image.js';
import { openImage } from '../inspect/image/open-image.js';
import { volumeName } from '../inspect/volumes.js';
import { formatBytes } from '../report/format-bytes.js';
import { runRules } from '../rules/engine.js';
import type { Finding } from '../rules/rule.js';
import { fsyncDirectory } from './fsync-directory.js';
import { acquireImageLock } from './image-lock.js';
import { findOtherWriters } from './open-writers.js';
import { OverlaySource } from './overlay-source.js';
import { planFixes, type FilesystemFixes, type FixMode } from './plan-fixes.js';
import { copySparse } from './sparse-copy.js';
import { stageEdits } from './stage-edits.js';
import { undoJournalPath, UndoJournalWriter } from './undo-journal.js';
import { journalOldBytes, writeToImage } from './write-image.js';
import { imageWrites, splitByFreeBefore, type ImageWrite, type ZeroRun } from './zero-runs.js';

export interface FixOptions {
  mode: FixMode;
  /** Say what would change; write nothing. */
  dryRun: boolean;
  /** Write the fixed image here and leave the original alone. */
  output?: string;
  /** The undo journal's path (default IMAGE.spotlint-undo). */
  undoPath?: string;
  today?: string;
}

/** What a fix did (or, dry, would do) to one image. */
export interface FixOutcome {
  image: string;
  /** Where the fixed image is: the image itself, or --output. */
  fixedImage: string;
  dryRun: boolean;
  /** One line per change made. */
  changes: string[];
  /** Bytes written to the image (zeros included), and zeros among them. */
  bytesWritten: number;
  zeroedBytes: number;
  /** The undo journal, when the image was changed in place. */
  journal?: string;
  /** Findings left for a person: no exact repair, or an unsafe one without --fix-unsafe. */
  manual: Finding[];
  unsafeLeft: Finding[];
}

/** A filesystem must be consistent on disk before libext2fs edits it. */
function refuseUnsound(fixes: FilesystemFixes): void {
  const ext = fixes.volume.filesystem.ext;
  const where = `the ${ext?.version ?? 'ext'} filesystem on ${volumeName(fixes.volume)}`;
  if (!ext) throw new SpotlintError(`${where} is not an ext filesystem spotlint can fix`);
  if (ext.needsRecovery) throw new SpotlintError(`${where} has a journal that needs recovery: editing it now could lose what the journal holds; boot the VM once and shut it down cleanly (or run e2fsck -f on it), then fix; nothing was written`);
  if (!ext.cleanlyUnmounted || ext.errorsRecorded) throw new SpotlintError(`${where} was not cleanly unmounted or has errors recorded: run e2fsck -f on it first; nothing was written`);
  if (fixes.volume.readError) throw new SpotlintError(`${where} cannot be read (${fixes.volume.readError.message}); nothing was written`);
}

interface PreparedFix {
  writes: ImageWrite[];
  changes: string[];
  zeroedBytes: number;
}

/** Stages every filesystem's edits, checks them, and works out the zeros to write: all in memory. */
async function prepare(path: string, fixes: readonly FilesystemFixes[]): Promise<PreparedFix> {
  const writes: ImageWrite[] = [];
  const changes: string[] = [];
  let zeroedBytes = 0;
  const { source } = await openImage(path);
  try {
    for (const fs of fixes) {
      refuseUnsound(fs);
      const { volume } = fs;
      const staged = await stageEdits({
        imagePath: path, partitionStart: volume.start, partitionSize: volume.partition?.size ?? volume.size, edits: fs.edits,
      }, `${path} ${volumeName(volume)}`);
      changes.push(...fs.descriptions.filter((d) => !d.includes('write zeros over')));
      let zeros: ZeroRun[] = [];
      if (fs.zeroFreeSpace) {
        // Measured on the filesystem as it will be: the blocks the edits freed
        // (a removed history) are zeroed too, those they used are not.
        const after = await scanFreeSpace(new OverlaySource(source, staged.writes), {
          start: volume.start, blockSize: volume.filesystem.ext!.blockSize, freeRanges: staged.freeAfter,
        });
        zeros = splitByFreeBefore(after.nonZeroRuns, staged.freeBefore, volume.start);
        const bytes = zeros.reduce((sum, run) => sum + run.length, 0);
        zeroedBytes += bytes;
        const blockSize = volume.filesystem.ext!.blockSize;
        changes.push(`${volumeName(volume)}: write zeros over ${Math.ceil(bytes / blockSize)} free blocks of ${blockSize} bytes that were not zero (${formatBytes(bytes)})`);
      }
      writes.push(...imageWrites(staged.writes, zeros));
    }
  } finally {
    await source.close();
  }
  return { writes, changes, zeroedBytes };
}

async function refuseOtherWriters(path: string): Promise<void> {
  const writers = await findOtherWriters(path);
  if (writers && writers.length > 0) {
    const who = writers.map((w) => `${w.command || 'a process'} (pid ${w.pid})`).join(', ');
    throw new SpotlintError(`${path} is open for writing by ${who}: shut the VM down (or close the program) before fixing its disk; nothing was written`);
  }
}

/**
 * Fixes one image: lint, plan, stage and check in memory, then write. In
 * place, the old content of every byte changed (except free blocks that
 * were free before too) is journalled and flushed before the first write.
 * With `output`, a sparse copy is fixed under a temporary name and renamed
 * into place only when complete.
 */
export async function fixImage(path: string, config: ResolvedConfig, options: FixOptions): Promise<FixOutcome> {
  const inPlace = !options.dryRun && !options.output;
  if (options.output && (await stat(options.output).then(() => true, () => false))) {
    throw new SpotlintError(`--fix-output ${options.output} already exists: spotlint does not overwrite files; name a new one`);
  }
  // Named from the real path, so a second name (a link) for the same image
  // meets the same lock and the same journal.
  const real = await realpath(path);
  // Held from the first read to the last write: the plan must be made on the
  // bytes that are then changed.
  const lock = inPlace ? await acquireImageLock(real) : undefined;
  try {
    if (inPlace) {
      await refuseToStart(path, undoJournalPath(real));
      if (options.undoPath) await refuseToStart(path, options.undoPath);
    }
    return await fixLocked(path, config, options);
  } finally {
    await lock?.release();
  }
}

/** Refuses before any work when the image is in use or an earlier fix was not undone or cleared. */
async function refuseToStart(path: string, journalPath: string): Promise<void> {
  await refuseOtherWriters(path);
  if (await stat(journalPath).then(() => true, () => false)) {
    throw new SpotlintError(`${path} has an undo journal from an earlier fix (${journalPath}): run spotlint undo ${path} to go back, or remove the journal to keep that fix; nothing was written`);
  }
}

async function fixLocked(path: string, config: ResolvedConfig, options: FixOptions): Promise<FixOutcome> {
  let inspected: InspectedImage | undefined = await inspectImage(path, { scanFreeSpace: config.rules.get('free-space-zeroed')?.level !== 'off' });
  let plan;
  try {
    if (inspected.inspection.image.format !== 'raw') {
      throw new SpotlintError(`${path}: is ${inspected.inspection.image.format.toUpperCase()}; --fix changes raw images only for now: convert it (qemu-img convert -O raw ${path} d0.img), fix that, and convert back if you need to`);
    }
    const { findings } = await runRules(inspected, config);
    applyWaivers(findings, config.waivers, options.today ?? new Date().toISOString().slice(0, 10));
    plan = await planFixes(inspected, findings, options.mode);
  } finally {
    await inspected.close();
    inspected = undefined;
  }
  const fixedImage = options.output ?? path;
  const outcome: FixOutcome = {
    image: path, fixedImage, dryRun: options.dryRun, changes: [], bytesWritten: 0, zeroedBytes: 0,
    manual: plan.manual, unsafeLeft: plan.unsafeLeft,
  };
  if (plan.filesystems.length === 0) return outcome;

  const prepared = await prepare(path, plan.filesystems);
  outcome.changes = prepared.changes;
  outcome.zeroedBytes = prepared.zeroedBytes;
  outcome.bytesWritten = prepared.writes.reduce((sum, write) => sum + write.length, 0);
  if (options.dryRun || prepared.writes.length === 0) return outcome;

  if (options.output) {
    await writeCopy(path, options.output, prepared.writes);
    return outcome;
  }
  const journalPath = options.undoPath ?? undoJournalPath(await realpath(path));
  // Opened for writing first: an image we may not write must fail before a journal exists.
  await (await open(path, 'r+')).close();
  const journal = await UndoJournalWriter.create(journalPath, (await stat(path)).size);
  try {
    await journalOldBytes(path, prepared.writes, journal);
    await journal.seal();
  } catch (error) {
    await journal.abandon();
    throw error;
  }
  try {
    await writeToImage(path, prepared.writes);
  } catch (error) {
    throw new SpotlintError(`${path}: writing the fix failed (${(error as Error).message}); the image may be partly written: spotlint undo ${path} restores it from ${journalPath}`);
  }
  await journal.markApplied();
  await journal.close();
  outcome.journal = journalPath;
  return outcome;
}

/** The fixed image under a temporary name beside `output`, renamed into place once whole and flushed. */
async function writeCopy(path: string, output: string, writes: readonly ImageWrite[]): Promise<void> {
  const target = await realpath(dirname(resolve(output))).then((dir) => resolve(dir, basename(output)), () => resolve(output));
  if (target === (await realpath(path))) throw new SpotlintError(`--output must name another file than the image itself (${path})`);
  const partial = `${output}.spotlint-partial`;
  await rm(partial, { force: true });
  try {
    await copySparse(path, partial);
    await writeToImage(partial, writes);
    // link() fails if the output appeared meanwhile: never replace a file.
    await link(partial, output);
    await unlink(partial);
    await fsyncDirectory(dirname(resolve(output)));
  } catch (error) {
    await rm(partial, { force: true });
    throw error;
  }
}
