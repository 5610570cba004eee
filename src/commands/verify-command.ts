import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyCliOverrides } from '../config/cli-overrides.js';
import type { ResolvedConfig } from '../config/config.js';
import { loadConfig } from '../config/load-config.js';
import { SpotlintError } from '../errors.js';
import { decompressToFile } from '../package/decompress-to-file.js';
import { verifyPackage, type PackageVerdict } from '../package/verify-package.js';
import { formatBytes } from '../report/format-bytes.js';
import type { FailOn } from '../report/lint-report.js';
import { renderLintTable } from '../report/lint-table.js';
import { printable } from '../report/printable.js';
import { lintExitCode, lintImages } from './lint-images.js';

export interface VerifyArguments {
  package: string;
  lint: boolean;
  failOn?: FailOn;
  config?: string;
  maxDiskSize?: number;
  quiet: boolean;
}

/** Writes the verdict to stdout; returns the exit code (0 valid, 1 problems or lint findings at/above failOn). Throws SpotlintError for an unreadable file (exit 2). */
export async function verifyCommand(args: VerifyArguments): Promise<0 | 1> {
  const maxDiskSize = maxDiskSizeOf(args.maxDiskSize);
  // Read before the package, whose check may take minutes: a config mistake is found at once.
  const config = args.lint ? applyCliOverrides(await loadConfig({ cwd: process.cwd(), configPath: args.config }), {}) : undefined;
  const verdict = await verifyPackage(args.package, { maxDiskSize });
  process.stdout.write(renderVerdict(args.package, verdict));
  if (!verdict.valid) return 1;
  if (!config) return 0;
  return lintPackageDisks(args, verdict, config);
}

function maxDiskSizeOf(value: number | undefined): bigint | undefined {
  if (value === undefined) return undefined;
  if (!Number.isSafeInteger(value) || value <= 0) throw new SpotlintError(`--max-disk-size must be a whole number of bytes above 0, not ${value}`);
  return BigInt(value);
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

/** The verdict as a person reads it; every name from the archive through printable(). */
export function renderVerdict(packagePath: string, verdict: PackageVerdict): string {
  const label = printable(packagePath);
  if (!verdict.valid) {
    const lines = verdict.problems.map((problem) => `  ${printable(problem.member === undefined ? problem.message : `${problem.member}: ${problem.message}`)}`);
    return `${label}: not a valid XVM2 package: ${plural(verdict.problems.length, 'problem')}\n${lines.join('\n')}\n`;
  }
  const name = printable(verdict.description?.name ?? '');
  const lines = verdict.disks.map((disk) => `  ${printable(disk.member)} (${disk.targetDev}): ${disk.size} bytes (${formatBytes(Number(disk.size))}), md5 ${disk.md5}, ok`);
  return `${label}: valid XVM2 package "${name}", ${plural(verdict.disks.length, 'disk')}\n${lines.join('\n')}\n`;
}

/**
 * --lint: each disk is unpacked to a temporary file (sparse) for the lint to
 * open, since the lint reads images at random offsets and gzip cannot be
 * read that way. The files go whatever happens, Ctrl-C included.
 */
async function lintPackageDisks(args: VerifyArguments, verdict: PackageVerdict, config: ResolvedConfig): Promise<0 | 1> {
  const failOn = args.failOn ?? config.failOn ?? 'error';
  const dir = await mkdtemp(join(tmpdir(), 'spotlint-verify-'));
  const onSignal = (signal: NodeJS.Signals) => {
    rmSync(dir, { recursive: true, force: true });
    process.exit(signal === 'SIGINT' ? 130 : signal === 'SIGHUP' ? 129 : 143);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal);
  try {
    // Named by position: a name from the archive has no business in a path.
    const copies = verdict.disks.map((disk, index) => ({ disk, path: join(dir, `hd${index}`), label: `${printable(args.package)}:${printable(disk.imageName)}` }));
    for (const { disk, path } of copies) await decompressToFile(args.package, disk.member, path, disk);
    const report = await lintImages(copies.map((copy) => copy.path), config, failOn);
    report.images.forEach((image, index) => {
      const { path, label } = copies[index]!;
      image.path = label;
      if (image.error) image.error = image.error.split(path).join(label);
    });
    const color = !process.env.NO_COLOR && process.stdout.isTTY === true;
    process.stdout.write(`\n${renderLintTable(report, { color, quiet: args.quiet, columns: process.stdout.columns })}`);
    for (const image of report.images) if (!image.inspection) process.stderr.write(`spotlint: ${printable(image.error ?? `${image.path}: cannot be read`)}\n`);
    return lintExitCode(report) === 0 ? 0 : 1;
  } finally {
    await rm(dir, { recursive: true, force: true });
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('SIGHUP', onSignal);
  }
}
