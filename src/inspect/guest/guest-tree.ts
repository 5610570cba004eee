import { LRUCache } from 'lru-cache';
import picomatch from 'picomatch';
import { ExtError, type ExtFilesystem } from '../ext/ext-filesystem.js';
import type { ExtStat } from '../ext/ext-protocol.js';
import { isWithin, joinComponents, normaliseGuestPath, pathComponents } from './guest-path.js';

/** A filesystem attached at a point of the guest tree. */
export interface GuestMount {
  mountPoint: string;
  fs: ExtFilesystem;
  /** Partition index, or null for a bare filesystem. */
  partition: number | null;
}

export interface GuestDirectoryEntry {
  name: string;
  path: string;
  /** Absent when the entry cannot be read; `error` then says why. */
  stat?: ExtStat;
  linkTarget?: string;
  error?: string;
}

/** Linux gives up after 40 links in one lookup; so does the guest tree. */
export const MAX_SYMLINK_HOPS = 40;
export const MAX_PATH_COMPONENTS = 256;
/**
 * libext2fs finds a name by scanning its directory from the start (htree or
 * not), so looking up every entry of a listing costs the square of its
 * length: 100,000 entries took minutes. The worker keeps the first entries
 * in on-disk order, so each lookup scans at most this many.
 */
export const MAX_DIRECTORY_ENTRIES = 10_000;
export const DEFAULT_MAX_FILE_BYTES = 16 * 1024 * 1024;
export const MAX_GLOB_MATCHES = 10_000;
/**
 * Room for a few whole listings: a directory listed twice (by the facts and
 * then by ls, or through several links to it) must not evict its own entries
 * on the way and pay every lookup again.
 */
const LSTAT_CACHE_ENTRIES = 4 * MAX_DIRECTORY_ENTRIES;

/**
 * The guest's files as the guest sees them after boot: the root filesystem
 * with the others attached where its fstab puts them. Every path, and every
 * symlink target, resolves inside the guest: an absolute target starts again
 * at the guest root, ".." stops at it, and link hops are counted. Nothing
 * here can reach a file of the host.
 */
export class GuestTree {
  private readonly mounts: GuestMount[];
  private readonly lstatCache = new LRUCache<string, Promise<ExtStat>>({ max: LSTAT_CACHE_ENTRIES });

  /**
   * `unmounted`: filesystems kept open that the guest does not mount (the
   * first partition's, which some providers read kernels from).
   */
  constructor(mounts: GuestMount[], private readonly unmounted: readonly Pick<GuestMount, 'fs' | 'partition'>[] = []) {
    // Longest mount point first, so /boot/efi wins over /boot over /.
    this.mounts = [...mounts].sort((a, b) => b.mountPoint.length - a.mountPoint.length);
  }

  /**
   * One partition's own filesystem seen from its root (links resolve inside
   * it), as a boot loader reading that partition sees it; undefined when it
   * is not open. The view shares the filesystem: close this tree, never the view.
   */
  partitionTree(partition: number | null): GuestTree | undefined {
    const found = [...this.mounts, ...this.unmounted].find((m) => m.partition === partition);
    return found ? new GuestTree([{ mountPoint: '/', fs: found.fs, partition }]) : undefined;
  }

  /** The filesystem holding a canonical (link-free) guest path, and the path inside it. */
  private locate(canonical: string): { mount: GuestMount; fsPath: string } {
    const mount = this.mounts.find((m) => isWithin(canonical, m.mountPoint));
    if (!mount) throw new ExtError('ENOENT', `${canonical}: no filesystem is mounted there`);
    const rest = mount.mountPoint === '/' ? canonical : canonical.slice(mount.mountPoint.length);
    return { mount, fsPath: rest === '' ? '/' : rest };
  }

  /**
   * Where a guest path lives: the partition of its filesystem and the path
   * inside that filesystem, links resolved (the last one only when
   * `followLast`: removing a link removes the link, not its target).
   */
  async locateFile(path: string, followLast = true): Promise<{ partition: number | null; canonical: string; fsPath: string }> {
    const canonical = await this.resolve(path, followLast);
    const { mount, fsPath } = this.locate(canonical);
    return { partition: mount.partition, canonical, fsPath };
  }

  private lstatCanonical(canonical: string): Promise<ExtStat> {
    let cached = this.lstatCache.get(canonical);
    if (!cached) {
      const { mount, fsPath } = this.locate(canonical);
      cached = mount.fs.lstat(fsPath).catch((error: unknown) => {
        throw guestError(error, canonical);
      });
      this.lstatCache.set(canonical, cached);
    }
    return cached;
  }

  private async readlinkCanonical(canonical: string): Promise<string> {
    const { mount, fsPath } = this.locate(canonical);
    return mount.fs.readlink(fsPath).catch((error: unknown) => {
      throw guestError(error, canonical);
    });
  }

  /**
   * Resolves a guest path to its canonical form, following links in every
   * component (and in the last one when `followLast`).
   */
  async resolve(path: string, followLast = true): Promise<string> {
    const pending = pathComponents(path);
    const resolved: string[] = [];
    let hops = 0;
    while (pending.length > 0) {
      const part = pending.shift()!;
      if (part === '..') {
        resolved.pop();
        continue;
      }
      const candidate = joinComponents([...resolved, part]);
      if (resolved.length + 1 > MAX_PATH_COMPONENTS) throw new ExtError('ENAMETOOLONG', `${path}: more than ${MAX_PATH_COMPONENTS} path components`);
      const stat = await this.lstatCanonical(candidate).catch((error: unknown) => {
        // Name what the user asked for, and what is missing when a link led there.
        if (error instanceof ExtError && error.code === 'ENOENT' && candidate !== normaliseGuestPath(path)) {
          throw new ExtError('ENOENT', `${path}: no such file or directory in the guest (${candidate} does not exist)`);
        }
        throw error;
      });
      const isLast = pending.length === 0;
      if (stat.kind === 'symlink' && (!isLast || followLast)) {
        if (++hops > MAX_SYMLINK_HOPS) throw new ExtError('ELOOP', `${path}: more than ${MAX_SYMLINK_HOPS} symbolic links (a link loop?)`);
        const target = await this.readlinkCanonical(candidate);
        if (target.startsWith('/')) resolved.length = 0;
        pending.unshift(...pathComponents(target));
        continue;
      }
      if (!isLast && stat.kind !== 'directory') throw new ExtError('ENOTDIR', `${candidate}: not a directory`);
      resolved.push(part);
    }
    return joinComponents(resolved);
  }

  async lstat(path: string): Promise<ExtStat> {
    return this.lstatCanonical(await this.resolve(path, false));
  }

  async stat(path: string): Promise<ExtStat> {
    return this.lstatCanonical(await this.resolve(path, true));
  }

  async readlink(path: string): Promise<string> {
    const canonical = await this.resolve(path, false);
    const stat = await this.lstatCanonical(canonical);
    if (stat.kind !== 'symlink') throw new ExtError('EINVAL', `${canonical}: not a symbolic link`);
    return this.readlinkCanonical(canonical);
  }

  /** Whether the path exists, following links; errors other than "not there" still throw. */
  async exists(path: string): Promise<boolean> {
    try {
      await this.stat(path);
      return true;
    } catch (error) {
      if (error instanceof ExtError && ['ENOENT', 'ENOTDIR', 'ELOOP'].includes(error.code)) return false;
      throw error;
    }
  }

  /** Reads a regular file whole; files above `maxBytes` are refused with EFBIG. */
  async readFile(path: string, maxBytes = DEFAULT_MAX_FILE_BYTES): Promise<Buffer> {
    const canonical = await this.resolve(path, true);
    const stat = await this.lstatCanonical(canonical);
    if (stat.kind === 'directory') throw new ExtError('EISDIR', `${canonical}: is a directory`);
    if (stat.kind !== 'file') throw new ExtError('EINVAL', `${canonical}: not a regular file (${stat.kind})`);
    if (stat.size > maxBytes) throw new ExtError('EFBIG', `${canonical}: ${stat.size} bytes, more than the ${maxBytes} bytes spotlint reads into memory`);
    return this.readCanonical(canonical, 0, stat.size);
  }

  async readText(path: string, maxBytes = DEFAULT_MAX_FILE_BYTES): Promise<string> {
    return (await this.readFile(path, maxBytes)).toString('utf8');
  }

  /** Reads part of a regular file, for streaming large files in pieces. */
  async readBytes(path: string, position: number, length: number): Promise<Buffer> {
    return this.readCanonical(await this.resolve(path, true), position, length);
  }

  private readCanonical(canonical: string, position: number, length: number): Promise<Buffer> {
    const { mount, fsPath } = this.locate(canonical);
    return mount.fs.read(fsPath, position, length).catch((error: unknown) => {
      throw guestError(error, canonical);
    });
  }

  /** Names in a directory (following links to it), mount points included. */
  async list(path: string): Promise<{ canonical: string; names: string[]; truncated: boolean }> {
    const canonical = await this.resolve(path, true);
    const stat = await this.lstatCanonical(canonical);
    if (stat.kind !== 'directory') throw new ExtError('ENOTDIR', `${canonical}: not a directory`);
    const { mount, fsPath } = this.locate(canonical);
    const { names, truncated } = await mount.fs.readdir(fsPath, MAX_DIRECTORY_ENTRIES).catch((error: unknown) => {
      throw guestError(error, canonical);
    });
    return { canonical, names: names.sort(), truncated };
  }

  /**
   * Directory entries with their own (not followed) metadata, like ls -l.
   * An entry that cannot be read is listed with its error, as ls does,
   * unless the whole filesystem has failed.
   */
  async listDetailed(path: string): Promise<{ canonical: string; entries: GuestDirectoryEntry[]; truncated: boolean }> {
    const { canonical, names, truncated } = await this.list(path);
    const entries: GuestDirectoryEntry[] = [];
    for (const name of names) {
      const entryPath = canonical === '/' ? `/${name}` : `${canonical}/${name}`;
      if (!isAddressableName(name)) {
        entries.push({ name, path: entryPath, error: 'a name with "/" or NUL in it: the directory is corrupt' });
        continue;
      }
      try {
        const stat = await this.lstatCanonical(entryPath);
        const entry: GuestDirectoryEntry = { name, path: entryPath, stat };
        if (stat.kind === 'symlink') entry.linkTarget = await this.readlinkCanonical(entryPath);
        entries.push(entry);
      } catch (error) {
        if (!(error instanceof ExtError) || error.fatal) throw error;
        entries.push({ name, path: entryPath, error: error.message });
      }
    }
    return { canonical, entries, truncated };
  }

  /**
   * Paths matching a glob (*, ?, [..] within one component; no **), e.g.
   * /etc/ssh/sshd_config.d/*.conf. Sorted, at most MAX_GLOB_MATCHES; links
   * in the fixed part are followed; directories that cannot be listed are
   * skipped unless the filesystem itself has failed.
   */
  async glob(pattern: string): Promise<string[]> {
    let candidates = ['/'];
    for (const part of pathComponents(normaliseGuestPath(pattern))) {
      const next: string[] = [];
      const matches = picomatch.scan(part).isGlob ? picomatch(part, { dot: false }) : undefined;
      for (const base of candidates) {
        if (next.length >= MAX_GLOB_MATCHES) break;
        const prefix = base === '/' ? '' : base;
        if (!matches) {
          next.push(`${prefix}/${part}`);
          continue;
        }
        let listing: string[];
        try {
          listing = (await this.list(base)).names;
        } catch (error) {
          if (error instanceof ExtError && !error.fatal) continue;
          throw error;
        }
        for (const name of listing) {
          if (next.length >= MAX_GLOB_MATCHES) break;
          if (isAddressableName(name) && matches(name)) next.push(`${prefix}/${name}`);
        }
      }
      candidates = next;
    }
    const existing: string[] = [];
    for (const candidate of candidates) {
      try {
        if (await this.exists(candidate)) existing.push(candidate);
      } catch (error) {
        if (!(error instanceof ExtError) || error.fatal) throw error;
      }
    }
    return existing.sort();
  }

  async close(): Promise<void> {
    await Promise.all([...new Set([...this.mounts, ...this.unmounted].map((m) => m.fs))].map((fs) => fs.close()));
  }
}

/** A directory entry name that can be looked up: no "/" and no NUL (a corrupt directory can hold either). */
function isAddressableName(name: string): boolean {
  return name !== '' && !name.includes('/') && !name.includes('\0');
}

/** Re-labels a filesystem error with the guest path the user asked about. */
function guestError(error: unknown, guestPath: string): ExtError {
  if (!(error instanceof ExtError)) return new ExtError('EUNKNOWN', `${guestPath}: ${(error as Error).message}`);
  const words: Record<string, string> = {
    ENOENT: 'no such file or directory in the guest',
    ENOTDIR: 'not a directory',
    EACCES: 'permission denied',
  };
  return new ExtError(error.code, `${guestPath}: ${words[error.code] ?? error.message}`, error.fatal);
}
