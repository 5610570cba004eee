import type { FactProblem, InitSystem, KernelCommandLine } from '../inspect/facts/guest-facts.js';
import { isBlockFstabType, resolveFstabSource, type FstabEntry, type FstabResolution } from '../inspect/guest/fstab.js';
import type { ImageInspection } from '../inspect/inspect-image.js';
import { NO_OPTIONS, type Rule } from './rule.js';
import { commandLinePlace, FSTAB, groupByFileAndRoot, moreLinesThere, readFstabEntries, regenerationAdvice, stableName } from './support/device-naming.js';
import { GUIDE_DEVICE_NUMBERING } from './support/guidelines.js';
import { reportProblems } from './support/report-problems.js';

/** Options under which boot goes on without the device: not mounted at boot, or allowed to fail. */
const OPTIONAL = new Set(['noauto', 'nofail']);
/** Bind mounts name a directory, and _netdev a device that only appears over the network: neither is a disk of the image. */
const NOT_A_LOCAL_DISK = new Set(['bind', 'rbind', '_netdev']);
/** systemd's DefaultTimeoutStartSec, which device units wait for unless fstab says x-systemd.device-timeout=. */
const SYSTEMD_DEVICE_TIMEOUT = '90 s by default';
const NO_CONSOLE = 'which nobody can reach on SpotCloud';
const NON_SYSTEMD_NAMES: Record<Exclude<InitSystem, 'systemd'>, string> = { sysv: 'SysV init', upstart: 'Upstart', openrc: 'OpenRC' };

type Unresolved = Extract<FstabResolution, { why: string }>;

/** What the name turned out to be, when it is not a filesystem of this image; undefined when spotlint cannot follow it. */
function whatIsMissing(spec: string, resolved: Unresolved): string | undefined {
  switch (resolved.why) {
    case 'unknown':
      return undefined;
    case 'other-disk':
      return `${spec} is on a second disk (${resolved.source.by === 'device' ? resolved.source.disk : spec}), which is not part of this image`;
    case 'build-host':
      return `${spec} is a loop or network block device of the machine that built the image, which the appliance does not have`;
    case 'no-match':
      return `no partition or filesystem in this image is ${spec}`;
  }
}

/** What boot does without the device, as the guest's init system handles a missing fstab device. */
function fstabConsequence(entry: FstabEntry, init: InitSystem | 'unknown'): string {
  const swap = entry.type === 'swap';
  const root = entry.mountPoint === '/';
  if (init === 'systemd') {
    if (swap) return `so at every boot systemd waits for it (the device timeout, ${SYSTEMD_DEVICE_TIMEOUT}), then goes on without swap`;
    if (root) return 'so at boot systemd cannot check / and remount it read-write, and the appliance runs with a read-only root';
    return `so at boot systemd waits for it (${SYSTEMD_DEVICE_TIMEOUT}), fails to mount ${entry.mountPoint} and stops in an emergency shell, ${NO_CONSOLE}`;
  }
  if (init === 'unknown') {
    if (swap) return `so the appliance runs without swap (under systemd, after waiting ${SYSTEMD_DEVICE_TIMEOUT} at every boot)`;
    return `so checking or mounting ${entry.mountPoint} fails at boot and the appliance stops in an emergency or maintenance shell, ${NO_CONSOLE}`;
  }
  const name = NON_SYSTEMD_NAMES[init];
  if (swap) return `so swapon only logs an error at boot and the appliance runs without swap (under ${name})`;
  const what = root ? 'the check (fsck) of /' : `the check (fsck) or mount of ${entry.mountPoint}`;
  return `so ${what} fails at boot and ${name} stops at a maintenance shell, ${NO_CONSOLE}`;
}

/** What to write instead: for /, the root filesystem spotlint found; otherwise the general advice. */
function fstabAdvice(entry: FstabEntry, inspection: ImageInspection): string {
  const stable = entry.mountPoint === '/' ? rootStableName(inspection) : undefined;
  if (stable) return `The root filesystem of this image is ${stable.what}: name it ${stable.spec}.`;
  const optional = entry.type === 'swap' ? 'add nofail if the swap is optional' : 'add nofail if the mount is optional';
  return `Correct the source to the UUID= of a filesystem in the image (blkid lists them), ${optional}, or remove the line.`;
}

function rootStableName(inspection: ImageInspection): ReturnType<typeof stableName> {
  const root = inspection.volumes.find((v) => v.index === inspection.rootPartition);
  return root ? stableName(root) : undefined;
}

/** Where a command line's root= takes effect: now (an entry, grubenv's kernelopts) or when entries are written again. */
function rootUse(line: KernelCommandLine): { passes: string; when: string } {
  if (line.kind === 'entry') return { passes: 'passes', when: '' };
  if (line.title === 'kernelopts') return { passes: 'gives every boot entry that says $kernelopts', when: '' };
  if (line.title === 'kopt') return { passes: 'makes the entries update-grub writes pass', when: 'once update-grub writes the menu again (at the next kernel update), ' };
  return {
    passes: 'makes every entry grub-mkconfig (update-grub) writes pass',
    when: 'the kernel takes the last root= (this one, after grub-mkconfig\'s own), so once the boot menu is written again (at the next kernel update), ',
  };
}

/** How to name the root instead, in the place the line is written from. */
function rootAdvice(line: KernelCommandLine, inspection: ImageInspection): string {
  if (line.loader === 'grub2' && line.kind === 'template' && line.title !== 'kernelopts') {
    return `Remove root= from ${line.title ?? 'the setting'} (grub-mkconfig adds root=UUID= of the root filesystem itself), then run update-grub.`;
  }
  const stable = rootStableName(inspection);
  const name = stable ? `root=${stable.spec} (${stable.what}, the root filesystem of this image)` : 'root=UUID= of the root filesystem (blkid lists it)';
  return `Pass ${name} instead${regenerationAdvice(line)}.`;
}

export const fstabUnresolvable: Rule = {
  id: 'fstab-unresolvable',
  title: 'Every fstab entry and kernel root= names a filesystem in the image',
  defaultSeverity: 'error',
  guideline: GUIDE_DEVICE_NUMBERING,
  rationale: 'The guide is silent on /etc/fstab and the kernel\'s root= as such; its warning about disk device numbering is the nearest: a disk that is not found by the name the guest expects leaves an appliance that no longer boots, and on SpotCloud there is no console to repair it. A kernel whose root= names nothing in the image (root=UUID= of a root filesystem that was re-made, a /dev/loop0p1 that grub-mkconfig saw in a build chroot) never finds its root: its initramfs gives up and stops at a rescue shell. For /etc/fstab, what happens depends on the init system. systemd waits for every device (90 s by default) and then, for a filesystem not marked nofail, stops in an emergency shell; a root (/) entry that names nothing leaves it unable to remount / read-write, so the appliance runs with a read-only root; a missing swap only delays boot by the device timeout, so it is a warning. SysV init, Upstart and OpenRC stop at a maintenance shell when the check (fsck) or mount of a filesystem fails at boot, and only log an error for a missing swap.',
  checks: `Each ${FSTAB} entry of a disk filesystem or swap that is mounted at boot (no noauto, no nofail, not a bind or _netdev mount), and the root= of every kernel command line in the boot loader configuration (grub.cfg entries, GRUB Legacy menu.lst/grub.conf kernel lines, BLS entries, EXTLINUX/SYSLINUX APPEND lines; and the settings boot entries are written from: GRUB_CMDLINE_LINUX and GRUB_CMDLINE_LINUX_DEFAULT in /etc/default/grub and its drop-ins, grubenv's kernelopts, menu.lst's "# kopt="), is looked up among this image's partitions and filesystems, the way udev and mount find it: UUID= (any case), LABEL=, PARTUUID= (the GPT partition GUID, or for MBR the disk signature and partition number, as 5107c0de-02), PARTLABEL= (the GPT partition name), /dev/disk/by-uuid, by-label, by-partuuid and by-partlabel links, and kernel names of the first disk (/dev/sda2, /dev/hda2, /dev/vda2, /dev/xvda2, /dev/nvme0n1p2 are partition 2; /dev/sda is the whole disk, which only a bare-filesystem image has a filesystem on). A name of another disk (/dev/sdb1) is not in the image, and neither is a loop or nbd device of the machine that built it (/dev/loop0p1, /dev/nbd0p1, /dev/mapper/loop0p1, /dev/mapper/nbd0p1). One finding per file and root= value. The message for fstab follows the guest's init system. Pseudo and network filesystems (proc, sysfs, tmpfs, devpts, nfs, cifs, fuse ...) are skipped, and so are names spotlint cannot follow (LVM and other /dev/mapper names, md RAID, by-id and by-path links, image files, root=/dev/nfs, root=live:...).`,
  howToFix: 'Run blkid inside the VM (or spotlint inspect on the image) to list its filesystems, and name each one in /etc/fstab by a UUID= or LABEL= that is there. Remove lines for disks the appliance will not have, or mark them nofail so boot goes on without them. For root=, run update-grub (grub2-mkconfig -o /boot/grub2/grub.cfg on RHEL) inside the booted VM, not in a build chroot, so grub-mkconfig writes root=UUID= of the real root; remove root= from GRUB_CMDLINE_LINUX.',
  fixable: 'no',
  ...NO_OPTIONS,
  async check({ inspection, facts, guest, report }) {
    if (!guest) return;
    const problems: FactProblem[] = [];
    for (const entry of (await readFstabEntries(guest, problems)) ?? []) {
      const swap = entry.type === 'swap';
      if (!isBlockFstabType(entry.type) || (!swap && !entry.mountPoint.startsWith('/'))) continue;
      if (entry.options.some((o) => OPTIONAL.has(o) || NOT_A_LOCAL_DISK.has(o))) continue;
      const resolved = resolveFstabSource(entry.spec, inspection.partitionTable, inspection.volumes);
      const missing = resolved.volume ? undefined : whatIsMissing(entry.spec, resolved);
      if (!missing) continue;
      report({
        severity: swap ? 'warning' : 'error',
        location: { path: FSTAB, line: entry.line },
        message: `${FSTAB} line ${entry.line}: ${missing}, ${fstabConsequence(entry, facts.services.initSystem)}. ${fstabAdvice(entry, inspection)}`,
      });
    }

    const unresolvedRoot = (root: string) => {
      const resolved = resolveFstabSource(root, inspection.partitionTable, inspection.volumes);
      return resolved.volume ? undefined : whatIsMissing(root, resolved);
    };
    for (const group of groupByFileAndRoot(facts.boot.commandLines, (root) => unresolvedRoot(root) !== undefined)) {
      const line = group[0]!;
      const { passes, when } = rootUse(line);
      report({
        location: { path: line.source.path, line: line.source.line },
        message: `${commandLinePlace(line)}${moreLinesThere(group)} ${passes} root=${line.root} to the kernel, but ${unresolvedRoot(line.root!)}: ${when}the kernel does not find its root filesystem and stops at a rescue shell, ${NO_CONSOLE}, so the appliance never boots. ${rootAdvice(line, inspection)}`,
      });
    }
    reportProblems(report, problems, 'the fstab check');
  },
};
