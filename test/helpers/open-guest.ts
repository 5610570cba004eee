// A guest tree opened the way spotlint opens one, from a directory tree
// turned into a real ext4 filesystem by mke2fs -d. The tree needs an /etc
// with an fstab or os-release to be taken for a root filesystem. Imports the
// built code (dist/): ext filesystems run in worker threads from there.
import { inspectImage, type InspectedImage } from '../../dist/inspect/inspect-image.js';
import type { GuestTree } from '../../dist/inspect/guest/guest-tree.js';
import { makeExtImage, makeExtImageFromDirectory, type ExtOptions, type Tree } from './build-image.js';

export interface OpenedGuest {
  inspected: InspectedImage;
  guest: GuestTree;
  image: string;
}

async function open(image: string): Promise<OpenedGuest> {
  const inspected = await inspectImage(image);
  if (!inspected.guest) {
    await inspected.close();
    throw new Error(`${image}: no root filesystem found; give the tree an /etc/fstab or /etc/os-release`);
  }
  return { inspected, guest: inspected.guest, image };
}

/** Opens a guest made from `tree`; close it with `inspected.close()`. */
export function openGuest(tree: Tree, options: ExtOptions = {}): Promise<OpenedGuest> {
  return open(makeExtImage(tree, options));
}

/** Opens a guest made from a directory the caller filled. */
export function openGuestDirectory(directory: string, options: ExtOptions = {}): Promise<OpenedGuest> {
  return open(makeExtImageFromDirectory(directory, options));
}
