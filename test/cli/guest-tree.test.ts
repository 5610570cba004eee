// The guest-tree API that rules will use, on the built code (its ext
// filesystems live in worker threads, which run from dist/).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inspectImage, type InspectedImage } from '../../dist/inspect/inspect-image.js';
import type { GuestTree } from '../../dist/inspect/guest/guest-tree.js';
import { FIXTURE_GUEST, fixturePath } from '../helpers/fixtures.js';

describe('GuestTree', () => {
  let inspected: InspectedImage;
  let guest: GuestTree;

  beforeAll(async () => {
    inspected = await inspectImage(fixturePath('gpt.img'));
    guest = inspected.guest!;
  });
  afterAll(() => inspected.close());

  it('globs within one component, across mount points, skipping what does not resolve', async () => {
    expect(await guest.glob('/boot/vmlinuz-*')).toEqual(['/boot/vmlinuz-6.1.0-13-amd64']);
    expect(await guest.glob('/etc/ss?/sshd_config')).toEqual(['/etc/ssh/sshd_config']);
    // The loop and the dangling link match the pattern but lead nowhere; localtime resolves.
    expect(await guest.glob('/etc/[dl]*')).toEqual(['/etc/localtime']);
    expect(await guest.glob('/etc/host*')).toEqual(['/etc/hostname']);
  });

  it('answers exists, stat and lstat like a guest would', async () => {
    expect(await guest.exists('/etc/motd')).toBe(true);
    expect(await guest.exists('/etc/dangling')).toBe(false);
    expect(await guest.exists('/etc/loop-a')).toBe(false);
    expect((await guest.lstat('/etc/motd')).kind).toBe('symlink');
    expect((await guest.stat('/etc/motd')).kind).toBe('file');
    expect(await guest.readlink('/bin')).toBe('usr/bin');
    expect(await guest.resolve('/bin/sh')).toBe('/usr/bin/sh');
  });

  it('reads text with a size cap, and part of a file', async () => {
    expect(await guest.readText('/etc/hostname')).toBe(FIXTURE_GUEST.hostname);
    await expect(guest.readFile(FIXTURE_GUEST.bigFile.path, 1024 * 1024)).rejects.toMatchObject({
      code: 'EFBIG',
      message: `${FIXTURE_GUEST.bigFile.path}: ${FIXTURE_GUEST.bigFile.size} bytes, more than the 1048576 bytes spotlint reads into memory`,
    });
    const part = await guest.readBytes('/etc/fstab', 2, 11);
    expect(part.toString()).toBe(FIXTURE_GUEST.fstab.slice(2, 13));
    await expect(guest.readFile('/etc')).rejects.toMatchObject({ code: 'EISDIR' });
  });

  it('lists a mount point with the mounted filesystem\'s entries', async () => {
    const { canonical, names } = await guest.list('/boot/');
    expect(canonical).toBe('/boot');
    expect(names).toEqual(['grub', 'initrd.img-6.1.0-13-amd64', 'lost+found', 'vmlinuz-6.1.0-13-amd64']);
  });
});
