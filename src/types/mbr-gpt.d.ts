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
    tableOffset: bigint;
    entries: number;
    entrySize: number;
    headerSize: number;
    headerChecksum: number;
    tableChecksum: number;
    partitions: PartitionEntry[];
    parseHeader(buffer: Buffer, offset?: number): GPT;
  }
  export = GPT;
}
