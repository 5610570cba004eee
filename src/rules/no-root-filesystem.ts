import type { FilesystemType } from '../inspect/probe/probe-filesystem.js';
import { EXT_TYPES, volumeName, type Volume } from '../inspect/volumes.js';
import { NO_OPTIONS, type Rule } from './rule.js';

/** Contents only a Linux system makes: an image holding one is meant to be a Linux guest. */
const LINUX_TYPES = new Set<FilesystemType>(['ext2', 'ext3', 'ext4', 'xfs', 'btrfs', 'LVM2_member', 'crypto_LUKS']);
/** A hostile table can hold thousands of partitions: name this many. */
const MAX_NAMED_VOLUMES = 8;

function whyNotRoot(volume: Volume): string {
  const type = volume.filesystem.type;
  if (volume.readError) return `${type}, which cannot be read: ${volume.readError.message}`;
  if (EXT_TYPES.has(type)) return `${type}, with no /etc holding fstab or os-release`;
  if (type === 'LVM2_member') return 'an LVM physical volume, whose logical volumes spotlint cannot read yet';
  if (type === 'crypto_LUKS') return 'a LUKS-encrypted volume, which spotlint cannot open';
  return `${type}, which spotlint cannot read yet`;
}

export const noRootFilesystem: Rule = {
  id: 'no-root-filesystem',
  title: 'A Linux root filesystem is found',
  defaultSeverity: 'error',
  guideline: 'Obtain the base operating system that you wish to use within the SpotCloud environment.',
  rationale: 'Every check of the guest (remote access, passwords, network, services, secrets) reads the root filesystem. When none is found in an image that holds Linux filesystems, either the image is not a working system (a data disk, a damaged or half-copied root) or the root is on a filesystem spotlint cannot read yet; in both cases none of those checks ran and a clean report would mean nothing.',
  checks: 'Whether spotlint found the root: a readable ext2/3/4 filesystem with an /etc folder holding fstab or os-release. Reported only when the image holds something Linux-looking (ext2/3/4, xfs, btrfs, an LVM physical volume or a LUKS volume), naming each of them and why it is not the root. Error: every one of them is ext2/3/4 and none holds the root (a data disk, a damaged or half-copied root). Warning: one of them is xfs, btrfs, LVM or LUKS, which spotlint cannot read yet and which may hold the root (the default RHEL, Rocky and Alma layouts, CentOS 6\'s LVM root); the checks of the guest could not run. Images with only Windows, BSD or FAT filesystems are not reported.',
  howToFix: 'If the root is on a damaged ext filesystem, repair it (e2fsck -f) and export again. If the disk is a data disk, lint the system disk instead. If the root is on xfs, btrfs, LVM or LUKS, spotlint cannot check it yet: check the appliance by hand and waive this finding for the image.',
  fixable: 'no',
  ...NO_OPTIONS,
  async check({ inspection, report }) {
    if (inspection.rootPartition !== undefined) return;
    const linux = inspection.volumes.filter((v) => LINUX_TYPES.has(v.filesystem.type));
    if (linux.length === 0) return;
    const named = linux.slice(0, MAX_NAMED_VOLUMES).map((v) => `${volumeName(v)}: ${whyNotRoot(v)}`);
    if (linux.length > MAX_NAMED_VOLUMES) named.push(`and ${linux.length - MAX_NAMED_VOLUMES} more`);
    // An xfs, btrfs, LVM or LUKS volume may well hold the root (RHEL's xfs, CentOS 6's LVM): that is spotlint's limit, not the image's fault.
    const unreadable = linux.some((v) => !EXT_TYPES.has(v.filesystem.type));
    if (unreadable) {
      report({
        severity: 'warning',
        location: linux.length === 1 ? { partition: linux[0]!.index } : {},
        message: `No Linux root filesystem could be read (${named.join('; ')}): the root is probably on a filesystem spotlint cannot read yet, so none of the checks of the guest's configuration (remote access, passwords, network, services) could run, and a clean report would mean nothing. Check the appliance by hand, or waive this finding for the image.`,
      });
      return;
    }
    report({
      location: linux.length === 1 ? { partition: linux[0]!.index } : {},
      message: `No Linux root filesystem was found (${named.join('; ')}), so none of the checks of the guest's configuration (remote access, passwords, network, services) ran, and a clean report would mean nothing. Without /etc/fstab the system cannot mount its filesystems at boot either: lint the system disk, or repair its root filesystem (e2fsck -f) and export again.`,
    });
  },
};
