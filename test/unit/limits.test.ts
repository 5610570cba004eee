// The guest tree's limits at their edges, on an in-memory filesystem that
// answers the calls an ext worker answers: exactly at each limit the work is
// done, one past it a clear error or a truncated answer. The CLI-visible
// limits are in test/cli/limits.test.ts and test/cli/hostile-guest.test.ts.
import { describe, expect, it } from 'vitest';
import { ExtError, type ExtFilesystem } from '../../src/inspect/ext/ext-filesystem.js';
import type { ExtStat, FileKind } from '../../src/inspect/ext/ext-protocol.js';
import {
  DEFAULT_MAX_FILE_BYTES, GuestTree, MAX_DIRECTORY_ENTRIES, MAX_GLOB_MATCHES, MAX_PATH_COMPONENTS, MAX_SYMLINK_HOPS,
} from '../../src/inspect/guest/guest-tree.js';

type Node = { kind: 'directory'; names: string[] } | { kind: 'file'; size: number } | { kind: 'symlink'; target: string };

/**
 * Paths to nodes, as libext2fs sees one filesystem: lookups never follow
 * links (the guest tree does that), and readdir honours its limit as the
 * worker does. `calls` counts what reached the "worker".
 */
class MemoryFilesystem {
  readonly calls = { lstat: 0, readdir: 0, read: 0 };
  constructor(private readonly nodes: Map<string, Node>) {}

  private node(path: string): Node {
    const node = this.nodes.get(path);
    if (!node) throw new ExtError('ENOENT', 'ENOENT');
    return node;
  }

  async lstat(path: string): Promise<ExtStat> {
    this.calls.lstat++;
    const node = this.node(path);
    const size = node.kind === 'file' ? node.size : node.kind === 'symlink' ? node.target.length : 1024;
    return { kind: node.kind as FileKind, mode: 0o644, size, uid: 0, gid: 0, ino: 1, nlink: 1, mtimeMs: 0 };
  }

  async readlink(path: string): Promise<string> {
    const node = this.node(path);
    if (node.kind !== 'symlink') throw new ExtError('EINVAL', 'EINVAL');
    return node.target;
  }

  async readdir(path: string, limit: number): Promise<{ names: string[]; truncated: boolean }> {
    this.calls.readdir++;
    const node = this.node(path);
    if (node.kind !== 'directory') throw new ExtError('ENOTDIR', 'ENOTDIR');
    return { names: node.names.slice(0, limit), truncated: node.names.length > limit };
  }

  async read(path: string, position: number, length: number): Promise<Buffer> {
    this.calls.read++;
    const node = this.node(path);
    if (node.kind !== 'file') throw new ExtError('EISDIR', 'EISDIR');
    return Buffer.alloc(Math.max(0, Math.min(length, node.size - position)));
  }

  async close(): Promise<void> {}
}

/** A guest tree over `entries` (path -> node); parent directories are made as needed. */
function guestOf(entries: Record<string, Node>): { guest: GuestTree; fs: MemoryFilesystem } {
  const nodes = new Map<string, Node>([['/', { kind: 'directory', names: [] }]]);
  for (const [path, node] of Object.entries(entries)) {
    nodes.set(path, node);
    let child = path;
    while (child !== '/') {
      const parent = child.slice(0, child.lastIndexOf('/')) || '/';
      const name = child.slice(child.lastIndexOf('/') + 1);
      let directory = nodes.get(parent);
      if (!directory) {
        directory = { kind: 'directory', names: [] };
        nodes.set(parent, directory);
      }
      if (directory.kind !== 'directory') throw new Error(`${parent} is not a directory`);
      if (directory.names.includes(name)) break;
      directory.names.push(name);
      child = parent;
    }
  }
  const fs = new MemoryFilesystem(nodes);
  return { guest: new GuestTree([{ mountPoint: '/', fs: fs as unknown as ExtFilesystem, partition: null }]), fs };
}

/** n files named f00000, f00001, ... in `directory`. */
function files(directory: string, n: number): Record<string, Node> {
  return Object.fromEntries(Array.from({ length: n }, (_, i) => [`${directory}/f${String(i).padStart(5, '0')}`, { kind: 'file', size: 1 } as Node]));
}

describe('whole-file reads', () => {
  it(`read a file of exactly ${DEFAULT_MAX_FILE_BYTES} bytes and refuse one byte more, without reading it`, async () => {
    const { guest, fs } = guestOf({ '/exact': { kind: 'file', size: DEFAULT_MAX_FILE_BYTES }, '/over': { kind: 'file', size: DEFAULT_MAX_FILE_BYTES + 1 } });
    expect((await guest.readFile('/exact')).length).toBe(16 * 1024 * 1024);
    const reads = fs.calls.read;
    await expect(guest.readFile('/over')).rejects.toMatchObject({
      code: 'EFBIG',
      message: '/over: 16777217 bytes, more than the 16777216 bytes spotlint reads into memory',
    });
    expect(fs.calls.read).toBe(reads);
  });
});

describe('directory listings', () => {
  it(`list ${MAX_DIRECTORY_ENTRIES} entries whole`, async () => {
    const { guest } = guestOf(files('/d', MAX_DIRECTORY_ENTRIES));
    const listing = await guest.listDetailed('/d');
    expect(listing.entries).toHaveLength(10_000);
    expect(listing.truncated).toBe(false);
  });

  it('stop one entry past the limit, say so, and look up only the entries kept', async () => {
    const { guest, fs } = guestOf(files('/d', MAX_DIRECTORY_ENTRIES + 1));
    const before = fs.calls.lstat;
    const listing = await guest.listDetailed('/d');
    expect(listing.truncated).toBe(true);
    expect(listing.entries).toHaveLength(MAX_DIRECTORY_ENTRIES);
    expect(listing.entries.at(-1)!.name).toBe('f09999');
    // One lookup per entry kept, plus the directory itself and its parent.
    expect(fs.calls.lstat - before).toBe(MAX_DIRECTORY_ENTRIES + 1);
  });

  it('a second listing of the same directory looks nothing up again', async () => {
    const { guest, fs } = guestOf(files('/d', MAX_DIRECTORY_ENTRIES + 1));
    await guest.listDetailed('/d');
    const before = fs.calls.lstat;
    await guest.listDetailed('/d');
    expect(fs.calls.lstat).toBe(before);
  });
});

describe('globs', () => {
  it(`return at most ${MAX_GLOB_MATCHES} paths`, async () => {
    const { guest } = guestOf(files('/d', MAX_GLOB_MATCHES));
    expect(await guest.glob('/d/f*')).toHaveLength(10_000);
    const over = guestOf({ ...files('/d', MAX_DIRECTORY_ENTRIES), ...files('/e', 5) });
    // Two directories of matches: the first fills the limit, the second is never listed.
    const matches = await over.guest.glob('/[de]/f*');
    expect(matches).toHaveLength(MAX_GLOB_MATCHES);
    expect(matches.every((path) => path.startsWith('/d/'))).toBe(true);
  });
});

describe('symbolic links', () => {
  /** /l0 -> /l1 -> ... -> /l<hops> -> /target. */
  function chain(hops: number): GuestTree {
    const entries: Record<string, Node> = { '/target': { kind: 'file', size: 3 } };
    for (let i = 0; i < hops; i++) entries[`/l${i}`] = { kind: 'symlink', target: i + 1 < hops ? `l${i + 1}` : '/target' };
    return guestOf(entries).guest;
  }

  it(`a chain of ${MAX_SYMLINK_HOPS} links resolves; one more is refused as a loop`, async () => {
    expect(await chain(MAX_SYMLINK_HOPS).resolve('/l0')).toBe('/target');
    await expect(chain(MAX_SYMLINK_HOPS + 1).resolve('/l0')).rejects.toMatchObject({
      code: 'ELOOP',
      message: '/l0: more than 40 symbolic links (a link loop?)',
    });
  });

  it('a link whose target grows with every hop stops at the hop limit', async () => {
    const { guest } = guestOf({ '/x': { kind: 'symlink', target: 'x/x' } });
    await expect(guest.resolve('/x')).rejects.toMatchObject({ code: 'ELOOP' });
  });

  it('a link of 32,768 components (the most a 64 KiB block holds; libext2fs reads one block of a link) stops at the hop limit', async () => {
    const { guest, fs } = guestOf({ '/d/d': { kind: 'symlink', target: '.' }, '/far': { kind: 'symlink', target: 'd/'.repeat(32_768) } });
    // d/d is a link to d itself: every component after the first is a hop.
    await expect(guest.resolve('/far')).rejects.toMatchObject({ code: 'ELOOP', message: '/far: more than 40 symbolic links (a link loop?)' });
    expect(fs.calls.lstat).toBeLessThan(10);
  });

  it('a link of 32,768 real directories stops at the path limit', async () => {
    const { guest } = guestOf({ [`/${'d/'.repeat(300)}f`]: { kind: 'file', size: 1 }, '/far': { kind: 'symlink', target: 'd/'.repeat(32_768) } });
    await expect(guest.resolve('/far')).rejects.toMatchObject({ code: 'ENAMETOOLONG', message: '/far: more than 256 path components' });
  });
});

describe('path components', () => {
  const deep = (depth: number) => `/${Array.from({ length: depth }, () => 'd').join('/')}`;

  it(`a path of ${MAX_PATH_COMPONENTS} components resolves; one more is refused`, async () => {
    const { guest } = guestOf({ [`${deep(MAX_PATH_COMPONENTS + 1)}/f`]: { kind: 'file', size: 1 } });
    expect(await guest.resolve(deep(256))).toBe(deep(256));
    await expect(guest.resolve(deep(257))).rejects.toMatchObject({
      code: 'ENAMETOOLONG',
      message: `${deep(257)}: more than 256 path components`,
    });
  });

  it('".." in a long path counts only what stays', async () => {
    const { guest } = guestOf({ [`${deep(10)}/f`]: { kind: 'file', size: 1 } });
    expect(await guest.resolve(`${'/d/..'.repeat(10_000)}${deep(10)}/f`)).toBe(`${deep(10)}/f`);
  });
});
