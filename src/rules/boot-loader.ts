import { chainLoadsActivePartition } from '../inspect/boot/boot-code.js';
import type { ImageInspection } from '../inspect/inspect-image.js';
import { SECTOR_SIZE } from '../inspect/partitions/partition.js';
import { volumeName, type Volume } from '../inspect/volumes.js';
import { NO_OPTIONS, type FindingInput, type Rule } from './rule.js';

const BIOS_BOOT_TYPE = '21686148-6449-6E6F-744E-656564454649';
const ESP_GPT_TYPE = 'C12A7328-F81F-11D2-BA4B-00A0C93EC93B';
const ESP_MBR_TYPE = '0xef';

const HVM = 'SpotCloud providers run appliances on KVM or Xen HVM, whose BIOS boots the code in the disk\'s first sector';
const INSTALL_GRUB = 'install GRUB for BIOS in the VM (Debian/Ubuntu: apt install grub-pc; grub-install /dev/sda), then export the disk again';

function isEsp(volume: Volume): boolean {
  return volume.partition?.type === ESP_GPT_TYPE || volume.partition?.type === ESP_MBR_TYPE;
}

/** Why nothing boots when sector 0 holds no code, per layout. */
function noBootCode(inspection: ImageInspection): FindingInput {
  const { partitionTable, volumes } = inspection;
  if (partitionTable.scheme === 'none') {
    const type = volumes[0]?.filesystem.type ?? 'unknown';
    return { message: `The disk is a bare ${type} filesystem with no partition table and no boot code in its first sector: ${HVM}, and finds nothing to run. Put the system on a partitioned disk and ${INSTALL_GRUB} (or install EXTLINUX into this filesystem: extlinux --install /boot).` };
  }
  const esp = volumes.find(isEsp);
  const biosBoot = volumes.find((v) => v.partition?.type === BIOS_BOOT_TYPE);
  const table = partitionTable.scheme === 'gpt' ? 'protective MBR' : 'MBR';
  if (biosBoot) {
    return { location: { partition: biosBoot.index }, message: `The disk has a BIOS boot partition (${volumeName(biosBoot)}) but the ${table} holds no boot code (all zero), so GRUB for BIOS was never installed, or its first sector was overwritten: ${HVM}, and finds nothing to run. Run grub-install --target=i386-pc /dev/sda in the VM and export the disk again.` };
  }
  if (esp) {
    return { location: { partition: esp.index }, message: `The disk boots with UEFI only: it has an EFI System Partition (${volumeName(esp)}) but no BIOS boot code in the ${table}${partitionTable.scheme === 'gpt' ? ' and no BIOS boot partition' : ''}. ${HVM}, and finds nothing to run. Add BIOS booting: ${partitionTable.scheme === 'gpt' ? 'create a 1 MiB BIOS boot partition (type ef02 in gdisk), ' : ''}${INSTALL_GRUB}.` };
  }
  return { message: `The ${table}'s boot code area is all zero, so nothing is installed to boot this disk: ${HVM}, and finds nothing to run. ${INSTALL_GRUB[0]!.toUpperCase()}${INSTALL_GRUB.slice(1)}.` };
}

export const bootLoader: Rule = {
  id: 'boot-loader',
  title: 'A BIOS can boot the disk',
  defaultSeverity: 'error',
  guideline: 'SpotCloud\'s utilizes the same device model as KVM and Xen HVM allowing you to directly package your RAW and QCOW2 disk images.',
  rationale: 'KVM and Xen HVM guests start like a PC with a BIOS: it runs the boot code in the disk\'s first sector, which loads the rest of the boot loader. A disk with no boot code there (a UEFI-only install, a disk assembled from copied partitions, a bare filesystem) never starts on such a provider, and the buyer pays for a VM that shows nothing.',
  checks: 'The boot code in the first 440 bytes of sector 0, identified as GRUB 2 boot.img, GRUB Legacy stage1, SYSLINUX mbr.bin, LILO, a DOS/Windows MBR, all zero, or unknown code (shown by spotlint inspect as "Boot code"). Error: all zero (naming a UEFI-only layout when there is an EFI System Partition, or a GPT BIOS boot partition that GRUB never filled); GRUB 2 whose core.img sector (the one boot.img loads next) is all zero or past the end of the image; SYSLINUX or DOS/Windows MBR code, which run the active partition\'s own boot sector, with no active partition, more than one, or an active partition whose first sector is all zero. Warning: GRUB 2 on a GPT disk without a BIOS boot partition (core.img found by a block list, which breaks when the file moves). Unknown non-zero code, LILO and GRUB Legacy are taken as bootable; what they load next is not followed. A bare filesystem is judged by its own first sector (EXTLINUX can live there).',
  howToFix: 'In the VM, install GRUB for BIOS on the disk (grub-install /dev/sda; on GPT first add a 1 MiB BIOS boot partition), check that it boots in a BIOS-mode VM (no UEFI firmware), then export the disk again.',
  fixable: 'no',
  ...NO_OPTIONS,
  async check({ inspection, report }) {
    const { bootCode, partitionTable, volumes } = inspection;
    const { sector0 } = bootCode;
    if (sector0.kind === 'zero') {
      report(noBootCode(inspection));
      return;
    }
    if (sector0.kind === 'grub2' && sector0.coreSector !== undefined) {
      if (!bootCode.coreSectorPresent) {
        const core = sector0.coreSector * SECTOR_SIZE;
        const holder = volumes.find((v) => v.partition && core >= v.partition.start && core < v.partition.start + v.partition.size);
        const where = holder ? ` (in ${volumeName(holder)}${holder.partition!.type === BIOS_BOOT_TYPE ? ', the BIOS boot partition' : ''})` : partitionTable.scheme === 'mbr' && sector0.coreSector < 2048 ? ' (the gap between the MBR and the first partition)' : '';
        report({ message: `The disk starts with ${sector0.name}, which loads core.img from sector ${sector0.coreSector}${where}, but that sector is empty or missing: GRUB stops before its menu and the appliance never boots on a BIOS/HVM provider. This happens when partitions are copied onto a new disk without the sectors after the MBR; run grub-install /dev/sda in the VM and export the disk again.` });
        return;
      }
      if (partitionTable.scheme === 'gpt' && !volumes.some((v) => v.partition?.type === BIOS_BOOT_TYPE)) {
        report({ severity: 'warning', message: `The disk starts with ${sector0.name} on a GPT disk without a BIOS boot partition, so GRUB finds core.img (at sector ${sector0.coreSector}) through a block list that breaks as soon as the file moves (an update of GRUB, a defragmentation). Add a 1 MiB BIOS boot partition (type ef02 in gdisk), run grub-install /dev/sda, and export the disk again.` });
      }
      return;
    }
    if (partitionTable.scheme !== 'mbr' || !chainLoadsActivePartition(sector0.kind)) return;
    const active = bootCode.activePartitions;
    if (active.length !== 1) {
      const problem = active.length === 0 ? 'no partition is marked active' : `${active.length} partitions are marked active (${active.map((a) => a.partition).join(', ')})`;
      report({ message: `The MBR holds ${sector0.name}, which boots the active partition's own boot sector, but ${problem}, so it stops with an error and the appliance never boots on a BIOS/HVM provider. Mark exactly one partition active (fdisk: a; sfdisk --activate /dev/sda N) and export the disk again.` });
      return;
    }
    const { partition, code } = active[0]!;
    if (code.kind === 'zero') {
      report({ location: { partition }, message: `The MBR holds ${sector0.name}, which runs the boot sector of the active partition ${partition}, but that partition's first sector holds no boot code (all zero), so the appliance never boots on a BIOS/HVM provider. Install a boot loader into it (extlinux --install on the filesystem holding /boot) or use GRUB (grub-install /dev/sda), then export the disk again.` });
    }
  },
};
