// Path lookups inside a Tree before it becomes an image, following the
// tree's own links the way the guest would (lib -> usr/lib and the like).
import type { Tree, TreeEntry } from '../build-image.js';

/** Linux's limit on links in one lookup. */
export const MAX_TREE_LINK_HOPS = 40;

/** A tree key without leading or trailing slashes, "." and empty components. */
export function treeKey(path: string): string {
  return path.split('/').filter((part) => part !== '' && part !== '.').join('/');
}

function entriesByKey(tree: Tree): Map<string, TreeEntry> {
  const byKey = new Map<string, TreeEntry>();
  for (const [path, entry] of Object.entries(tree)) if (!path.endsWith('/')) byKey.set(treeKey(path), entry);
  return byKey;
}

function isLink(entry: TreeEntry | undefined): entry is { symlink: string } {
  return typeof entry === 'object' && entry !== null && !Buffer.isBuffer(entry) && 'symlink' in entry;
}

/**
 * The tree key `path` leads to, following links in every component (and in
 * the last one when `followLast`); ".." stops at the root, as in the guest.
 */
export function resolveTreePath(tree: Tree, path: string, followLast = true): string {
  const byKey = entriesByKey(tree);
  const pending = treeKey(path).split('/').filter((part) => part !== '');
  const resolved: string[] = [];
  let hops = 0;
  while (pending.length > 0) {
    const part = pending.shift()!;
    if (part === '..') {
      resolved.pop();
      continue;
    }
    const candidate = [...resolved, part].join('/');
    const entry = byKey.get(candidate);
    if (isLink(entry) && (pending.length > 0 || followLast)) {
      if (++hops > MAX_TREE_LINK_HOPS) throw new Error(`${path}: more than ${MAX_TREE_LINK_HOPS} links in the tree`);
      if (entry.symlink.startsWith('/')) resolved.length = 0;
      pending.unshift(...treeKey(entry.symlink).split('/').filter((p) => p !== ''));
      continue;
    }
    resolved.push(part);
  }
  return resolved.join('/');
}

/** The file content `path` leads to in the tree, or undefined when it is not a file there. */
export function readTreeFile(tree: Tree, path: string): Buffer | undefined {
  const entry = entriesByKey(tree).get(resolveTreePath(tree, path));
  if (typeof entry === 'string') return Buffer.from(entry);
  return Buffer.isBuffer(entry) ? entry : undefined;
}

export function readTreeText(tree: Tree, path: string): string | undefined {
  return readTreeFile(tree, path)?.toString('utf8');
}
