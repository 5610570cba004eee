import { chainLoadsActivePartition } from '../inspect/boot/boot-code.js';
import type { ImageInspection } from '../inspect/inspect-image.js';
import type { BootCodeKind } from '../inspect/boot/boot-code.js';
import type { BootConfigFacts } from '../inspect/facts/guest-facts.js';
import { SECTOR_SIZE } from '../inspect/partitions/partition.js';
import { isBiosBootType, isEspType } from '../inspect/partitions/partition-type-names.js';
import { volumeName, type Volume } from '../inspect/volumes.js';
import { NO_OPTIONS, type FindingInput, type Rule } from './rule.js';

/**
 * The menu each GRUB reads from its prefix (the /boot/grub folder of the
 * filesystem holding /boot): GRUB 2 grub.cfg, in /boot/grub2 on RHEL, Fedora
 * and SUSE; GRUB Legacy menu.lst, grub.conf on RHEL 5/6.
 */
const GRUB_MENUS: Partial<Record<BootCodeKind, { pattern: RegExp; names: string; make: string }>> = {
  grub2: { pattern: /^\/boot\/grub2?\/grub\.cfg$/, names: '/boot/grub/grub.cfg or /boot/grub2/grub.cfg', make: 'run update-grub in the VM (RHEL, Fedora, SUSE: grub2-mkconfig -o /boot/grub2/grub.cfg)' },
  'grub-legacy': { pattern: /^\/boot\/grub\/(?:menu\.lst|grub\.conf)$/, names: '/boot/grub/menu.lst or /boot/grub/grub.conf', make: 'write /boot/grub/menu.lst in the VM (Debian: update-grub; RHEL 5/6: reinstall the kernel package, whose scripts add its entry)' },
};
/** Mount points that would hide the GRUB menu from spotlint when their filesystem cannot be read. */
const MENU_FOLDERS = new Set(['/boot', '/boot/grub', '/boot/grub2']);

const HVM = 'SpotCloud providers run appliances on KVM or Xen HVM, whose BIOS boots the code in the disk\'s first sector';
const INSTALL_GRUB = 'install GRUB for BIOS in the VM (Debian/Ubuntu: apt install grub-pc; grub-install /dev/sda), then export the disk again';

function isEsp(volume: Volume): boolean {
  return isEspType(volume.partition?.type);
}

/**
 * GRUB in the MBR with no menu for it in the image: it starts, finds no
 * configuration and stops at its grub> prompt. Undefined when there is a
 * menu, or when spotlint could not see /boot (no guest, /boot on a
 * filesystem it cannot read, a menu it failed to read).
 */
function missingGrubMenu(kind: BootCodeKind, name: string, boot: BootConfigFacts, inspection: ImageInspection): FindingInput | undefined {
  const menu = GRUB_MENUS[kind];
  if (!menu) return undefined;
  const seen = (path: string) => menu.pattern.test(path);
  if (boot.files.some(seen) || boot.problems.some((p) => seen(p.path))) return undefined;
  const hidden = inspection.fstabProblems.find((p) => MENU_FOLDERS.has(p.mountPoint) && !inspection.mounts.some((m) => m.mountPoint === p.mountPoint));
  if (hidden) {
    return { severity: 'info', message: `The disk starts with ${name}, but the guest mounts ${hidden.mountPoint} from ${hidden.spec}, which spotlint could not attach (${hidden.reason}), so it did not check for GRUB's menu (${menu.names}).` };
  }
  return { message: `The disk starts with ${name}, but the image has no GRUB menu for it (${menu.names}): GRUB stops at its grub> prompt instead of starting Linux, and with no console on SpotCloud the appliance never boots. ${menu.make[0]!.toUpperCase()}${menu.make.slice(1)}, then export the disk again.` };
}

/** Why nothing boots when sector 0 holds no code, per layout. */
function noBootCode(inspection: ImageInspection): FindingInput {
  const { partitionTable, volumes } = inspection;
  if (partitionTable.scheme === 'none') {
    const type = volumes[0]?.filesystem.type ?? 'unknown';
    return { message: `The disk is a bare ${type} filesystem with no partition table and no boot code in its first sector: ${HVM}, and finds nothing to run. Put the system on a partitioned disk and ${INSTALL_GRUB} (or install EXTLINUX into this filesystem: extlinux --install /boot).` };
  }
  const esp = volumes.find(isEsp);
  const biosBoot = volumes.find((v) => isBiosBootType(v.partition?.type));
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
  rationale: 'KVM and Xen HVM guests start like a PC with a BIOS: it runs the boot code in the disk\'s first sector, which loads the rest of the boot loader. A disk with no boot code there (a UEFI-only install, a disk assembled from copied partitions, a bare filesystem) never starts on such a provider; GRUB with no menu (grub.cfg) in the image stops at its grub> prompt, which nobody can reach on SpotCloud. Either way the buyer pays for a VM that shows nothing.',
  checks: 'The boot code in the first 440 bytes of sector 0, identified as GRUB 2 boot.img, GRUB Legacy stage1, SYSLINUX mbr.bin, LILO, a DOS/Windows MBR, all zero, or unknown code (shown by spotlint inspect as "Boot code"), and for GRUB the menu it reads. Error: all zero (naming a UEFI-only layout when there is an EFI System Partition, or a GPT BIOS boot partition that GRUB never filled); GRUB 2 whose core.img sector (the one boot.img loads next) is all zero or past the end of the image; SYSLINUX or DOS/Windows MBR code, which run the active partition\'s own boot sector, with no active partition, more than one, or an active partition whose first sector is all zero; GRUB 2 or GRUB Legacy in the MBR, but no menu for it in the guest (GRUB 2: /boot/grub/grub.cfg or /boot/grub2/grub.cfg; GRUB Legacy: /boot/grub/menu.lst or grub.conf), so GRUB stops at its grub> prompt; a note (info) instead when the guest mounts /boot from a filesystem spotlint cannot read, and nothing when no root filesystem was found. Warning: GRUB 2 on a GPT disk without a BIOS boot partition (core.img found by a block list, which breaks when the file moves). Unknown non-zero code and LILO are taken as bootable, and GRUB Legacy\'s stage2 is not followed; a menu GRUB reads from a /boot partition that fstab does not mount, or a configuration built into core.img, is not seen. A bare filesystem is judged by its own first sector (EXTLINUX can live there).',
  howToFix: 'In the VM, install GRUB for BIOS on the disk (grub-install /dev/sda; on GPT first add a 1 MiB BIOS boot partition), check that it boots in a BIOS-mode VM (no UEFI firmware), then export the disk again.',
  fixable: 'no',
  ...NO_OPTIONS,
  async check({ inspection, facts, guest, report }) {
    const { bootCode, partitionTable, volumes } = inspection;
    const { sector0 } = bootCode;
    if (sector0.kind === 'zero') {
      report(noBootCode(inspection));
      return;
    }
    // Without a guest there is no /boot to look in: no-root-filesystem says why.
    const menu = guest ? missingGrubMenu(sector0.kind, sector0.name, facts.boot, inspection) : undefined;
    if (sector0.kind === 'grub2' && sector0.coreSector !== undefined) {
      if (!bootCode.coreSectorPresent) {
        const core = sector0.coreSector * SECTOR_SIZE;
        const holder = volumes.find((v) => v.partition && core >= v.partition.start && core < v.partition.start + v.partition.size);
        const where = holder ? ` (in ${volumeName(holder)}${isBiosBootType(holder.partition!.type) ? ', the BIOS boot partition' : ''})` : partitionTable.scheme === 'mbr' && sector0.coreSector < 2048 ? ' (the gap between the MBR and the first partition)' : '';
        report({ message: `The disk starts with ${sector0.name}, which loads core.img from sector ${sector0.coreSector}${where}, but that sector is empty or missing: GRUB stops before its menu and the appliance never boots on a BIOS/HVM provider. This happens when partitions are copied onto a new disk without the sectors after the MBR; run grub-install /dev/sda in the VM and export the disk again.` });
        return;
      }
      if (partitionTable.scheme === 'gpt' && !volumes.some((v) => isBiosBootType(v.partition?.type))) {
        report({ severity: 'warning', message: `The disk starts with ${sector0.name} on a GPT disk without a BIOS boot partition, so GRUB finds core.img (at sector ${sector0.coreSector}) through a block list that breaks as soon as the file moves (an update of GRUB, a defragmentation). Add a 1 MiB BIOS boot partition (type ef02 in gdisk), run grub-install /dev/sda, and export the disk again.` });
      }
    }
    if (menu) report(menu);
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
