import { createHash } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import { Parser, type ReadEntry } from 'tar';
import { SpotlintError } from '../errors.js';

const BLOCK = 512;
const READ_CHUNK_BYTES = 1024 * 1024;
/** zlib's output piece; also how far past a limit decompression may run before it stops. */
const GUNZIP_CHUNK_BYTES = 128 * 1024;

/** What came of decompressing one member. */
export type DiskDigest =
  | { outcome: 'complete'; size: bigint; md5: string }
  /** More than `limit` bytes came out: reading stopped at `size`. */
  | { outcome: 'over-limit'; limit: bigint; size: bigint }
  /** zlib refused the data after `size` bytes had come out; `truncated`: it simply ended too soon. */
  | { outcome: 'bad-gzip'; size: bigint; truncated: boolean; reason: string }
  /** The plan's `write` failed (e.g. a full disk). */
  | { outcome: 'write-failed'; size: bigint; error: Error }
  /** The archive broke off before the member's data ended. */
  | { outcome: 'not-read' };

export interface PackageMember {
  /** The name node-tar resolved (pax and GNU long names applied), exactly as stored. */
  name: string;
  /** node-tar's type name: File, OldFile, Directory, SymbolicLink, Link, CharacterDevice, ..., or Unsupported. */
  type: string;
  /** The type flag as stored, for types node-tar has no name for. */
  typeFlag: string;
  /** Data bytes in the archive. */
  size: number;
  linkTarget?: string;
  /** false: the archive ended inside this member's data. */
  complete: boolean;
  /** The member's bytes, when the caller asked to keep them and there were no more than asked. */
  content?: Buffer;
  /** Set when the caller asked for the member to be decompressed. */
  disk?: DiskDigest;
}

export interface DecompressPlan {
  /** The most uncompressed bytes to accept: one more, and decompression stops. */
  limit: bigint;
  /** Receives the uncompressed bytes in order; the next piece waits for the promise. */
  write?: (bytes: Buffer) => Promise<void>;
}

export interface ReadPackageOptions {
  /** Stop reading (and say so) when the archive holds more members than this. */
  maxMembers: number;
  /** For a regular file: keep its bytes in `content` when it has at most this many. */
  keepAtMost?: (name: string) => number | undefined;
  /**
   * For a regular file: decompress it with gunzip, hashing what comes out.
   * `earlier` are the members before it, their kept contents complete.
   */
  decompress?: (name: string, earlier: readonly PackageMember[]) => DecompressPlan | undefined;
}

export interface PackageListing {
  members: PackageMember[];
  /** What is wrong with the tar structure itself, one sentence; reading stopped there. */
  structureProblem?: string;
  /** More members than `maxMembers`: reading stopped there. */
  tooManyMembers: boolean;
  /** Whether the end-of-archive marker (two zero blocks) was found. */
  endMarker: boolean;
}

const REGULAR_TYPES = new Set(['File', 'OldFile', 'ContiguousFile']);

export function isRegularMember(member: Pick<PackageMember, 'type'>): boolean {
  return REGULAR_TYPES.has(member.type);
}

/**
 * Reads an uncompressed tar archive from start to end with node-tar's parser
 * in strict mode: each member's name, type and size, the bytes of the small
 * members asked for, and for the disks asked for, their gunzipped size and
 * MD5, without writing anything (unless a plan's `write` does). A package
 * comes from anywhere, so every amount is bounded: members by `maxMembers`,
 * kept bytes by `keepAtMost`, decompressed bytes by each plan's `limit`.
 *
 * Throws a SpotlintError when the file cannot be read or is not a tar
 * archive at all; damage further in is returned as `structureProblem`.
 */
export async function readPackage(path: string, options: ReadPackageOptions): Promise<PackageListing> {
  const handle = await openPackage(path);
  const reader = new ArchiveReader(path, options);
  try {
    return await reader.read(handle);
  } finally {
    await handle.close().catch(() => undefined);
  }
}

async function openPackage(path: string): Promise<FileHandle> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    throw describeOpenError(path, error);
  }
  const stats = await handle.stat();
  if (stats.isDirectory()) {
    await handle.close();
    throw new SpotlintError(`${path}: is a directory, not a package file`);
  }
  if (stats.isFile() && stats.size === 0) {
    await handle.close();
    throw new SpotlintError(`${path}: the file is empty (0 bytes), not a tar archive`);
  }
  return handle;
}

function describeOpenError(path: string, error: unknown): SpotlintError {
  const code = (error as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOENT': return new SpotlintError(`${path}: no such file`);
    case 'EACCES':
    case 'EPERM': return new SpotlintError(`${path}: permission denied (spotlint needs read access to the package)`);
    case 'EISDIR': return new SpotlintError(`${path}: is a directory, not a package file`);
    default: return new SpotlintError(`${path}: cannot open (${code ?? (error as Error).message})`);
  }
}

/** Says why the archive's first block cannot start a tar archive, or undefined when it can. */
function notATarReason(first: Buffer): string | undefined {
  if (first[0] === 0x1f && first[1] === 0x8b) return 'is gzip-compressed; an XVM2 package is an uncompressed tar archive (gunzip it first, or check that this is the package)';
  if (first.length < BLOCK) return `is only ${first.length} bytes, too short to be a tar archive`;
  return undefined;
}

/** Whether a block looks like a tar header at all: the ustar magic (POSIX or GNU) at offset 257. */
function hasUstarMagic(block: Buffer): boolean {
  return block.subarray(257, 262).toString('latin1') === 'ustar';
}

interface RunningDigest {
  member: PackageMember;
  done: Promise<DiskDigest>;
  /** Whether the member's data has all been read from the archive. */
  inputEnded(): boolean;
  /** Gives up on a member whose data will never end. */
  abandon(): void;
}

class ArchiveReader {
  private readonly members: PackageMember[] = [];
  private readonly byEntry = new Map<ReadEntry, PackageMember>();
  private readonly digests: RunningDigest[] = [];
  private structureProblem?: string;
  private tooManyMembers = false;
  private endMarker = false;
  private sawFirstBlock = false;
  private firstBlockIsTar = false;
  private firstBlockIsZero = false;
  /** No more bytes are to be fed: the end marker was seen, or the archive is damaged. */
  private stopped = false;
  private drainWaiter?: () => void;
  private stopWaiter?: () => void;

  constructor(private readonly path: string, private readonly options: ReadPackageOptions) {}

  async read(handle: FileHandle): Promise<PackageListing> {
    // brotli and zstd off, and gzip refused before the parser sees a byte:
    // a package is an uncompressed tar, and node-tar would otherwise
    // decompress whatever it recognises.
    const parser = new Parser({ strict: true, brotli: false, zstd: false });
    parser.on('entry', (entry: ReadEntry) => this.onEntry(entry));
    parser.on('ignoredEntry', (entry: ReadEntry) => this.onIgnoredEntry(entry));
    parser.on('eof', () => {
      this.endMarker = true;
      // Bytes after the marker are not part of the archive; node-tar would keep them in memory.
      this.stopFeeding();
    });
    parser.on('error', (error: Error & { entry?: ReadEntry }) => this.onTarError(error));
    parser.on('drain', () => this.drainWaiter?.());
    const ended = new Promise<void>((resolve) => parser.once('end', resolve));

    const stream = handle.createReadStream({ highWaterMark: READ_CHUNK_BYTES, autoClose: false });
    try {
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        if (!this.sawFirstBlock) this.checkFirstBlock(chunk);
        if (!parser.write(chunk)) await this.waitFor('drain');
        if (this.stopped) break;
      }
    } catch (error) {
      if (error instanceof SpotlintError) throw error;
      throw new SpotlintError(`${this.path}: cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
    } finally {
      stream.destroy();
    }
    if (!this.interrupted()) {
      parser.end();
      // 'end' comes once every member before the end has been handed over;
      // a damaged end (a truncated member) stops instead.
      await Promise.race([ended, this.waitFor('stop')]);
    }
    for (const digest of this.digests) if (this.interrupted() && !digest.inputEnded()) digest.abandon();
    for (const digest of this.digests) digest.member.disk = await digest.done;
    if (this.structureProblem && this.members.length === 0 && !this.firstBlockIsTar) {
      // An empty tar archive is only zeros; so is a file of zeros.
      throw new SpotlintError(`${this.path}: ${this.firstBlockIsZero ? 'holds no tar members (it starts with zeros: an empty archive, or not one at all)' : 'not a tar archive'}`);
    }
    return { members: this.members, structureProblem: this.structureProblem, tooManyMembers: this.tooManyMembers, endMarker: this.endMarker };
  }

  private interrupted(): boolean {
    return this.structureProblem !== undefined || this.tooManyMembers;
  }

  private checkFirstBlock(chunk: Buffer): void {
    this.sawFirstBlock = true;
    const reason = notATarReason(chunk);
    if (reason) throw new SpotlintError(`${this.path}: ${reason}`);
    this.firstBlockIsTar = hasUstarMagic(chunk);
    this.firstBlockIsZero = chunk.subarray(0, BLOCK).every((byte) => byte === 0);
  }

  private stopFeeding(): void {
    this.stopped = true;
    this.drainWaiter?.();
  }

  /** Reading ends here: the archive is damaged, or too long. */
  private interrupt(): void {
    this.stopFeeding();
    this.stopWaiter?.();
  }

  /** Waits for the parser to want more bytes ('drain'), or for an interruption ('stop'). */
  private waitFor(event: 'drain' | 'stop'): Promise<void> {
    if (event === 'drain' ? this.stopped : this.interrupted()) return Promise.resolve();
    return new Promise((resolve) => {
      const settle = () => {
        this.drainWaiter = undefined;
        this.stopWaiter = undefined;
        resolve();
      };
      if (event === 'drain') this.drainWaiter = settle;
      this.stopWaiter = settle;
    });
  }

  private onTarError(error: Error & { entry?: ReadEntry; tarCode?: string }): void {
    if (this.structureProblem) return;
    const last = this.members.at(-1);
    const after = last ? `after member "${last.name}"` : 'at the start';
    const truncatedIn = error.entry && this.byEntry.get(error.entry);
    if (truncatedIn) {
      truncatedIn.complete = false;
      this.structureProblem = `the archive ends inside member "${truncatedIn.name}" (${truncatedIn.size} bytes announced): the package is truncated`;
    } else if (/checksum failure/.test(error.message)) {
      this.structureProblem = `the tar header ${after} has a bad checksum: the archive is damaged from there on`;
    } else {
      const why = error.message.replace(/^TAR_[A-Z_]+: /, '');
      this.structureProblem = `the tar structure is damaged ${after}: ${why}`;
    }
    // In strict mode the parser carries on after an error, reading data as
    // headers; what follows a damaged header means nothing.
    this.interrupt();
  }

  /** Entries node-tar skips: types it does not know, and pax or long-name headers over its size limit. */
  private onIgnoredEntry(entry: ReadEntry): void {
    if (entry.meta) {
      this.onTarError(new Error(`an extended header (${entry.type}) of ${entry.size} bytes, larger than node-tar reads`));
      return;
    }
    this.addMember(entry);
  }

  private onEntry(entry: ReadEntry): void {
    const member = this.addMember(entry);
    if (!member || !isRegularMember(member)) {
      entry.resume();
      return;
    }
    const keepLimit = this.options.keepAtMost?.(member.name);
    if (keepLimit !== undefined && member.size <= keepLimit) {
      const chunks: Buffer[] = [];
      entry.on('data', (chunk: Buffer) => chunks.push(chunk));
      entry.on('end', () => (member.content = Buffer.concat(chunks)));
      return;
    }
    const plan = this.options.decompress?.(member.name, this.members.slice(0, -1));
    if (plan) {
      this.digests.push(startDigest(entry, member, plan));
      return;
    }
    entry.resume();
  }

  private addMember(entry: ReadEntry): PackageMember | undefined {
    if (this.stopped) {
      entry.resume();
      return undefined;
    }
    if (this.members.length >= this.options.maxMembers) {
      this.tooManyMembers = true;
      this.interrupt();
      entry.resume();
      return undefined;
    }
    const member: PackageMember = {
      name: entry.path,
      type: entry.type,
      typeFlag: entry.header.typeKey,
      size: entry.size,
      ...(entry.linkpath ? { linkTarget: entry.linkpath } : {}),
      complete: true,
    };
    this.members.push(member);
    this.byEntry.set(entry, member);
    return member;
  }
}

/**
 * Feeds one member's data through gunzip into MD5 (and the plan's writer),
 * counting bytes. The member's data must flow to its end whatever happens,
 * or the archive behind it stalls: after a stop the rest is read and dropped.
 */
function startDigest(entry: ReadEntry, member: PackageMember, plan: DecompressPlan): RunningDigest {
  const gunzip = createGunzip({ chunkSize: GUNZIP_CHUNK_BYTES });
  const md5 = createHash('md5');
  let size = 0n;
  let settled = false;
  let writing: Promise<void> = Promise.resolve();
  let resolveDone!: (digest: DiskDigest) => void;
  const done = new Promise<DiskDigest>((resolve) => (resolveDone = resolve));

  const finish = (digest: DiskDigest) => {
    if (settled) return;
    settled = true;
    gunzip.destroy();
    entry.resume();
    resolveDone(digest);
  };

  entry.on('data', (chunk: Buffer) => {
    if (settled) return;
    if (!gunzip.write(chunk)) {
      entry.pause();
      gunzip.once('drain', () => entry.resume());
    }
  });
  let inputEnded = false;
  entry.on('end', () => {
    inputEnded = true;
    if (!settled) gunzip.end();
  });
  gunzip.on('data', (bytes: Buffer) => {
    if (settled) return;
    size += BigInt(bytes.length);
    if (size > plan.limit) {
      finish({ outcome: 'over-limit', limit: plan.limit, size });
      return;
    }
    md5.update(bytes);
    if (plan.write) {
      gunzip.pause();
      writing = plan.write(bytes).then(
        () => {
          if (!settled) gunzip.resume();
        },
        (error: Error) => finish({ outcome: 'write-failed', size, error }),
      );
    }
  });
  gunzip.on('end', () => {
    void writing.then(() => finish({ outcome: 'complete', size, md5: md5.digest('hex') }));
  });
  gunzip.on('error', (error: NodeJS.ErrnoException) => {
    finish({ outcome: 'bad-gzip', size, truncated: error.code === 'Z_BUF_ERROR', reason: error.message });
  });
  return { member, done, inputEnded: () => inputEnded, abandon: () => finish({ outcome: 'not-read' }) };
}
