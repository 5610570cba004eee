import { volumeName } from '../inspect/volumes.js';
import { NO_OPTIONS, type Rule } from './rule.js';

export const filesystemUnreadable: Rule = {
  id: 'filesystem-unreadable',
  title: 'Every ext filesystem can be read',
  defaultSeverity: 'error',
  guideline: 'Test your appliance extensively to ensure all aspects of the system are working to your satisfaction.',
  rationale: 'A filesystem that libext2fs cannot open is corrupt or uses features nothing else expects; the appliance may not boot from it, and every check of the files on it is skipped, so a clean report would mean nothing.',
  checks: 'Every ext2/3/4 filesystem found in the partition table: whether spotlint could open it and read its directories, and whether it kept working while the guest\'s files were read (a corrupt structure can make libext2fs abort half way).',
  howToFix: 'Run e2fsck -f on the filesystem from the VM (or e2fsck -fn on a copy of the image to see what is wrong), then export the disk again.',
  fixable: 'no',
  ...NO_OPTIONS,
  async check({ inspection, report }) {
    for (const volume of inspection.volumes) {
      if (!volume.readError) continue;
      const isRoot = inspection.rootPartition === undefined ? ' (it may be the root filesystem: no root was found)' : '';
      // A filesystem the guest mounts failed while its files were being read, not at mount.
      const mounted = inspection.mounts.some((mount) => mount.partition === volume.index);
      const checks = mounted ? 'It failed while its files were being read, so the checks of its files are incomplete' : 'No check of its files ran';
      report({
        location: { partition: volume.index },
        message: `The ${volume.filesystem.type} filesystem on ${volumeName(volume)} cannot be read: ${volume.readError.message}${isRoot}. ${checks}. Repair it with e2fsck -f and export again.`,
      });
    }
  },
};
