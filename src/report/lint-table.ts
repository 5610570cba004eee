import Table from 'cli-table3';
import { createColors } from 'picocolors';
import type { Severity } from '../rules/rule.js';
import { describeLocation } from './finding-location.js';
import { formatBytes } from './format-bytes.js';
import { describeExpiredWaiver, type FindingCounts, type ImageReport, type LintReport } from './lint-report.js';
import { printable } from './printable.js';

export interface TableOptions {
  color: boolean;
  /** Only errors, as ESLint's --quiet. */
  quiet: boolean;
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
    const table = new Table({
      head: ['Severity', 'Rule', 'Location', 'Message'],
      style: { head: [], border: [] },
      chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
      colWidths: [null, null, null, 80] as unknown as number[],
      wordWrap: true,
    });
    for (const f of shown) table.push([severityLabel(f.severity, c), f.ruleId, describeLocation(f.location), printable(f.message)]);
    lines.push(table.toString());
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
