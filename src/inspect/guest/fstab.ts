/** /etc/fstab, parsed (pure), what each source field names, and which volume of the image that is. */
import type { PartitionTable } from '../partitions/partition.js';
import type { Volume } from '../volumes.js';

export interface FstabEntry {
  line: number;
  spec: string;
  mountPoint: string;
  type: string;
  options: string[];
}

export type FstabSource =
  | { by: 'uuid' | 'label' | 'partuuid' | 'partlabel'; value: string }
  | { by: 'device'; disk: string; partition: number | null }
  /** A loop or network block device of the machine that built the image: it does not exist when the appliance boots. */
  | { by: 'build-host'; value: string }
  | { by: 'other'; value: string };

/** fstab escapes spaces and tabs in fields as octal: \040, \011. */
function unescapeField(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}

export function parseFstab(text: string): FstabEntry[] {
  const entries: FstabEntry[] = [];
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const fields = line.split(/\s+/);
    if (fields.length < 2) return;
    entries.push({
      line: index + 1,
      spec: unescapeField(fields[0]!),
      mountPoint: unescapeField(fields[1]!),
      type: fields[2] ?? 'auto',
      options: (fields[3] ?? 'defaults').split(','),
    });
  });
  return entries;
}

const TAGS: Record<string, 'uuid' | 'label' | 'partuuid' | 'partlabel'> = {
  UUID: 'uuid', LABEL: 'label', PARTUUID: 'partuuid', PARTLABEL: 'partlabel',
};
const BY_DIRECTORIES: Record<string, 'uuid' | 'label' | 'partuuid' | 'partlabel'> = {
  'by-uuid': 'uuid', 'by-label': 'label', 'by-partuuid': 'partuuid', 'by-partlabel': 'partlabel',
};

/** /dev/disk/by-label escapes bytes like udev does: \x20 for a space. */
function unescapeUdev(value: string): string {
  return value.replace(/\\x([0-9a-fA-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/**
 * Devices an image is built through: a loop device over the image file
 * (losetup -P: loop0p1; kpartx: /dev/mapper/loop0p1) or qemu-nbd's
 * /dev/nbd0p1 (kpartx: /dev/mapper/nbd0p1). grub-mkconfig run in a chroot
 * without /dev/disk/by-uuid writes these into grub.cfg.
 */
const BUILD_HOST_DEVICE = /^\/dev\/(?:loop\d+(?:p\d+)?|nbd\d+(?:p\d+)?|mapper\/(?:loop\d+p\d+|nbd\d+\S*))$/;

/** What an fstab source field refers to: a tag, a kernel device name, a build host's device, or something else. */
export function classifyFstabSource(spec: string): FstabSource {
  const tag = /^([A-Z]+)=(.*)$/.exec(spec);
  if (tag && TAGS[tag[1]!]) return { by: TAGS[tag[1]!]!, value: tag[2]!.replace(/^"(.*)"$/, '$1') };
  const byPath = /^\/dev\/disk\/(by-[a-z]+)\/(.+)$/.exec(spec);
  if (byPath && BY_DIRECTORIES[byPath[1]!]) return { by: BY_DIRECTORIES[byPath[1]!]!, value: unescapeUdev(byPath[2]!) };
  // sda2, hda1, vda3, xvda1: disk letters and a partition number.
  const kernelName = /^\/dev\/((?:s|h|v|xv)d[a-z]+)(\d*)$/.exec(spec);
  if (kernelName) return { by: 'device', disk: kernelName[1]!, partition: kernelName[2] ? Number(kernelName[2]) : null };
  const nvme = /^\/dev\/(nvme\d+n\d+)(?:p(\d+))?$/.exec(spec);
  if (nvme) return { by: 'device', disk: nvme[1]!, partition: nvme[2] ? Number(nvme[2]) : null };
  if (BUILD_HOST_DEVICE.test(spec)) return { by: 'build-host', value: spec };
  return { by: 'other', value: spec };
}

/**
 * fstab types that are not a filesystem on a disk of the image: kernel pseudo
 * filesystems, memory, network and FUSE filesystems. (Swap is on a disk, but
 * is not mounted: callers decide about it.)
 */
const NON_BLOCK_TYPES = new Set(['proc', 'sysfs', 'tmpfs', 'devpts', 'devtmpfs', 'debugfs', 'securityfs', 'cgroup', 'cgroup2',
  'nfs', 'nfs4', 'cifs', 'smbfs', 'smb3', 'fuse', 'none', 'bind', 'overlay', 'efivarfs', 'hugetlbfs', 'mqueue', 'binfmt_misc',
  'ramfs', 'configfs', 'pstore', 'autofs', 'fusectl', 'tracefs', 'bpf', 'rpc_pipefs', 'nfsd', '9p', 'virtiofs', 'glusterfs', 'ceph', 'sshfs', 'davfs']);

/** Whether an fstab type names a filesystem that lives on a block device (swap included). */
export function isBlockFstabType(type: string): boolean {
  return !NON_BLOCK_TYPES.has(type) && !type.startsWith('fuse.');
}

/** What a disk's partitions are called in PARTUUID=: its table's scheme and id (MBR signature or GPT disk GUID). */
export type DiskIdentity = Pick<PartitionTable, 'scheme' | 'diskId'>;

/**
 * The volume an fstab source (or a root= value, which takes the same names)
 * names, or why none does: `no-match` when the image has no such filesystem
 * or partition, `other-disk` for a kernel name of a second disk,
 * `build-host` for a loop or nbd device of the machine that built the image,
 * `unknown` for names spotlint cannot follow (LVM, RAID, by-id, by-path, files).
 */
export type FstabResolution =
  | { volume: Volume; source: FstabSource }
  | { volume?: undefined; source: FstabSource; why: 'no-match' | 'other-disk' | 'build-host' | 'unknown'; reason: string };

/** The image is the guest's first disk, so its kernel names are sda, hda, vda, xvda or nvme0n1 by bus. */
const FIRST_DISK = /^(?:sda|hda|vda|xvda|nvme0n1)$/;

const sameIgnoringCase = (a: string | undefined, b: string) => a !== undefined && a.toLowerCase() === b.toLowerCase();

/**
 * Linux names an MBR partition's PARTUUID after the disk signature and the
 * partition number in hex: 5107c0de-02, 5107c0de-0a for partition 10.
 */
function mbrPartuuid(diskId: string, index: number): string {
  return `${diskId}-${index.toString(16).padStart(2, '0')}`;
}

/**
 * Finds the volume `spec` names. UUIDs compare without case (blkid prints
 * vfat and NTFS ids in capitals, people write them in either); labels and
 * partition names exactly. A kernel name of the first disk is its partition
 * N; the bare disk name (/dev/sda) is the whole disk, which is the
 * filesystem itself in a bare-filesystem image and nothing mountable in a
 * partitioned one.
 */
export function resolveFstabSource(spec: string, disk: DiskIdentity, volumes: readonly Volume[]): FstabResolution {
  const source = classifyFstabSource(spec);
  let found: Volume | undefined;
  switch (source.by) {
    case 'uuid':
      found = volumes.find((v) => sameIgnoringCase(v.filesystem.uuid, source.value));
      break;
    case 'label':
      found = volumes.find((v) => v.filesystem.label === source.value);
      break;
    case 'partuuid':
      found = volumes.find((v) => v.partition && (sameIgnoringCase(v.partition.guid, source.value)
        || (disk.scheme === 'mbr' && disk.diskId !== undefined && sameIgnoringCase(mbrPartuuid(disk.diskId, v.partition.index), source.value))));
      break;
    case 'partlabel':
      found = volumes.find((v) => v.partition?.name === source.value);
      break;
    case 'device':
      if (!FIRST_DISK.test(source.disk)) {
        return { source, why: 'other-disk', reason: `refers to another disk (${source.disk}); spotlint checks only this image` };
      }
      found = volumes.find((v) => v.index === source.partition);
      break;
    case 'build-host':
      return { source, why: 'build-host', reason: `${spec} is a loop or network block device of the machine that built the image, which the appliance does not have` };
    case 'other':
      return { source, why: 'unknown', reason: `spotlint cannot tell which partition "${spec}" is (LVM, RAID and by-path names are not followed)` };
  }
  if (found) return { volume: found, source };
  return { source, why: 'no-match', reason: `no ${source.by === 'device' ? 'partition' : 'filesystem'} in this image matches ${spec}` };
}
