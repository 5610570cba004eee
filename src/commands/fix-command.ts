import type { ResolvedConfig } from '../config/config.js';
import { fixImage, type FixOptions, type FixOutcome } from '../fix/fix-image.js';
import { acquireImageLock } from '../fix/image-lock.js';
import { undoImage, undoJournalPath } from '../fix/undo-journal.js';
import { realpath } from 'node:fs/promises';
import { SpotlintError } from '../errors.js';
import { findOtherWriters } from '../fix/open-writers.js';
import { formatBytes } from '../report/format-bytes.js';
import { printable } from '../report/printable.js';

export interface FixArguments {
  /** --fix-unsafe: unsafe fixes too. */
  unsafe: boolean;
  dryRun: boolean;
  /** --fix-output / `fix --output`: a fixed copy. */
  output?: string;
  undo?: string;
}

/** What a person reads after a fix: what changed (or would), where the undo journal is, what is left to do by hand. */
export function describeOutcome(outcome: FixOutcome): string {
  const lines: string[] = [];
  const verb = outcome.dryRun ? 'would change' : 'changed';
  if (outcome.changes.length === 0) {
    lines.push(`${outcome.image}: nothing to fix automatically${outcome.dryRun ? ' (dry run)' : ''}`);
  } else {
    const where = outcome.fixedImage === outcome.image ? outcome.image : `${outcome.fixedImage} (a fixed copy of ${outcome.image}, which is unchanged)`;
    const amount = outcome.dryRun ? `writing ${formatBytes(outcome.bytesWritten)} (dry run: nothing was written)` : `${formatBytes(outcome.bytesWritten)} written`;
    // Indented lines show the text of a change; they are not changes of their own.
    const count = outcome.changes.filter((change) => !change.startsWith(' ')).length;
    lines.push(`${where}: ${verb} ${count} thing${count === 1 ? '' : 's'}, ${amount}:`);
    for (const change of outcome.changes) lines.push(`  ${change}`);
    if (outcome.journal) lines.push(`  undo with: spotlint undo ${outcome.image}${outcome.journal === undoJournalPath(outcome.image) ? '' : ` --undo ${outcome.journal}`}`);
  }
  for (const finding of outcome.manual) {
    lines.push(`  needs a person: ${finding.ruleId}${finding.location.path ? ` ${finding.location.path}` : ''}: ${finding.fix ?? 'see the report'}`);
  }
  if (outcome.unsafeLeft.length > 0) {
    lines.push(`  left alone (unsafe; --fix-unsafe to apply): ${[...new Set(outcome.unsafeLeft.map((f) => f.ruleId))].join(', ')}`);
  }
  return `${lines.map((line) => printable(line)).join('\n')}\n`;
}

/** Fixes each image in turn; returns the images to lint afterwards (the fixed copies with --output). */
export async function fixImages(images: string[], config: ResolvedConfig, args: FixArguments, write: (text: string) => void): Promise<string[]> {
  if (images.length > 1 && (args.output || args.undo)) {
    throw new SpotlintError('--fix-output and --undo name one file: give them with one image at a time');
  }
  const options: FixOptions = { mode: args.unsafe ? 'unsafe' : 'safe', dryRun: args.dryRun, output: args.output, undoPath: args.undo };
  const fixed: string[] = [];
  for (const image of images) {
    const outcome = await fixImage(image, config, options);
    write(describeOutcome(outcome));
    // With nothing to change, no copy is made: the image itself is what is left.
    fixed.push(args.dryRun || outcome.changes.length === 0 ? image : outcome.fixedImage);
  }
  return fixed;
}

/** `spotlint undo IMAGE`: puts back what a fix changed, from the undo journal. */
export async function undoCommand(image: string, journalPath?: string): Promise<string> {
  const journal = journalPath ?? undoJournalPath(await realpath(image).catch(() => image));
  const lock = await acquireImageLock(await realpath(image));
  try {
    const writers = await findOtherWriters(image);
    if (writers && writers.length > 0) {
      throw new SpotlintError(`${image} is open for writing by ${writers.map((w) => `${w.command || 'a process'} (pid ${w.pid})`).join(', ')}: shut it down before undoing; nothing was restored`);
    }
    const { state, restoredEntries, restoredBytes } = await undoImage(image, journal);
    if (state === 'writing') return `${image}: the fix was stopped before it wrote anything; the image is as it was, and ${journal} is removed\n`;
    return `${image}: restored ${formatBytes(restoredBytes)} in ${restoredEntries} place${restoredEntries === 1 ? '' : 's'} from ${journal}, which is removed\n`;
  } finally {
    await lock.release();
  }
}
