import { SpotlintError } from '../errors.js';
import { ExtError } from '../inspect/ext/ext-filesystem.js';
import type { GuestTree } from '../inspect/guest/guest-tree.js';
import { inspectImage } from '../inspect/inspect-image.js';
import type { Volume } from '../inspect/volumes.js';
import { volumeName } from '../inspect/volumes.js';

const CAT_CHUNK = 1024 * 1024;

/** Runs `work` on the image's guest tree; a guest-path error becomes a one-line user error. */
async function withGuest<T>(image: string, work: (guest: GuestTree) => Promise<T>): Promise<T> {
  const inspected = await inspectImage(image);
  try {
    if (!inspected.guest) throw new SpotlintError(`${image}: no Linux root filesystem found${unreadableNote(inspected.inspection.volumes)}`);
    return await work(inspected.guest);
  } catch (error) {
    if (error instanceof ExtError) throw new SpotlintError(`${image}: ${error.message}`);
    throw error;
  } finally {
    await inspected.close();
  }
}

function unreadableNote(volumes: Volume[]): string {
  const unreadable = volumes.filter((v) => v.readError);
  if (unreadable.length === 0) return ' (no ext2/3/4 filesystem with /etc and /etc/fstab or /etc/os-release)';
  return ` (${unreadable.map((v) => `${volumeName(v)}: ${v.readError!.message}`).join('; ')})`;
}

/** `spotlint cat`: writes a guest file to `out` in pieces, whatever its size. */
export async function catCommand(image: string, path: string, out: NodeJS.WritableStream): Promise<void> {
  await withGuest(image, async (guest) => {
    const stat = await guest.stat(path);
    if (stat.kind === 'directory') throw new ExtError('EISDIR', `${path}: is a directory (use spotlint ls)`);
    if (stat.kind !== 'file') throw new ExtError('EINVAL', `${path}: not a regular file (${stat.kind})`);
    for (let position = 0; position < stat.size; position += CAT_CHUNK) {
      const chunk = await guest.readBytes(path, position, Math.min(CAT_CHUNK, stat.size - position));
      if (!out.write(chunk)) await new Promise((resolve) => out.once('drain', resolve));
    }
  });
}

const KIND_LETTER: Record<string, string> = {
  file: '-', directory: 'd', symlink: 'l', 'char-device': 'c', 'block-device': 'b', fifo: 'p', socket: 's', unknown: '?',
};

function modeString(kind: string, mode: number): string {
  const bits = 'rwxrwxrwx'.split('').map((letter, i) => (mode & (0o400 >> i) ? letter : '-'));
  if (mode & 0o4000) bits[2] = bits[2] === 'x' ? 's' : 'S';
  if (mode & 0o2000) bits[5] = bits[5] === 'x' ? 's' : 'S';
  if (mode & 0o1000) bits[8] = bits[8] === 'x' ? 't' : 'T';
  return (KIND_LETTER[kind] ?? '?') + bits.join('');
}

/** `spotlint ls`: one line per entry, like ls -l with numeric owners. */
export async function lsCommand(image: string, path: string): Promise<string> {
  return withGuest(image, async (guest) => {
    const stat = await guest.stat(path);
    if (stat.kind !== 'directory') {
      const own = await guest.lstat(path);
      return `${modeString(own.kind, own.mode)} ${own.uid} ${own.gid} ${own.size} ${path}\n`;
    }
    const { entries, truncated } = await guest.listDetailed(path);
    const lines = entries.map((e) => {
      const link = e.linkTarget !== undefined ? ` -> ${e.linkTarget}` : '';
      return `${modeString(e.stat.kind, e.stat.mode)} ${String(e.stat.uid).padStart(5)} ${String(e.stat.gid).padStart(5)} ${String(e.stat.size).padStart(10)} ${e.name}${link}`;
    });
    if (truncated) lines.push(`(listing stopped after ${entries.length} entries)`);
    return lines.length ? `${lines.join('\n')}\n` : '';
  });
}
