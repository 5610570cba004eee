// What the fstab and boot rules share: the guide's sentence, reading the
// guest's fstab, and how a filesystem of the image is best named.
import type { FactProblem } from '../../inspect/facts/guest-facts.js';
import { readGuestText } from '../../inspect/facts/read-guest-text.js';
import { classifyFstabSource, parseFstab, type FstabEntry } from '../../inspect/guest/fstab.js';
import type { GuestTree } from '../../inspect/guest/guest-tree.js';
import { volumeName, type Volume } from '../../inspect/volumes.js';

export const GUIDE_DEVICE_NUMBERING = 'Be aware of anything in your VM that could potentially change ethernet and hard drive device numbering under Linux or BSD. Allowing these to occur may result in an appliance that will no longer boot or have network access.';

export const FSTAB = '/etc/fstab';

/** The guest's fstab entries; undefined when there is none or it cannot be read (then in `problems`). */
export async function readFstabEntries(guest: GuestTree, problems: FactProblem[]): Promise<FstabEntry[] | undefined> {
  const text = await readGuestText(guest, FSTAB, problems);
  return text === undefined ? undefined : parseFstab(text);
}

/**
 * Why a device name may not survive the move to the provider's hypervisor,
 * or undefined for a stable one. Kernel names follow the disk's bus (sda on
 * SATA or SCSI, hda on old IDE drivers, vda on virtio, xvda on Xen); by-id
 * and by-path names follow the emulated controller, its model and serial.
 */
export function unstableDeviceName(spec: string): string | undefined {
  const source = classifyFstabSource(spec);
  if (source.by === 'device') return 'a kernel device name, which follows the bus the disk is attached to (sda on SATA or SCSI, hda on IDE, vda on virtio, xvda on Xen)';
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
