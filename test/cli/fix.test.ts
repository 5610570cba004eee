// `spotlint IMAGE --fix` and its companions end to end, on real images
// built here: each safe fix leaves a filesystem e2fsck finds sound, changes
// exactly the bytes of the files it names (every other file is listed by
// debugfs rdump with its sha256, before and after), and the rule then passes;
// unsafe fixes wait for --fix-unsafe; undo, dry runs and fixed copies keep
// the original; and a fix refuses, writing nothing, what it must not touch.
//
// Scenarios are independent and run concurrently: each costs a few CLI runs
// of a second or more of Node start-up and inspection.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it, type ExpectStatic } from 'vitest';
import { tempDir, wrapInMbr } from '../helpers/build-image.js';
import { leaveGarbage, makeSmallExt, MiB, randomGarbage, toQcow2 } from '../helpers/dirty-free-space.js';
import {
  blockDifferences, changeLines, debianGeneratedNetRules, e2fsck, fileSha256, freeBlocks, inodeOf, jsonReport, listedBytes, listFiles,
  lockFileOf, onlyRulesConfig, removedLineTexts, rulePassed, sha256Of, sparseCopy, undoJournalOf, writeLiveLock, zeroedBytesIn, type FileListing, type ListedFile,
} from '../helpers/fix-fixtures.js';
import {
  DEBIAN_USER, GUEST_IMAGE_MIB, MACHINE_ID, NIC_MAC, SSH_KEYGEN_UNIT, debianSystemdGuest, makeGuestImage, rhelNetworkManagerGuest, systemdEnable,
} from '../helpers/guest-styles/index.js';
import { expectOneLineError, runCli, type CliResult } from '../helpers/run-cli.js';

const NET_RULES = '/etc/udev/rules.d/70-persistent-net.rules';
const HOST_KEYS = ['rsa', 'ecdsa', 'ed25519'].flatMap((type) => [`/etc/ssh/ssh_host_${type}_key`, `/etc/ssh/ssh_host_${type}_key.pub`]);
const HISTORIES = ['/root/.bash_history', `/home/${DEBIAN_USER}/.bash_history`];

/** `spotlint IMAGE --config CONFIG --format json ARGS`: the summary of changes on stderr, the report of the fixed image on stdout. */
function spotlint(image: string, config: string, args: string[]): Promise<CliResult> {
  return runCli([image, '--config', config, '--format', 'json', ...args]);
}

/** The listing `before` with these changes: a path mapped to undefined is gone. */
function changed(before: FileListing, changes: Record<string, ListedFile | undefined>): Record<string, ListedFile> {
  const files = structuredClone(before.files);
  for (const [path, entry] of Object.entries(changes)) {
    if (entry === undefined) delete files[path];
    else files[path] = entry;
  }
  return files;
}

/** A file's listing entry with new content, its mode and owner as they were. */
function withContent(before: FileListing, path: string, content: string): ListedFile {
  const entry = before.files[path];
  if (entry?.type !== 'file') throw new Error(`${path} was not a file before the fix`);
  return { ...entry, size: Buffer.byteLength(content), sha256: sha256Of(content) };
}

interface DebianGuest {
  image: string;
  garbage: Buffer;
  allocatedBytes: number;
}
let debianGuest: DebianGuest | undefined;

/**
 * Debian 12 with everything the fixes are for: a generated udev rules file,
 * a machine-id with a copy (not a link) in /var/lib/dbus, 3 MiB of a deleted
 * file in free space, and shell histories and host keys, which an enabled
 * ssh-keygen unit makes again at boot (so their repairs are offered, and
 * unsafe). Built once; each test works on a copy.
 */
function debianGuestCopy(): DebianGuest {
  if (!debianGuest) {
    const tree = debianSystemdGuest();
    tree[NET_RULES.slice(1)] = debianGeneratedNetRules(NIC_MAC);
    tree['var/lib/dbus/machine-id'] = `${MACHINE_ID}\n`;
    tree['etc/systemd/system/ssh-keygen.service'] = SSH_KEYGEN_UNIT;
    systemdEnable(tree, 'ssh-keygen.service');
    const image = makeGuestImage(tree);
    const garbage = randomGarbage(3 * MiB, 0xdeb1);
    debianGuest = { image, garbage, allocatedBytes: leaveGarbage(image, garbage).allocatedBytes };
  }
  return { ...debianGuest, image: sparseCopy(debianGuest.image) };
}

/** Written by hand, after the generator's rule: a rule of the administrator's that names no card, so the file stays. */
const OTHER_RULE = '# Jumbo frames on the storage network (added by the administrator).\nSUBSYSTEM=="net", ACTION=="add", KERNEL=="eth1", ATTR{mtu}="9000"\n';
let mbrDebianDisk: string | undefined;

/** A copy of an MBR disk with Debian 12 in partition 1 (at 1 MiB): its rules file holds OTHER_RULE too, and nothing makes new host keys at boot. */
function mbrDebianDiskCopy(): string {
  if (!mbrDebianDisk) {
    const tree = debianSystemdGuest();
    tree[NET_RULES.slice(1)] = `${debianGeneratedNetRules(NIC_MAC)}\n${OTHER_RULE}`;
    mbrDebianDisk = wrapInMbr([{ image: makeGuestImage(tree), active: true }]);
  }
  return sparseCopy(mbrDebianDisk);
}

let smallDirty: string | undefined;

/** A copy of a small bare ext4 with 1 MiB of a deleted file's bytes in its free blocks, and a config under which zeroing them is the one fix. */
function smallDirtyFilesystem(): { image: string; config: string } {
  if (!smallDirty) {
    smallDirty = makeSmallExt({ type: 'ext4', sizeMiB: 16, blockSize: 4096 });
    leaveGarbage(smallDirty, randomGarbage(MiB, 0x51ed));
  }
  return { image: sparseCopy(smallDirty), config: onlyRulesConfig({ 'free-space-zeroed': ['warning', { maxNonZeroBytes: 0 }] }) };
}

// Each scenario runs several CLI commands; under a full, parallel test run they share the CPU with every other file.
describe.concurrent('spotlint --fix', { timeout: 120_000 }, () => {
  it.concurrent('previews, then makes, the safe fixes of a Debian guest (generated udev rules, machine-id and its D-Bus copy, garbage in free space), leaving the unsafe ones alone', async ({ expect }) => {
    const { image, garbage, allocatedBytes } = debianGuestCopy();
    const needle = garbage.subarray(100_000, 100_064);
    const config = onlyRulesConfig({
      'persistent-net-rules': 'error', 'machine-id': 'warning', 'free-space-zeroed': ['warning', { maxNonZeroBytes: 0 }], 'leftover-secrets': 'warning', 'ssh-host-keys': 'warning',
    });
    const before = listFiles(image);
    for (const path of [...HOST_KEYS, ...HISTORIES]) expect(before.files[path]?.type, path).toBe('file');
    const originalSha = fileSha256(image);
    const machineIdInode = inodeOf(image, '/etc/machine-id');
    expect(readFileSync(image).indexOf(needle)).not.toBe(-1);

    // The dry run: the plan above the table on stdout, and not one byte written.
    const dry = await runCli([image, '--config', config, '--fix-dry-run']);
    expect(dry.code, dry.stderr).toBe(1);
    expect(dry.stderr).toBe('');
    expect(dry.stdout).toMatch(/would change 5 things\b.*\(dry run: nothing was written\):/);
    const planned = changeLines(dry.stdout.slice(0, dry.stdout.indexOf('┌')));
    const zeroLine = planned.find((line) => line.startsWith('the whole disk: write zeros over'));
    expect(planned.filter((line) => line !== zeroLine).sort()).toEqual([
      '/etc/machine-id: empty the file (kept, zero bytes)',
      `${NET_RULES}: remove (nothing but comments is left in it)`,
      `${NET_RULES}: remove lines 7-8 (and the file, if nothing else is left in it)`,
      '/var/lib/dbus/machine-id: replace with a link to /etc/machine-id',
    ].sort());
    // Each line removed, word for word: the generator's comment and the rule.
    expect(removedLineTexts(dry.stdout)).toEqual(debianGeneratedNetRules(NIC_MAC).split('\n').slice(6, 8));
    // The deleted file's blocks, and the few the edits free (the old machine-id, the rules file, the D-Bus copy: a block each at most).
    const zeroed = zeroedBytesIn(zeroLine ?? '') ?? Number.NaN;
    expect(zeroed).toBeGreaterThanOrEqual(allocatedBytes);
    expect(zeroed).toBeLessThanOrEqual(allocatedBytes + 3 * 1024);
    expect(dry.stdout).toContain('left alone (unsafe; --fix-unsafe to apply): leftover-secrets, ssh-host-keys');
    expect(fileSha256(image)).toBe(originalSha);
    expect(existsSync(undoJournalOf(image))).toBe(false);
    expect(existsSync(lockFileOf(image))).toBe(false);

    const fixed = await spotlint(image, config, ['--fix']);
    expect(fixed.code, fixed.stderr).toBe(0);
    expect(fixed.stderr).toContain('left alone (unsafe; --fix-unsafe to apply): leftover-secrets, ssh-host-keys');
    // Exactly what the dry run said.
    expect(changeLines(fixed.stderr)).toEqual(planned);
    expect(removedLineTexts(fixed.stderr)).toEqual(removedLineTexts(dry.stdout));
    expect(fixed.stderr).toContain(`undo with: spotlint undo ${image}`);
    expect(e2fsck(image).code).toBe(0);
    const after = listFiles(image);
    expect(after.files).toEqual(changed(before, {
      '/etc/machine-id': withContent(before, '/etc/machine-id', ''),
      '/var/lib/dbus/machine-id': { type: 'link', target: '/etc/machine-id' },
      [NET_RULES]: undefined,
    }));
    expect(inodeOf(image, '/etc/machine-id')).toBe(machineIdInode);
    const report = jsonReport(fixed.stdout);
    for (const rule of ['persistent-net-rules', 'machine-id', 'free-space-zeroed']) expect(rulePassed(report, rule), rule).toBe(true);
    // The histories and host keys are still there (the listing above says so), and still reported.
    expect(report.findings.map((f) => f.ruleId).sort()).toEqual(['leftover-secrets', 'leftover-secrets', 'ssh-host-keys']);
    expect(report.volumes[0]!.freeSpace).toMatchObject({ status: 'scanned', nonZeroBytes: 0 });
    // The deleted file's bytes are gone from the image, and were not copied into the journal either.
    expect(readFileSync(image).indexOf(needle)).toBe(-1);
    expect(readFileSync(undoJournalOf(image)).indexOf(needle)).toBe(-1);
    expect(existsSync(lockFileOf(image))).toBe(false);

  });

  it.concurrent('fixes a guest in partition 1 of an MBR disk, keeping the rules file for its rule that names no MAC', async ({ expect }) => {
    const disk = mbrDebianDiskCopy();
    const offset = MiB;
    const partitionEnd = offset + GUEST_IMAGE_MIB * MiB;
    const original = sparseCopy(disk, 'original.img');
    const before = listFiles(disk, offset);
    const config = onlyRulesConfig({ 'persistent-net-rules': 'error' });

    const fixed = await spotlint(disk, config, ['--fix']);
    expect(fixed.code, fixed.stderr).toBe(0);
    expect(changeLines(fixed.stderr)).toEqual([`${NET_RULES}: remove lines 7-8 (and the file, if nothing else is left in it)`]);
    expect(removedLineTexts(fixed.stderr)).toEqual(debianGeneratedNetRules(NIC_MAC).split('\n').slice(6, 8));
    expect(e2fsck(disk, offset).code).toBe(0);
    // Written by hand: the header, the blank line before the generator's comment, then the administrator's rule.
    const expected = [
      '# This file was automatically generated by the /lib/udev/write_net_rules',
      '# program, run by the persistent-net-generator.rules rules file.',
      '#',
      '# You can modify it, as long as you keep each rule on a single',
      '# line, and change only the value of the NAME= key.',
      '',
      '',
      '# Jumbo frames on the storage network (added by the administrator).',
      'SUBSYSTEM=="net", ACTION=="add", KERNEL=="eth1", ATTR{mtu}="9000"',
      '',
    ].join('\n');
    const after = listFiles(disk, offset);
    expect(listedBytes(after, NET_RULES).toString('utf8')).toBe(expected);
    expect(after.files).toEqual(changed(before, { [NET_RULES]: withContent(before, NET_RULES, expected) }));
    expect(jsonReport(fixed.stdout).rulesRun).toContain('persistent-net-rules');
    expect(jsonReport(fixed.stdout).findings).toEqual([]);
    // Nothing outside the partition: the MBR, the gap before it, the spare MiB after it.
    const [was, is] = [readFileSync(original), readFileSync(disk)];
    expect(is.subarray(0, offset).equals(was.subarray(0, offset))).toBe(true);
    expect(is.subarray(partitionEnd).equals(was.subarray(partitionEnd))).toBe(true);
  });

  it.concurrent('unpins a RHEL guest\'s ifcfg HWADDR= and NetworkManager mac-address=, into a copy (two ways) and in place, and undoes it byte for byte', async ({ expect }) => {
    const tree = rhelNetworkManagerGuest();
    const ifcfgPath = '/etc/sysconfig/network-scripts/ifcfg-eth0';
    const keyfilePath = Object.keys(tree).find((key) => key.startsWith('etc/NetworkManager/system-connections/'))!;
    const ifcfg = tree[ifcfgPath.slice(1)] as string;
    const keyfile = tree[keyfilePath] as string;
    const [hwaddr, macAddress] = [`HWADDR=${NIC_MAC}\n`, `mac-address=${NIC_MAC}\n`];
    expect(ifcfg).toContain(hwaddr);
    expect(keyfile).toContain(macAddress);
    const expectedIfcfg = ifcfg.replace(hwaddr, '');
    const expectedKeyfile = keyfile.replace(macAddress, '');
    const image = makeGuestImage(tree);
    const originalSha = fileSha256(image);
    const before = listFiles(image);
    const config = onlyRulesConfig({ 'mac-pinned-network-config': 'error' });
    const expectedFiles = changed(before, {
      [ifcfgPath]: withContent(before, ifcfgPath, expectedIfcfg),
      [`/${keyfilePath}`]: withContent(before, `/${keyfilePath}`, expectedKeyfile),
    });
    const checkFixed = (path: string, result: CliResult) => {
      expect(result.code, result.stderr).toBe(0);
      expect(e2fsck(path).code).toBe(0);
      const after = listFiles(path);
      expect(listedBytes(after, ifcfgPath).toString('utf8')).toBe(expectedIfcfg);
      expect(after.files).toEqual(expectedFiles);
    };
    const untouched = () => {
      expect(fileSha256(image)).toBe(originalSha);
      expect(existsSync(undoJournalOf(image))).toBe(false);
      expect(existsSync(lockFileOf(image))).toBe(false);
    };

    // Both ways to a fixed copy at once: neither may touch the image, nor lock it.
    const copies = tempDir('fix-copies');
    const copy = join(copies, 'fixed.img');
    const copy2 = join(copies, 'fixed-by-command.img');
    const [toCopy, byCommand] = await Promise.all([
      spotlint(image, config, ['--fix', '--fix-output', copy]),
      runCli(['fix', image, '-o', copy2, '--config', config]),
    ]);
    for (const [path, result] of [[copy, toCopy], [copy2, byCommand]] as const) {
      checkFixed(path, result);
      expect(existsSync(undoJournalOf(path))).toBe(false);
      expect(existsSync(`${path}.spotlint-partial`)).toBe(false);
    }
    expect(toCopy.stderr).toContain(`${copy} (a fixed copy of ${image}, which is unchanged)`);
    // The report is the copy's.
    expect(JSON.parse(toCopy.stdout).images[0].path).toBe(copy);
    expect(jsonReport(toCopy.stdout).findings).toEqual([]);
    untouched();

    const inPlace = await spotlint(image, config, ['--fix']);
    checkFixed(image, inPlace);
    expect(jsonReport(inPlace.stdout).rulesRun).toContain('mac-pinned-network-config');
    expect(jsonReport(inPlace.stdout).findings).toEqual([]);
    expect(existsSync(undoJournalOf(image))).toBe(true);

    const undo = await runCli(['undo', image]);
    expect(undo.code, undo.stderr).toBe(0);
    expect(undo.stdout).toMatch(/restored .* in \d+ places? from .*, which is removed/);
    untouched();
  });

  it.concurrent('zeroes free space, and undo brings back every byte but those of blocks that were free', async ({ expect }) => {
    const { image, config } = smallDirtyFilesystem();
    const original = sparseCopy(image, 'original.img');
    const free = freeBlocks(original);
    const before = listFiles(image);
    const needle = randomGarbage(MiB, 0x51ed).subarray(4096, 4160);
    expect(readFileSync(image).indexOf(needle)).not.toBe(-1);

    const fixed = await spotlint(image, config, ['--fix']);
    expect(fixed.code, fixed.stderr).toBe(0);
    expect(jsonReport(fixed.stdout).volumes[0]!.freeSpace).toMatchObject({ status: 'scanned', nonZeroBytes: 0 });
    expect(jsonReport(fixed.stdout).findings).toEqual([]);
    expect(readFileSync(image).indexOf(needle)).toBe(-1);
    expect(e2fsck(image).code).toBe(0);
    expect(listFiles(image).files).toEqual(before.files);
    // Only free blocks were written, and the journal does not keep their old bytes.
    expect(blockDifferences(original, image, free)).toMatchObject({ elsewhereCount: 0 });
    expect(blockDifferences(original, image, free).inFreeBlocks).toBeGreaterThanOrEqual(MiB / 4096);
    expect(statSync(undoJournalOf(image)).size).toBeLessThan(MiB / 4);

    const undo = await runCli(['undo', image]);
    expect(undo.code, undo.stderr).toBe(0);
    expect(existsSync(undoJournalOf(image))).toBe(false);
    expect(existsSync(lockFileOf(image))).toBe(false);
    expect(e2fsck(image).code).toBe(0);
    expect(listFiles(image).files).toEqual(before.files);
    expect(blockDifferences(original, image, free)).toMatchObject({ elsewhereCount: 0, elsewhere: [] });
  });

  it.concurrent('removes shell histories and ssh host keys with --fix-unsafe when the guest makes new keys at boot', async ({ expect }) => {
    const { image } = debianGuestCopy();
    const before = listFiles(image);
    const config = onlyRulesConfig({ 'leftover-secrets': 'warning', 'ssh-host-keys': 'warning' });

    const unsafe = await spotlint(image, config, ['--fix', '--fix-unsafe']);
    expect(unsafe.code, unsafe.stderr).toBe(0);
    expect(unsafe.stderr).not.toContain('left alone');
    expect(changeLines(unsafe.stderr).sort()).toEqual([...HOST_KEYS, ...HISTORIES].map((path) => `${path}: remove`).sort());
    expect(e2fsck(image).code).toBe(0);
    expect(listFiles(image).files).toEqual(changed(before, Object.fromEntries([...HOST_KEYS, ...HISTORIES].map((path) => [path, undefined]))));
    expect(jsonReport(unsafe.stdout).findings).toEqual([]);
  });

  it.concurrent('keeps the ssh host keys even with --fix-unsafe when nothing in the guest would make new ones', async ({ expect }) => {
    const image = mbrDebianDiskCopy();
    const before = listFiles(image, MiB);
    const config = onlyRulesConfig({ 'leftover-secrets': 'warning', 'ssh-host-keys': 'warning' });

    const unsafe = await spotlint(image, config, ['--fix', '--fix-unsafe']);
    expect(unsafe.code, unsafe.stderr).toBe(0);
    expect(unsafe.stderr).toMatch(/needs a person: ssh-host-keys /);
    expect(changeLines(unsafe.stderr).sort()).toEqual(HISTORIES.map((path) => `${path}: remove`).sort());
    expect(e2fsck(image, MiB).code).toBe(0);
    expect(listFiles(image, MiB).files).toEqual(changed(before, Object.fromEntries(HISTORIES.map((path) => [path, undefined]))));
    expect(jsonReport(unsafe.stdout).findings.map((f) => f.ruleId)).toEqual(['ssh-host-keys']);
  });

  describe('refuses, and writes nothing:', () => {
    /** Nothing of the image changed, no journal was made, and a lock file is there only if the test put it there. */
    const expectUntouched = (expect: ExpectStatic, image: string, sha: string, lockText?: string) => {
      expect(fileSha256(image)).toBe(sha);
      expect(existsSync(undoJournalOf(image))).toBe(false);
      expect(existsSync(lockFileOf(image)) ? readFileSync(lockFileOf(image), 'utf8') : undefined).toBe(lockText);
    };

    it.concurrent('a QCOW2 image, naming the command that converts it', async ({ expect }) => {
      const { image, config } = smallDirtyFilesystem();
      const qcow2 = toQcow2(image);
      const sha = fileSha256(qcow2);
      const line = expectOneLineError(await spotlint(qcow2, config, ['--fix']));
      expect(line).toContain(`qemu-img convert -O raw ${qcow2} `);
      expect(line).toContain('QCOW2');
      expectUntouched(expect, qcow2, sha);
    });

    it.concurrent('an image another spotlint holds the lock of', async ({ expect }) => {
      const { image, config } = smallDirtyFilesystem();
      const sha = fileSha256(image);
      const lockText = writeLiveLock(image);
      const line = expectOneLineError(await spotlint(image, config, ['--fix']));
      expect(line).toContain(`${image} is being changed by another spotlint (pid ${process.pid} `);
      expect(line).toContain(`remove ${lockFileOf(image)}`);
      expectUntouched(expect, image, sha, lockText);
      // undo waits its turn too.
      writeFileSync(undoJournalOf(image), 'a journal undo must not read while the lock is held');
      expectOneLineError(await runCli(['undo', image]));
      expect(readFileSync(undoJournalOf(image), 'utf8')).toBe('a journal undo must not read while the lock is held');
    });

    it.runIf(process.platform === 'linux').concurrent('an image another process has open for writing', async ({ expect }) => {
      const { image, config } = smallDirtyFilesystem();
      const sha = fileSha256(image);
      const holder = spawn(process.execPath, ['-e', 'require("fs").openSync(process.argv[1], "r+"); console.log("open"); setInterval(() => {}, 1000)', image], { stdio: ['ignore', 'pipe', 'inherit'] });
      try {
        await new Promise<void>((resolve, reject) => {
          holder.stdout!.once('data', () => resolve());
          holder.once('exit', (code) => reject(new Error(`the process holding ${image} exited (${code})`)));
        });
        const line = expectOneLineError(await spotlint(image, config, ['--fix']));
        expect(line).toContain(`${image} is open for writing by node (pid ${holder.pid})`);
        expectUntouched(expect, image, sha);
      } finally {
        holder.kill('SIGKILL');
      }
    });

    it.concurrent('an image with the undo journal of an earlier fix, pointing to spotlint undo', async ({ expect }) => {
      const { image, config } = smallDirtyFilesystem();
      const sha = fileSha256(image);
      writeFileSync(undoJournalOf(image), 'the journal of an earlier fix');
      const line = expectOneLineError(await spotlint(image, config, ['--fix']));
      expect(line).toContain(`run spotlint undo ${image}`);
      expect(readFileSync(undoJournalOf(image), 'utf8')).toBe('the journal of an earlier fix');
      expect(fileSha256(image)).toBe(sha);
      expect(existsSync(lockFileOf(image))).toBe(false);
    });
  });
});
