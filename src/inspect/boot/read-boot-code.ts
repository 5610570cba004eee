import { readAt, type ByteSource } from '../image/byte-source.js';
import { SECTOR_SIZE, type PartitionTable } from '../partitions/partition.js';
import { identifyBootCode, type BootCode } from './boot-code.js';

/** What a BIOS (or an HVM guest's SeaBIOS) finds to run when it boots the disk. */
export interface BootCodeFacts {
  /** Sector 0: the MBR's or protective MBR's boot code, or a bare filesystem's own boot sector. */
  sector0: BootCode;
  /**
   * GRUB 2 only: whether the sector boot.img loads core.img from holds
   * anything; false when it is all zero or past the end of the image.
   */
  coreSectorPresent?: boolean;
  /** The first sector of each active primary MBR partition: what a chain-loading MBR runs next. */
  activePartitions: { partition: number; code: BootCode }[];
}

/** An MBR has four primary slots; nothing else can be active for MBR boot code. */
const MAX_ACTIVE_PARTITIONS = 4;

function isAllZero(bytes: Buffer): boolean {
  return bytes.every((byte) => byte === 0);
}

export async function readBootCode(source: ByteSource, table: PartitionTable): Promise<BootCodeFacts> {
  const sector0 = identifyBootCode(await readAt(source, 0, SECTOR_SIZE));
  const facts: BootCodeFacts = { sector0, activePartitions: [] };
  if (sector0.coreSector !== undefined) {
    // Sector 0 is boot.img itself: pointing there loads nothing new.
    const core = sector0.coreSector > 0 && sector0.coreSector * SECTOR_SIZE < source.virtualSize
      ? await readAt(source, sector0.coreSector * SECTOR_SIZE, SECTOR_SIZE)
      : Buffer.alloc(0);
    facts.coreSectorPresent = core.length === SECTOR_SIZE && !isAllZero(core);
  }
  const active = table.partitions.filter((p) => p.kind === 'primary' && p.bootable).slice(0, MAX_ACTIVE_PARTITIONS);
  for (const partition of active) {
    const first = await readAt(source, partition.start, SECTOR_SIZE);
    facts.activePartitions.push({ partition: partition.index, code: identifyBootCode(first) });
  }
  return facts;
}
