// Access to the disk-image fixtures in test/images/ (built by
// test/images/build-fixtures.mjs) and the facts about the guest inside them.
//
// The images are stored gzipped; fixturePath() unpacks each one once per
// process. Treat the returned path as read-only: tests that write, or that
// check the image is left unchanged, take their own copy with copyFixture().

import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';

export const FIXTURE_DIR = fileURLToPath(new URL('../images/', import.meta.url));

const CACHE_PREFIX = 'spotlint-fixtures-';
const cacheDir = join(tmpdir(), `${CACHE_PREFIX}${process.pid}`);
const unpacked = new Map<string, string>();
let cacheReady = false;

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

// Vitest's fork pool kills its workers without an 'exit' event, so their
// caches (tens of MiB each) outlive them; each new process clears the ones
// whose owner is gone.
function removeOrphanedCaches(): void {
  for (const entry of readdirSync(tmpdir())) {
    if (!entry.startsWith(CACHE_PREFIX)) continue;
    const pid = Number(entry.slice(CACHE_PREFIX.length));
    if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid || isRunning(pid)) continue;
    rmSync(join(tmpdir(), entry), { recursive: true, force: true });
  }
}

function ensureCacheDir(): string {
  if (!cacheReady) {
    cacheReady = true;
    removeOrphanedCaches();
    process.once('exit', () => rmSync(cacheDir, { recursive: true, force: true }));
  }
  mkdirSync(cacheDir, { recursive: true });
  return cacheDir;
}

/**
 * Path to the uncompressed fixture `name` (e.g. 'mbr.img', 'mbr.qcow2').
 * `test/images/<name>.gz` is unpacked on first use; a fixture stored
 * uncompressed (sample.img) is returned in place.
 */
export function fixturePath(name: string): string {
  if (basename(name) !== name) throw new Error(`fixture name must be a bare file name: ${name}`);
  const cached = unpacked.get(name);
  if (cached && existsSync(cached)) return cached;

  const stored = join(FIXTURE_DIR, name);
  const gz = `${stored}.gz`;
  if (existsSync(gz)) {
    const target = join(ensureCacheDir(), name);
    // Written under a temporary name so a crash never leaves a truncated
    // file where a later call would trust it.
    const partial = `${target}.partial`;
    writeFileSync(partial, gunzipSync(readFileSync(gz)));
    renameSync(partial, target);
    unpacked.set(name, target);
    return target;
  }
  if (existsSync(stored)) return stored;
  throw new Error(`no fixture ${name} (looked for ${gz}); regenerate with: npm run fixtures`);
}

/** A private copy of fixture `name` in a new temp dir, free to modify. */
export function copyFixture(name: string): string {
  const source = fixturePath(name);
  const dir = mkdtempSync(join(ensureCacheDir(), 'copy-'));
  const target = join(dir, name);
  copyFileSync(source, target);
  return target;
}

const MiB = 1024 * 1024;

const FSTAB = `# /etc/fstab: static file system information.
UUID=6f0c8a3e-2b1d-4c5e-9f7a-0123456789ab /     ext4 errors=remount-ro 0 1
LABEL=boot                                /boot ext2 defaults          0 2
/dev/sda3                                 none  swap sw                0 0
`;

/** Byte offsets and sizes of each partition, as build-fixtures.mjs lays them out. */
const partition = (number: number, startMiB: number, sizeMiB: number, content: 'boot' | 'root' | 'swap' | null) => ({
  number,
  start: startMiB * MiB,
  size: sizeMiB * MiB,
  content,
});

/**
 * What tests may assert about the guest in every fixture built from the
 * guest tree (mbr, gpt, logical, bare, the good qcow2s, sample.img).
 * Must be kept in step with test/images/build-fixtures.mjs.
 */
export const FIXTURE_GUEST = {
  root: {
    fsType: 'ext4',
    label: 'rootfs',
    uuid: '6f0c8a3e-2b1d-4c5e-9f7a-0123456789ab',
    size: 24 * MiB,
    blockSize: 4096,
  },
  boot: {
    fsType: 'ext2',
    label: 'boot',
    uuid: '1b2c3d4e-5f60-4718-89ab-cdef01234567',
    size: 8 * MiB,
    blockSize: 1024,
    files: ['/vmlinuz-6.1.0-13-amd64', '/initrd.img-6.1.0-13-amd64', '/grub/grub.cfg'],
  },
  swap: {
    label: 'swap',
    uuid: '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
    size: 4 * MiB,
  },
  fstab: FSTAB,
  hostname: 'appliance\n',
  osRelease: {
    PRETTY_NAME: 'Debian GNU/Linux 12 (bookworm)',
    NAME: 'Debian GNU/Linux',
    ID: 'debian',
    VERSION_ID: '12',
    VERSION_CODENAME: 'bookworm',
  },
  /** Link targets exactly as stored; all must resolve inside the guest. */
  symlinks: {
    '/etc/motd': '/../../../../etc/hostname',
    '/etc/issue.net': '../../../../../../etc/hostname',
    '/etc/localtime': '/usr/share/zoneinfo/Etc/UTC',
    '/etc/loop-a': 'loop-b',
    '/etc/loop-b': 'loop-a',
    '/etc/dangling': '/nonexistent/file',
    '/bin': 'usr/bin',
  },
  nonAsciiFile: '/home/app/café.txt',
  /** Present in every guest except sample.img's. */
  bigFile: {
    path: '/var/lib/big.bin',
    size: 12 * MiB,
    sha256: '145943e80a76faf036107a3b37e19784f4468db4fd49954f026e9425a6641d4c',
  },
  /** Disk sizes and partitions; a null content is a partition left empty. */
  layouts: {
    mbr: {
      table: 'dos',
      diskSize: 38 * MiB,
      partitions: [partition(1, 1, 8, 'boot'), partition(2, 9, 24, 'root'), partition(3, 33, 4, 'swap')],
    },
    gpt: {
      table: 'gpt',
      diskSize: 39 * MiB,
      partitions: [
        partition(1, 1, 8, 'boot'),
        partition(2, 9, 24, 'root'),
        partition(3, 33, 4, 'swap'),
        partition(4, 37, 1, null), // BIOS boot
      ],
    },
    logical: {
      table: 'dos',
      diskSize: 40 * MiB,
      partitions: [
        partition(1, 1, 8, 'boot'),
        partition(2, 9, 30, null), // extended
        partition(5, 10, 24, 'root'),
        partition(6, 35, 4, 'swap'),
      ],
    },
  },
} as const;
