export type PartitionScheme = 'mbr' | 'gpt' | 'none';

export interface Partition {
  /** Linux numbering: MBR primaries 1-4, logicals from 5; GPT entry number. */
  index: number;
  kind: 'primary' | 'extended' | 'logical' | 'gpt';
  /** Byte offset of the first sector and size in bytes. */
  start: number;
  size: number;
  /** MBR type byte as 0xNN, or GPT type GUID. */
  type: string;
  /** A human name for the type, e.g. "Linux", "Linux swap", "BIOS boot". */
  typeName: string;
  /** MBR active flag or GPT "legacy BIOS bootable" attribute. */
  bootable: boolean;
  /** GPT only. */
  name?: string;
  guid?: string;
  /** The partition ends past the end of the image: the export was cut short. */
  beyondEnd: boolean;
}

export interface PartitionTable {
  scheme: PartitionScheme;
  partitions: Partition[];
  /** GPT disk GUID or MBR disk signature, as used by PARTUUID=. */
  diskId?: string;
  /** Things wrong with the table itself: bad checksums, chain loops, entries out of range. */
  problems: string[];
}

export const SECTOR_SIZE = 512;
