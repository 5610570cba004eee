import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { copyFixture, FIXTURE_GUEST } from '../helpers/fixtures.js';
import { runCli } from '../helpers/run-cli.js';

const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

// libext2fs opens filesystems read-write and writes access times as it reads:
// this is the test that the in-memory write layer keeps every byte on disk.
describe('no command changes a byte of the image', () => {
  const commands: string[][] = [
    ['inspect'],
    ['inspect', '--json'],
    ['ls', '/etc'],
    ['ls', '/boot'],
    ['cat', '/etc/fstab'],
    ['cat', '/etc/motd'],
    ['cat', FIXTURE_GUEST.bigFile.path],
    ['cat', '/etc/loop-a'],
  ];

  it.each(['sample.img', 'mbr.img', 'gpt.img', 'logical.img', 'bare.img', 'mbr.qcow2', 'mbr-compressed.qcow2', 'mbr-v2.qcow2'])('%s', async (name) => {
    const image = copyFixture(name);
    const before = sha256(image);
    const mtimeBefore = statSync(image).mtimeMs;
    for (const [command, ...rest] of commands) {
      const result = await runCli([command!, image, ...rest]);
      expect([0, 2]).toContain(result.code);
    }
    expect(sha256(image)).toBe(before);
    expect(statSync(image).mtimeMs).toBe(mtimeBefore);
  });
});
