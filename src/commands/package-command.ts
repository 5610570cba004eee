import { availableParallelism } from 'node:os';
import { constants } from 'node:fs';
import { access, lstat, realpath, stat } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { applyCliOverrides } from '../config/cli-overrides.js';
import { loadConfig } from '../config/load-config.js';
import { SpotlintError } from '../errors.js';
import type { MachineFeatures } from '../package/description-xml.js';
import { DEFAULT_MAX_THREADS, MAX_THREADS } from '../package/compress-disk.js';
import { MAX_PACKAGE_DISKS } from '../package/member-names.js';
import { writePackage, type PackageDisk } from '../package/write-package.js';
import { formatBytes } from '../report/format-bytes.js';
import { failsThreshold, type FailOn } from '../report/lint-report.js';
import { renderLintTable } from '../report/lint-table.js';
import { printable } from '../report/printable.js';
import { fixImages } from './fix-command.js';
import { lintImages } from './lint-images.js';
import { askPackageQuestions, defaultPackageFile, packageNameProblem, type PackageSettings } from './package-questions.js';
import { progressBar } from './progress-bar.js';

export interface PackageArguments {
  images: string[];
  name?: string;
  output?: string;
  /** undefined: not given (asked on a terminal, else yes). */
  features: Partial<Record<keyof MachineFeatures, boolean | undefined>>;
  yes: boolean;
  level: number;
  jobs?: number;
  failOn?: FailOn;
  force: boolean;
  fix: boolean;
  overwrite: boolean;
  config?: string;
  disable: string[];
  scan: boolean;
  quiet: boolean;
  /** undefined: a bar on a terminal, plain lines otherwise, none with --quiet. */
  progress?: boolean;
}

function checkNumbers(args: PackageArguments): void {
  if (!Number.isInteger(args.level) || args.level < 1 || args.level > 9) throw new SpotlintError(`--level ${args.level}: give a gzip level from 1 (fastest) to 9 (smallest)`);
  if (args.jobs !== undefined && (!Number.isInteger(args.jobs) || args.jobs < 1 || args.jobs > MAX_THREADS)) throw new SpotlintError(`--jobs ${args.jobs}: give a number of threads from 1 to ${MAX_THREADS}`);
}

function checkDiskCount(images: string[]): void {
  if (images.length > MAX_PACKAGE_DISKS) {
    throw new SpotlintError(`${images.length} disks given: an XVM2 package attaches its disks as IDE hda to hdd, so it holds at most ${MAX_PACKAGE_DISKS}`);
  }
}

/** Settings from the command line, questions on a terminal for what it left open, defaults otherwise. */
async function settle(args: PackageArguments): Promise<PackageSettings> {
  const first = args.images[0] ?? 'd0.img';
  const defaultName = basename(first, extname(first)) || 'appliance';
  if (args.name !== undefined) {
    const problem = packageNameProblem(args.name);
    if (problem) throw new SpotlintError(`--name: ${problem}`);
  }
  const features = { pae: args.features.pae, acpi: args.features.acpi, apic: args.features.apic };
  if (!args.yes && process.stdin.isTTY === true) {
    return askPackageQuestions({ name: args.name, images: args.images, features }, defaultName, { input: process.stdin, output: process.stderr });
  }
  if (args.images.length === 0) throw new SpotlintError('give the disk image to package (usually d0.img), or run on a terminal to be asked');
  const name = args.name ?? defaultName;
  const problem = packageNameProblem(name);
  if (problem) throw new SpotlintError(`${problem} (from the image's file name): give --name`);
  return { name, images: args.images, features: { pae: features.pae ?? true, acpi: features.acpi ?? true, apic: features.apic ?? true } };
}

/**
 * Refuses, before any work, an output the package cannot safely go to: one
 * naming a folder (or ending in a separator), an existing file unless
 * --overwrite, anything but a regular file even then (a FIFO, a device, a
 * link: renaming over it would replace it), one of the images, or a folder
 * that does not exist or cannot be written.
 */
async function checkOutput(output: string, images: string[], overwrite: boolean): Promise<void> {
  if (/[/\\]$/.test(output)) throw new SpotlintError(`--output ${output} names a folder: name the package file, e.g. -o ${output}appliance.xvm2`);
  const existing = await lstat(output).catch(() => undefined);
  if (existing) {
    if (existing.isDirectory()) throw new SpotlintError(`${output} is a folder: name the package file, e.g. -o ${join(output, 'appliance.xvm2')}`);
    if (existing.isFile()) {
      const real = await realpath(output);
      for (const image of images) {
        if ((await realpath(image).catch(() => image)) === real) throw new SpotlintError(`the package file ${output} is the image ${image}: name another --output`);
      }
    }
    if (!overwrite) throw new SpotlintError(`${output} exists: give --overwrite to replace it, or name another --output`);
    if (!existing.isFile()) throw new SpotlintError(`${output} is not a regular file (a link, device or pipe): spotlint replaces only regular files; name another --output`);
  }
  const folder = dirname(resolve(output));
  const folderStat = await stat(folder).catch(() => undefined);
  if (!folderStat?.isDirectory()) throw new SpotlintError(`the folder of ${output} (${folder}) does not exist: create it first, or name another --output`);
  await access(folder, constants.W_OK).catch(() => {
    throw new SpotlintError(`cannot write in ${folder}: name another --output`);
  });
}

/**
 * Only regular files are packaged: a block device's size reads as 0 here,
 * and a pipe cannot be read twice (once to check, once to package).
 */
async function checkImageFiles(images: string[]): Promise<void> {
  for (const image of images) {
    const file = await stat(image).catch(() => undefined);
    // A missing file is left for the check, which names it in its own words.
    if (file && !file.isFile()) {
      throw new SpotlintError(`${image} is not a regular file${file.isBlockDevice() ? ' (a block device: copy it to an image file first, e.g. dd if=' + image + ' of=d0.img bs=4M)' : ''}; spotlint packages image files`);
    }
  }
}

/**
 * `spotlint package IMAGE...`: (optionally fix,) lint, and when nothing at or
 * above --fail-on is found (or with --force) write the XVM2 package. Returns
 * the exit code: 0 packaged, 1 refused by the check, 2 unusable input.
 */
export async function packageCommand(args: PackageArguments): Promise<0 | 1 | 2> {
  checkNumbers(args);
  checkDiskCount(args.images);
  const loaded = await loadConfig({ cwd: process.cwd(), configPath: args.config });
  const config = applyCliOverrides(loaded, { rules: [], disable: args.disable });
  const failOn = args.failOn ?? config.failOn ?? 'error';

  const settings = await settle(args);
  checkDiskCount(settings.images);
  const output = args.output ?? defaultPackageFile(settings.name);
  await checkImageFiles(settings.images);
  await checkOutput(output, settings.images, args.overwrite);

  let images = settings.images;
  if (args.fix) images = await fixImages(images, config, { unsafe: false, dryRun: false }, (text) => process.stderr.write(text));

  // Taken before the check: packaging compares them again, so an image that
  // changes after it was checked is never packaged as if it had been checked.
  // (A file that cannot be read is left for the check to name in its own words.)
  const checked = await Promise.all(images.map(async (path) => ({ path, stat: await stat(path).catch(() => undefined) })));
  const terminal = process.stderr.isTTY === true;
  const report = await lintImages(images, config, failOn, {
    scan: args.scan,
    scanProgress: (args.progress ?? (terminal && !args.quiet)) ? (path) => progressBar(`Scanning free space of ${printable(basename(path))}`) : undefined,
  });
  // An image that cannot be read at all is unusable input, whatever --force says.
  const unreadable = report.images.find((image) => !image.inspection);
  if (unreadable) throw new SpotlintError(`${unreadable.error ?? `${unreadable.path}: cannot be read`}; nothing was packaged`);
  const color = !process.env.NO_COLOR && process.stdout.isTTY === true;
  process.stdout.write(renderLintTable(report, { color, quiet: args.quiet, columns: process.stdout.columns }));
  const failing = report.images.flatMap((image) => image.findings).filter((finding) => failsThreshold(finding, failOn)).length;
  if (failing > 0) {
    const counted = `${failing} finding${failing === 1 ? '' : 's'} at or above ${failOn}`;
    if (!args.force) {
      process.stderr.write(`spotlint: not packaged: ${counted} (listed above); fix them${args.fix ? '' : ' (--fix repairs what is safe)'}, or package anyway with --force\n`);
      return 1;
    }
    process.stderr.write(`spotlint: packaging despite ${counted} (--force)\n`);
  }

  const disks: PackageDisk[] = report.images.map((image, index) => {
    const before = checked[index]!.stat;
    if (!before) throw new SpotlintError(`${image.path} appeared while it was being checked; nothing was packaged`);
    return { path: image.path, format: image.inspection!.image.format === 'qcow2' ? 'qcow2' : 'raw', size: before.size, mtimeMs: before.mtimeMs };
  });
  // Packaging takes minutes: a CI log gets a plain line every few seconds
  // too, where the short scan shows progress only on a terminal.
  const showProgress = args.progress ?? !args.quiet;
  const bar = showProgress ? progressBar(`Packaging ${printable(basename(output))}`) : undefined;
  const started = Date.now();
  let written;
  try {
    written = await writePackage({
      output: resolve(output),
      name: settings.name,
      features: settings.features,
      disks,
      level: args.level,
      threads: args.jobs ?? Math.min(availableParallelism(), DEFAULT_MAX_THREADS),
      overwrite: args.overwrite,
      onProgress: bar?.onProgress,
    });
  } finally {
    bar?.stop();
  }
  const seconds = (Date.now() - started) / 1000;
  const total = disks.reduce((sum, disk) => sum + disk.size, 0);
  const percent = total > 0 ? ((written.packageBytes / total) * 100).toFixed(1) : '100.0';
  process.stdout.write(printable(`Packaged "${settings.name}" into ${output}: ${disks.length} disk${disks.length === 1 ? '' : 's'}, ${formatBytes(total)} -> ${formatBytes(written.packageBytes)} (${percent}%) in ${seconds.toFixed(1)} s`) + '\n');
  return 0;
}
