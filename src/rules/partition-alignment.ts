import { SECTOR_SIZE } from '../inspect/partitions/partition.js';
import { isBiosBootType } from '../inspect/partitions/partition-type-names.js';
import { volumeName } from '../inspect/volumes.js';
import { NO_OPTIONS, type Rule } from './rule.js';

/** Where partitioning tools have started partitions since 2010 (fdisk, parted, every installer). */
const ALIGNMENT_BYTES = 1024 * 1024;
/** The block size of the disks and host filesystems the guest's writes land on. */
const HOST_BLOCK_BYTES = 4096;
/** Sectors per track in the cylinder-aligned DOS layout: its partitions start at multiples of 63. */
const DOS_SECTORS_PER_TRACK = 63;

export const partitionAlignment: Rule = {
  id: 'partition-alignment',
  title: 'Partitions start on 1 MiB boundaries',
  defaultSeverity: 'warning',
  guideline: 'Before beginning the process of creating or migrating your virtual machine for the SpotCloud environment, to optimize the performance of your appliance, and to avoid surprises, we suggest you follow the guidelines below:',
  rationale: 'A provider stores the guest\'s disk on drives and filesystems that work in 4 KiB blocks. When a partition starts off a 4 KiB boundary (the old DOS layout starts at sector 63), every 4 KiB block the guest writes spans two host blocks, so the host has to read and rewrite both: disk writes get markedly slower, on every provider, for the life of the appliance. A start on a 4 KiB but not a 1 MiB boundary avoids that, and only straddles larger units (64 KiB QCOW2 clusters, RAID stripes, SSD erase blocks), which costs far less. The guide does not mention alignment; it asks for appliances built for performance.',
  checks: `The start of every partition that holds data: a warning when it is not a multiple of ${HOST_BLOCK_BYTES} bytes (8 sectors), a note (info) when it is a multiple of ${HOST_BLOCK_BYTES} bytes but not of 1 MiB (2048 sectors). Extended (container) partitions are not checked, only the logical partitions inside them; neither are GPT BIOS boot partitions, which GRUB writes only when it is installed. A bare filesystem starts at byte 0 and is aligned.`,
  howToFix: 'Move the partition to a 1 MiB boundary (GParted moves a partition with its data; back up first), or rebuild the disk with a current installer, which aligns to 1 MiB, and copy the system over. Then export the disk again.',
  fixable: 'no',
  ...NO_OPTIONS,
  async check({ inspection, report }) {
    for (const volume of inspection.volumes) {
      const p = volume.partition;
      // GRUB writes into a BIOS boot partition at install time only; the running guest never does.
      if (!p || isBiosBootType(p.type) || p.start % ALIGNMENT_BYTES === 0) continue;
      const sector = p.start / SECTOR_SIZE;
      const where = `${volumeName(volume)} starts at sector ${sector} (byte ${p.start})`;
      if (p.start % HOST_BLOCK_BYTES === 0) {
        report({
          severity: 'info',
          location: { partition: p.index },
          message: `${where}: on a 4 KiB boundary but not on a 1 MiB one. Guest writes line up with the provider's 4 KiB blocks, but straddle larger units (64 KiB QCOW2 clusters, RAID stripes); for the best disk speed, start it at a multiple of 2048 sectors.`,
        });
        continue;
      }
      const layout = sector % DOS_SECTORS_PER_TRACK === 0 ? ' (the old cylinder-aligned DOS layout)' : '';
      report({
        location: { partition: p.index },
        message: `${where}${layout}, not on a 4 KiB boundary: every 4 KiB block the guest writes spans two of the provider's 4 KiB disk blocks, so the host must read and rewrite both, on every provider. Move the partition to a 1 MiB boundary (sector ${Math.ceil(sector / 2048) * 2048}) or rebuild the disk with a current partitioning tool.`,
      });
    }
  },
};
