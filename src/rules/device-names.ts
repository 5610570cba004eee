import type { FactProblem } from '../inspect/facts/guest-facts.js';
import { classifyFstabSource, isBlockFstabType, resolveFstabSource, type FstabEntry } from '../inspect/guest/fstab.js';
import type { ImageInspection } from '../inspect/inspect-image.js';
import { NO_OPTIONS, type Rule } from './rule.js';
import {
  commandLinePlace, FSTAB, groupByFileAndRoot, moreLinesThere, readFstabEntries, regenerationAdvice, stableName, unstableDeviceName,
} from './support/device-naming.js';
import { GUIDE_DEVICE_NUMBERING } from './support/guidelines.js';
import { reportProblems } from './support/report-problems.js';

/** "Use UUID=... (the ext4 on partition 2) instead", or how to find one when the name resolves to nothing here. */
function replacement(spec: string, inspection: ImageInspection, prefix = ''): string {
  const resolved = resolveFstabSource(spec, inspection.partitionTable, inspection.volumes);
  const stable = resolved.volume && stableName(resolved.volume);
  if (stable) return `Use ${prefix}${stable.spec} (${stable.what}) instead`;
  return `Use ${prefix}UUID= or ${prefix}LABEL= of the filesystem it should name instead (blkid lists them)`;
}

/** Not mounted at boot, only by hand (a CD-ROM, a USB stick): its name does not matter to booting. */
const NOT_AT_BOOT = 'noauto';
/** Allowed to be missing: boot goes on without it. */
const MAY_BE_MISSING = 'nofail';

/** Whether the name belongs to the machine that built the image, and so never exists on the provider. */
const isBuildHostName = (spec: string) => classifyFstabSource(spec).by === 'build-host';

/** What happens on the provider to an fstab entry with an unstable name, and how much that matters. */
function fstabConsequence(entry: FstabEntry): { consequence: string; severity: 'warning' | 'info' } {
  const swap = entry.type === 'swap';
  const when = isBuildHostName(entry.spec) ? 'that device does not exist when the appliance boots' : 'on the provider the disk may get another name';
  if (entry.options.includes(MAY_BE_MISSING)) {
    const lost = swap ? 'the appliance runs without swap' : `${entry.mountPoint} is mounted nowhere and what the appliance keeps there is missing`;
    return { severity: 'info', consequence: `${when}; with nofail, boot goes on without it, but then ${lost}` };
  }
  return { severity: 'warning', consequence: `${when} and ${swap ? 'the swap is not found' : 'the mount fails at boot'}` };
}

export const deviceNames: Rule = {
  id: 'device-names',
  title: 'Disks are named by UUID or LABEL, not by kernel device names',
  defaultSeverity: 'warning',
  guideline: GUIDE_DEVICE_NUMBERING,
  rationale: 'A kernel device name such as /dev/sda1 is not a property of the disk but of the bus it is attached to: the same disk is /dev/sda on SATA or SCSI, /dev/hda on IDE with old drivers, /dev/vda on virtio and /dev/xvda on Xen. The guide itself moves the disk from SATA to IDE before export, and the provider\'s hypervisor picks its own controller. When the name changes, the root filesystem or a mount is not found and the appliance does not boot, with no console on SpotCloud to repair it. UUID= and LABEL= travel with the filesystem.',
  checks: `${FSTAB} entries for disk filesystems and swap whose source is a kernel device name (/dev/sdXN, /dev/hdXN, /dev/vdXN, /dev/xvdXN, /dev/nvmeXnYpZ), a device of the machine that built the image (/dev/loopN, /dev/loopNpM, /dev/nbdNpM, /dev/mapper/loopNpM, /dev/mapper/nbd*), or a /dev/disk/by-id link made from the virtual disk's model and serial or a by-path link (by-id names made from the data, dm-name-*, dm-uuid-*, md-uuid-*, md-name-* and lvm-pv-uuid-*, are stable); a warning, or a note (info) for a nofail entry, which boot goes on without, and nothing for a noauto entry, which is not mounted at boot; the root= argument of every kernel command line in the boot loader configuration (GRUB 2 grub.cfg, GRUB_CMDLINE_LINUX and GRUB_CMDLINE_LINUX_DEFAULT in /etc/default/grub and its grub.d drop-ins, grubenv kernelopts, GRUB Legacy menu.lst/grub.conf kernel lines and "# kopt=", BLS entries in /boot/loader/entries, EXTLINUX/SYSLINUX APPEND lines); and GRUB_DISABLE_LINUX_UUID=true, which makes grub-mkconfig write root=/dev/... into every entry. When the name is one of this image's filesystems, the message gives the UUID= to use. Other /dev/mapper names and LVM names are stable and not reported. Kernel names elsewhere (resume=, crypttab, scripts) are not checked.`,
  howToFix: 'Replace each kernel device name with UUID=<uuid> (or LABEL=<label>) of the filesystem, as blkid prints it: in /etc/fstab, and in the kernel command line through the boot loader\'s own settings (remove GRUB_DISABLE_LINUX_UUID=true from /etc/default/grub and run update-grub or grub2-mkconfig; on BLS systems grubby --update-kernel=ALL --args=root=UUID=<uuid>). Rebuild the initramfs if it has the root device written in it.',
  fixable: 'no',
  ...NO_OPTIONS,
  async check({ inspection, facts, guest, report }) {
    if (!guest) return;
    const problems: FactProblem[] = [];
    for (const entry of (await readFstabEntries(guest, problems)) ?? []) {
      if (!isBlockFstabType(entry.type) || entry.options.includes(NOT_AT_BOOT)) continue;
      const why = unstableDeviceName(entry.spec);
      if (!why) continue;
      const what = entry.type === 'swap' ? 'swap' : entry.mountPoint;
      const { consequence, severity } = fstabConsequence(entry);
      report({
        severity,
        location: { path: FSTAB, line: entry.line },
        message: `${FSTAB} line ${entry.line} names ${what} by ${entry.spec}, ${why}: ${consequence}. ${replacement(entry.spec, inspection)}.`,
      });
    }

    for (const group of groupByFileAndRoot(facts.boot.commandLines, (root) => unstableDeviceName(root) !== undefined)) {
      const line = group[0]!;
      const root = line.root!;
      const outcome = isBuildHostName(root) ? 'the kernel does not find its root filesystem on the provider' : 'on the provider the kernel may not find its root filesystem';
      report({
        location: { path: line.source.path, line: line.source.line },
        message: `${commandLinePlace(line)}${moreLinesThere(group)} passes root=${root} to the kernel, ${unstableDeviceName(root)}: ${outcome} and the appliance does not boot. ${replacement(root, inspection, 'root=')}${regenerationAdvice(line)}.`,
      });
    }

    const { GRUB_DISABLE_LINUX_UUID: noUuid, GRUB_DISABLE_LINUX_PARTUUID: noPartuuid } = facts.boot.grubDefaults;
    // With PARTUUIDs allowed (GRUB 2.04+), grub-mkconfig falls back to root=PARTUUID=, which is stable.
    if (noUuid?.value === 'true' && noPartuuid?.value !== 'false') {
      report({
        location: noUuid.source,
        message: `${noUuid.source.path} line ${noUuid.source.line} sets GRUB_DISABLE_LINUX_UUID=true, so update-grub (grub-mkconfig, run at every kernel update) writes root=/dev/... kernel device names into the boot menu, and the appliance may not boot when the provider attaches the disk on another bus. Remove the line (or comment it out) and run update-grub.`,
      });
    }
    reportProblems(report, [...problems, ...facts.boot.problems], 'the device-name check');
  },
};
