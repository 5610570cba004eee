import { volumeName } from '../inspect/volumes.js';
import { NO_OPTIONS, type Rule } from './rule.js';

export const filesystemClean: Rule = {
  id: 'filesystem-clean',
  title: 'Filesystems cleanly unmounted, with no recorded errors',
  defaultSeverity: 'error',
  guideline: 'Convert your VirtualBox VDI hard drive into Raw format by running the following command: `VBoxManage internalcommands converttoraw <image>.vdi d0.img`',
  rationale: 'An image exported while the VM was running, or after a crash, holds filesystems with half-written metadata and a journal that must be replayed. On SpotCloud nobody is at the console to answer fsck at boot, so such an appliance may not come up, or may come up with damaged files.',
  checks: 'The superblock of every ext2/3/4 filesystem: the "cleanly unmounted" state bit, the "errors" state bit, the error count, and the needs_recovery feature (a journal with transactions not yet applied).',
  howToFix: 'Boot the VM, shut it down cleanly (or run e2fsck -f on the filesystem), then export the disk again.',
  fixable: 'no',
  ...NO_OPTIONS,
  async check({ inspection, report }) {
    for (const volume of inspection.volumes) {
      const ext = volume.filesystem.ext;
      if (!ext) continue;
      const problems: string[] = [];
      if (ext.needsRecovery) problems.push('its journal holds transactions that were never applied');
      if (!ext.cleanlyUnmounted) problems.push('it was not cleanly unmounted');
      if (ext.errorsRecorded) problems.push('the kernel recorded errors on it');
      if (ext.errorCount > 0) problems.push(`${ext.errorCount} errors are logged in its superblock`);
      if (problems.length === 0) continue;
      report({
        location: { partition: volume.index },
        message: `The ${ext.version} filesystem on ${volumeName(volume)}${ext.lastMountedOn ? ` (last mounted on ${ext.lastMountedOn})` : ''}: ${problems.join('; ')}. The image was probably taken from a running or crashed VM; shut the VM down cleanly or run e2fsck -f on it, then export again.`,
      });
    }
  },
};
