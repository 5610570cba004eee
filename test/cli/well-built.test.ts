// The acceptance test of the whole tool: a Debian 12 appliance prepared as
// the SpotCloud guide asks, on a disk as Debian's installer lays it out (GRUB
// in the MBR, the root in partition 1, swap in a logical partition), built
// from Debian's own package files. Every rule runs, password guessing
// included: none may report an error or a warning (false positives are
// bugs too), and the notes it does give are exactly these.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/build-image.js';
import { wellBuiltDebianDisk } from '../helpers/disk-images.js';
import { lintImage } from '../helpers/lint-guest.js';
import { runCli } from '../helpers/run-cli.js';

describe('a well-built appliance', () => {
  it('gets no error and no warning from any rule', async () => {
    const findings = await lintImage(wellBuiltDebianDisk(), []);
    expect(findings.filter((f) => f.severity !== 'info')).toEqual([]);
    expect(findings.map((f) => f.ruleId)).toEqual(['minimal-services']);
    expect(findings[0]!.message).toMatch(/^\d+ services start at boot \(systemd\)/);
  });

  it('passes the default gate: exit code 0 and a clean table', async () => {
    const config = join(tempDir('well-built'), 'spotlint.config.json');
    writeFileSync(config, '{}');
    const result = await runCli([wellBuiltDebianDisk(), '--config', config]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/0 errors, 0 warnings, 1 info in /);
  });
});
