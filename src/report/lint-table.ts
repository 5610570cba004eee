import Table from 'cli-table3';
import { createColors } from 'picocolors';
import type { Finding, Severity } from '../rules/rule.js';
import { describeLocation } from './finding-location.js';
import { formatBytes } from './format-bytes.js';
import { describeExpiredWaiver, type FindingCounts, type ImageReport, type LintReport } from './lint-report.js';
import { printable } from './printable.js';

export interface TableOptions {
  color: boolean;
  /** Only errors, as ESLint's --quiet. */
  quiet: boolean;
  /** Terminal width, when the output is a terminal: messages wrap to fit it. */
  columns?: number;
}

const DEFAULT_MESSAGE_WIDTH = 80;
const MIN_MESSAGE_WIDTH = 30;

/**
 * The message column takes what the other columns leave of the terminal (80
 * in a file); undefined when that is too little for a table to help.
 */
function messageWidth(otherWidths: number[], columns: number | undefined): number | undefined {
  if (!columns) return DEFAULT_MESSAGE_WIDTH;
  // Each column has one space of padding either side and one border.
  const others = otherWidths.reduce((sum, width) => sum + width + 3, 0);
  const left = columns - others - 4;
  return left >= MIN_MESSAGE_WIDTH ? Math.min(left, 120) : undefined;
}

/** A narrow terminal: one block per finding, the message on its own line for the terminal to wrap. */
function findingList(findings: Finding[], c: Colors): string {
  return findings
    .map((f) => `  ${severityLabel(f.severity, c)}  ${f.ruleId}  ${describeLocation(f.location)}\n    ${printable(f.message)}`)
    .join('\n');
}

function findingTable(findings: Finding[], width: number, c: Colors): string {
  const table = new Table({
    head: ['Severity', 'Rule', 'Location', 'Message'],
    style: { head: [], border: [] },
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
    colWidths: [null, null, null, width] as unknown as number[],
    wordWrap: true,
  });
  for (const f of findings) table.push([severityLabel(f.severity, c), f.ruleId, describeLocation(f.location), printable(f.message)]);
  return table.toString();
}

type Colors = ReturnType<typeof createColors>;

function severityLabel(severity: Severity, c: Colors): string {
  return severity === 'error' ? c.red('error') : severity === 'warning' ? c.yellow('warning') : c.cyan('info');
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 || word === 'info' ? '' : 's'}`;
}

export function summaryLine(counts: FindingCounts, path: string): string {
  const parts = [plural(counts.error, 'error'), plural(counts.warning, 'warning'), plural(counts.info, 'info')];
  if (counts.suppressed) parts.push(`${counts.suppressed} waived`);
  return `${parts.join(', ')} in ${path}`;
}

function imageHeading(image: ImageReport, c: Colors): string {
  if (!image.inspection) return c.bold(image.path);
  const { format, virtualSize } = image.inspection.image;
  const facts = [format === 'qcow2' ? 'QCOW2' : 'raw', formatBytes(virtualSize), image.os && printable(image.os)].filter(Boolean);
  return `${c.bold(image.path)} (${facts.join(', ')})`;
}

function renderImage(image: ImageReport, options: TableOptions, c: Colors): string {
  const lines = [imageHeading(image, c)];
  if (!image.inspection) {
    lines.push(`  ${c.red('cannot be checked')}: ${printable(image.error ?? 'unreadable')}`);
    return lines.join('\n');
  }
  const shown = image.findings.filter((f) => !f.suppressed && (!options.quiet || f.severity === 'error'));
  if (shown.length > 0) {
    const width = messageWidth([
      'Severity'.length,
      Math.max('Rule'.length, ...shown.map((f) => f.ruleId.length)),
      Math.max('Location'.length, ...shown.map((f) => describeLocation(f.location).length)),
    ], options.columns);
    lines.push(width === undefined ? findingList(shown, c) : findingTable(shown, width, c));
  } else if (image.findings.length === 0) {
    lines.push(`  ${c.green('no problems found')} (${plural(image.rulesRun.length, 'rule')} ran)`);
  }
  const waived = image.findings.filter((f) => f.suppressed);
  if (waived.length > 0 && !options.quiet) {
    for (const f of waived) lines.push(c.dim(`  waived: ${f.ruleId} at ${describeLocation(f.location)}: ${printable(f.suppressed!.reason)}`));
  }
  lines.push(summaryLine(image.counts, image.path));
  return lines.join('\n');
}

/** The human report: each image, its findings worst first, and a summary line. */
export function renderLintTable(report: LintReport, options: TableOptions): string {
  const c = createColors(options.color);
  const blocks = report.images.map((image) => renderImage(image, options, c));
  for (const waiver of report.expiredWaivers) {
    blocks.push(c.yellow(printable(describeExpiredWaiver(waiver))));
  }
  return `${blocks.join('\n\n')}\n`;
}
