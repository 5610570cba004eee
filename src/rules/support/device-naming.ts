// What the fstab and boot rules share: reading the guest's fstab, how a
// filesystem of the image is best named, and how a kernel command line is
// named and written again.
import type { FactProblem, KernelCommandLine } from '../../inspect/facts/guest-facts.js';
import { readGuestText } from '../../inspect/facts/read-guest-text.js';
import { classifyFstabSource, parseFstab, type FstabEntry } from '../../inspect/guest/fstab.js';
import type { GuestTree } from '../../inspect/guest/guest-tree.js';
import { volumeName, type Volume } from '../../inspect/volumes.js';

export const FSTAB = '/etc/fstab';

/** The guest's fstab entries; undefined when there is none or it cannot be read (then in `problems`). */
export async function readFstabEntries(guest: GuestTree, problems: FactProblem[]): Promise<FstabEntry[] | undefined> {
  const text = await readGuestText(guest, FSTAB, problems);
  return text === undefined ? undefined : parseFstab(text);
}

/**
 * by-id names udev makes from what the data on the disk says (device-mapper
 * names and UUIDs, md array UUIDs and names, LVM physical volume UUIDs), not
 * from the virtual disk's model and serial: they survive the move.
 */
const STABLE_BY_ID = /^\/dev\/disk\/by-id\/(?:dm-name-|dm-uuid-|md-uuid-|md-name-|lvm-pv-uuid-)/;

/**
 * Why a device name may not survive the move to the provider's hypervisor,
 * or undefined for a stable one. Kernel names follow the disk's bus (sda on
 * SATA or SCSI, hda on old IDE drivers, vda on virtio, xvda on Xen); by-id
 * and by-path names follow the emulated controller, its model and serial;
 * loop and nbd devices belong to the machine the image was built on.
 */
export function unstableDeviceName(spec: string): string | undefined {
  const source = classifyFstabSource(spec);
  if (source.by === 'device') return 'a kernel device name, which follows the bus the disk is attached to (sda on SATA or SCSI, hda on IDE, vda on virtio, xvda on Xen)';
  if (source.by === 'build-host') return 'a loop or network block device of the machine that built the image (as grub-mkconfig or an image builder sees the disk in a chroot), which does not exist when the appliance boots';
  if (STABLE_BY_ID.test(spec)) return undefined;
  if (/^\/dev\/disk\/by-id\//.test(spec)) return 'a by-id name, made from the model and serial number the hypervisor gives its virtual disk';
  if (/^\/dev\/disk\/by-path\//.test(spec)) return 'a by-path name, made from the virtual controller the disk hangs on';
  return undefined;
}

/** The stable name to write for a volume (UUID=, else LABEL=), and what it is, or undefined when it has neither. */
export function stableName(volume: Volume): { spec: string; what: string } | undefined {
  const what = `the ${volume.filesystem.type} on ${volumeName(volume)}`;
  if (volume.filesystem.uuid) return { spec: `UUID=${volume.filesystem.uuid}`, what };
  if (volume.filesystem.label) return { spec: `LABEL=${volume.filesystem.label}`, what };
  return undefined;
}

/** "/boot/grub/grub.cfg line 12 (entry "Debian GNU/Linux")", or "/etc/default/grub line 6 (GRUB_CMDLINE_LINUX)". */
export function commandLinePlace(line: KernelCommandLine): string {
  if (line.kind === 'template') return `${line.source.path} line ${line.source.line} (${line.title ?? 'kernel arguments'})`;
  return `${line.source.path} line ${line.source.line}${line.title ? ` (entry "${line.title}")` : ''}`;
}

/** How the line gets written again: a hand edit of a generated file lasts until the next kernel update. */
export function regenerationAdvice(line: KernelCommandLine): string {
  if (line.loader === 'grub2' && line.kind === 'entry') {
    const command = line.source.path.startsWith('/boot/grub2/') ? `grub2-mkconfig -o ${line.source.path}` : 'update-grub';
    return ` (grub-mkconfig rewrites this file: fix /etc/default/grub, then run ${command})`;
  }
  if (line.kind === 'template') return ' (new boot entries copy this setting)';
  return '';
}

/**
 * The command lines with a root= that `select` keeps, one group per file,
 * kind and root= value: a menu repeats the same root in every entry, and
 * one finding per group says it once.
 */
export function groupByFileAndRoot(lines: readonly KernelCommandLine[], select: (root: string) => boolean): KernelCommandLine[][] {
  const groups = new Map<string, KernelCommandLine[]>();
  for (const line of lines) {
    if (line.root === undefined || !select(line.root)) continue;
    const key = `${line.source.path}\0${line.kind}\0${line.root}`;
    const group = groups.get(key);
    if (group) group.push(line);
    else groups.set(key, [line]);
  }
  return [...groups.values()];
}

/** " (and 2 more lines there)" for the lines of a group after its first. */
export function moreLinesThere(group: readonly KernelCommandLine[]): string {
  const others = group.length - 1;
  return others > 0 ? ` (and ${others} more line${others > 1 ? 's' : ''} there)` : '';
}
