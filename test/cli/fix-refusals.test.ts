// Ways a fix must refuse before writing anything: a journal already there
// (whatever --undo says), an output file that exists, options that name one
// file given for several images, fix options without --fix.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { makeExtImage, tempDir } from '../helpers/build-image.js';
import { debianGeneratedNetRules, fileSha256, onlyRulesConfig } from '../helpers/fix-fixtures.js';
import { runCli } from '../helpers/run-cli.js';

let image: string;
let config: string;

beforeEach(() => {
  image = makeExtImage({
    'etc/os-release': 'ID=debian\nVERSION_ID="12"\n',
    'etc/fstab': '# no mounts\n',
    'etc/udev/rules.d/70-persistent-net.rules': debianGeneratedNetRules('08:00:27:12:34:56'),
  }, { sizeMiB: 16 });
  config = onlyRulesConfig({ 'persistent-net-rules': 'error' });
});

describe('fix refusals', () => {
  it('refuses a second fix while the first one\'s journal is there, even with another --undo', async () => {
    expect((await runCli(['--config', config, image, '--fix', '--fail-on', 'none'])).code).toBe(0);
    expect(existsSync(`${image}.spotlint-undo`)).toBe(true);
    const before = fileSha256(image);
    const other = join(tempDir('undo'), 'other.undo');
    const second = await runCli(['--config', config, image, '--fix', '--undo', other]);
    expect(second.code).toBe(2);
    expect(second.stderr).toMatch(/has an undo journal from an earlier fix .*run spotlint undo/);
    expect(existsSync(other)).toBe(false);
    expect(fileSha256(image)).toBe(before);
  });

  it('never overwrites an existing --fix-output file', async () => {
    const output = join(tempDir('out'), 'keep.img');
    writeFileSync(output, 'precious');
    const before = fileSha256(image);
    const result = await runCli(['--config', config, image, '--fix', '--fix-output', output]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/already exists: spotlint does not overwrite files/);
    expect(fileSha256(image)).toBe(before);
    expect(readFileSync(output, 'utf8')).toBe('precious');
  });

  it('refuses --fix-output with several images, and fix options without --fix', async () => {
    const output = join(tempDir('out'), 'fixed.img');
    const several = await runCli(['--config', config, image, image, '--fix', '--fix-output', output]);
    expect(several.code).toBe(2);
    expect(several.stderr).toContain('give them with one image at a time');
    expect(existsSync(output)).toBe(false);
    const alone = await runCli(['--config', config, image, '--fix-output', output]);
    expect(alone.code).toBe(2);
    expect(alone.stderr).toContain('--fix-output and --undo go with --fix');
  });
});
