import { SpotlintError } from '../../errors.js';

/**
 * The QCOW2 header (versions 2 and 3) and the checks that decide whether
 * spotlint can read the image at all. Pure: bytes in, values out.
 * Layout per the QCOW2 specification in QEMU's docs/interop/qcow2.txt.
 */
export interface Qcow2Header {
  version: 2 | 3;
  clusterBits: number;
  clusterSize: number;
  virtualSize: number;
  l1Size: number;
  l1TableOffset: number;
  /** Incompatible feature bit 0: the image was not closed cleanly (refcounts may be stale; data is readable). */
  dirty: boolean;
  /** Incompatible feature bit 1: QEMU found the metadata inconsistent. */
  corrupt: boolean;
  compressionType: 'zlib' | 'zstd';
}

export const QCOW2_HEADER_MIN_BYTES = 72;
/** QEMU refuses L1 tables above 32 MiB too; past that a header is lying. */
const MAX_L1_BYTES = 32 * 1024 * 1024;
const MAX_BACKING_NAME_BYTES = 1023;

const INCOMPATIBLE_DIRTY = 1n << 0n;
const INCOMPATIBLE_CORRUPT = 1n << 1n;
const INCOMPATIBLE_EXTERNAL_DATA = 1n << 2n;
const INCOMPATIBLE_COMPRESSION_TYPE = 1n << 3n;
const INCOMPATIBLE_EXTENDED_L2 = 1n << 4n;
const KNOWN_INCOMPATIBLE = INCOMPATIBLE_DIRTY | INCOMPATIBLE_CORRUPT | INCOMPATIBLE_EXTERNAL_DATA
  | INCOMPATIBLE_COMPRESSION_TYPE | INCOMPATIBLE_EXTENDED_L2;

const HEADER_EXTENSION_END = 0x00000000;
const HEADER_EXTENSION_FEATURE_NAMES = 0x6803f857;
const HEADER_EXTENSION_EXTERNAL_DATA_FILE = 0x44415441;
const MAX_HEADER_EXTENSIONS = 64;

/**
 * @param bytes the first cluster of the file (at least the header and its extensions)
 * @param fileSize size of the QCOW2 file, to reject tables that lie beyond its end
 */
export function parseQcow2Header(path: string, bytes: Buffer, fileSize: number): Qcow2Header {
  const fail = (what: string) => new SpotlintError(`${path}: QCOW2 image ${what}`);
  if (bytes.length < QCOW2_HEADER_MIN_BYTES) throw fail(`is truncated: its header needs ${QCOW2_HEADER_MIN_BYTES} bytes, the file has ${bytes.length}`);

  const version = bytes.readUInt32BE(4);
  if (version !== 2 && version !== 3) {
    throw fail(`has version ${version}; spotlint reads versions 2 and 3: convert it with qemu-img convert -O qcow2 IMAGE new.qcow2`);
  }
  const backingFileOffset = Number(bytes.readBigUInt64BE(8));
  const backingFileSize = bytes.readUInt32BE(16);
  const clusterBits = bytes.readUInt32BE(20);
  const virtualSize = Number(bytes.readBigUInt64BE(24));
  const cryptMethod = bytes.readUInt32BE(32);
  const l1Size = bytes.readUInt32BE(36);
  const l1TableOffset = Number(bytes.readBigUInt64BE(40));

  let incompatible = 0n;
  let headerLength = QCOW2_HEADER_MIN_BYTES;
  let compressionTypeByte = 0;
  if (version === 3) {
    if (bytes.length < 104) throw fail('(version 3) is truncated: its header needs 104 bytes');
    incompatible = bytes.readBigUInt64BE(72);
    headerLength = bytes.readUInt32BE(100);
    if (headerLength < 104 || headerLength % 8 !== 0) throw fail(`(version 3) is corrupt: its header length ${headerLength} is invalid (at least 104, a multiple of 8)`);
    if (headerLength > 104 && bytes.length > 104) compressionTypeByte = bytes[104]!;
  }
  const extensions = readHeaderExtensions(bytes, headerLength);

  if (cryptMethod !== 0) {
    const scheme = cryptMethod === 1 ? 'AES' : cryptMethod === 2 ? 'LUKS' : `method ${cryptMethod}`;
    throw fail(`is encrypted (${scheme}); spotlint cannot read it and SpotCloud providers cannot boot it: write a decrypted copy with qemu-img convert (giving the secret with --object secret) -O raw IMAGE d0.img`);
  }
  if (backingFileOffset !== 0) {
    const end = backingFileOffset + Math.min(backingFileSize, MAX_BACKING_NAME_BYTES);
    const name = end <= bytes.length ? bytes.toString('utf8', backingFileOffset, end) : '(name beyond the header cluster)';
    throw fail(`has a backing file "${name}": it holds only the changes made on top of that file, not a whole disk; merge them into one image first: qemu-img convert -O qcow2 IMAGE merged.qcow2`);
  }
  if (incompatible & INCOMPATIBLE_EXTERNAL_DATA || extensions.has(HEADER_EXTENSION_EXTERNAL_DATA_FILE)) {
    throw fail('keeps its data in an external data file, so this file alone is not the disk; make a self-contained copy: qemu-img convert -O qcow2 IMAGE whole.qcow2');
  }
  if (incompatible & INCOMPATIBLE_EXTENDED_L2) {
    throw fail('uses extended L2 entries (subclusters), which spotlint does not read; rewrite it without them: qemu-img convert -O qcow2 IMAGE plain.qcow2');
  }
  const unknown = incompatible & ~KNOWN_INCOMPATIBLE;
  if (unknown !== 0n) {
    const names = describeFeatureBits(unknown, extensions.get(HEADER_EXTENSION_FEATURE_NAMES));
    throw fail(`uses incompatible features spotlint does not know (${names}); rewrite it with qemu-img convert -O raw IMAGE d0.img`);
  }
  let compressionType: Qcow2Header['compressionType'] = 'zlib';
  if (incompatible & INCOMPATIBLE_COMPRESSION_TYPE) {
    if (compressionTypeByte === 1) compressionType = 'zstd';
    else if (compressionTypeByte !== 0) throw fail(`uses compression type ${compressionTypeByte}, which spotlint does not know`);
  }
  if (compressionType === 'zstd') {
    // Node 20's zlib has no zstd; rather than ship a second decompressor for a
    // rare option, ask for the zlib form, which SpotCloud's tools read too.
    throw fail('uses zstd-compressed clusters, which spotlint does not read yet; recompress with zlib: qemu-img convert -O qcow2 -c -o compression_type=zlib IMAGE new.qcow2');
  }

  if (clusterBits < 9 || clusterBits > 21) throw fail(`has an invalid cluster size (2^${clusterBits} bytes; valid is 2^9 to 2^21)`);
  const clusterSize = 2 ** clusterBits;
  if (virtualSize <= 0 || !Number.isSafeInteger(virtualSize)) throw fail(`claims an impossible virtual size (${bytes.readBigUInt64BE(24)} bytes)`);
  const bytesPerL1Entry = clusterSize * (clusterSize / 8);
  const neededL1 = Math.ceil(virtualSize / bytesPerL1Entry);
  if (l1Size < neededL1) throw fail(`is corrupt: its L1 table has ${l1Size} entries but a ${virtualSize}-byte disk needs ${neededL1}`);
  if (l1Size * 8 > MAX_L1_BYTES) throw fail(`is corrupt: its L1 table claims ${l1Size * 8} bytes (at most ${MAX_L1_BYTES} are valid)`);
  if (l1TableOffset % clusterSize !== 0) throw fail(`is corrupt: its L1 table offset ${l1TableOffset} is not cluster-aligned`);
  if (l1TableOffset + l1Size * 8 > fileSize) {
    throw fail(`is corrupt or truncated: its L1 table at offset ${l1TableOffset} (${l1Size * 8} bytes) lies beyond the end of the file (${fileSize} bytes)`);
  }

  return {
    version,
    clusterBits,
    clusterSize,
    virtualSize,
    l1Size,
    l1TableOffset,
    dirty: (incompatible & INCOMPATIBLE_DIRTY) !== 0n,
    corrupt: (incompatible & INCOMPATIBLE_CORRUPT) !== 0n,
    compressionType,
  };
}

/** Header extensions by type; a bounded walk, since the header is untrusted. */
function readHeaderExtensions(bytes: Buffer, start: number): Map<number, Buffer> {
  const found = new Map<number, Buffer>();
  let offset = start;
  for (let count = 0; count < MAX_HEADER_EXTENSIONS && offset + 8 <= bytes.length; count++) {
    const type = bytes.readUInt32BE(offset);
    const length = bytes.readUInt32BE(offset + 4);
    if (type === HEADER_EXTENSION_END) break;
    const dataEnd = offset + 8 + length;
    if (dataEnd > bytes.length) break;
    found.set(type, bytes.subarray(offset + 8, dataEnd));
    offset = offset + 8 + Math.ceil(length / 8) * 8;
  }
  return found;
}

/** Names unknown incompatible bits from the image's own feature-name table when it has one. */
function describeFeatureBits(bits: bigint, featureNames: Buffer | undefined): string {
  const names: string[] = [];
  for (let bit = 0n; bit < 64n; bit++) {
    if (!(bits & (1n << bit))) continue;
    let name = `bit ${bit}`;
    for (let entry = 0; featureNames && entry + 48 <= featureNames.length; entry += 48) {
      if (featureNames[entry] === 0 && BigInt(featureNames[entry + 1]!) === bit) {
        name += ` "${featureNames.toString('utf8', entry + 2, entry + 48).replace(/\0+$/, '')}"`;
      }
    }
    names.push(name);
  }
  return names.join(', ');
}
