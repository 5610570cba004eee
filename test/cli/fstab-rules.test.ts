// fstab-unresolvable and device-names on real images: ext4 filesystems made
// by mke2fs, a swap area made by mkswap, behind an MBR written by hand or a
// GPT written by sfdisk, or a bare filesystem; linted through the CLI.
import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import GPT from 'gpt';
import { describe, expect, it } from 'vitest';
import { makeExtImage, tempDir, wrapInMbr, type Tree } from '../helpers/build-image.js';
import { DEFAULT_ROOT_UUID, SWAP_UUID, distroFile, makeGuestImage, wellBuiltDebianGuest } from '../helpers/guest-styles/index.js';
import { byRule, lintGuest, lintImage, type JsonFinding } from '../helpers/lint-guest.js';
import { runCli } from '../helpers/run-cli.js';

const MiB = 1024 * 1024;
const ROOT_UUID = '0c8e1d2a-3b4c-4d5e-8f60-718293a4b5c6';
const DATA_UUID = '5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d';
const PART_SWAP_UUID = 'e1d2c3b4-a596-4877-8699-aabbccddeeff';
const MISSING_UUID = 'deadbeef-0000-4000-8000-000000000001';
const MISSING_SWAP_UUID = 'deadbeef-0000-4000-8000-000000000002';
const DISK_SIGNATURE = 0x5107c0de;
const OS_RELEASE = 'ID=debian\nVERSION_ID="12"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n';
const GPT_LINUX = '0FC63DAF-8483-4772-8E79-3D69D8477DE4';
const GPT_SWAP = '0657FD6D-A4AB-43C4-84E5-0933C84B4F4F';

/**
 * The settings of Debian 12's /etc/default/grub as grub2-common 2.06-13
 * ships it (/usr/share/grub/default/grub; comments left out), plus the
 * line an image builder uncomments to get root=/dev/... in grub.cfg.
 */
const DEFAULT_GRUB = (disableUuid: boolean, cmdlineLinux = '') => [
  "# If you change this file, run 'update-grub' afterwards to update",
  'GRUB_DEFAULT=0',
  'GRUB_TIMEOUT=5',
  'GRUB_DISTRIBUTOR=`lsb_release -i -s 2> /dev/null || echo Debian`',
  'GRUB_CMDLINE_LINUX_DEFAULT="quiet"',
  `GRUB_CMDLINE_LINUX="${cmdlineLinux}"`,
  'GRUB_DISABLE_OS_PROBER=true',
  '# Uncomment if you don\'t want GRUB to pass "root=UUID=xxx" parameter to Linux',
  `${disableUuid ? '' : '#'}GRUB_DISABLE_LINUX_UUID=true`,
  '',
].join('\n');

/**
 * What makes spotlint take the guest for a systemd or a SysV init one:
 * /sbin/init leading to systemd (as systemd-sysv links it), or sysvinit's
 * /sbin/init (a placeholder: only its presence matters) with its real inittab.
 */
const SYSTEMD_INIT: Tree = { 'sbin/init': { symlink: '/lib/systemd/systemd' } };
const SYSV_INIT = (): Tree => ({ 'sbin/init': '', 'etc/inittab': distroFile('sysvinit-core', 'usr/share/sysvinit/inittab') });

const hasCommand = (command: string) => spawnSync(command, ['--version'], { stdio: 'ignore' }).status === 0;

/** A swap area with `uuid`: mkswap where installed, else the v1 header written by hand (as mkswap lays it out). */
function swapArea(uuid: string, label = 'swap0', sizeMiB = 4): string {
  const file = join(tempDir('swap'), 'swap.img');
  const area = Buffer.alloc(sizeMiB * MiB);
  if (hasCommand('mkswap')) {
    writeFileSync(file, area);
    execFileSync('mkswap', ['-L', label, '-U', uuid, '-p', '4096', file], { stdio: 'pipe' });
    return file;
  }
  const page = 4096;
  area.writeUInt32LE(1, 1024); // version
  area.writeUInt32LE(area.length / page - 1, 1028); // last page
  Buffer.from(uuid.replace(/-/g, ''), 'hex').copy(area, 1036);
  area.write(label, 1052, 16, 'latin1');
  area.write('SWAPSPACE2', page - 10, 'latin1');
  writeFileSync(file, area);
  return file;
}

interface GptPart {
  image: string;
  name: string;
  guid: string;
  type?: string;
}

/** A GPT disk, 1 MiB-aligned: written by sfdisk where installed, else by the `gpt` package. */
function wrapInGpt(parts: GptPart[], diskGuid: string): string {
  const disk = join(tempDir('gpt'), 'disk.img');
  const sizes = parts.map((p) => Math.ceil(readFileSync(p.image).length / MiB));
  const totalSectors = ((2 + sizes.reduce((a, b) => a + b, 0)) * MiB) / 512;
  writeFileSync(disk, Buffer.alloc(0));
  const fd = openSync(disk, 'r+');
  writeSync(fd, Buffer.alloc(1), 0, 1, totalSectors * 512 - 1);
  let startMiB = 1;
  const placed = parts.map((part, i) => {
    const at = { ...part, startSector: (startMiB * MiB) / 512, sectors: (sizes[i]! * MiB) / 512 };
    startMiB += sizes[i]!;
    return at;
  });
  if (hasCommand('sfdisk')) {
    closeSync(fd);
    const script = ['label: gpt', `label-id: ${diskGuid}`, 'unit: sectors', '',
      ...placed.map((p) => `start=${p.startSector}, size=${p.sectors}, type=${p.type ?? GPT_LINUX}, uuid=${p.guid}, name="${p.name}"`), ''].join('\n');
    execFileSync('sfdisk', ['--quiet', '--no-reread', '--no-tell-kernel', disk], { input: script, stdio: ['pipe', 'pipe', 'pipe'] });
  } else {
    // The package's write API is not in spotlint's minimal typings (src/types/mbr-gpt.d.ts).
    type Writer = { partitions: unknown[]; write(): Buffer; writeBackupFromPrimary(): Buffer };
    const Gpt = GPT as unknown as (new (options: object) => Writer) & { PartitionEntry: new (options: object) => unknown };
    const last = BigInt(totalSectors - 1);
    const gpt = new Gpt({ blockSize: 512, guid: diskGuid, currentLBA: 1n, backupLBA: last, firstLBA: 34n, lastLBA: last - 33n });
    gpt.partitions = placed.map((p) => new Gpt.PartitionEntry({
      type: p.type ?? GPT_LINUX, guid: p.guid, name: p.name, firstLBA: BigInt(p.startSector), lastLBA: BigInt(p.startSector + p.sectors - 1),
    }));
    const protective = Buffer.alloc(512);
    protective[0x1be + 4] = 0xee;
    protective.writeUInt32LE(1, 0x1be + 8);
    protective.writeUInt32LE(Math.min(totalSectors - 1, 0xffffffff), 0x1be + 12);
    protective.writeUInt16LE(0xaa55, 510);
    writeSync(fd, protective, 0, 512, 0);
    const primary = gpt.write();
    writeSync(fd, primary, 0, primary.length, 512);
    const backup = gpt.writeBackupFromPrimary();
    writeSync(fd, backup, 0, backup.length, totalSectors * 512 - backup.length);
    closeSync(fd);
  }
  const out = openSync(disk, 'r+');
  for (const p of placed) {
    const content = readFileSync(p.image);
    writeSync(out, content, 0, content.length, p.startSector * 512);
  }
  closeSync(out);
  return disk;
}

function rootTree(fstab: string, extra: Tree = {}): Tree {
  return { 'etc/os-release': OS_RELEASE, 'etc/fstab': `${fstab}\n`, 'srv/': '', 'mnt/': '', 'boot/': '', ...extra };
}

const rootFs = (fstab: string, extra: Tree = {}) => makeExtImage(rootTree(fstab, extra), { uuid: ROOT_UUID, label: 'root', sizeMiB: 16 });
const dataFs = () => makeExtImage({ 'note.txt': 'data\n' }, { uuid: DATA_UUID, label: 'DATA', sizeMiB: 4 });

/** Root, data and swap partitions behind an MBR with disk signature 5107c0de. */
function mbrDisk(fstab: string, extra: Tree = {}): string {
  return wrapInMbr([
    { image: rootFs(fstab, extra) },
    { image: dataFs() },
    { image: swapArea(PART_SWAP_UUID), type: 0x82 },
  ], DISK_SIGNATURE);
}

const brief = (findings: JsonFinding[]) => findings.map((f) => [f.severity, f.location.path, f.location.line]);

describe('fstab entries that resolve', () => {
  it('are found by UUID (any case), LABEL, PARTUUID (MBR form) and the udev links; only the kernel name is a device-names warning', async () => {
    const findings = await lintImage(mbrDisk([
      `UUID=${ROOT_UUID.toUpperCase()} / ext4 errors=remount-ro 0 1`,
      'LABEL=DATA /srv ext4 defaults 0 2',
      'PARTUUID=5107c0de-02 /mnt ext4 defaults 0 2',
      `/dev/disk/by-uuid/${DATA_UUID} /mnt ext4 defaults 0 2`,
      '/dev/disk/by-label/DATA /mnt ext4 defaults 0 2',
      '/dev/disk/by-partuuid/5107C0DE-02 /mnt ext4 defaults 0 2',
      '/dev/sda2 /mnt ext4 defaults 0 2',
      `UUID=${PART_SWAP_UUID} none swap sw 0 0`,
      'proc /proc proc defaults 0 0',
      'tmpfs /tmp tmpfs defaults 0 0',
      'server:/export /mnt nfs defaults 0 0',
      '/srv /mnt none bind 0 0',
      '/dev/mapper/vg-data /mnt ext4 defaults 0 2',
      '/dev/sdc1 /mnt cifs credentials=/root/c 0 0',
    ].join('\n')));
    expect(byRule(findings, 'fstab-unresolvable')).toEqual([]);
    const [kernelName, ...rest] = byRule(findings, 'device-names');
    expect(rest).toEqual([]);
    expect(kernelName).toMatchObject({ severity: 'warning', location: { path: '/etc/fstab', line: 7, partition: 1 } });
    expect(kernelName!.message).toMatch(/^\/etc\/fstab line 7 names \/mnt by \/dev\/sda2, a kernel device name/);
    expect(kernelName!.message).toContain(`Use UUID=${DATA_UUID} (the ext4 on partition 2) instead.`);
  });

  it('are found on GPT by PARTUUID (the partition GUID), PARTLABEL and their links; a PARTUUID in MBR form is not', async () => {
    const dataGuid = '6d7e8f90-a1b2-4c3d-9e4f-5a6b7c8d9e0f';
    const swapGuid = '11223344-5566-4778-899a-abbccddeeff0';
    const image = wrapInGpt([
      {
        image: rootFs([
          'PARTLABEL=root / ext4 defaults 0 1',
          `PARTUUID=${dataGuid.toUpperCase()} /srv ext4 defaults 0 2`,
          '/dev/disk/by-partlabel/data /mnt ext4 defaults 0 2',
          `/dev/disk/by-partuuid/${dataGuid} /mnt ext4 defaults 0 2`,
          `PARTUUID=${swapGuid} none swap sw 0 0`,
          'PARTUUID=5107c0de-02 /mnt ext4 defaults 0 2',
          'PARTLABEL=nothere /mnt ext4 defaults 0 2',
          '/dev/vda2 /mnt ext4 defaults 0 2',
        ].join('\n')),
        name: 'root', guid: '0a0b0c0d-1e1f-4a2b-8c3d-4e5f6a7b8c9d',
      },
      { image: dataFs(), name: 'data', guid: dataGuid },
      { image: swapArea(PART_SWAP_UUID), name: 'swap', guid: swapGuid, type: GPT_SWAP },
    ], 'c0dec0de-5107-4c0d-8e00-000000000000');
    const inspected = JSON.parse((await runCli(['inspect', '--json', image])).stdout);
    expect(inspected.partitionTable.scheme).toBe('gpt');
    const findings = await lintImage(image);
    expect(brief(byRule(findings, 'fstab-unresolvable'))).toEqual([['error', '/etc/fstab', 6], ['error', '/etc/fstab', 7]]);
    expect(byRule(findings, 'fstab-unresolvable')[1]!.message).toContain('no partition or filesystem in this image is PARTLABEL=nothere');
    const names = byRule(findings, 'device-names');
    expect(brief(names)).toEqual([['warning', '/etc/fstab', 8]]);
    expect(names[0]!.message).toContain(`Use UUID=${DATA_UUID} (the ext4 on partition 2) instead.`);
  });
});

describe('fstab entries that resolve to nothing', () => {
  it('are errors for filesystems and warnings for swap, unless nofail or noauto; a second disk is not in the image', async () => {
    const findings = await lintImage(mbrDisk([
      `UUID=${ROOT_UUID} / ext4 errors=remount-ro 0 1`,
      '/dev/sda1 /mnt ext4 defaults 0 2',
      '/dev/sdb1 /srv ext4 defaults 0 2',
      `UUID=${MISSING_UUID} /srv ext4 defaults 0 2`,
      `UUID=${MISSING_UUID} /srv ext4 defaults,nofail 0 2`,
      'LABEL=nothere /srv ext4 noauto 0 0',
      'PARTUUID=5107c0de-07 /srv ext4 defaults 0 2',
      `UUID=${MISSING_SWAP_UUID} none swap sw 0 0`,
      `UUID=${MISSING_SWAP_UUID} none swap sw,nofail 0 0`,
    ].join('\n'), SYSTEMD_INIT));
    const unresolvable = byRule(findings, 'fstab-unresolvable');
    expect(brief(unresolvable)).toEqual([
      ['error', '/etc/fstab', 3], ['error', '/etc/fstab', 4], ['error', '/etc/fstab', 7], ['warning', '/etc/fstab', 8],
    ]);
    const [sdb, missing, partuuid, swap] = unresolvable;
    expect(sdb!.message).toBe('/etc/fstab line 3: /dev/sdb1 is on a second disk (sdb), which is not part of this image, so at boot systemd waits for it (90 s by default), fails to mount /srv and stops in an emergency shell, which nobody can reach on SpotCloud. Correct the source to the UUID= of a filesystem in the image (blkid lists them), add nofail if the mount is optional, or remove the line.');
    expect(missing!.message).toContain(`no partition or filesystem in this image is UUID=${MISSING_UUID}`);
    expect(partuuid!.message).toContain('is PARTUUID=5107c0de-07');
    expect(swap!.message).toContain('so at every boot systemd waits for it (the device timeout, 90 s by default), then goes on without swap');

    // The kernel names warn whether they resolve (with the UUID to use) or not.
    const names = byRule(findings, 'device-names');
    expect(brief(names)).toEqual([['warning', '/etc/fstab', 2], ['warning', '/etc/fstab', 3]]);
    expect(names[0]!.message).toContain(`Use UUID=${ROOT_UUID} (the ext4 on partition 1) instead.`);
    expect(names[1]!.message).toContain('Use UUID= or LABEL= of the filesystem it should name instead (blkid lists them).');
  });

  it('name the root filesystem to use when / does not resolve; a bare filesystem is /dev/sda, never /dev/sda1', async () => {
    const image = makeExtImage(rootTree([
      `UUID=${MISSING_UUID} / ext4 errors=remount-ro 0 1`,
      '/dev/sda /mnt ext4 defaults 0 2',
      '/dev/sda1 /srv ext4 defaults 0 2',
    ].join('\n'), SYSTEMD_INIT), { uuid: ROOT_UUID, sizeMiB: 16 });
    const findings = await lintImage(image);
    const unresolvable = byRule(findings, 'fstab-unresolvable');
    expect(brief(unresolvable)).toEqual([['error', '/etc/fstab', 1], ['error', '/etc/fstab', 3]]);
    expect(unresolvable[0]!.message).toContain('systemd cannot check / and remount it read-write, and the appliance runs with a read-only root');
    expect(unresolvable[0]!.message).toContain(`The root filesystem of this image is the ext4 on the whole disk: name it UUID=${ROOT_UUID}.`);
    expect(unresolvable[1]!.message).toContain('no partition or filesystem in this image is /dev/sda1');
    const names = byRule(findings, 'device-names');
    expect(brief(names)).toEqual([['warning', '/etc/fstab', 2], ['warning', '/etc/fstab', 3]]);
    expect(names[0]!.message).toContain(`Use UUID=${ROOT_UUID} (the ext4 on the whole disk) instead.`);
  });
});

describe('kernel command lines', () => {
  const bootPartition = (grubCfg: string, extra: Tree = {}) =>
    makeExtImage({ 'grub/grub.cfg': grubCfg, ...extra }, { type: 'ext2', label: 'boot', sizeMiB: 4 });
  const fstab = `UUID=${ROOT_UUID} / ext4 errors=remount-ro 0 1\nLABEL=boot /boot ext2 defaults 0 2`;
  /** Hand-written in grub-mkconfig's layout; no package ships a grub.cfg. */
  const grubCfg = (roots: string[]) => roots.map((root, i) => [
    `menuentry 'Debian GNU/Linux${i ? ` (${i})` : ''}' --class debian --class gnu-linux --class gnu --class os {`,
    '\tinsmod ext2',
    `\tlinux\t/vmlinuz-6.1.0-13-amd64 root=${root} ro  quiet`,
    '\tinitrd\t/initrd.img-6.1.0-13-amd64',
    '}',
  ].join('\n')).join('\n');

  it('warn about root= kernel names in every boot loader\'s configuration, and about GRUB_DISABLE_LINUX_UUID=true', async () => {
    const boot = bootPartition(grubCfg(['/dev/sda2', `UUID=${ROOT_UUID}`, '/dev/sda2']), {
      // Hand-written: GRUB Legacy's update-grub writes menu.lst with the kopt default.
      'grub/menu.lst': '# kopt=root=/dev/hda2 ro\n\ntitle Debian GNU/Linux, kernel 2.6.26-2-686\nroot (hd0,0)\nkernel /vmlinuz-2.6.26-2-686 root=/dev/hda2 ro quiet\n',
      // Hand-written: kernel-install (RHEL 9) writes the options into the entry.
      'loader/entries/a-rocky.conf': 'title Rocky Linux (5.14.0-362.el9.x86_64) 9.3\nlinux /vmlinuz-5.14.0-362.el9.x86_64\noptions root=/dev/vda2 ro rhgb quiet\n',
      'loader/entries/b-rocky.conf': `title Rocky Linux (rescue)\nlinux /vmlinuz-0-rescue\noptions root=UUID=${ROOT_UUID} ro\n`,
      // Hand-written: extlinux-update's layout.
      'extlinux/extlinux.conf': 'default l0\nlabel l0\n\tkernel /vmlinuz-6.1.0-13-amd64\n\tappend initrd=/initrd.img-6.1.0-13-amd64 root=/dev/xvda2 ro\n',
    });
    const image = wrapInMbr([{ image: boot }, { image: rootFs(fstab, { 'etc/default/grub': DEFAULT_GRUB(true) }) }], DISK_SIGNATURE);
    const findings = await lintImage(image);
    expect(byRule(findings, 'fstab-unresolvable')).toEqual([]);
    const names = byRule(findings, 'device-names');
    expect(brief(names)).toEqual([
      ['warning', '/boot/extlinux/extlinux.conf', 4],
      ['warning', '/boot/grub/grub.cfg', 3],
      ['warning', '/boot/grub/menu.lst', 1],
      ['warning', '/boot/grub/menu.lst', 5],
      ['warning', '/boot/loader/entries/a-rocky.conf', 3],
      ['warning', '/etc/default/grub', 9],
    ]);
    const byPath = (path: string, line: number) => names.find((f) => f.location.path === path && f.location.line === line)!;
    // The boot files are on partition 1, mounted at /boot; /etc/default/grub on the root.
    expect(byPath('/boot/grub/grub.cfg', 3).location.partition).toBe(1);
    expect(byPath('/etc/default/grub', 9).location.partition).toBe(2);
    const grub = byPath('/boot/grub/grub.cfg', 3).message;
    expect(grub).toMatch(/^\/boot\/grub\/grub\.cfg line 3 \(entry "Debian GNU\/Linux"\) \(and 1 more line there\) passes root=\/dev\/sda2 to the kernel/);
    expect(grub).toContain(`Use root=UUID=${ROOT_UUID} (the ext4 on partition 2) instead (grub-mkconfig rewrites this file: fix /etc/default/grub, then run update-grub).`);
    for (const finding of names.filter((f) => f.location.path !== '/etc/default/grub')) {
      expect(finding.message).toContain(`root=UUID=${ROOT_UUID}`);
    }
    expect(byPath('/boot/grub/menu.lst', 1).message).toMatch(/^\/boot\/grub\/menu\.lst line 1 \(kopt\) passes root=\/dev\/hda2 .* instead \(new boot entries copy this setting\)\.$/);
    expect(byPath('/etc/default/grub', 9).message).toMatch(/^\/etc\/default\/grub line 9 sets GRUB_DISABLE_LINUX_UUID=true, so update-grub .* writes root=\/dev\/\.\.\. kernel device names/);

    const inspect = await runCli(['inspect', image]);
    expect(inspect.stdout.split('\n').find((l) => l.startsWith('Boot config:'))).toBe(
      `Boot config:  /boot/grub/grub.cfg, /etc/default/grub, /boot/grub/menu.lst, /boot/loader/entries/a-rocky.conf, /boot/loader/entries/b-rocky.conf, /boot/extlinux/extlinux.conf: 10 kernel command lines, root=/dev/sda2 (2 lines), UUID=${ROOT_UUID} (2 lines), /dev/hda2 (2 lines), /dev/vda2, /dev/xvda2; GRUB_DISABLE_LINUX_UUID=true (/etc/default/grub:9)`,
    );
  });

  it('are fstab-unresolvable errors when root= names no filesystem of the image: an old root UUID, a second disk, GRUB_CMDLINE_LINUX', async () => {
    const boot = bootPartition(grubCfg([`UUID=${MISSING_UUID}`, `UUID=${MISSING_UUID}`]), {
      // Hand-written: a GRUB Legacy menu.lst entry as update-grub wrote it.
      'grub/menu.lst': 'title Debian GNU/Linux, kernel 2.6.32-5-amd64\nroot (hd0,0)\nkernel /vmlinuz-2.6.32-5-amd64 root=/dev/sdb1 ro quiet\n',
    });
    const image = wrapInMbr([
      { image: boot },
      { image: rootFs(fstab, { ...SYSTEMD_INIT, 'etc/default/grub': DEFAULT_GRUB(false, `root=UUID=${MISSING_UUID}`) }) },
    ], DISK_SIGNATURE);
    const findings = byRule(await lintImage(image), 'fstab-unresolvable');
    // The report orders findings by partition: the boot files are on partition 1, /etc/default/grub on 2.
    expect(brief(findings)).toEqual([['error', '/boot/grub/grub.cfg', 3], ['error', '/boot/grub/menu.lst', 3], ['error', '/etc/default/grub', 6]]);
    const [entry, legacy, template] = findings;
    expect(entry!.message).toBe(`/boot/grub/grub.cfg line 3 (entry "Debian GNU/Linux") (and 1 more line there) passes root=UUID=${MISSING_UUID} to the kernel, but no partition or filesystem in this image is UUID=${MISSING_UUID}: the kernel does not find its root filesystem and stops at a rescue shell, which nobody can reach on SpotCloud, so the appliance never boots. Pass root=UUID=${ROOT_UUID} (the ext4 on partition 2, the root filesystem of this image) instead (grub-mkconfig rewrites this file: fix /etc/default/grub, then run update-grub).`);
    expect(template!.message).toMatch(/^\/etc\/default\/grub line 6 \(GRUB_CMDLINE_LINUX\) makes every entry grub-mkconfig \(update-grub\) writes pass root=UUID=\S+ to the kernel, but no partition or filesystem in this image is UUID=\S+: the kernel takes the last root=/);
    expect(template!.message).toContain('Remove root= from GRUB_CMDLINE_LINUX (grub-mkconfig adds root=UUID= of the root filesystem itself), then run update-grub.');
    expect(legacy!.message).toContain('passes root=/dev/sdb1 to the kernel, but /dev/sdb1 is on a second disk (sdb), which is not part of this image');
  });

  it('leave a configuration that names the root by UUID alone', async () => {
    const image = wrapInMbr([
      { image: bootPartition(grubCfg([`UUID=${ROOT_UUID}`, `UUID=${ROOT_UUID}`])) },
      { image: rootFs(fstab, { 'etc/default/grub': DEFAULT_GRUB(false) }) },
    ], DISK_SIGNATURE);
    const findings = await lintImage(image);
    expect(byRule(findings, 'device-names')).toEqual([]);
    expect(byRule(findings, 'fstab-unresolvable')).toEqual([]);
    const facts = JSON.parse((await runCli(['inspect', '--json', image])).stdout).facts.boot;
    expect(facts.files).toEqual(['/boot/grub/grub.cfg', '/etc/default/grub']);
    expect(facts.commandLines.map((l: { root?: string; kind: string }) => [l.kind, l.root])).toEqual([
      ['entry', `UUID=${ROOT_UUID}`], ['entry', `UUID=${ROOT_UUID}`], ['template', undefined], ['template', undefined],
    ]);
    expect(facts.grubDefaults.GRUB_DISABLE_LINUX_UUID).toBeUndefined();
  });
});

describe('fstab messages follow the init system', () => {
  const fstab = [
    `UUID=${MISSING_UUID} / ext4 errors=remount-ro 0 1`,
    `UUID=${MISSING_UUID} /srv ext4 defaults 0 2`,
    `UUID=${MISSING_SWAP_UUID} none swap sw 0 0`,
  ].join('\n');
  const lintWithInit = async (init: Tree) => byRule(await lintImage(mbrDisk(fstab, init)), 'fstab-unresolvable');

  it('speak of systemd\'s device timeout and emergency shell on a systemd guest', async () => {
    const [root, srv, swap] = await lintWithInit(SYSTEMD_INIT);
    expect(root!.message).toContain('so at boot systemd cannot check / and remount it read-write, and the appliance runs with a read-only root');
    expect(srv!.message).toContain('so at boot systemd waits for it (90 s by default), fails to mount /srv and stops in an emergency shell');
    expect(swap).toMatchObject({ severity: 'warning' });
    expect(swap!.message).toContain('systemd waits for it (the device timeout, 90 s by default), then goes on without swap');
    for (const finding of [root, srv, swap]) expect(finding!.message).not.toMatch(/SysV|maintenance/);
  });

  it('speak of SysV init\'s maintenance shell, and of no wait for swap, on a SysV guest', async () => {
    const findings = await lintWithInit(SYSV_INIT());
    expect(brief(findings)).toEqual([['error', '/etc/fstab', 1], ['error', '/etc/fstab', 2], ['warning', '/etc/fstab', 3]]);
    const [root, srv, swap] = findings;
    expect(root!.message).toContain('so the check (fsck) of / fails at boot and SysV init stops at a maintenance shell, which nobody can reach on SpotCloud');
    expect(srv!.message).toContain('so the check (fsck) or mount of /srv fails at boot and SysV init stops at a maintenance shell');
    expect(swap!.message).toContain('so swapon only logs an error at boot and the appliance runs without swap');
    for (const finding of findings) expect(finding.message).not.toMatch(/systemd|90/);
  });
});

describe('device-names on fstab lines that boot does not wait for, and stable by-id names', () => {
  it('skips noauto lines, notes nofail ones (boot goes on, the mount is missing), and leaves by-id names made from the data', async () => {
    const findings = await lintImage(mbrDisk([
      `UUID=${ROOT_UUID} / ext4 errors=remount-ro 0 1`,
      '/dev/hdc /media/cdrom0 udf,iso9660 user,noauto 0 0',
      '/dev/sda2 /srv ext4 defaults,nofail 0 2',
      '/dev/disk/by-id/dm-name-vg0-data /mnt ext4 defaults 0 2',
      '/dev/disk/by-id/dm-uuid-LVM-AbCdEf0123456789AbCdEf0123456789GhIjKl0123456789GhIjKl0123456789 /mnt ext4 defaults 0 2',
      '/dev/disk/by-id/md-uuid-1a2b3c4d:5e6f7a8b:9c0d1e2f:3a4b5c6d /mnt ext4 defaults 0 2',
      '/dev/disk/by-id/lvm-pv-uuid-AbCdEf-0123-4567-89Ab-CdEf-0123-456789 none swap sw 0 0',
      '/dev/disk/by-id/ata-QEMU_HARDDISK_QM00001-part3 none swap sw 0 0',
      `UUID=${PART_SWAP_UUID} none swap sw 0 0`,
    ].join('\n'), SYSTEMD_INIT));
    const names = byRule(findings, 'device-names');
    expect(brief(names)).toEqual([['warning', '/etc/fstab', 8], ['info', '/etc/fstab', 3]]);
    const [byId, nofail] = names;
    expect(nofail!.message).toBe(`/etc/fstab line 3 names /srv by /dev/sda2, a kernel device name, which follows the bus the disk is attached to (sda on SATA or SCSI, hda on IDE, vda on virtio, xvda on Xen): on the provider the disk may get another name; with nofail, boot goes on without it, but then /srv is mounted nowhere and what the appliance keeps there is missing. Use UUID=${DATA_UUID} (the ext4 on partition 2) instead.`);
    expect(byId!.message).toContain('a by-id name, made from the model and serial number the hypervisor gives its virtual disk: on the provider the disk may get another name and the swap is not found.');
  });
});

describe('names of the machine that built the image', () => {
  it('are errors in fstab and in root=, and device-names names them', async () => {
    const grubCfg = [
      "menuentry 'Debian GNU/Linux' --class debian --class gnu-linux --class gnu --class os {",
      '\tlinux\t/vmlinuz-6.1.0-13-amd64 root=/dev/loop0p2 ro  quiet',
      '}',
      "menuentry 'Debian GNU/Linux (recovery mode)' --class debian --class gnu-linux --class gnu --class os {",
      '\tlinux\t/vmlinuz-6.1.0-13-amd64 root=/dev/loop0p2 ro single',
      '}',
      '',
    ].join('\n');
    const boot = makeExtImage({ 'grub/grub.cfg': grubCfg }, { type: 'ext2', label: 'boot', sizeMiB: 4 });
    const root = rootFs([
      `UUID=${ROOT_UUID} / ext4 errors=remount-ro 0 1`,
      'LABEL=boot /boot ext2 defaults 0 2',
      '/dev/mapper/loop0p3 /srv ext4 defaults 0 2',
      '/dev/nbd0p4 none swap sw 0 0',
    ].join('\n'), SYSTEMD_INIT);
    const findings = await lintImage(wrapInMbr([{ image: boot }, { image: root }], DISK_SIGNATURE));
    const unresolvable = byRule(findings, 'fstab-unresolvable');
    expect(brief(unresolvable)).toEqual([['error', '/boot/grub/grub.cfg', 2], ['error', '/etc/fstab', 3], ['warning', '/etc/fstab', 4]]);
    const [rootArgument, mount, swap] = unresolvable;
    expect(mount!.message).toContain('/dev/mapper/loop0p3 is a loop or network block device of the machine that built the image, which the appliance does not have');
    expect(swap!.message).toContain('/dev/nbd0p4 is a loop or network block device of the machine that built the image');
    expect(rootArgument!.message).toBe(`/boot/grub/grub.cfg line 2 (entry "Debian GNU/Linux") (and 1 more line there) passes root=/dev/loop0p2 to the kernel, but /dev/loop0p2 is a loop or network block device of the machine that built the image, which the appliance does not have: the kernel does not find its root filesystem and stops at a rescue shell, which nobody can reach on SpotCloud, so the appliance never boots. Pass root=UUID=${ROOT_UUID} (the ext4 on partition 2, the root filesystem of this image) instead (grub-mkconfig rewrites this file: fix /etc/default/grub, then run update-grub).`);
    const names = byRule(findings, 'device-names');
    expect(brief(names)).toEqual([['warning', '/boot/grub/grub.cfg', 2], ['warning', '/etc/fstab', 3], ['warning', '/etc/fstab', 4]]);
    expect(names[1]!.message).toContain('/dev/mapper/loop0p3, a loop or network block device of the machine that built the image');
    expect(names[1]!.message).toContain('that device does not exist when the appliance boots and the mount fails at boot');
    expect(names[0]!.message).toContain('the kernel does not find its root filesystem on the provider and the appliance does not boot');
  });
});

describe('the well-built Debian guest', () => {
  it('is clean when its root ext4 has the UUID its fstab names and the swap partition is there', async () => {
    const root = makeGuestImage(wellBuiltDebianGuest(), { uuid: DEFAULT_ROOT_UUID });
    const findings = await lintImage(wrapInMbr([{ image: root }, { image: swapArea(SWAP_UUID), type: 0x82 }]));
    expect(byRule(findings, 'fstab-unresolvable')).toEqual([]);
    expect(byRule(findings, 'device-names')).toEqual([]);
  });

  it('as lintGuest builds it (random root UUID, no swap) has an fstab and a grub.cfg root= that name neither', async () => {
    const findings = byRule(await lintGuest(wellBuiltDebianGuest()), 'fstab-unresolvable');
    expect(findings.map((f) => [f.severity, f.location.path, f.message.match(/this image is (UUID=[^\s,:]+)/)?.[1]])).toEqual([
      ['error', '/boot/grub/grub.cfg', `UUID=${DEFAULT_ROOT_UUID}`],
      ['error', '/etc/fstab', `UUID=${DEFAULT_ROOT_UUID}`],
      ['warning', '/etc/fstab', `UUID=${SWAP_UUID}`],
    ]);
  });
});
