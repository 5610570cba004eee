import type { FactProblem } from '../inspect/facts/guest-facts.js';
import { isBlockFstabType, resolveFstabSource, type FstabEntry } from '../inspect/guest/fstab.js';
import type { ImageInspection } from '../inspect/inspect-image.js';
import { NO_OPTIONS, type Rule } from './rule.js';
import { FSTAB, GUIDE_DEVICE_NUMBERING, readFstabEntries, stableName } from './support/device-naming.js';
import { reportProblems } from './support/report-problems.js';

/** Options under which boot goes on without the device: not mounted at boot, or allowed to fail. */
const OPTIONAL = new Set(['noauto', 'nofail']);
/** Bind mounts name a directory, and _netdev a device that only appears over the network: neither is a disk of the image. */
const NOT_A_LOCAL_DISK = new Set(['bind', 'rbind', '_netdev']);

/** What to write instead: for /, the root filesystem spotlint found; otherwise the general advice. */
function advice(entry: FstabEntry, inspection: ImageInspection): string {
  const root = entry.mountPoint === '/' && inspection.volumes.find((v) => v.index === inspection.rootPartition);
  const stable = root ? stableName(root) : undefined;
  if (stable) return `The root filesystem of this image is ${stable.what}: name it ${stable.spec}.`;
  const optional = entry.type === 'swap' ? 'add nofail if the swap is optional' : 'add nofail if the mount is optional';
  return `Correct the source to the UUID= of a filesystem in the image (blkid lists them), ${optional}, or remove the line.`;
}

export const fstabUnresolvable: Rule = {
  id: 'fstab-unresolvable',
  title: 'Every fstab entry names a filesystem in the image',
  defaultSeverity: 'error',
  guideline: GUIDE_DEVICE_NUMBERING,
  rationale: 'The guide is silent on /etc/fstab as such; its warning about disk device numbering is the nearest: a disk that is not found by the name the guest expects leaves an appliance that no longer boots. At boot, systemd waits 90 seconds for every device in /etc/fstab and then, for a filesystem that is not marked nofail, stops in an emergency shell (SysV init stops at a maintenance prompt after fsck fails). On SpotCloud nobody can answer that prompt: there is no console. A root (/) entry that names nothing leaves systemd unable to remount / read-write (mount: /: can\'t find UUID=...), so the appliance runs with a read-only root. A missing swap device does not stop boot: systemd gives up after the same 90 seconds and goes on without swap, so it is a warning.',
  checks: `Each ${FSTAB} entry of a disk filesystem or swap that is mounted at boot (no noauto, no nofail, not a bind or _netdev mount) is looked up among this image's partitions and filesystems, the way udev and mount find it: UUID= (any case), LABEL=, PARTUUID= (the GPT partition GUID, or for MBR the disk signature and partition number, as 5107c0de-02), PARTLABEL= (the GPT partition name), /dev/disk/by-uuid, by-label, by-partuuid and by-partlabel links, and kernel names of the first disk (/dev/sda2, /dev/hda2, /dev/vda2, /dev/xvda2, /dev/nvme0n1p2 are partition 2; /dev/sda is the whole disk, which only a bare-filesystem image has a filesystem on). A name of another disk (/dev/sdb1) is not in the image. Pseudo and network filesystems (proc, sysfs, tmpfs, devpts, nfs, cifs, fuse ...) are skipped, and so are names spotlint cannot follow (LVM and /dev/mapper, md RAID, by-id and by-path links, image files).`,
  howToFix: 'Run blkid inside the VM (or spotlint inspect on the image) to list its filesystems, and name each one in /etc/fstab by a UUID= or LABEL= that is there. Remove lines for disks the appliance will not have, or mark them nofail so boot goes on without them.',
  fixable: 'no',
  ...NO_OPTIONS,
  async check({ inspection, guest, report }) {
    if (!guest) return;
    const problems: FactProblem[] = [];
    for (const entry of (await readFstabEntries(guest, problems)) ?? []) {
      const swap = entry.type === 'swap';
      if (!isBlockFstabType(entry.type) || (!swap && !entry.mountPoint.startsWith('/'))) continue;
      if (entry.options.some((o) => OPTIONAL.has(o) || NOT_A_LOCAL_DISK.has(o))) continue;
      const resolved = resolveFstabSource(entry.spec, inspection.partitionTable, inspection.volumes);
      if (resolved.volume || resolved.why === 'unknown') continue;
      const missing = resolved.why === 'other-disk'
        ? `${entry.spec} is on a second disk (${resolved.source.by === 'device' ? resolved.source.disk : entry.spec}), which is not part of this image`
        : `no partition or filesystem in this image is ${entry.spec}`;
      const consequence = swap
        ? 'so at every boot systemd waits 90 seconds for it, then goes on without swap'
        : entry.mountPoint === '/'
          ? 'so at boot / cannot be checked and remounted read-write (the appliance runs with a read-only root) and SysV init stops at a maintenance prompt, which nobody can reach on SpotCloud'
          : `so mounting ${entry.mountPoint} fails at boot and the appliance stops in an emergency shell, which nobody can reach on SpotCloud`;
      report({
        severity: swap ? 'warning' : 'error',
        location: { path: FSTAB, line: entry.line },
        message: `${FSTAB} line ${entry.line}: ${missing}, ${consequence}. ${advice(entry, inspection)}`,
      });
    }
    reportProblems(report, problems, 'the fstab check');
  },
};
