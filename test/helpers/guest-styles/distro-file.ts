// Real Debian 12 package files (test/data/distro/debian-12/<package>/<path as
// installed>), read at test time so the guest fixtures carry what the
// packages ship rather than imitations of it.
import { lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Tree } from '../build-image.js';

export const DISTRO_ROOT = fileURLToPath(new URL('../../data/distro/debian-12/', import.meta.url));

/** The extracted packages hold a few hundred files each; more means a wrong path. */
const MAX_PACKAGE_ENTRIES = 2_000;

function packagePath(pkg: string, path: string): string {
  return join(DISTRO_ROOT, pkg, path.replace(/^\/+/, ''));
}

/** A file as package `pkg` installs it at `path` (e.g. 'etc/init.d/ssh'). */
export function distroFile(pkg: string, path: string): Buffer {
  return readFileSync(packagePath(pkg, path));
}

export function distroText(pkg: string, path: string): string {
  return readFileSync(packagePath(pkg, path), 'utf8');
}

let versions: Map<string, string> | undefined;

/** The version of `pkg` the files were extracted from, per ORIGIN.tsv. */
export function packageVersion(pkg: string): string {
  versions ??= new Map(
    readFileSync(join(DISTRO_ROOT, 'ORIGIN.tsv'), 'utf8')
      .split('\n')
      .slice(1)
      .filter((line) => line.trim() !== '')
      .map((line) => line.split('\t') as [string, string]),
  );
  const version = versions.get(pkg);
  if (version === undefined) throw new Error(`${pkg}: not in test/data/distro/debian-12/ORIGIN.tsv`);
  return version;
}

export interface PackageEntry {
  /** Path as installed, without a leading slash: 'lib/systemd/system/ssh.service'. */
  path: string;
  content?: Buffer;
  symlink?: string;
  /** Permission bits as the package ships them. */
  mode: number;
}

/** Every file and link package `pkg` installs under `under` (a folder as installed, '' for all). */
export function packageEntries(pkg: string, under = ''): PackageEntry[] {
  const entries: PackageEntry[] = [];
  const pending = [under.replace(/^\/+|\/+$/g, '')];
  while (pending.length > 0) {
    const relative = pending.pop()!;
    const absolute = packagePath(pkg, relative);
    const stat = lstatSync(absolute);
    if (stat.isDirectory()) {
      for (const name of readdirSync(absolute).sort()) pending.push(relative === '' ? name : `${relative}/${name}`);
      continue;
    }
    if (entries.length >= MAX_PACKAGE_ENTRIES) throw new Error(`${pkg}/${under}: more than ${MAX_PACKAGE_ENTRIES} entries`);
    const mode = stat.mode & 0o7777;
    if (stat.isSymbolicLink()) entries.push({ path: relative, symlink: readlinkSync(absolute), mode });
    else entries.push({ path: relative, content: readFileSync(absolute), mode });
  }
  return entries.sort((a, b) => a.path.localeCompare(b.path));
}

/** Top-level folders that merged-usr systems keep under /usr, with a link in their place. */
const MERGED_USR_DIRS = ['bin', 'sbin', 'lib', 'lib64'];

/** Where a package path lands: on merged-usr systems lib/... is really usr/lib/... */
export function installedPath(path: string, mergedUsr: boolean): string {
  const top = path.split('/')[0]!;
  return mergedUsr && MERGED_USR_DIRS.includes(top) ? `usr/${path}` : path;
}

export interface InstallOptions {
  mergedUsr: boolean;
  /** Only entries under this folder (as installed). */
  under?: string;
  /** Leave out entries whose installed path this returns true for. */
  skip?: (path: string) => boolean;
}

/** Places package `pkg`'s files and links in `tree` where dpkg would unpack them. */
export function installPackage(tree: Tree, pkg: string, options: InstallOptions): void {
  for (const entry of packageEntries(pkg, options.under)) {
    if (options.skip?.(entry.path)) continue;
    const target = installedPath(entry.path, options.mergedUsr);
    tree[target] = entry.symlink !== undefined ? { symlink: entry.symlink } : entry.content!;
  }
}
