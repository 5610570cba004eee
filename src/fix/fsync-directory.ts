import { open } from 'node:fs/promises';

/**
 * Flushes a directory, so that a file just created, renamed or removed in it
 * keeps that name (or its absence) after a power loss: fsync of a file
 * flushes its data, not the directory entry that names it.
 *
 * Best effort where the platform cannot do it: Windows cannot open a
 * directory (EISDIR, EPERM) and some filesystems refuse fsync on one
 * (EINVAL); there the name is as durable as the filesystem makes it.
 */
export async function fsyncDirectory(directory: string): Promise<void> {
  let handle;
  try {
    handle = await open(directory, 'r');
    await handle.sync();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EISDIR' || code === 'EPERM' || code === 'EINVAL' || code === 'ENOTSUP') return;
    throw error;
  } finally {
    await handle?.close();
  }
}
