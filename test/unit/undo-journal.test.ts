import { createHash, randomBytes } from 'node:crypto';
import { access, mkdtemp, open, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import zlib from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SpotlintError } from '../../src/errors.js';
import { crc32, readUndoJournal, tableCrc32, undoImage, undoJournalPath, UndoJournalWriter } from '../../src/fix/undo-journal.js';

const HEADER_BYTES = 4096;
const ENTRY_HEADER_BYTES = 16;

let dir: string;
let imagePath: string;
let journalPath: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'spotlint-undo-'));
  imagePath = join(dir, 'd0.img');
  journalPath = undoJournalPath(imagePath);
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const sha256 = async (path: string) => createHash('sha256').update(await readFile(path)).digest('hex');
const exists = (path: string) => access(path).then(() => true, () => false);

async function readRange(path: string, offset: number, length: number): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(length);
    await handle.read(buffer, 0, length, offset);
    return buffer;
  } finally {
    await handle.close();
  }
}

async function writeRange(path: string, offset: number, bytes: Buffer): Promise<void> {
  const handle = await open(path, 'r+');
  try {
    await handle.write(bytes, 0, bytes.length, offset);
  } finally {
    await handle.close();
  }
}

/** What a fix does: record the old bytes of every range, seal, then overwrite the ranges with random bytes. */
async function fixRanges(ranges: Array<[offset: number, length: number]>, { apply = true } = {}): Promise<void> {
  const { size } = await stat(imagePath);
  const writer = await UndoJournalWriter.create(journalPath, size);
  for (const [offset, length] of ranges) await writer.record(offset, await readRange(imagePath, offset, length));
  await writer.seal();
  for (const [offset, length] of ranges) await writeRange(imagePath, offset, randomBytes(length));
  if (apply) await writer.markApplied();
  await writer.close();
}

async function expectSpotlintError(promise: Promise<unknown>, message: RegExp): Promise<void> {
  const error = await promise.then(() => undefined, (caught: unknown) => caught);
  expect(error).toBeInstanceOf(SpotlintError);
  expect((error as Error).message).toMatch(message);
}

describe('undo journal', () => {
  it('restores every recorded range exactly and removes the journal', async () => {
    await writeFile(imagePath, randomBytes(3 * 1024 * 1024 + 123));
    const original = await sha256(imagePath);
    // Small ranges batched together, one at the very start and one ending at the last byte.
    const ranges: Array<[number, number]> = [[0, 512], [4096, 4096], [70_000, 1], [1024 * 1024, 300_000], [3 * 1024 * 1024 + 100, 23]];
    await fixRanges(ranges);
    expect(await sha256(imagePath)).not.toBe(original);

    const journal = await readUndoJournal(journalPath);
    expect(journal.state).toBe('applied');
    expect(journal.entries.map(({ offset, length }) => [offset, length])).toEqual(ranges);
    expect(journal.dataBytes).toBe(ranges.reduce((sum, [, length]) => sum + length, 0));

    const result = await undoImage(imagePath, journalPath);
    expect(result).toEqual({ state: 'applied', restoredEntries: ranges.length, restoredBytes: journal.dataBytes });
    expect(await sha256(imagePath)).toBe(original);
    expect(await exists(journalPath)).toBe(false);
  });

  it('restores from a sealed journal (a fix killed while writing the image)', async () => {
    await writeFile(imagePath, randomBytes(64 * 1024));
    const original = await sha256(imagePath);
    await fixRanges([[100, 1000], [8192, 4096]], { apply: false });
    expect((await readUndoJournal(journalPath)).state).toBe('sealed');
    expect((await undoImage(imagePath, journalPath)).restoredEntries).toBe(2);
    expect(await sha256(imagePath)).toBe(original);
  });

  it('can be run again after an undo killed before it removed the journal', async () => {
    await writeFile(imagePath, randomBytes(64 * 1024));
    const original = await sha256(imagePath);
    await fixRanges([[0, 4096], [10_000, 5000]]);
    const journalCopy = await readFile(journalPath);
    await undoImage(imagePath, journalPath);
    // As if killed after writing part of the image back: the journal is still there, the image half restored.
    await writeRange(imagePath, 10_000, randomBytes(2000));
    await writeFile(journalPath, journalCopy);
    await undoImage(imagePath, journalPath);
    expect(await sha256(imagePath)).toBe(original);
  });

  it('restores nothing and removes a journal that was never sealed', async () => {
    await writeFile(imagePath, randomBytes(64 * 1024));
    const writer = await UndoJournalWriter.create(journalPath, 64 * 1024);
    await writer.record(0, randomBytes(4096));
    await writer.record(20_000, randomBytes(100));
    await writer.close();
    await writeRange(imagePath, 0, randomBytes(4096)); // would be undone if undo wrongly replayed
    const before = await sha256(imagePath);

    const journal = await readUndoJournal(journalPath);
    expect(journal.state).toBe('writing');
    expect(journal.truncated).toBe(false);
    expect(await undoImage(imagePath, journalPath)).toEqual({ state: 'writing', restoredEntries: 0, restoredBytes: 0 });
    expect(await sha256(imagePath)).toBe(before);
    expect(await exists(journalPath)).toBe(false);
  });

  it('treats a journal cut off in the middle of recording as never sealed', async () => {
    const size = 4 * 1024 * 1024;
    const entry = 1536 * 1024; // larger than the writer batches, so each one is on disk once recorded
    await writeFile(imagePath, randomBytes(size));
    const before = await sha256(imagePath);
    const writer = await UndoJournalWriter.create(journalPath, size);
    await writer.record(0, randomBytes(entry));
    await writer.record(2 * 1024 * 1024, randomBytes(entry));
    expect((await stat(journalPath)).size).toBe(HEADER_BYTES + 2 * (ENTRY_HEADER_BYTES + entry));
    await truncate(journalPath, HEADER_BYTES + ENTRY_HEADER_BYTES + entry + ENTRY_HEADER_BYTES + 1000);
    await writer.close();

    const journal = await readUndoJournal(journalPath);
    expect(journal).toMatchObject({ state: 'writing', truncated: true });
    expect(journal.entries).toEqual([{ offset: 0, length: entry, dataPosition: HEADER_BYTES + ENTRY_HEADER_BYTES }]);
    expect((await undoImage(imagePath, journalPath)).restoredEntries).toBe(0);
    expect(await sha256(imagePath)).toBe(before);
    expect(await exists(journalPath)).toBe(false);
  });

  it('treats an empty or all-zero journal (killed before its header reached the disk) as never sealed', async () => {
    await writeFile(imagePath, randomBytes(4096));
    for (const content of [Buffer.alloc(0), Buffer.alloc(HEADER_BYTES), Buffer.from('SPOT')]) {
      await writeFile(journalPath, content);
      expect((await undoImage(imagePath, journalPath)).state).toBe('writing');
      expect(await exists(journalPath)).toBe(false);
    }
  });

  it('refuses a sealed journal with a corrupt entry byte and leaves the image untouched', async () => {
    await writeFile(imagePath, randomBytes(64 * 1024));
    await fixRanges([[0, 4096], [8192, 4096], [30_000, 10]]);
    const before = await sha256(imagePath);
    const journal = await readFile(journalPath);
    // A byte of the second entry's old data: the first entry is good and must not be written either.
    const secondData = HEADER_BYTES + ENTRY_HEADER_BYTES + 4096 + ENTRY_HEADER_BYTES;
    journal[secondData + 17] ^= 0x01;
    await writeFile(journalPath, journal);

    await expectSpotlintError(undoImage(imagePath, journalPath), /corrupt undo journal .*entry 2 .*checksum.*nothing was restored/);
    expect(await sha256(imagePath)).toBe(before);
    expect(await exists(journalPath)).toBe(true);
  });

  it('refuses a sealed journal whose entry offset was damaged (the checksum covers it)', async () => {
    await writeFile(imagePath, randomBytes(64 * 1024));
    await fixRanges([[4096, 4096]]);
    const journal = await readFile(journalPath);
    journal[HEADER_BYTES + 1] ^= 0x01;
    await writeFile(journalPath, journal);
    await expectSpotlintError(readUndoJournal(journalPath), /corrupt undo journal .*checksum/);
  });

  it('refuses a sealed journal that lost its last bytes, or whose header is damaged', async () => {
    await writeFile(imagePath, randomBytes(64 * 1024));
    await fixRanges([[0, 4096], [8192, 100]]);
    const journal = await readFile(journalPath);

    await writeFile(journalPath, journal.subarray(0, journal.length - 1));
    await expectSpotlintError(undoImage(imagePath, journalPath), /corrupt undo journal .*nothing was restored/);

    const damagedHeader = Buffer.from(journal);
    damagedHeader[20] ^= 0x40; // a bit of the image size
    await writeFile(journalPath, damagedHeader);
    await expectSpotlintError(undoImage(imagePath, journalPath), /corrupt undo journal .*header checksum/);
  });

  it('refuses a file that is not a journal, or a journal of another format version', async () => {
    await writeFile(imagePath, randomBytes(4096));
    await writeFile(journalPath, Buffer.from('hello, this is not a journal at all'));
    await expectSpotlintError(undoImage(imagePath, journalPath), /is not a spotlint undo journal/);

    await rm(journalPath);
    const writer = await UndoJournalWriter.create(journalPath, 4096);
    await writer.seal();
    await writer.close();
    const journal = await readFile(journalPath);
    journal.writeUInt32LE(2, 8);
    journal.writeUInt32LE(0, 48);
    journal.writeUInt32LE(crc32(journal.subarray(0, HEADER_BYTES)), 48);
    await writeFile(journalPath, journal);
    await expectSpotlintError(undoImage(imagePath, journalPath), /format version 2/);
  });

  it('refuses an image of another size and writes nothing', async () => {
    await writeFile(imagePath, randomBytes(64 * 1024));
    await fixRanges([[0, 4096]]);
    await writeFile(imagePath, randomBytes(64 * 1024 + 512));
    const before = await sha256(imagePath);
    await expectSpotlintError(undoImage(imagePath, journalPath), /65536 bytes.*another image\? Nothing was restored/);
    expect(await sha256(imagePath)).toBe(before);
    expect(await exists(journalPath)).toBe(true);
  });

  it('says so when there is no journal', async () => {
    await writeFile(imagePath, randomBytes(4096));
    await expectSpotlintError(undoImage(imagePath, journalPath), /no undo journal .*nothing to undo/);
  });

  it('never overwrites an existing journal', async () => {
    await writeFile(journalPath, 'an earlier journal');
    await expectSpotlintError(UndoJournalWriter.create(journalPath, 4096), new RegExp(`already exists.*spotlint undo ${imagePath}\`.*remove the journal`));
    expect(await readFile(journalPath, 'utf8')).toBe('an earlier journal');
  });

  it('abandon removes an unsealed journal but refuses once sealed', async () => {
    const unsealed = await UndoJournalWriter.create(journalPath, 4096);
    await unsealed.record(0, Buffer.alloc(10, 1));
    await unsealed.abandon();
    expect(await exists(journalPath)).toBe(false);

    const sealed = await UndoJournalWriter.create(journalPath, 4096);
    await sealed.seal();
    await expect(sealed.abandon()).rejects.toThrow(/sealed/);
    await expect(sealed.record(0, Buffer.alloc(1))).rejects.toThrow(/sealed/);
    await sealed.close();
    expect(await exists(journalPath)).toBe(true);
  });

  it('refuses to record a range beyond the image', async () => {
    const writer = await UndoJournalWriter.create(journalPath, 4096);
    await expect(writer.record(4000, Buffer.alloc(97))).rejects.toThrow(/out of range/);
    await expect(writer.record(0, Buffer.alloc(0))).rejects.toThrow(/out of range/);
    await writer.abandon();
  });

  it('replays in reverse order, so the first recording of a range twice recorded wins', async () => {
    await writeFile(imagePath, randomBytes(16 * 1024));
    const original = await sha256(imagePath);
    const writer = await UndoJournalWriter.create(journalPath, 16 * 1024);
    await writer.record(4096, await readRange(imagePath, 4096, 4096));
    await writer.seal();
    await writeRange(imagePath, 4096, randomBytes(4096));
    await writer.close();
    // A second fix step records the same bytes again, now holding the first step's content.
    const journal = await readFile(journalPath);
    const second = await readRange(imagePath, 2048, 4096);
    const entryHead = Buffer.alloc(ENTRY_HEADER_BYTES);
    entryHead.writeBigUInt64LE(2048n, 0);
    entryHead.writeUInt32LE(4096, 8);
    entryHead.writeUInt32LE(crc32(second, crc32(entryHead.subarray(0, 12))), 12);
    const extended = Buffer.concat([journal, entryHead, second]);
    extended.writeBigUInt64LE(2n, 24);
    extended.writeBigUInt64LE(BigInt(extended.length - HEADER_BYTES), 32);
    extended.writeBigUInt64LE(8192n, 40);
    extended.writeUInt32LE(0, 48);
    extended.writeUInt32LE(crc32(extended.subarray(0, HEADER_BYTES)), 48);
    await writeFile(journalPath, extended);
    await writeRange(imagePath, 2048, randomBytes(4096));

    await undoImage(imagePath, journalPath);
    expect(await sha256(imagePath)).toBe(original);
  });

  it('records and restores an 8 MiB entry', async () => {
    const size = 12 * 1024 * 1024;
    await writeFile(imagePath, randomBytes(size));
    const original = await sha256(imagePath);
    await fixRanges([[1000, 8 * 1024 * 1024], [9 * 1024 * 1024, 100]]);
    const journal = await readUndoJournal(journalPath);
    expect(journal.entries.map((entry) => entry.length)).toEqual([8 * 1024 * 1024, 100]);
    await undoImage(imagePath, journalPath);
    expect(await sha256(imagePath)).toBe(original);
  });
});

describe('crc32', () => {
  it('matches the standard check value and zlib, incrementally too', () => {
    const check = Buffer.from('123456789');
    expect(tableCrc32(check)).toBe(0xcbf43926);
    const data = randomBytes(10_000);
    expect(tableCrc32(data.subarray(5000), tableCrc32(data.subarray(0, 5000)))).toBe(tableCrc32(data));
    if (typeof zlib.crc32 === 'function') expect(tableCrc32(data)).toBe(zlib.crc32(data));
    expect(crc32(data)).toBe(tableCrc32(data));
  });
});
