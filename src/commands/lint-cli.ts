import { basename } from 'node:path';
import { applyCliOverrides } from '../config/cli-overrides.js';
import { loadConfig } from '../config/load-config.js';
import { renderJson } from '../report/json-report.js';
import type { FailOn, LintReport } from '../report/lint-report.js';
import { renderLintTable } from '../report/lint-table.js';
import { lintExitCode, lintImages } from './lint-images.js';
import { printable } from '../report/printable.js';
import { writeOutputFile } from './write-output.js';
import { progressBar } from './progress-bar.js';
import { fixImages, type FixArguments } from './fix-command.js';

export const LINT_FORMATS = ['table', 'json', 'sarif', 'junit'] as const;
export type LintFormat = (typeof LINT_FORMATS)[number];

export interface LintArguments {
  images: string[];
  format: LintFormat;
  output?: string;
  failOn?: FailOn;
  rules: string[];
  disable: string[];
  config?: string;
  quiet: boolean;
  /** undefined: decide from the terminal and NO_COLOR. */
  color?: boolean;
  /** false: --no-scan, a metadata-only lint without the free-space scan. */
  scan: boolean;
  /** undefined: a progress bar when stderr is a terminal and not --quiet. */
  progress?: boolean;
  /** --fix and its companions: fix first, then lint the result. */
  fix?: FixArguments;
}

// The XML and SARIF writers are loaded only when asked for: xmlbuilder2 alone
// adds about 0.1 s to every start-up.
async function render(report: LintReport, args: LintArguments, color: boolean): Promise<string> {
  switch (args.format) {
    case 'json': return renderJson(report);
    case 'sarif': return (await import('../report/sarif-report.js')).renderSarif(report);
    case 'junit': return (await import('../report/junit-report.js')).renderJunit(report);
    case 'table': return renderLintTable(report, { color, quiet: args.quiet, columns: args.output ? undefined : process.stdout.columns });
  }
}

/** `spotlint IMAGE...`: load the config, lint, write the report; returns the exit code. */
export async function lintCommand(args: LintArguments): Promise<number> {
  const loaded = await loadConfig({ cwd: process.cwd(), configPath: args.config });
  const config = applyCliOverrides(loaded, { rules: args.rules, disable: args.disable });
  const failOn = args.failOn ?? config.failOn ?? 'error';
  const showProgress = args.progress ?? (process.stderr.isTTY === true && !args.quiet);
  let images = args.images;
  if (args.fix) {
    // What changed goes to stderr, so a JSON or SARIF report on stdout stays
    // whole; a dry run's plan is the output asked for, above a table.
    const planOnStdout = args.fix.dryRun && args.format === 'table' && !args.output;
    images = await fixImages(args.images, config, args.fix, (text) => (planOnStdout ? process.stdout : process.stderr).write(text));
  }
  const report = await lintImages(images, config, failOn, {
    scan: args.scan,
    scanProgress: showProgress ? (path) => progressBar(`Scanning free space of ${printable(basename(path))}`) : undefined,
  });
  // Colour only for a person at a terminal: never in a file, never with NO_COLOR.
  const color = !process.env.NO_COLOR && (args.color ?? (!args.output && process.stdout.isTTY === true));
  const text = await render(report, args, color);
  if (args.output) await writeOutputFile(args.output, text, args.images);
  else process.stdout.write(text);
  // The report says it too, but a CI log should show why the run failed without opening it.
  for (const image of report.images) if (!image.inspection) process.stderr.write(`spotlint: ${printable(image.error ?? `${image.path}: cannot be read`)}\n`);
  return lintExitCode(report);
}
