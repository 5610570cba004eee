import { describe, expect, it } from 'vitest';
import type { ImageInspection } from '../../src/inspect/inspect-image.js';
import type { LintReport } from '../../src/report/lint-report.js';
import { renderLintTable } from '../../src/report/lint-table.js';

const report: LintReport = {
  tool: { name: 'spotlint', version: '0.0.0' },
  reportVersion: 1,
  failOn: 'error',
  expiredWaivers: [],
  counts: { error: 1, warning: 1, info: 0, suppressed: 1 },
  images: [{
    path: 'd0.img',
    inspection: { image: { format: 'raw', virtualSize: 1024 ** 3 } } as unknown as ImageInspection,
    os: 'Debian GNU/Linux 12 (bookworm)',
    rulesRun: ['a-rule', 'b-rule'],
    counts: { error: 1, warning: 1, info: 0, suppressed: 1 },
    findings: [
      { ruleId: 'a-rule', severity: 'error', location: { partition: 2, path: '/etc/udev/rules.d/70-persistent-net.rules', line: 8 }, message: 'A long message that says what was found, where, why it matters on SpotCloud and what to do about it, in two sentences.' },
      { ruleId: 'b-rule', severity: 'warning', location: {}, message: 'Image-wide.' },
      { ruleId: 'b-rule', severity: 'warning', location: { path: '/etc/x' }, message: 'Accepted.', suppressed: { reason: 'known' } },
    ],
  }],
};

describe('renderLintTable', () => {
  it('fits the table to a wide terminal', () => {
    const text = renderLintTable(report, { color: false, quiet: false, columns: 160 });
    const tableLines = text.split('\n').filter((line) => line.startsWith('│') || line.startsWith('┌'));
    expect(tableLines.length).toBeGreaterThan(3);
    for (const line of tableLines) expect(line.length).toBeLessThanOrEqual(160);
    expect(text).toContain('d0.img (raw, 1.0 GiB, Debian GNU/Linux 12 (bookworm))');
    expect(text).toContain('  waived: b-rule at /etc/x: known');
    expect(text.trimEnd().split('\n').at(-1)).toBe('1 error, 1 warning, 0 info, 1 waived in d0.img');
  });

  it('lists findings one per block on a terminal too narrow for a table', () => {
    const text = renderLintTable(report, { color: false, quiet: false, columns: 90 });
    expect(text).not.toContain('┌');
    expect(text).toContain('  error  a-rule  partition 2:/etc/udev/rules.d/70-persistent-net.rules:8\n    A long message');
  });

  it('uses an 80-column message in a file, and shows errors only with quiet', () => {
    const text = renderLintTable(report, { color: false, quiet: true });
    expect(text).toContain('┌');
    expect(text).not.toContain('b-rule');
    expect(text).not.toContain('waived:');
  });
});
