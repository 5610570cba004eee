// A LintReport for the report renderers' tests: a REAL inspection of the mbr
// fixture (through the built code, as the CLI runs it) wrapped in
// hand-written findings that cover every shape a renderer must handle:
// each severity, a suppressed one, a guest path with a line, an image-level
// one, an internal-error, and a second image that could not be opened.

import { inspectImage, type ImageInspection } from '../../dist/inspect/inspect-image.js';
import type { FindingCounts, ImageReport, LintReport } from '../../src/report/lint-report.js';
import type { Finding } from '../../src/rules/rule.js';
import { fixturePath } from '../helpers/fixtures.js';

/** Inspects test/images/mbr.img and closes it again: the facts are all the reports need. */
export async function inspectMbrFixture(): Promise<{ path: string; inspection: ImageInspection }> {
  const path = fixturePath('mbr.img');
  const inspected = await inspectImage(path);
  await inspected.close();
  return { path, inspection: inspected.inspection };
}

/** The path given for the image that cannot be opened: relative, as a user types it. */
export const MISSING_IMAGE = 'images/missing d0.img';

/** Rules that "ran" on the mbr image; fstab-uuid ran and crashed (the internal-error). */
export const SAMPLE_RULES_RUN = ['image-size', 'filesystem-clean', 'persistent-net-rules', 'ssh-root-login', 'boot-timeout', 'fstab-uuid'];

/** In the engine's order: severity, then rule id, then location. */
export const SAMPLE_FINDINGS: readonly Finding[] = [
  {
    ruleId: 'filesystem-clean', severity: 'error', location: { partition: 2 },
    message: 'The ext4 filesystem on partition 2 (last mounted on /): it was not cleanly unmounted. Shut the VM down cleanly, then export again.',
  },
  {
    ruleId: 'image-size', severity: 'error', location: {},
    message: 'The virtual disk is 38.0 MiB (39845888 bytes), above the 16.0 MiB (16777216 bytes) SpotCloud accepts per VM; shrink it.',
  },
  {
    ruleId: 'internal-error', severity: 'error', location: {},
    message: 'The rule fstab-uuid failed (cannot read properties of undefined), so its checks did not run on this image. This is a bug in spotlint; please report it with this message.',
  },
  {
    ruleId: 'persistent-net-rules', severity: 'warning', location: { partition: 2, path: '/etc/udev/rules.d/70-persistent-net.rules' },
    message: '/etc/udev/rules.d/70-persistent-net.rules pins eth0 to this VM\'s MAC address; on SpotCloud the NIC gets a new one and the network stays down. Delete the file.',
    fix: 'Deletes /etc/udev/rules.d/70-persistent-net.rules.',
    suppressed: { reason: 'the appliance rewrites it at first boot', expires: '2099-12-31' },
  },
  {
    ruleId: 'ssh-root-login', severity: 'warning', location: { partition: 2, path: '/etc/ssh/sshd_config', line: 12 },
    message: 'sshd_config line 12 sets PermitRootLogin yes: anyone who guesses the root password owns the appliance. Set it to prohibit-password.',
    fix: 'Sets PermitRootLogin prohibit-password.',
  },
  {
    ruleId: 'ssh-root-login', severity: 'warning', location: { partition: 2, path: '/etc/ssh/sshd_config.d/50-cloud.conf', line: 3 },
    message: '50-cloud.conf line 3 sets PermitRootLogin yes: anyone who guesses the root password owns the appliance. Set it to prohibit-password.',
  },
  {
    ruleId: 'boot-timeout', severity: 'info', location: { partition: 1, path: '/grub/grub.cfg', line: 5 },
    message: 'GRUB waits 5 seconds at boot (/grub/grub.cfg line 5), time a SpotCloud buyer pays for. Set GRUB_TIMEOUT=0.',
  },
];

export function countFindings(findings: readonly Finding[]): FindingCounts {
  const counts: FindingCounts = { error: 0, warning: 0, info: 0, suppressed: 0 };
  for (const finding of findings) {
    if (finding.suppressed) counts.suppressed++;
    else counts[finding.severity]++;
  }
  return counts;
}

/**
 * The sample report over two images: `path` (inspected) and MISSING_IMAGE
 * (not opened). `path` defaults to the fixture's own path; pass another to
 * see what depends on it (the same image found in another checkout).
 */
export function sampleLintReport(fixture: { path: string; inspection: ImageInspection }, options: { failOn?: LintReport['failOn']; path?: string } = {}): LintReport {
  const findings = SAMPLE_FINDINGS.map((finding) => structuredClone(finding));
  const path = options.path ?? fixture.path;
  const mbr: ImageReport = {
    path,
    inspection: { ...structuredClone(fixture.inspection), image: { ...fixture.inspection.image, path } },
    os: 'Debian GNU/Linux 12 (bookworm)',
    rulesRun: [...SAMPLE_RULES_RUN],
    findings,
    counts: countFindings(findings),
  };
  const missing: ImageReport = {
    path: MISSING_IMAGE,
    inspection: null,
    error: `${MISSING_IMAGE}: cannot open the image: no such file`,
    rulesRun: [],
    findings: [],
    counts: countFindings([]),
  };
  return {
    tool: { name: 'spotlint', version: '0.1.0' },
    reportVersion: 1,
    failOn: options.failOn ?? 'warning',
    images: [mbr, missing],
    expiredWaivers: [{ rule: 'ssh-root-login', path: '/etc/ssh/sshd_config', reason: 'legacy login until the migration', expires: '2020-01-31' }],
    counts: countFindings(findings),
  };
}
