import { SpotlintError } from '../errors.js';
import { ExtError } from '../inspect/ext/ext-filesystem.js';
import type { GuestDirectoryEntry, GuestTree } from '../inspect/guest/guest-tree.js';
import { inspectImage } from '../inspect/inspect-image.js';
import { volumeName, type Volume } from '../inspect/volumes.js';
import { printable } from '../report/printable.js';
import { writeChunk } from './write-chunk.js';

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
    const canonical = await guest.resolve(path);
    const stat = await guest.lstat(canonical);
    if (stat.kind === 'directory') throw new ExtError('EISDIR', `${path}: is a directory (use spotlint ls)`);
    if (stat.kind !== 'file') throw new ExtError('EINVAL', `${path}: not a regular file (${stat.kind})`);
    for (let position = 0; position < stat.size;) {
      const chunk = await guest.readBytes(canonical, position, Math.min(CAT_CHUNK, stat.size - position));
      // The inode may claim more than its blocks hold; the file ends where reads do.
      if (chunk.length === 0) break;
      await writeChunk(out, chunk);
      position += chunk.length;
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

/** One ls -l line: mode, numeric owner and group, size, name and link target. */
function entryLine(entry: Pick<GuestDirectoryEntry, 'name' | 'stat' | 'linkTarget' | 'error'>): string {
  const name = printable(entry.name);
  if (!entry.stat) return `?????????? ${'?'.padStart(5)} ${'?'.padStart(5)} ${'?'.padStart(10)} ${name} (${printable(entry.error ?? 'unreadable')})`;
  const { kind, mode, uid, gid, size } = entry.stat;
  const link = entry.linkTarget !== undefined ? ` -> ${printable(entry.linkTarget)}` : '';
  return `${modeString(kind, mode)} ${String(uid).padStart(5)} ${String(gid).padStart(5)} ${String(size).padStart(10)} ${name}${link}`;
}

/** `spotlint ls`: a directory's entries (following links to it), or the one entry a path names. */
export async function lsCommand(image: string, path: string): Promise<string> {
  return withGuest(image, async (guest) => {
    const own = await guest.lstat(path);
    const listsDirectory = own.kind === 'directory'
      || (own.kind === 'symlink' && (await guest.exists(path)) && (await guest.stat(path)).kind === 'directory');
    if (!listsDirectory) {
      const linkTarget = own.kind === 'symlink' ? await guest.readlink(path) : undefined;
      return `${entryLine({ name: path, stat: own, linkTarget })}\n`;
    }
    const { entries, truncated } = await guest.listDetailed(path);
    const lines = entries.map(entryLine);
    if (truncated) lines.push(`(listing stopped after ${entries.length} entries)`);
    return lines.length ? `${lines.join('\n')}\n` : '';
  });
}
