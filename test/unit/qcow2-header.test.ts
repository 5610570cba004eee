import { describe, expect, it } from 'vitest';
import { SpotlintError } from '../../src/errors.js';
import { parseQcow2Header, QCOW2_HEADER_MIN_BYTES } from '../../src/inspect/image/qcow2-header.js';

const PATH = '/images/disk.qcow2';
const GiB = 1024 ** 3;
const MiB = 1024 ** 2;

interface Extension {
  type: number;
  data: Buffer;
}

interface HeaderFields {
  version?: number;
  backingFileOffset?: number;
  backingFileSize?: number;
  clusterBits?: number;
  size?: bigint;
  cryptMethod?: number;
  l1Size?: number;
  l1TableOffset?: bigint;
  refcountTableOffset?: bigint;
  refcountTableClusters?: number;
  nbSnapshots?: number;
  snapshotsOffset?: bigint;
  // version 3 only
  incompatible?: bigint;
  compatible?: bigint;
  autoclear?: bigint;
  refcountOrder?: number;
  headerLength?: number;
  compressionType?: number;
  extensions?: Extension[];
  /** Bytes written at an offset after the header (e.g. a backing file name). */
  extra?: { offset: number; bytes: Buffer };
  /** Length of the returned buffer: the first cluster, as the caller reads it. */
  bufferLength?: number;
}

/**
 * A QCOW2 header built field by field (big-endian, per docs/interop/qcow2.txt).
 * The default is a valid 1 GiB v3 image with 64 KiB clusters, its L1 table
 * (2 entries) in the fourth cluster.
 */
function qcow2Header(fields: HeaderFields = {}): Buffer {
  const version = fields.version ?? 3;
  const b = Buffer.alloc(fields.bufferLength ?? 65536);
  b.write('QFI\xfb', 0, 'latin1');
  b.writeUInt32BE(version, 4);
  b.writeBigUInt64BE(BigInt(fields.backingFileOffset ?? 0), 8);
  b.writeUInt32BE(fields.backingFileSize ?? 0, 16);
  b.writeUInt32BE(fields.clusterBits ?? 16, 20);
  b.writeBigUInt64BE(fields.size ?? BigInt(GiB), 24);
  b.writeUInt32BE(fields.cryptMethod ?? 0, 32);
  b.writeUInt32BE(fields.l1Size ?? 2, 36);
  b.writeBigUInt64BE(fields.l1TableOffset ?? 0x30000n, 40);
  b.writeBigUInt64BE(fields.refcountTableOffset ?? 0x10000n, 48);
  b.writeUInt32BE(fields.refcountTableClusters ?? 1, 56);
  b.writeUInt32BE(fields.nbSnapshots ?? 0, 60);
  b.writeBigUInt64BE(fields.snapshotsOffset ?? 0n, 64);
  let extensionsAt = 72;
  if (version === 3) {
    const headerLength = fields.headerLength ?? 112;
    b.writeBigUInt64BE(fields.incompatible ?? 0n, 72);
    b.writeBigUInt64BE(fields.compatible ?? 0n, 80);
    b.writeBigUInt64BE(fields.autoclear ?? 0n, 88);
    b.writeUInt32BE(fields.refcountOrder ?? 4, 96);
    b.writeUInt32BE(headerLength, 100);
    if (headerLength > 104) b.writeUInt8(fields.compressionType ?? 0, 104);
    extensionsAt = headerLength;
  }
  let offset = extensionsAt;
  for (const extension of fields.extensions ?? []) {
    b.writeUInt32BE(extension.type, offset);
    b.writeUInt32BE(extension.data.length, offset + 4);
    extension.data.copy(b, offset + 8);
    offset += 8 + Math.ceil(extension.data.length / 8) * 8;
  }
  b.writeUInt32BE(0, offset); // end of extensions
  b.writeUInt32BE(0, offset + 4);
  if (fields.extra) fields.extra.bytes.copy(b, fields.extra.offset);
  return b;
}

const FEATURE_NAME_TABLE = 0x6803f857;

/** Feature name table entries: type (0 incompatible, 1 compatible, 2 autoclear), bit, 46-byte name. */
function featureNameTable(entries: Array<[type: number, bit: number, name: string]>): Extension {
  const data = Buffer.alloc(48 * entries.length);
  entries.forEach(([type, bit, name], i) => {
    data[i * 48] = type;
    data[i * 48 + 1] = bit;
    data.write(name, i * 48 + 2, 46, 'utf8');
  });
  return { type: FEATURE_NAME_TABLE, data };
}

const FILE_SIZE = 0x50000;

/** The SpotlintError parseQcow2Header throws, checked for type and path prefix. */
function refusal(bytes: Buffer, fileSize = FILE_SIZE): SpotlintError {
  let thrown: unknown;
  try {
    parseQcow2Header(PATH, bytes, fileSize);
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(SpotlintError);
  const error = thrown as SpotlintError;
  expect(error.name).toBe('SpotlintError');
  expect(error.message.startsWith(`${PATH}: QCOW2 image `)).toBe(true);
  return error;
}

describe('parseQcow2Header: valid headers', () => {
  it('parses a version 2 header', () => {
    const header = parseQcow2Header(PATH, qcow2Header({
      version: 2, clusterBits: 16, size: BigInt(10 * GiB), l1Size: 20, l1TableOffset: 0x30000n,
    }), FILE_SIZE);
    expect(header).toEqual({
      version: 2,
      clusterBits: 16,
      clusterSize: 65536,
      virtualSize: 10 * GiB,
      l1Size: 20,
      l1TableOffset: 0x30000,
      dirty: false,
      corrupt: false,
      compressionType: 'zlib',
    });
  });

  it('parses a version 2 header given only its 72 bytes', () => {
    const bytes = qcow2Header({ version: 2 }).subarray(0, QCOW2_HEADER_MIN_BYTES);
    expect(QCOW2_HEADER_MIN_BYTES).toBe(72);
    expect(parseQcow2Header(PATH, bytes, FILE_SIZE)).toMatchObject({ version: 2, clusterSize: 65536, l1Size: 2 });
  });

  it('parses a version 3 header with 4 KiB clusters', () => {
    // 4 KiB clusters: one L1 entry maps 4096 * 512 = 2 MiB; 100 MiB needs 50.
    const header = parseQcow2Header(PATH, qcow2Header({
      clusterBits: 12, size: BigInt(100 * MiB), l1Size: 50, l1TableOffset: 0x3000n,
    }), FILE_SIZE);
    expect(header).toEqual({
      version: 3,
      clusterBits: 12,
      clusterSize: 4096,
      virtualSize: 100 * MiB,
      l1Size: 50,
      l1TableOffset: 0x3000,
      dirty: false,
      corrupt: false,
      compressionType: 'zlib',
    });
  });

  it('parses a minimal 104-byte version 3 header (no compression type field)', () => {
    const header = parseQcow2Header(PATH, qcow2Header({ headerLength: 104 }).subarray(0, 104), FILE_SIZE);
    expect(header).toMatchObject({ version: 3, virtualSize: GiB, l1Size: 2, compressionType: 'zlib' });
  });

  it('accepts a virtual size that is not a multiple of the cluster size', () => {
    // 512 MiB + 1 byte with 64 KiB clusters needs 2 L1 entries.
    const header = parseQcow2Header(PATH, qcow2Header({ size: BigInt(512 * MiB + 1), l1Size: 2 }), FILE_SIZE);
    expect(header.virtualSize).toBe(512 * MiB + 1);
  });

  it('reports the dirty bit (0) as a flag instead of refusing', () => {
    const header = parseQcow2Header(PATH, qcow2Header({ incompatible: 1n }), FILE_SIZE);
    expect(header.dirty).toBe(true);
    expect(header.corrupt).toBe(false);
  });

  it('reports the corrupt bit (1) as a flag instead of refusing', () => {
    const header = parseQcow2Header(PATH, qcow2Header({ incompatible: 2n }), FILE_SIZE);
    expect(header.dirty).toBe(false);
    expect(header.corrupt).toBe(true);
  });

  it('reports dirty and corrupt together', () => {
    expect(parseQcow2Header(PATH, qcow2Header({ incompatible: 3n }), FILE_SIZE)).toMatchObject({ dirty: true, corrupt: true });
  });

  it('accepts the compression-type bit with compression type 0 (zlib)', () => {
    const header = parseQcow2Header(PATH, qcow2Header({ incompatible: 1n << 3n, compressionType: 0 }), FILE_SIZE);
    expect(header.compressionType).toBe('zlib');
  });

  it('ignores compatible and autoclear feature bits it does not know', () => {
    const header = parseQcow2Header(PATH, qcow2Header({ compatible: 0xffn, autoclear: 0xffn }), FILE_SIZE);
    expect(header).toMatchObject({ version: 3, dirty: false, corrupt: false });
  });

  it('accepts the smallest (2^9) and largest (2^21) cluster sizes', () => {
    expect(parseQcow2Header(PATH, qcow2Header({
      clusterBits: 9, size: BigInt(MiB), l1Size: 32, l1TableOffset: 0x200n,
    }), FILE_SIZE).clusterSize).toBe(512);
    expect(parseQcow2Header(PATH, qcow2Header({
      clusterBits: 21, size: BigInt(GiB), l1Size: 1, l1TableOffset: 2n * BigInt(MiB),
    }), 4 * MiB).clusterSize).toBe(2 * MiB);
  });

  it('accepts an L1 table that ends exactly at the end of the file', () => {
    const header = parseQcow2Header(PATH, qcow2Header({ l1Size: 2, l1TableOffset: 0x30000n }), 0x30000 + 16);
    expect(header.l1TableOffset).toBe(0x30000);
  });

  it('accepts an L1 table of exactly 32 MiB', () => {
    const l1Size = (32 * MiB) / 8;
    const header = parseQcow2Header(PATH, qcow2Header({ l1Size, l1TableOffset: 0x10000n }), 0x10000 + 32 * MiB);
    expect(header.l1Size).toBe(l1Size);
  });
});

describe('parseQcow2Header: refusals', () => {
  it('refuses a header shorter than 72 bytes', () => {
    const error = refusal(qcow2Header().subarray(0, 40));
    expect(error.message).toBe(`${PATH}: QCOW2 image is truncated: its header needs 72 bytes, the file has 40`);
  });

  it('refuses a version 3 header shorter than 104 bytes', () => {
    const error = refusal(qcow2Header().subarray(0, 100));
    expect(error.message).toBe(`${PATH}: QCOW2 image (version 3) is truncated: its header needs 104 bytes`);
  });

  it.each([1, 4])('refuses version %i and names the versions it reads', (version) => {
    const error = refusal(qcow2Header({ version }));
    expect(error.message).toBe(
      `${PATH}: QCOW2 image has version ${version}; spotlint reads versions 2 and 3: convert it with qemu-img convert -O qcow2 IMAGE new.qcow2`,
    );
  });

  it('refuses AES encryption (crypt_method 1)', () => {
    const error = refusal(qcow2Header({ cryptMethod: 1 }));
    expect(error.message).toContain('is encrypted (AES)');
    expect(error.message).toContain('--object secret');
  });

  it('refuses LUKS encryption (crypt_method 2)', () => {
    const error = refusal(qcow2Header({ cryptMethod: 2 }));
    expect(error.message).toContain('is encrypted (LUKS)');
  });

  it('refuses an unknown encryption method and names its number', () => {
    expect(refusal(qcow2Header({ cryptMethod: 7 })).message).toContain('is encrypted (method 7)');
  });

  it('refuses encryption in a version 2 header too', () => {
    expect(refusal(qcow2Header({ version: 2, cryptMethod: 1 })).message).toContain('is encrypted (AES)');
  });

  it('refuses an image with a backing file and names the backing file', () => {
    const name = '/var/lib/libvirt/images/base-ubuntu.qcow2';
    const error = refusal(qcow2Header({
      backingFileOffset: 0x200,
      backingFileSize: Buffer.byteLength(name),
      extra: { offset: 0x200, bytes: Buffer.from(`${name}\0garbage`) },
    }));
    expect(error.message).toContain(`has a backing file "${name}"`);
    expect(error.message).toContain('qemu-img convert -O qcow2 IMAGE merged.qcow2');
  });

  it('reads the backing file name of a version 2 header', () => {
    const error = refusal(qcow2Header({
      version: 2, backingFileOffset: 72, backingFileSize: 8, extra: { offset: 72, bytes: Buffer.from('base.img') },
      bufferLength: 512,
    }));
    expect(error.message).toContain('has a backing file "base.img"');
  });

  it('still refuses a backing file whose name lies beyond the bytes given', () => {
    const error = refusal(qcow2Header({ backingFileOffset: 0x20000, backingFileSize: 10 }));
    expect(error.message).toContain('has a backing file "(name beyond the header cluster)"');
  });

  it('refuses an external data file (incompatible bit 2)', () => {
    const error = refusal(qcow2Header({ incompatible: 1n << 2n }));
    expect(error.message).toBe(
      `${PATH}: QCOW2 image keeps its data in an external data file, so this file alone is not the disk; make a self-contained copy: qemu-img convert -O qcow2 IMAGE whole.qcow2`,
    );
  });

  it('refuses an external data file named by a header extension even without the bit', () => {
    const error = refusal(qcow2Header({ extensions: [{ type: 0x44415441, data: Buffer.from('data.raw') }] }));
    expect(error.message).toContain('keeps its data in an external data file');
  });

  it('refuses extended L2 entries (incompatible bit 4)', () => {
    const error = refusal(qcow2Header({ incompatible: 1n << 4n }));
    expect(error.message).toContain('uses extended L2 entries (subclusters)');
    expect(error.message).toContain('qemu-img convert -O qcow2 IMAGE plain.qcow2');
  });

  it('refuses an unknown incompatible bit and names it from the feature name table', () => {
    const error = refusal(qcow2Header({
      incompatible: (1n << 5n) | 1n,
      extensions: [featureNameTable([
        [0, 0, 'dirty bit'],
        [0, 1, 'corrupt bit'],
        [1, 5, 'compatible five'], // same bit number, but a compatible feature
        [0, 5, 'quantum clusters'],
      ])],
    }));
    expect(error.message).toBe(
      `${PATH}: QCOW2 image uses incompatible features spotlint does not know (bit 5 "quantum clusters"); rewrite it with qemu-img convert -O raw IMAGE d0.img`,
    );
  });

  it('finds the feature name table after other header extensions', () => {
    const error = refusal(qcow2Header({
      incompatible: 1n << 5n,
      extensions: [
        { type: 0xe2792aca, data: Buffer.from('qcow2') }, // backing file format, padded to 8
        featureNameTable([[0, 5, 'after padding']]),
      ],
    }));
    expect(error.message).toContain('(bit 5 "after padding")');
  });

  it('names unknown incompatible bits by number without a feature name table', () => {
    const error = refusal(qcow2Header({ incompatible: (1n << 5n) | (1n << 63n) }));
    expect(error.message).toContain('uses incompatible features spotlint does not know (bit 5, bit 63)');
  });

  it('refuses zstd compression (bit 3 with compression type 1)', () => {
    const error = refusal(qcow2Header({ incompatible: 1n << 3n, compressionType: 1 }));
    expect(error.message).toBe(
      `${PATH}: QCOW2 image uses zstd-compressed clusters, which spotlint does not read yet; recompress with zlib: qemu-img convert -O qcow2 -c -o compression_type=zlib IMAGE new.qcow2`,
    );
  });

  it('refuses an unknown compression type', () => {
    const error = refusal(qcow2Header({ incompatible: 1n << 3n, compressionType: 9 }));
    expect(error.message).toBe(`${PATH}: QCOW2 image uses compression type 9, which spotlint does not know`);
  });

  it.each([8, 22])('refuses cluster_bits %i', (clusterBits) => {
    const error = refusal(qcow2Header({ clusterBits }));
    expect(error.message).toBe(
      `${PATH}: QCOW2 image has an invalid cluster size (2^${clusterBits} bytes; valid is 2^9 to 2^21)`,
    );
  });

  it('refuses a zero virtual size', () => {
    expect(refusal(qcow2Header({ size: 0n })).message).toBe(`${PATH}: QCOW2 image claims an impossible virtual size (0 bytes)`);
  });

  it('refuses a virtual size beyond what a number can hold exactly', () => {
    const error = refusal(qcow2Header({ size: 1n << 62n }));
    expect(error.message).toBe(`${PATH}: QCOW2 image claims an impossible virtual size (${1n << 62n} bytes)`);
  });

  it('refuses an L1 table too small for the virtual size', () => {
    // 64 KiB clusters: one L1 entry maps 512 MiB, so 1 GiB needs 2.
    const error = refusal(qcow2Header({ size: BigInt(GiB), l1Size: 1 }));
    expect(error.message).toBe(`${PATH}: QCOW2 image is corrupt: its L1 table has 1 entries but a 1073741824-byte disk needs 2`);
  });

  it('refuses an L1 table that runs past the end of the file', () => {
    const error = refusal(qcow2Header({ l1Size: 2, l1TableOffset: 0x30000n }), 0x30008);
    expect(error.message).toBe(
      `${PATH}: QCOW2 image is corrupt or truncated: its L1 table at offset 196608 (16 bytes) lies beyond the end of the file (196616 bytes)`,
    );
  });

  it('refuses an L1 table that starts past the end of the file', () => {
    const error = refusal(qcow2Header({ l1TableOffset: 0x100000n }), 0x50000);
    expect(error.message).toContain('its L1 table at offset 1048576 (16 bytes) lies beyond the end of the file (327680 bytes)');
  });

  it('refuses an L1 table over 32 MiB', () => {
    const l1Size = (32 * MiB) / 8 + 1;
    const error = refusal(qcow2Header({ l1Size }), 64 * MiB);
    expect(error.message).toBe(`${PATH}: QCOW2 image is corrupt: its L1 table claims 33554440 bytes (at most 33554432 are valid)`);
  });

  it('refuses an L1 table offset that is not cluster-aligned', () => {
    const error = refusal(qcow2Header({ l1TableOffset: 0x30200n }));
    expect(error.message).toBe(`${PATH}: QCOW2 image is corrupt: its L1 table offset 197120 is not cluster-aligned`);
  });
});

describe('parseQcow2Header: hostile header extensions', () => {
  it('stops at an extension whose length runs past the buffer', () => {
    const bytes = qcow2Header({ incompatible: 1n << 5n });
    bytes.writeUInt32BE(FEATURE_NAME_TABLE, 112);
    bytes.writeUInt32BE(0xffffffff, 116);
    expect(refusal(bytes).message).toContain('(bit 5)');
  });

  it('walks at most a bounded number of extensions', () => {
    // 1000 empty extensions of an unknown type fill the cluster; a feature
    // name table after them is never reached, and nothing hangs.
    const extensions: Extension[] = Array.from({ length: 1000 }, () => ({ type: 0x12345678, data: Buffer.alloc(0) }));
    extensions.push(featureNameTable([[0, 5, 'too far']]));
    const error = refusal(qcow2Header({ incompatible: 1n << 5n, extensions, bufferLength: 65536 }));
    expect(error.message).toContain('(bit 5)');
    expect(error.message).not.toContain('too far');
  });
});
