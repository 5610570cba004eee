// Minimal typings for the npm packages `mbr` and `gpt` (they ship none):
// only the members spotlint uses.
declare module 'mbr' {
  class MBRPartition {
    status: number;
    type: number;
    firstLBA: number;
    sectors: number;
    readonly extended: boolean;
  }
  class MBR {
    partitions: MBRPartition[];
    static CLASSIC: new (buffer: Buffer) => MBR;
    static Partition: { new (): MBRPartition; isExtended(type: number): boolean };
  }
  export = MBR;
}

declare module 'gpt' {
  class PartitionEntry {
    type: string;
    guid: string;
    name: string;
    firstLBA: bigint;
    lastLBA: bigint;
  }
  class GPT {
    static PartitionEntry: { parse(buffer: Buffer, offset?: number): PartitionEntry };
    constructor(options?: { blockSize?: number });
    blockSize: number;
    guid: string;
    currentLBA: bigint;
    backupLBA: bigint;
    firstLBA: bigint;
    lastLBA: bigint;
    tableOffset: bigint;
    entries: number;
    entrySize: number;
    headerSize: number;
    headerChecksum: number;
    tableChecksum: number;
    partitions: PartitionEntry[];
    readonly tableSize: number;
    parseHeader(buffer: Buffer, offset?: number): GPT;
    parseTable(buffer: Buffer, offset?: number, end?: number): GPT;
    checksumHeader(buffer?: Buffer, offset?: number): number;
    checksumTable(buffer?: Buffer, offset?: number): number;
  }
  export = GPT;
}
