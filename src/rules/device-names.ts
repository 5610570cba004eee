import type { FactProblem, KernelCommandLine } from '../inspect/facts/guest-facts.js';
import { isBlockFstabType, resolveFstabSource } from '../inspect/guest/fstab.js';
import type { ImageInspection } from '../inspect/inspect-image.js';
import { NO_OPTIONS, type Rule } from './rule.js';
import { FSTAB, GUIDE_DEVICE_NUMBERING, readFstabEntries, stableName, unstableDeviceName } from './support/device-naming.js';
import { reportProblems } from './support/report-problems.js';

/** "Use UUID=... (the ext4 on partition 2) instead", or how to find one when the name resolves to nothing here. */
function replacement(spec: string, inspection: ImageInspection, prefix = ''): string {
  const resolved = resolveFstabSource(spec, inspection.partitionTable, inspection.volumes);
  const stable = resolved.volume && stableName(resolved.volume);
  if (stable) return `Use ${prefix}${stable.spec} (${stable.what}) instead`;
  return `Use ${prefix}UUID= or ${prefix}LABEL= of the filesystem it should name instead (blkid lists them)`;
}

/** How the line gets written again: a hand edit of a generated file lasts until the next kernel update. */
function regenerationAdvice(line: KernelCommandLine): string {
  if (line.loader === 'grub2' && line.kind === 'entry') {
    const command = line.source.path.startsWith('/boot/grub2/') ? `grub2-mkconfig -o ${line.source.path}` : 'update-grub';
    return ` (grub-mkconfig rewrites this file: fix /etc/default/grub, then run ${command})`;
  }
  if (line.kind === 'template') return ' (new boot entries copy this setting)';
  return '';
}

function where(line: KernelCommandLine): string {
  if (line.kind === 'template') return `${line.source.path} line ${line.source.line} (${line.title ?? 'kernel arguments'})`;
  return `${line.source.path} line ${line.source.line}${line.title ? ` (entry "${line.title}")` : ''}`;
}

export const deviceNames: Rule = {
  id: 'device-names',
  title: 'Disks are named by UUID or LABEL, not by kernel device names',
  defaultSeverity: 'warning',
  guideline: GUIDE_DEVICE_NUMBERING,
  rationale: 'A kernel device name such as /dev/sda1 is not a property of the disk but of the bus it is attached to: the same disk is /dev/sda on SATA or SCSI, /dev/hda on IDE with old drivers, /dev/vda on virtio and /dev/xvda on Xen. The guide itself moves the disk from SATA to IDE before export, and the provider\'s hypervisor picks its own controller. When the name changes, the root filesystem or a mount is not found and the appliance does not boot, with no console on SpotCloud to repair it. UUID= and LABEL= travel with the filesystem.',
  checks: `${FSTAB} entries for disk filesystems and swap whose source is a kernel device name (/dev/sdXN, /dev/hdXN, /dev/vdXN, /dev/xvdXN, /dev/nvmeXnYpZ) or a /dev/disk/by-id or by-path link; the root= argument of every kernel command line in the boot loader configuration (GRUB 2 grub.cfg, GRUB_CMDLINE_LINUX and GRUB_CMDLINE_LINUX_DEFAULT in /etc/default/grub and its grub.d drop-ins, grubenv kernelopts, GRUB Legacy menu.lst/grub.conf kernel lines and "# kopt=", BLS entries in /boot/loader/entries, EXTLINUX/SYSLINUX APPEND lines); and GRUB_DISABLE_LINUX_UUID=true, which makes grub-mkconfig write root=/dev/... into every entry. When the name is one of this image's filesystems, the message gives the UUID= to use. /dev/mapper and LVM names are stable and not reported. Kernel names elsewhere (resume=, crypttab, scripts) are not checked.`,
  howToFix: 'Replace each kernel device name with UUID=<uuid> (or LABEL=<label>) of the filesystem, as blkid prints it: in /etc/fstab, and in the kernel command line through the boot loader\'s own settings (remove GRUB_DISABLE_LINUX_UUID=true from /etc/default/grub and run update-grub or grub2-mkconfig; on BLS systems grubby --update-kernel=ALL --args=root=UUID=<uuid>). Rebuild the initramfs if it has the root device written in it.',
  fixable: 'no',
  ...NO_OPTIONS,
  async check({ inspection, facts, guest, report }) {
    if (!guest) return;
    const problems: FactProblem[] = [];
    for (const entry of (await readFstabEntries(guest, problems)) ?? []) {
      if (!isBlockFstabType(entry.type)) continue;
      const why = unstableDeviceName(entry.spec);
      if (!why) continue;
      const [what, failure] = entry.type === 'swap' ? ['swap', 'the swap is not found'] : [entry.mountPoint, 'the mount fails at boot'];
      report({
        location: { path: FSTAB, line: entry.line },
        message: `${FSTAB} line ${entry.line} names ${what} by ${entry.spec}, ${why}: on the provider the disk may get another name and ${failure}. ${replacement(entry.spec, inspection)}.`,
      });
    }

    // One finding per file, kind and root= value: a menu repeats the same root in every entry.
    const byFileAndRoot = new Map<string, KernelCommandLine[]>();
    for (const line of facts.boot.commandLines) {
      if (line.root === undefined || !unstableDeviceName(line.root)) continue;
      const key = `${line.source.path}\0${line.kind}\0${line.root}`;
      byFileAndRoot.set(key, [...(byFileAndRoot.get(key) ?? []), line]);
    }
    for (const [first, ...others] of byFileAndRoot.values()) {
      const line = first!;
      const more = others.length ? ` (and ${others.length} more line${others.length > 1 ? 's' : ''} there)` : '';
      report({
        location: { path: line.source.path, line: line.source.line },
        message: `${where(line)}${more} passes root=${line.root} to the kernel, ${unstableDeviceName(line.root!)}: on the provider the kernel may not find its root filesystem and the appliance does not boot. ${replacement(line.root!, inspection, 'root=')}${regenerationAdvice(line)}.`,
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
