import type { FileHandle } from 'node:fs/promises';
import { Header } from 'tar';

const BLOCK = 512;
/** GNU tar's default record (20 blocks): archives it writes are padded to it, and so are ours. */
const RECORD = 20 * BLOCK;

export interface MemberInfo {
  name: string;
  mtime: Date;
}

/**
 * Writes an uncompressed ustar archive into a file, member by member, at
 * known offsets. node-tar encodes each header; the writing is done here
 * because a disk member's compressed size is known only once it is written,
 * and a streaming tar writer needs the size before the data. So the header's
 * place is kept and the header written there afterwards, and the manifest
 * (whose length is known before its content) is filled in last.
 */
export class TarFileWriter {
  private position = 0;

  constructor(private readonly file: FileHandle) {}

  /** A small member whose bytes are known now. */
  async addMember(info: MemberInfo, data: Buffer): Promise<void> {
    const start = this.position;
    await this.writeAt(Buffer.concat([encodeMemberHeader(info, data.length), data, padding(data.length)]), start);
    this.position = start + BLOCK + data.length + padding(data.length).length;
  }

  /** A member of known length whose bytes are written later with the returned function. */
  async reserveMember(info: MemberInfo, length: number): Promise<(data: Buffer) => Promise<void>> {
    const start = this.position;
    await this.writeAt(Buffer.concat([encodeMemberHeader(info, length), Buffer.alloc(length), padding(length)]), start);
    this.position = start + BLOCK + length + padding(length).length;
    return async (data: Buffer) => {
      if (data.length !== length) throw new Error(`reserved ${length} bytes for ${info.name}, got ${data.length}`);
      await this.writeAt(data, start + BLOCK);
    };
  }

  /** A member written as it is produced; its header is completed by `end()`. */
  beginMember(info: MemberInfo): { write: (bytes: Buffer) => Promise<void>; end: () => Promise<number> } {
    const headerAt = this.position;
    let length = 0;
    this.position += BLOCK;
    return {
      write: async (bytes: Buffer) => {
        await this.writeAt(bytes, this.position);
        this.position += bytes.length;
        length += bytes.length;
      },
      end: async () => {
        const pad = padding(length);
        await this.writeAt(pad, this.position);
        this.position += pad.length;
        await this.writeAt(encodeMemberHeader(info, length), headerAt);
        return length;
      },
    };
  }

  /** The end-of-archive marker (two zero blocks), padded to a whole record; returns the archive's size. */
  async finish(): Promise<number> {
    let end = this.position + 2 * BLOCK;
    end = Math.ceil(end / RECORD) * RECORD;
    await this.writeAt(Buffer.alloc(end - this.position), this.position);
    this.position = end;
    return end;
  }

  private async writeAt(bytes: Buffer, at: number): Promise<void> {
    let done = 0;
    while (done < bytes.length) {
      const { bytesWritten } = await this.file.write(bytes, done, bytes.length - done, at + done);
      done += bytesWritten;
    }
  }
}

function padding(length: number): Buffer {
  return Buffer.alloc((BLOCK - (length % BLOCK)) % BLOCK);
}

/** ustar's size field holds 11 octal digits: sizes from 8 GiB on need GNU's base-256 form. */
const OCTAL_SIZE_LIMIT = 0o77777777777;
const SIZE_FIELD = { offset: 124, length: 12 };
const CHECKSUM_FIELD = { offset: 148, length: 8 };

/** A regular file owned by root, mode 0644: what extracting the package should produce. */
export function encodeMemberHeader(info: MemberInfo, size: number): Buffer {
  const header = new Header({
    path: info.name,
    type: 'File',
    mode: 0o644,
    uid: 0,
    gid: 0,
    uname: 'root',
    gname: 'root',
    // node-tar would ask for a pax header above the octal limit; the size is
    // written in base-256 below instead, as GNU tar does, so the header keeps
    // its single block (its place is reserved before the size is known).
    size: size > OCTAL_SIZE_LIMIT ? 0 : size,
    mtime: info.mtime,
  });
  header.encode();
  if (!header.block || header.needPax) throw new Error(`cannot write a plain tar header for ${info.name}`);
  const block = Buffer.from(header.block);
  if (size > OCTAL_SIZE_LIMIT) {
    // GNU base-256: the first byte's high bit set, the value big-endian in the rest of the field.
    const field = Buffer.alloc(SIZE_FIELD.length);
    field[0] = 0x80;
    field.writeBigUInt64BE(BigInt(size), SIZE_FIELD.length - 8);
    field.copy(block, SIZE_FIELD.offset);
    // The checksum: the sum of the header's bytes with its own field read as spaces.
    block.fill(0x20, CHECKSUM_FIELD.offset, CHECKSUM_FIELD.offset + CHECKSUM_FIELD.length);
    let sum = 0;
    for (const byte of block) sum += byte;
    block.write(`${sum.toString(8).padStart(6, '0')}\0 `, CHECKSUM_FIELD.offset, 'latin1');
  }
  return block;
}
