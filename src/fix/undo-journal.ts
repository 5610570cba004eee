/**
 * The undo journal: the old content of every byte range `--fix` overwrites,
 * kept next to the image (`d0.img.spotlint-undo`) so that `spotlint undo`
 * can put the image back exactly. In the spirit of e2fsprogs' undo files,
 * in a format of our own.
 *
 * Offsets are byte positions in the image FILE (for QCOW2 too: the journal
 * knows nothing of image formats). All integers are little-endian.
 *
 * Header, HEADER_BYTES (4096) bytes:
 *
 *   offset size  field
 *        0    8  magic "SPOTUNDO"
 *        8    4  format version (1)
 *       12    4  state: 1 writing, 2 sealed, 3 applied
 *       16    8  size of the image file in bytes
 *       24    8  number of entries          (0 while writing)
 *       32    8  bytes of the entry region  (0 while writing)
 *       40    8  bytes of old data in it    (0 while writing)
 *       48    4  CRC-32 of the whole header, computed with this field zero
 *       52       zeros up to 4096
 *
 * Then the entries, back to back until the end of the file:
 *
 *        0    8  image offset
 *        8    4  length of the old data, 1 .. 2^32-1
 *       12    4  CRC-32 of bytes 0..11 of this entry followed by the data
 *       16    n  the old data
 *
 * The entry CRC covers the offset and length as well as the data: a flipped
 * bit in an offset would otherwise put good old bytes in the wrong place.
 *
 * The life of a journal, and what `undoImage` makes of each state:
 *   writing  created, entries being appended. The image has not been touched
 *            (it may only be written after `seal`), so undo restores nothing
 *            and removes the journal. A cut-off or damaged last entry is the
 *            normal trace of a writer killed while recording.
 *   sealed   every entry and then the header are on disk; the image may be
 *            partly written. Undo writes every entry back.
 *   applied  the fix finished writing the image. Undo writes every entry back.
 * A journal is never rewritten in place except for its header's state, and
 * it is removed only after the image it restored is flushed, so an undo
 * killed half way can simply be run again.
 */
import zlib from 'node:zlib';
import { open, stat, unlink, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { SpotlintError } from '../errors.js';
import { fsyncDirectory } from './fsync-directory.js';

export const UNDO_JOURNAL_SUFFIX = '.spotlint-undo';
export const UNDO_JOURNAL_VERSION = 1;
const MAGIC = Buffer.from('SPOTUNDO', 'latin1');
const HEADER_BYTES = 4096;
const HEADER_CRC_POSITION = 48;
const ENTRY_HEADER_BYTES = 16;
const MAX_ENTRY_BYTES = 0xffff_ffff;
/** Small entries are gathered up to this size before one write; larger ones go straight to disk. */
const WRITE_BATCH_BYTES = 1024 * 1024;
/** How much journal or image is read at once, so that large entries stream. */
const IO_CHUNK_BYTES = 4 * 1024 * 1024;

export type UndoJournalState = 'writing' | 'sealed' | 'applied';
const STATE_CODES: Record<UndoJournalState, number> = { writing: 1, sealed: 2, applied: 3 };

export interface UndoJournalEntry {
  /** Where the old bytes go in the image file. */
  offset: number;
  length: number;
  /** Where the old bytes are in the journal file. */
  dataPosition: number;
}

export interface UndoJournal {
  state: UndoJournalState;
  /** Size of the image file the journal was made for; 0 when the writer was killed before its header was complete. */
  imageSize: number;
  /** The complete, intact entries in the order they were recorded. */
  entries: UndoJournalEntry[];
  /** Sum of the entries' lengths. */
  dataBytes: number;
  /** Only in a `writing` journal: entries after the last intact one were cut off or damaged. */
  truncated: boolean;
}

/** The journal `spotlint --fix` keeps for `imagePath`. */
export function undoJournalPath(imagePath: string): string {
  return imagePath + UNDO_JOURNAL_SUFFIX;
}

export class UndoJournalWriter {
  private state: UndoJournalState = 'writing';
  private entryCount = 0;
  private dataBytes = 0;
  /** Where the next entry goes in the journal file. */
  private endPosition = HEADER_BYTES;
  private batch: Buffer[] = [];
  private batchBytes = 0;
  private handle: FileHandle | undefined;

  private constructor(readonly journalPath: string, readonly imageSize: number, handle: FileHandle) {
    this.handle = handle;
  }

  /**
   * Creates the journal for an image of `imageSize` bytes. Never overwrites
   * an existing journal: it may be the only way back for an earlier fix.
   * Calls on one writer must not overlap (await each one).
   */
  static async create(journalPath: string, imageSize: number): Promise<UndoJournalWriter> {
    if (!Number.isSafeInteger(imageSize) || imageSize < 0) throw new Error(`invalid image size ${imageSize}`);
    let handle: FileHandle;
    try {
      // 0o600: the journal holds old image content, which may include secrets the fix removes.
      handle = await open(journalPath, 'wx', 0o600);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
        const image = journalPath.endsWith(UNDO_JOURNAL_SUFFIX) ? journalPath.slice(0, -UNDO_JOURNAL_SUFFIX.length) : 'IMAGE';
        throw new SpotlintError(`an undo journal ${journalPath} already exists from an earlier fix: run \`spotlint undo ${image}\` to restore the image, or remove the journal to keep the image as it is`);
      }
      throw ioError('create the undo journal', journalPath, error);
    }
    const writer = new UndoJournalWriter(journalPath, imageSize, handle);
    try {
      await writer.writeHeader();
    } catch (error) {
      await writer.abandon().catch(() => undefined);
      throw error;
    }
    return writer;
  }

  /** Appends the old content of `oldBytes.length` bytes at `offset`; `oldBytes` may be reused once this resolves. */
  async record(offset: number, oldBytes: Buffer): Promise<void> {
    this.expectState('writing', 'record');
    const length = oldBytes.length;
    if (!Number.isSafeInteger(offset) || offset < 0 || length === 0 || length > MAX_ENTRY_BYTES || offset + length > this.imageSize) {
      throw new Error(`undo journal entry out of range: ${length} bytes at ${offset} in an image of ${this.imageSize} bytes`);
    }
    const header = entryHeader(offset, oldBytes);
    this.entryCount += 1;
    this.dataBytes += length;
    if (this.batchBytes + ENTRY_HEADER_BYTES + length > WRITE_BATCH_BYTES) await this.flushBatch();
    if (ENTRY_HEADER_BYTES + length > WRITE_BATCH_BYTES) {
      await this.writeJournal(header, this.endPosition);
      await this.writeJournal(oldBytes, this.endPosition + ENTRY_HEADER_BYTES);
    } else {
      this.batch.push(header, Buffer.from(oldBytes));
      this.batchBytes += ENTRY_HEADER_BYTES + length;
    }
    this.endPosition += ENTRY_HEADER_BYTES + length;
  }

  /**
   * Makes every entry durable, then marks the journal sealed and makes that
   * and the journal's name durable. Only after this may the image be written.
   */
  async seal(): Promise<void> {
    this.expectState('writing', 'seal');
    await this.flushBatch();
    await this.sync();
    this.state = 'sealed';
    await this.writeHeader();
    await this.sync();
    try {
      await fsyncDirectory(dirname(this.journalPath));
    } catch (error) {
      throw ioError('flush the directory of', this.journalPath, error);
    }
  }

  /** Records that the fix finished writing the image. */
  async markApplied(): Promise<void> {
    this.expectState('sealed', 'mark applied');
    this.state = 'applied';
    await this.writeHeader();
    await this.sync();
  }

  /** Closes and removes a journal that was never sealed: nothing was written to the image. */
  async abandon(): Promise<void> {
    if (this.state !== 'writing') throw new Error(`cannot abandon a ${this.state} undo journal: the image may have been written`);
    await this.close();
    try {
      await unlink(this.journalPath);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw ioError('remove the undo journal', this.journalPath, error);
    }
  }

  /** Closes the file; a journal left `writing` stays on disk and undo removes it. */
  async close(): Promise<void> {
    const handle = this.handle;
    this.handle = undefined;
    await handle?.close();
  }

  private expectState(state: UndoJournalState, action: string): void {
    if (this.handle === undefined) throw new Error(`cannot ${action}: the undo journal ${this.journalPath} is closed`);
    if (this.state !== state) throw new Error(`cannot ${action} a ${this.state} undo journal`);
  }

  private async flushBatch(): Promise<void> {
    if (this.batchBytes === 0) return;
    const bytes = Buffer.concat(this.batch, this.batchBytes);
    const position = this.endPosition - this.batchBytes;
    this.batch = [];
    this.batchBytes = 0;
    await this.writeJournal(bytes, position);
  }

  private async writeHeader(): Promise<void> {
    const header = Buffer.alloc(HEADER_BYTES);
    MAGIC.copy(header, 0);
    header.writeUInt32LE(UNDO_JOURNAL_VERSION, 8);
    header.writeUInt32LE(STATE_CODES[this.state], 12);
    header.writeBigUInt64LE(BigInt(this.imageSize), 16);
    // Counts are written at seal only: while writing, the entries run to the end of the file.
    const sealed = this.state !== 'writing';
    header.writeBigUInt64LE(BigInt(sealed ? this.entryCount : 0), 24);
    header.writeBigUInt64LE(BigInt(sealed ? this.endPosition - HEADER_BYTES : 0), 32);
    header.writeBigUInt64LE(BigInt(sealed ? this.dataBytes : 0), 40);
    header.writeUInt32LE(crc32(header), HEADER_CRC_POSITION);
    await this.writeJournal(header, 0);
  }

  private async writeJournal(bytes: Buffer, position: number): Promise<void> {
    try {
      await writeFully(this.handle!, bytes, position);
    } catch (error) {
      throw ioError('write the undo journal', this.journalPath, error);
    }
  }

  private async sync(): Promise<void> {
    try {
      await this.handle!.sync();
    } catch (error) {
      throw ioError('flush the undo journal', this.journalPath, error);
    }
  }
}

/** Reads and checks a whole journal (every entry's CRC), without holding its data in memory. */
export async function readUndoJournal(journalPath: string): Promise<UndoJournal> {
  let handle: FileHandle;
  try {
    handle = await open(journalPath, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new SpotlintError(`there is no undo journal ${journalPath}: nothing to undo`);
    throw ioError('open the undo journal', journalPath, error);
  }
  try {
    return await parseJournal(journalPath, handle);
  } catch (error) {
    if (error instanceof SpotlintError) throw error;
    throw ioError('read the undo journal', journalPath, error);
  } finally {
    await handle.close();
  }
}

/**
 * Puts back the old bytes the journal holds and removes the journal. Every
 * entry is checked before the first byte of the image is written, so a bad
 * journal leaves the image as it is.
 */
export async function undoImage(imagePath: string, journalPath: string): Promise<{ state: UndoJournalState; restoredEntries: number; restoredBytes: number }> {
  const journal = await readUndoJournal(journalPath);
  if (journal.state === 'writing') {
    await removeJournal(journalPath);
    return { state: journal.state, restoredEntries: 0, restoredBytes: 0 };
  }
  let imageSize: number;
  try {
    imageSize = (await stat(imagePath)).size;
  } catch (error) {
    throw ioError('read the image', imagePath, error);
  }
  if (imageSize !== journal.imageSize) {
    throw new SpotlintError(`${imagePath} is ${imageSize} bytes but the undo journal ${journalPath} was made for an image of ${journal.imageSize} bytes: is it the journal of another image? Nothing was restored`);
  }
  const journalFile = await open(journalPath, 'r').catch((error: unknown) => {
    throw ioError('open the undo journal', journalPath, error);
  });
  try {
    const image = await open(imagePath, 'r+').catch((error: unknown) => {
      throw ioError('open for writing the image', imagePath, error);
    });
    try {
      await writeEntriesBack(journal.entries, journalFile, image);
      await image.sync();
    } catch (error) {
      if (error instanceof SpotlintError) throw error;
      throw new SpotlintError(`could not restore ${imagePath}: ${(error as Error).message}; it is partly restored and the undo journal ${journalPath} is kept, so run spotlint undo again once that is solved`);
    } finally {
      await image.close();
    }
  } finally {
    await journalFile.close();
  }
  // Last, so an undo killed before this point is simply run again.
  await removeJournal(journalPath);
  return { state: journal.state, restoredEntries: journal.entries.length, restoredBytes: journal.dataBytes };
}

async function writeEntriesBack(entries: readonly UndoJournalEntry[], journalFile: FileHandle, image: FileHandle): Promise<void> {
  const chunk = Buffer.allocUnsafe(Math.min(IO_CHUNK_BYTES, Math.max(1, maxEntryLength(entries))));
  // The writer records each byte once, but should it ever record a range
  // twice, the first recording holds the original content: replaying in
  // reverse order lets the oldest content win.
  for (let index = entries.length - 1; index >= 0; index -= 1) {
    const entry = entries[index]!;
    for (let done = 0; done < entry.length; done += chunk.length) {
      const part = chunk.subarray(0, Math.min(chunk.length, entry.length - done));
      await readFully(journalFile, part, entry.dataPosition + done);
      await writeFully(image, part, entry.offset + done);
    }
  }
}

/**
 * CRC-32 (ISO-HDLC, as zip and gzip use). Node has zlib.crc32 only from
 * 20.15 and package.json allows any Node 20, so older ones get the table.
 */
export function crc32(data: Uint8Array, previous = 0): number {
  return nativeCrc32 ? nativeCrc32(data, previous) : tableCrc32(data, previous);
}

const nativeCrc32 = (zlib as Partial<typeof zlib>).crc32;
let crcTable: Uint32Array | undefined;

/** The portable CRC-32, exported so a test can hold it against zlib's. */
export function tableCrc32(data: Uint8Array, previous = 0): number {
  crcTable ??= makeCrcTable();
  let crc = ~previous >>> 0;
  for (let index = 0; index < data.length; index += 1) crc = crcTable[(crc ^ data[index]!) & 0xff]! ^ (crc >>> 8);
  return ~crc >>> 0;
}

function makeCrcTable(): Uint32Array {
  const table = new Uint32Array(256);
  for (let byte = 0; byte < 256; byte += 1) {
    let value = byte;
    for (let bit = 0; bit < 8; bit += 1) value = value & 1 ? 0xedb88320 ^ (value >>> 1) : value >>> 1;
    table[byte] = value >>> 0;
  }
  return table;
}

function entryHeader(offset: number, data: Buffer): Buffer {
  const header = Buffer.alloc(ENTRY_HEADER_BYTES);
  header.writeBigUInt64LE(BigInt(offset), 0);
  header.writeUInt32LE(data.length, 8);
  header.writeUInt32LE(crc32(data, crc32(header.subarray(0, 12))), 12);
  return header;
}

async function parseJournal(journalPath: string, handle: FileHandle): Promise<UndoJournal> {
  const fileSize = (await handle.stat()).size;
  const reader = new WindowedReader(handle, fileSize);
  const header = await reader.bytes(0, Math.min(HEADER_BYTES, fileSize));
  if (isInterruptedCreate(header)) return { state: 'writing', imageSize: 0, entries: [], dataBytes: 0, truncated: fileSize > HEADER_BYTES };
  const corrupt = (what: string) => new SpotlintError(`corrupt undo journal ${journalPath}: ${what}; nothing was restored`);

  if (header.length < MAGIC.length || !header.subarray(0, MAGIC.length).equals(MAGIC)) throw new SpotlintError(`${journalPath} is not a spotlint undo journal`);
  if (header.length < HEADER_BYTES) throw corrupt(`it is ${fileSize} bytes, shorter than its ${HEADER_BYTES}-byte header`);
  const version = header.readUInt32LE(8);
  if (version !== UNDO_JOURNAL_VERSION) {
    throw new SpotlintError(`${journalPath} is an undo journal of format version ${version}, which this spotlint cannot read (it reads version ${UNDO_JOURNAL_VERSION})`);
  }
  const storedHeaderCrc = header.readUInt32LE(HEADER_CRC_POSITION);
  const zeroedCrc = Buffer.from(header);
  zeroedCrc.writeUInt32LE(0, HEADER_CRC_POSITION);
  if (crc32(zeroedCrc) !== storedHeaderCrc) throw corrupt('its header checksum does not match');
  const state = (Object.keys(STATE_CODES) as UndoJournalState[]).find((name) => STATE_CODES[name] === header.readUInt32LE(12));
  if (state === undefined) throw corrupt(`unknown state ${header.readUInt32LE(12)} in its header`);
  const imageSize = safeNumber(header.readBigUInt64LE(16));
  const declaredCount = safeNumber(header.readBigUInt64LE(24));
  const declaredRegion = safeNumber(header.readBigUInt64LE(32));
  const declaredData = safeNumber(header.readBigUInt64LE(40));
  if (imageSize === undefined) throw corrupt('its image size is out of range');
  const sealed = state !== 'writing';
  if (sealed && (declaredRegion === undefined || HEADER_BYTES + declaredRegion !== fileSize)) {
    throw corrupt(`its header says ${declaredRegion ?? 'too many'} bytes of entries but the file holds ${fileSize - HEADER_BYTES}`);
  }

  const entries: UndoJournalEntry[] = [];
  let dataBytes = 0;
  let position = HEADER_BYTES;
  let damage: string | undefined;
  // Bounded: every entry takes at least ENTRY_HEADER_BYTES + 1 bytes of the file.
  while (position < fileSize) {
    const where = `entry ${entries.length + 1} at journal offset ${position}`;
    if (position + ENTRY_HEADER_BYTES > fileSize) {
      damage = `${where} is cut off`;
      break;
    }
    const entryHead = Buffer.from(await reader.bytes(position, ENTRY_HEADER_BYTES));
    const offset = safeNumber(entryHead.readBigUInt64LE(0));
    const length = entryHead.readUInt32LE(8);
    const dataPosition = position + ENTRY_HEADER_BYTES;
    if (length === 0 || dataPosition + length > fileSize) {
      damage = `${where} is cut off`;
      break;
    }
    let crc = crc32(entryHead.subarray(0, 12));
    for (let done = 0; done < length; done += IO_CHUNK_BYTES) {
      crc = crc32(await reader.bytes(dataPosition + done, Math.min(IO_CHUNK_BYTES, length - done)), crc);
    }
    if (crc !== entryHead.readUInt32LE(12)) {
      damage = `${where} does not match its checksum`;
      break;
    }
    if (offset === undefined || offset + length > imageSize) {
      damage = `${where} (${length} bytes at image offset ${offset ?? 'beyond 2^53'}) lies beyond the end of the ${imageSize}-byte image`;
      break;
    }
    entries.push({ offset, length, dataPosition });
    dataBytes += length;
    position = dataPosition + length;
  }

  if (!sealed) return { state, imageSize, entries, dataBytes, truncated: damage !== undefined };
  if (damage !== undefined) throw corrupt(damage);
  if (entries.length !== declaredCount || dataBytes !== declaredData) {
    throw corrupt(`its header says ${declaredCount} entries of ${declaredData} bytes but it holds ${entries.length} of ${dataBytes}`);
  }
  return { state, imageSize, entries, dataBytes, truncated: false };
}

/**
 * A writer killed (or a machine that lost power) before the first header
 * reached the disk leaves a journal that is empty, all zeros or cut short
 * inside the magic. Nothing can have been written to the image then: the
 * image is written only after `seal` rewrote the complete header.
 */
function isInterruptedCreate(header: Buffer): boolean {
  if (header.every((byte) => byte === 0)) return true;
  return header.length < MAGIC.length && MAGIC.subarray(0, header.length).equals(header);
}

function safeNumber(value: bigint): number | undefined {
  return value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : undefined;
}

function maxEntryLength(entries: readonly UndoJournalEntry[]): number {
  return entries.reduce((max, entry) => Math.max(max, entry.length), 0);
}

async function removeJournal(journalPath: string): Promise<void> {
  try {
    await unlink(journalPath);
    await fsyncDirectory(dirname(journalPath));
  } catch (error) {
    throw ioError('remove the undo journal', journalPath, error);
  }
}

/** Sequential reads of the journal through one large buffer, so many small entries do not cost a read each. */
class WindowedReader {
  private window = Buffer.alloc(0);
  private windowStart = 0;
  private windowLength = 0;

  constructor(private readonly handle: FileHandle, private readonly fileSize: number) {}

  /** `length` bytes at `position`, which the caller has checked lie in the file; valid until the next call. */
  async bytes(position: number, length: number): Promise<Buffer> {
    if (position < this.windowStart || position + length > this.windowStart + this.windowLength) {
      const size = Math.max(length, Math.min(IO_CHUNK_BYTES, this.fileSize - position));
      if (this.window.length < size) this.window = Buffer.allocUnsafe(size);
      await readFully(this.handle, this.window.subarray(0, size), position);
      this.windowStart = position;
      this.windowLength = size;
    }
    const start = position - this.windowStart;
    return this.window.subarray(start, start + length);
  }
}

async function readFully(handle: FileHandle, buffer: Buffer, position: number): Promise<void> {
  for (let done = 0; done < buffer.length;) {
    const { bytesRead } = await handle.read(buffer, done, buffer.length - done, position + done);
    if (bytesRead === 0) throw new Error(`unexpected end of file at ${position + done}`);
    done += bytesRead;
  }
}

async function writeFully(handle: FileHandle, buffer: Buffer, position: number): Promise<void> {
  for (let done = 0; done < buffer.length;) {
    const { bytesWritten } = await handle.write(buffer, done, buffer.length - done, position + done);
    done += bytesWritten;
  }
}

function ioError(action: string, path: string, error: unknown): SpotlintError {
  return new SpotlintError(`could not ${action} ${path}: ${(error as Error).message}`);
}
