// Guest trees built to escape or exhaust spotlint: links that loop, climb
// above the guest root or name host files, a 1 GiB sparse sshd_config, a
// directory of 100,001 entries, names with newlines, escape sequences and
// invalid UTF-8. Whatever the tree, every path resolves inside the guest, no
// host byte reaches the output, and every command ends with a report or one
// clear line.
import { execFileSync, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeExtImageFromDirectory, tempDir, writeTree } from '../helpers/build-image.js';
import { wellBuiltDebianDisk } from '../helpers/disk-images.js';
import { wellBuiltDebianGuest } from '../helpers/guest-styles/debian-systemd.js';
import { GUEST_IMAGE_MIB } from '../helpers/guest-styles/guest-image.js';
import { DEFAULT_ROOT_UUID } from '../helpers/guest-styles/layout.js';
import { sshKeyPair } from '../helpers/guest-styles/ssh-keys.js';
import { expectOneLineError, runCli, type CliResult } from '../helpers/run-cli.js';

const HOST_MARKER = `host-marker-${randomUUID()}`;
/** A host file that would leak the marker into a report if spotlint ever read it: as os-release, sshd_config, crontab or passwd. */
const HOST_FILE = join(tempDir('host-secret'), 'os-release');
writeFileSync(HOST_FILE, `PRETTY_NAME="${HOST_MARKER}"\nID=${HOST_MARKER}\nPermitRootLogin ${HOST_MARKER}\n* * * * * root curl ${HOST_MARKER}\nroot:x:0:0:${HOST_MARKER}:/root:/bin/sh\n`);
const HOST_FILE_DIRECTORY = HOST_FILE.slice(0, HOST_FILE.lastIndexOf('/'));

const EMPTY_CONFIG = join(tempDir('hostile-config'), 'spotlint.config.json');
writeFileSync(EMPTY_CONFIG, '{}');
const LINT = ['--config', EMPTY_CONFIG, '--fail-on', 'none', '--disable', 'guessable-password'];

/**
 * Runs the CLI with the marker in its environment too (a read of the host's
 * /proc/self/environ would show it), and checks what every hostile case must
 * give: finished within runCli's 120 s bound, exit 0, 1 or 2, no host byte,
 * no stack trace, and for exit 2 exactly one stderr line.
 */
async function spotlint(args: string[]): Promise<CliResult> {
  const result = await runCli(args, { SPOTLINT_HOST_MARKER: HOST_MARKER });
  expect(result.signal, `spotlint ${args.join(' ')} was stopped`).toBeNull();
  expect([0, 1, 2]).toContain(result.code);
  expect(result.stdout).not.toContain(HOST_MARKER);
  expect(result.stderr).not.toContain(HOST_MARKER);
  expect(result.stderr).not.toMatch(/internal error|\n\s+at /);
  if (result.code === 2) expectOneLineError(result);
  return result;
}

/** The one stderr line of a refused `spotlint cat`, without the "spotlint: IMAGE: " prefix. */
async function catRefusal(image: string, path: string): Promise<string> {
  const line = expectOneLineError(await spotlint(['cat', image, path]));
  const prefix = `spotlint: ${image}: `;
  expect(line.startsWith(prefix)).toBe(true);
  return line.slice(prefix.length);
}

describe('links that loop, climb or name host files resolve inside the guest', () => {
  let image: string;

  beforeAll(() => {
    image = wellBuiltDebianDisk((tree) => {
      tree['etc/os-release'] = { symlink: HOST_FILE };
      tree['usr/lib/os-release'] = { symlink: '/host/etc/os-release' };
      tree['etc/ssh/sshd_config'] = { symlink: '/proc/self/environ' };
      tree['etc/shadow'] = { symlink: '/etc/shadow' };
      tree['etc/passwd'] = { symlink: `${'../'.repeat(16)}${HOST_FILE.slice(1)}` };
      tree['etc/crontab'] = { symlink: HOST_FILE };
      tree['etc/cron.d/host'] = { symlink: `../../../..${HOST_FILE}` };
      tree['root/.ssh/id_rsa'] = { symlink: HOST_FILE };
      tree['etc/loop-a'] = { symlink: 'loop-b' };
      tree['etc/loop-b'] = { symlink: 'loop-a' };
      tree['etc/self'] = { symlink: 'self' };
      tree['etc/rootlink'] = { symlink: '/' };
      tree['etc/up'] = { symlink: '../../../../../../..' };
    });
  });

  it('a link to a host file\'s absolute path, or "../" chains towards it, find nothing in the guest', async () => {
    // The user's own path climbs no higher than the guest root either.
    const paths = ['/etc/os-release', '/etc/passwd', '/root/.ssh/id_rsa', `/etc/up${HOST_FILE}`, `../../../..${HOST_FILE}`];
    const refusals = await Promise.all(paths.map((path) => catRefusal(image, path)));
    refusals.forEach((refusal, i) => {
      // What is missing is the first folder on the host file's path that the guest lacks (its temp folder, or above).
      const missing = /^(.*): no such file or directory in the guest \((\/.*) does not exist\)$/.exec(refusal);
      expect(missing?.[1]).toBe(paths[i]);
      expect(`${HOST_FILE_DIRECTORY}/`.startsWith(`${missing![2]}/`)).toBe(true);
    });
  });

  it('links to /proc/self/environ and /host/etc/os-release name what is missing in the guest; loops stop at the hop limit', async () => {
    const loops = ['/etc/loop-a', '/etc/self', '/etc/shadow'];
    const refusals = await Promise.all(['/etc/ssh/sshd_config', '/usr/lib/os-release', ...loops].map((path) => catRefusal(image, path)));
    expect(refusals).toEqual([
      '/etc/ssh/sshd_config: no such file or directory in the guest (/proc/self does not exist)',
      '/usr/lib/os-release: no such file or directory in the guest (/host does not exist)',
      ...loops.map((path) => `${path}: more than 40 symbolic links (a link loop?)`),
    ]);
  });

  it('links to / and above it are the guest root, not the host\'s', async () => {
    const root = await spotlint(['ls', image, '/']);
    expect(root.code).toBe(0);
    // Debian's /vmlinuz link: a guest entry no host root here has.
    expect(root.stdout).toMatch(/ vmlinuz -> boot\/vmlinuz-/);
    const [listings, refusal] = await Promise.all([
      Promise.all(['/etc/rootlink', '/etc/up', '/etc/rootlink/etc/rootlink/..'].map((path) => spotlint(['ls', image, path]))),
      catRefusal(image, '/etc/rootlink'),
    ]);
    for (const listing of listings) expect(listing).toMatchObject({ code: 0, stdout: root.stdout });
    expect(refusal).toBe('/etc/rootlink: is a directory (use spotlint ls)');
  });

  it('ls shows each hostile link as stored, and a loop as the link it is', async () => {
    const [etc, loop] = await Promise.all([spotlint(['ls', image, '/etc']), spotlint(['ls', image, '/etc/loop-a'])]);
    expect(etc.code).toBe(0);
    expect(etc.stdout).toContain(` os-release -> ${HOST_FILE}\n`);
    expect(etc.stdout).toContain(' shadow -> /etc/shadow\n');
    expect(loop.stdout).toMatch(/^lrwxrwxrwx +\d+ +\d+ +6 \/etc\/loop-a -> loop-b\n$/);
  });

  it('the lint and inspect report on the guest alone', async () => {
    const [table, json, inspect] = await Promise.all([
      spotlint([image, ...LINT]),
      spotlint([image, ...LINT, '--format', 'json']),
      spotlint(['inspect', image]),
    ]);
    expect(table.code).toBe(0);
    expect(table.stderr).toBe('');
    expect(table.stdout).toMatch(/ in .*disk\.img\n$/);
    const report = JSON.parse(json.stdout);
    expect(report.images[0].rulesRun.length).toBeGreaterThan(10);
    expect(inspect.code).toBe(0);
    // The guest's passwd and sshd_config lead nowhere inside it: no account, no sshd file is claimed.
    expect(inspect.stdout).toContain('sshd:         no /etc/ssh/sshd_config');
    expect(inspect.stdout).toContain('Logins (0 of 0 accounts): none');
  });
});

/** Private keys are found by content, so this one is reported whatever its name. */
const KEY_NAME = 'id\x1b[31m\nkey';
const NAMES = {
  newline: 'new\nline',
  escape: 'esc\x1b[31mred\x1b[0m',
  link: 'link\x1b]0;pwned\x07',
  linkTarget: 'target\x1b[2J\nmore',
};
/** Where the unit index lists every entry with its metadata. */
const HUGE_DIRECTORY = '/run/systemd/system';
const HUGE_ENTRIES = 100_001;
const GiB = 1024 ** 3;

/**
 * Puts a directory of `entries` names (f000000, f000001, ...), every one a
 * hard link to `target`, at `path` (its parent must exist): linear blocks
 * written by hand and given to the filesystem with debugfs, then indexed
 * (htree) and checksummed by e2fsck -fyD, as the kernel would have left it.
 * mke2fs -d needs minutes for 100,000 names; this takes a second.
 */
function addHugeDirectory(fsImage: string, path: string, entries: number, target: string): void {
  const debugfs = (request: string) => execFileSync('debugfs', ['-R', request, fsImage], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const blockSize = Number(/Block size:\s+(\d+)/.exec(debugfs('stats'))![1]);
  const inode = Number(/Inode: (\d+)/.exec(debugfs(`stat ${target}`))![1]);
  const TAIL = 12; // metadata_csum's dirent tail, filled in by e2fsck
  const blocks: Buffer[] = [];
  let block = Buffer.alloc(blockSize);
  let used = 0;
  let last = 0;
  const closeBlock = () => {
    block.writeUInt16LE(blockSize - TAIL - last, last + 4);
    block.writeUInt16LE(TAIL, blockSize - TAIL + 4);
    block[blockSize - TAIL + 7] = 0xde;
    blocks.push(block);
    block = Buffer.alloc(blockSize);
    used = 0;
  };
  const add = (name: string, ino: number, fileType: number) => {
    const length = 8 + Math.ceil(name.length / 4) * 4;
    if (used + length > blockSize - TAIL) closeBlock();
    block.writeUInt32LE(ino, used);
    block.writeUInt16LE(length, used + 4);
    block[used + 6] = name.length;
    block[used + 7] = fileType;
    block.write(name, used + 8, 'latin1');
    last = used;
    used += length;
  };
  // "." is fixed by e2fsck: the directory's own inode is not known before debugfs writes it.
  add('.', 2, 2);
  add('..', 2, 2);
  for (let i = 0; i < entries; i++) add(`f${String(i).padStart(6, '0')}`, inode, 1);
  closeBlock();
  const data = join(tempDir('huge-directory'), 'blocks');
  writeFileSync(data, Buffer.concat(blocks));
  const script = join(tempDir('huge-directory'), 'commands');
  writeFileSync(script, [`write ${data} /huge.tmp`, 'sif /huge.tmp mode 040755', `ln /huge.tmp ${path}`, 'unlink /huge.tmp', ''].join('\n'));
  execFileSync('debugfs', ['-w', '-f', script, fsImage], { stdio: 'pipe' });
  // Exit 1: errors corrected, as expected for the hand-made blocks.
  const fsck = spawnSync('e2fsck', ['-fyD', fsImage], { encoding: 'utf8' });
  if (fsck.status !== 1) throw new Error(`e2fsck -fyD ${fsImage}: exit ${fsck.status}: ${fsck.stdout}`);
  const check = spawnSync('e2fsck', ['-fn', fsImage], { encoding: 'utf8' });
  if (check.status !== 0) throw new Error(`e2fsck -fn ${fsImage} after repair: ${check.stdout}`);
}

describe('a 1 GiB sshd_config and names with newlines, escape sequences and bytes that are not UTF-8', () => {
  let image: string;

  beforeAll(() => {
    const tree = wellBuiltDebianGuest();
    tree['etc/ssh/sshd_config'] = '';
    tree[`root/.ssh/${KEY_NAME}`] = sshKeyPair('ed25519').privateOpenssh;
    tree[`srv/names/${NAMES.newline}`] = 'x';
    tree[`srv/names/${NAMES.escape}`] = 'x';
    tree[`srv/names/${NAMES.link}`] = { symlink: NAMES.linkTarget };
    const directory = tempDir('hostile-tree');
    writeTree(directory, tree);
    // Sparse: mke2fs -d keeps the hole, so the filesystem stays small.
    truncateSync(join(directory, 'etc/ssh/sshd_config'), GiB);
    writeFileSync(Buffer.from(`${directory}/srv/names/latin1-\xe9t\xe9`, 'latin1'), 'x');
    image = makeExtImageFromDirectory(directory, { sizeMiB: GUEST_IMAGE_MIB, uuid: DEFAULT_ROOT_UUID });
  });

  it('ls escapes newlines, escape sequences and names that are not UTF-8', async () => {
    const result = await spotlint(['ls', image, '/srv/names']);
    expect(result.code).toBe(0);
    expect(result.stdout).not.toContain('\x1b');
    expect(result.stdout).not.toContain('\x07');
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(4);
    expect(lines).toContainEqual(expect.stringMatching(/^-[rw-]{9} +\d+ +\d+ +1 new\\x0aline$/));
    expect(lines).toContainEqual(expect.stringMatching(/^-[rw-]{9} +\d+ +\d+ +1 esc\\x1b\[31mred\\x1b\[0m$/));
    expect(lines).toContainEqual(expect.stringMatching(/^lrwxrwxrwx +\d+ +\d+ +\d+ link\\x1b\]0;pwned\\x07 -> target\\x1b\[2J\\x0amore$/));
    // libext2fs hands names back as UTF-8 only: Latin-1 bytes arrive as U+FFFD and cannot be looked up again.
    const latin1 = 'latin1-\ufffdt\ufffd';
    expect(lines).toContainEqual(`?????????? ${'?'.padStart(5)} ${'?'.padStart(5)} ${'?'.padStart(10)} ${latin1} (/srv/names/${latin1}: no such file or directory in the guest)`);
  });

  it('the lint says sshd_config was too big to read and escapes a key\'s name in the table and the JSON', async () => {
    const [table, json, inspect] = await Promise.all([
      spotlint([image, ...LINT]),
      spotlint([image, ...LINT, '--format', 'json']),
      spotlint(['inspect', image]),
    ]);
    expect(inspect.code).toBe(0);
    expect(inspect.stdout).toContain(`Could not read /etc/ssh/sshd_config: /etc/ssh/sshd_config: ${GiB} bytes, more than the 1048576 bytes spotlint reads into memory`);

    expect(json.code).toBe(0);
    expect(json.stderr).toBe('');
    const findings = JSON.parse(json.stdout).images[0].findings as Array<{ ruleId: string; message: string; location: { path?: string } }>;
    expect(findings).toContainEqual(expect.objectContaining({ ruleId: 'leftover-secrets', location: expect.objectContaining({ path: `/root/.ssh/${KEY_NAME}` }) }));
    // JSON carries the name exactly, escaped as JSON escapes control characters.
    expect(json.stdout).toContain('/root/.ssh/id\\u001b[31m\\nkey');
    expect(json.stdout).not.toContain('\x1b');

    expect(table.code).toBe(0);
    expect(table.stderr).toBe('');
    expect(table.stdout).not.toContain('\x1b');
    expect(table.stdout).toContain('/root/.ssh/id\\x1b[31m\\x0akey');
  });
});

describe('a unit directory of 100,001 entries', () => {
  let image: string;

  beforeAll(() => {
    const directory = tempDir('huge-tree');
    writeTree(directory, { 'etc/os-release': 'ID=debian\nVERSION_ID=12\n', 'etc/fstab': `UUID=${DEFAULT_ROOT_UUID} / ext4 defaults 0 1\n`, 'run/systemd/': '' });
    image = makeExtImageFromDirectory(directory, { sizeMiB: 16, uuid: DEFAULT_ROOT_UUID });
    addHugeDirectory(image, HUGE_DIRECTORY, HUGE_ENTRIES, '/etc/os-release');
  });

  it('ls stops at 10,000 entries and says so; the lint reads no further either, and says so', async () => {
    const [listing, inspect] = await Promise.all([spotlint(['ls', image, HUGE_DIRECTORY]), spotlint(['inspect', image])]);
    expect(listing.code).toBe(0);
    const lines = listing.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(10_001);
    expect(lines[0]).toMatch(/^-[rw-]{9} +\d+ +\d+ +\d+ f\d{6}$/);
    expect(lines.at(-1)).toBe('(listing stopped after 10000 entries)');
    expect(inspect.code).toBe(0);
    expect(inspect.stdout).toContain(`Could not read ${HUGE_DIRECTORY}: ${HUGE_DIRECTORY}: more than 10000 entries; the rest were not read`);
  });
});
