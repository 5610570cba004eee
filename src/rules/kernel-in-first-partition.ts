import type { FactProblem } from '../inspect/facts/guest-facts.js';
import { tryGuest } from '../inspect/facts/read-guest-text.js';
import type { GuestTree } from '../inspect/guest/guest-tree.js';
import type { ImageInspection } from '../inspect/inspect-image.js';
import { isBiosBootType } from '../inspect/partitions/partition-type-names.js';
import { EXT_TYPES, volumeName, type Volume } from '../inspect/volumes.js';
import { NO_OPTIONS, type FindingInput, type Rule } from './rule.js';
import { reportProblems } from './support/report-problems.js';

/** What the provider bridge reads (XVM2 consumers): globs inside the first partition's own filesystem. */
const KERNEL_GLOBS = ['/boot/vmlinuz*'];
const INITRD_GLOBS = ['/boot/initrd*', '/boot/initramfs*'];
/** A separate /boot filesystem holds its kernels at its own top level. */
const TOP_LEVEL_KERNEL_GLOB = '/vmlinuz*';
/** Contents no kernel can be read from: not a filesystem, or one inside a container. */
const NOT_A_FILESYSTEM = new Set(['swap', 'unknown', 'LVM2_member', 'crypto_LUKS', 'ext-journal']);
const BRIDGE = 'a provider that boots the kernel and initrd it reads from /boot on the first partition (the XVM2 bridge reads /boot/vmlinuz* and /boot/initrd* there)';

/** How the first partition is named in a message: "The first partition (partition 2)". */
function firstName(first: Volume, capital = true): string {
  const name = first.index === null ? 'the disk (a bare filesystem: the whole disk counts as its first partition)' : `the first partition (${volumeName(first)})`;
  return capital ? `${name[0]!.toUpperCase()}${name.slice(1)}` : name;
}

/** Regular files (links followed inside the filesystem) matching any of the globs. */
async function filesMatching(tree: GuestTree, globs: string[], problems: FactProblem[]): Promise<string[]> {
  const found: string[] = [];
  for (const glob of globs) {
    for (const path of await tree.glob(glob)) {
      const stat = await tryGuest(path, problems, () => tree.stat(path));
      if (stat?.kind === 'file') found.push(path);
    }
  }
  return found;
}

/** What keeps a kernel-booting provider from finding a kernel and initrd on the first partition; undefined when nothing does. */
async function diagnose(tree: GuestTree, inspection: ImageInspection, first: Volume, problems: FactProblem[]): Promise<FindingInput | undefined> {
  const kernels = await filesMatching(tree, KERNEL_GLOBS, problems);
  const initrds = await filesMatching(tree, INITRD_GLOBS, problems);
  if (kernels.length > 0 && initrds.length > 0) return undefined;
  const name = volumeName(first);
  const location = { partition: first.index };
  const mountedAt = inspection.mounts.find((m) => m.partition === first.index)?.mountPoint;
  if (kernels.length === 0) {
    const topLevel = await filesMatching(tree, [TOP_LEVEL_KERNEL_GLOB], problems);
    const hasBootFolder = (await tryGuest('/boot', problems, () => tree.stat('/boot')))?.kind === 'directory';
    if (topLevel.length > 0 && !hasBootFolder) {
      const mounted = mountedAt ? `the guest mounts it at ${mountedAt}, so it sees ${mountedAt}${topLevel[0]}` : 'the guest\'s fstab does not mount it';
      return { location, message: `${firstName(first)} is a separate /boot filesystem: its kernel is at ${topLevel[0]} in that filesystem (${mounted}), and it has no /boot folder of its own, so ${BRIDGE} finds nothing. Add a link inside it so /boot/vmlinuz* resolves there too (in the VM: ln -s . /boot/boot), or move /boot onto a root filesystem in partition 1.` };
    }
    const bootMount = inspection.mounts.find((m) => m.mountPoint === '/boot' && m.partition !== first.index);
    if (bootMount && inspection.rootPartition === first.index) {
      return { location, message: `${firstName(first)} holds the root filesystem, but the guest mounts /boot from ${volumeName({ index: bootMount.partition })} (fstab: ${bootMount.spec}), so the kernel is there and ${name}'s own /boot is an empty mount point: ${BRIDGE} finds no kernel. Put /boot on the root filesystem (copy its files into the root's /boot and drop the /boot line from fstab), or make the /boot partition the first one.` };
    }
  }
  const missing = [kernels.length === 0 ? 'no kernel (/boot/vmlinuz*)' : '', initrds.length === 0 ? 'no initrd (/boot/initrd* or /boot/initramfs*)' : ''].filter(Boolean).join(' and ');
  const fix = kernels.length === 0 ? 'Install a kernel in the VM (Debian/Ubuntu: apt install linux-image-amd64; RHEL: dnf install kernel)' : 'Build an initrd in the VM (Debian/Ubuntu: update-initramfs -c -k all; RHEL: dracut --regenerate-all)';
  return { location, message: `${firstName(first)}${mountedAt ? ` (mounted at ${mountedAt})` : ''} has ${missing} in its own filesystem, so ${BRIDGE} cannot start the appliance. ${fix}, so that /boot on the first partition holds both, and export the disk again.` };
}

export const kernelInFirstPartition: Rule = {
  id: 'kernel-in-first-partition',
  title: 'The first partition holds /boot with a kernel and initrd',
  defaultSeverity: 'warning',
  guideline: 'Use the Enomaly packaging script to convert your Raw drive export into a SpotCloud compatible XVM2 package.',
  rationale: 'Some SpotCloud providers do not run the disk\'s boot loader: their bridge takes the first disk, finds the first partition, reads /boot/vmlinuz* and /boot/initrd* from that partition\'s own filesystem, and boots them. An appliance whose first partition has no kernel there (a separate /boot partition, /boot on another partition, a BIOS boot or swap partition first) cannot run on those providers. The guide does not say this; it comes from what consumers of XVM2 packages do.',
  checks: 'The first partition in the table (the lowest-numbered one holding data; the whole disk for a bare filesystem), read as its own filesystem (not through the guest\'s mounts), for a regular file matching /boot/vmlinuz* and one matching /boot/initrd* or /boot/initramfs* (links are followed inside that filesystem, so a separate /boot filesystem with a "boot -> ." link passes). Warning: either is missing, saying why (a separate /boot filesystem with its kernel at the top, /boot mounted from another partition, a first partition that holds no filesystem). Info: the first partition holds a filesystem spotlint cannot read (xfs, btrfs, vfat ...), or an ext filesystem that failed to open. Not checked when no Linux root filesystem was found (see no-root-filesystem).',
  howToFix: 'Keep /boot on the first partition: make the root filesystem (with /boot on it) the first partition, or, for a separate /boot filesystem in partition 1, add a link inside it (ln -s . /boot/boot in the VM) so /boot/vmlinuz* resolves there. Install a kernel and an initrd if there is none (Debian: apt install linux-image-amd64).',
  fixable: 'no',
  ...NO_OPTIONS,
  async check({ inspection, guest, report }) {
    if (!guest) return;
    const first = inspection.volumes[0];
    if (!first) return;
    const location = { partition: first.index };
    const type = first.filesystem.type;
    const biosBoot = isBiosBootType(first.partition?.type);
    if (biosBoot || NOT_A_FILESYSTEM.has(type)) {
      const what = biosBoot ? 'a BIOS boot partition (GRUB\'s core.img)' : type === 'unknown' ? 'no filesystem spotlint recognises' : type === 'LVM2_member' ? 'an LVM physical volume' : type === 'crypto_LUKS' ? 'an encrypted (LUKS) volume' : type;
      const swap = first.partition?.kind === 'gpt' ? ' Swap the table entries so the filesystem holding /boot comes first (sgdisk --transpose=1:N /dev/sda; fstab entries by UUID keep working).' : ' Make the filesystem holding /boot the first partition.';
      report({ location, message: `${firstName(first)} holds ${what}, not a filesystem with /boot in it, so ${BRIDGE} finds no kernel.${swap}` });
      return;
    }
    if (!EXT_TYPES.has(type)) {
      report({ severity: 'info', location, message: `${firstName(first)} holds ${type}, which spotlint cannot read yet, so it did not check for /boot/vmlinuz* and /boot/initrd* there, which ${BRIDGE} needs.` });
      return;
    }
    const tree = guest.partitionTree(first.index);
    if (!tree) {
      const why = first.readError ? `cannot be read (${first.readError.message})` : 'was not opened';
      report({ severity: 'info', location, message: `The ${type} filesystem on ${firstName(first, false)} ${why}, so spotlint did not check for /boot/vmlinuz* and /boot/initrd* there, which ${BRIDGE} needs.` });
      return;
    }
    const problems: FactProblem[] = [];
    const finding = await diagnose(tree, inspection, first, problems);
    if (finding) report(finding);
    reportProblems(report, problems, 'kernel-in-first-partition');
  },
};
