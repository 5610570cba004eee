import { resolveFstabSource } from '../inspect/guest/fstab.js';
import type { ImageInspection } from '../inspect/inspect-image.js';
import { isEspType } from '../inspect/partitions/partition-type-names.js';
import type { FilesystemType } from '../inspect/probe/probe-filesystem.js';
import { volumeName, type Volume } from '../inspect/volumes.js';
import { NO_OPTIONS, type Rule } from './rule.js';

/** What spotlint recognises but cannot read the files of, and what that hides. */
const UNSUPPORTED: Partial<Record<FilesystemType, string>> = {
  xfs: 'an xfs filesystem',
  btrfs: 'a btrfs filesystem',
  ntfs: 'an NTFS filesystem',
  vfat: 'a FAT filesystem',
  LVM2_member: 'an LVM physical volume (the logical volumes inside it, often the root, are not read)',
  crypto_LUKS: 'a LUKS-encrypted volume (it also needs its passphrase at boot, which nobody can type on SpotCloud, unless it unlocks with a key file)',
  iso9660: 'an ISO 9660 filesystem',
  squashfs: 'a squashfs filesystem',
  ufs: 'a BSD UFS filesystem',
};
/** An EFI System Partition holds boot loader binaries, which no rule inspects: nothing is missed. */
const ESP_MOUNT_POINTS = new Set(['/boot/efi', '/efi']);

/** Where the guest's fstab mounts a volume spotlint could not attach, if it says. */
function fstabMountPoint(inspection: ImageInspection, volume: Volume): string | undefined {
  return inspection.fstabProblems.find((problem) => problem.spec !== ''
    && resolveFstabSource(problem.spec, inspection.partitionTable, inspection.volumes).volume === volume)?.mountPoint;
}

export const filesystemUnsupported: Rule = {
  id: 'filesystem-unsupported',
  title: 'Filesystems spotlint cannot read yet',
  defaultSeverity: 'info',
  guideline: 'SpotCloud providers have full function hypervisors, so any OS (Linux, BSD, Windows, Solaris) should work without modification.',
  rationale: 'The guide accepts any filesystem; spotlint reads only ext2/3/4 so far. Files on other filesystems are not checked at all, so a clean report says nothing about them: this note says where the checks stopped.',
  checks: 'Every partition (or bare disk) holding xfs, btrfs, NTFS, FAT, an LVM physical volume, a LUKS volume, ISO 9660, squashfs or UFS, with where the guest\'s fstab mounts it when it says. Not reported: ext2/3/4 (read), swap (holds no files to check), external journals, partitions with no recognisable contents, and EFI System Partitions (FAT by type, or mounted at /boot/efi), which hold boot loader binaries that no rule inspects.',
  howToFix: 'Nothing to fix in the image: check the files on these filesystems by hand, or keep the configuration spotlint should check on an ext4 root filesystem.',
  fixable: 'no',
  ...NO_OPTIONS,
  async check({ inspection, report }) {
    for (const volume of inspection.volumes) {
      const what = UNSUPPORTED[volume.filesystem.type];
      if (!what) continue;
      const mountPoint = fstabMountPoint(inspection, volume);
      if (volume.filesystem.type === 'vfat' && (isEspType(volume.partition?.type) || ESP_MOUNT_POINTS.has(mountPoint ?? ''))) continue;
      const mounted = mountPoint ? `; the guest mounts it at ${mountPoint}` : '';
      const id = volume.filesystem.uuid ? ` (UUID ${volume.filesystem.uuid})` : '';
      report({
        location: { partition: volume.index },
        message: `${volumeName(volume)[0]!.toUpperCase()}${volumeName(volume).slice(1)} holds ${what}${id}${mounted}. spotlint cannot read it yet, so no check looked at the files on it and a clean report says nothing about them; check them by hand.`,
      });
    }
  },
};
