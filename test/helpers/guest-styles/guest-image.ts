// Turns a guest-style Tree into an ext4 image with the modes and owners a
// real install has (makeExtImage alone leaves every file 0644 or 0755 and
// owned by whoever runs the tests).
import { spawnSync } from 'node:child_process';
import { chmodSync, lstatSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeExtImageFromDirectory, tempDir, writeTree, type ExtOptions, type Tree } from '../build-image.js';
import { guestFileModes } from './file-modes.js';

/** The styles hold a few MiB (two copies of dash, the systemd units); room for tests to add more. */
export const GUEST_IMAGE_MIB = 48;

/** debugfs quotes arguments with double quotes; none of the fixture paths holds one. */
function debugfsPath(key: string): string {
  if (/["\n]/.test(key)) throw new Error(`${key}: debugfs cannot name a path holding a quote or a newline`);
  return `"/${key}"`;
}

/** An ext4 image of `tree` (48 MiB unless `options.sizeMiB` says otherwise) with install-like modes and owners. */
export function makeGuestImage(tree: Tree, options: ExtOptions = {}): string {
  const directory = tempDir('guest-style');
  writeTree(directory, tree);
  const modes = guestFileModes(tree);
  const ownerCommands: string[] = [];
  for (const [key, wanted] of modes) {
    const path = join(directory, key);
    chmodSync(path, wanted.mode);
    // mke2fs -d copies the owner of each file it reads; fix those that differ after.
    const written = lstatSync(path);
    if (written.uid !== wanted.uid) ownerCommands.push(`set_inode_field ${debugfsPath(key)} uid ${wanted.uid}`);
    if (written.gid !== wanted.gid) ownerCommands.push(`set_inode_field ${debugfsPath(key)} gid ${wanted.gid}`);
  }
  const image = makeExtImageFromDirectory(directory, { sizeMiB: GUEST_IMAGE_MIB, ...options });
  if (ownerCommands.length > 0) {
    const script = join(tempDir('debugfs'), 'owners.debugfs');
    writeFileSync(script, `${ownerCommands.join('\n')}\n`);
    const run = spawnSync('debugfs', ['-w', '-f', script, image], { encoding: 'utf8' });
    // debugfs exits 0 whatever its commands do; their complaints go to stderr after its banner.
    const complaints = (run.stderr ?? '').split('\n').filter((line) => line.trim() !== '' && !line.startsWith('debugfs '));
    if (run.status !== 0 || complaints.length > 0) throw new Error(`debugfs could not set owners in ${image}: ${complaints.join('; ') || run.error?.message}`);
  }
  return image;
}
