// Property tests: superblocks made by mke2fs, mutated field by field, must
// parse into sane values (or be refused for their magic), and the probe that
// reads them from a partition's first bytes must name something. Knobs:
// test/helpers/fuzz.ts.
import { execFileSync } from 'node:child_process';
import { closeSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { EXT_SUPERBLOCK_OFFSET, EXT_SUPERBLOCK_SIZE, hasExtMagic, parseExtSuperblock } from '../../src/inspect/ext/superblock.js';
import { identify, PROBE_BYTES } from '../../src/inspect/probe/probe-filesystem.js';
import { tempDir } from '../helpers/build-image.js';
import { applyByteMutations, byteMutations, expectValueOrOwnError, fuzzParameters } from '../helpers/fuzz.js';

/** Where the superblock's fields start: counts, log block size, times, magic, state, revision, inode size, features, uuid, label, last mount point, 64-bit counts, error count. */
const FIELDS = [0, 4, 12, 16, 24, 44, 48, 52, 56, 58, 76, 88, 92, 96, 100, 104, 120, 136, 0x150, 0x158, 0x194];
const HOT: Array<readonly [number, number]> = [...FIELDS.map((field) => [field, field + 1] as const), [0, 0x200]];

const BLOCK_SIZES = new Set([0, 1024, 2048, 4096, 8192, 16384, 32768, 65536]);

/** The first PROBE_BYTES of a fresh filesystem of each version. */
let heads: Buffer[];

beforeAll(() => {
  const dir = tempDir('fuzz-ext');
  heads = (['ext2', 'ext3', 'ext4'] as const).map((type) => {
    const file = join(dir, `${type}.img`);
    execFileSync('mke2fs', ['-q', '-F', '-t', type, '-L', 'fuzz', file, '8M'], { stdio: 'pipe' });
    const head = Buffer.alloc(PROBE_BYTES);
    const fd = openSync(file, 'r');
    try {
      readSync(fd, head, 0, PROBE_BYTES, 0);
    } finally {
      closeSync(fd);
    }
    return head;
  });
});

describe('fuzz: ext superblock', () => {
  it('parses any mutation of a real superblock into sane values', async () => {
    await fc.assert(fc.asyncProperty(fc.nat({ max: 2 }), byteMutations(EXT_SUPERBLOCK_SIZE, HOT, 8), async (version, mutations) => {
      const superblock = applyByteMutations(heads[version]!.subarray(EXT_SUPERBLOCK_OFFSET, EXT_SUPERBLOCK_OFFSET + EXT_SUPERBLOCK_SIZE), mutations);
      const magic = await expectValueOrOwnError(() => hasExtMagic(superblock));
      // The parser's contract: the whole 1024 bytes, magic checked (probe-filesystem.ts calls it only so).
      if (!magic || superblock.length !== EXT_SUPERBLOCK_SIZE) return;
      const parsed = (await expectValueOrOwnError(() => parseExtSuperblock(superblock)))!;
      expect(BLOCK_SIZES.has(parsed.blockSize)).toBe(true);
      // 64-bit block counts may pass 2^53 and lose their last digits; they stay whole numbers.
      for (const count of [parsed.blockCount, parsed.freeBlocks, parsed.inodeCount, parsed.freeInodes, parsed.errorCount, parsed.mountCount]) {
        expect(Number.isInteger(count) && count >= 0, `count ${count}`).toBe(true);
      }
      expect(parsed.uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      expect(['ext2', 'ext3', 'ext4']).toContain(parsed.version);
      expect(parsed.features.every((name) => /^[a-z0-9_-]+$/.test(name))).toBe(true);
    }), fuzzParameters());
  });

  it('probes any mutation of a filesystem\'s first bytes, cut short or not', async () => {
    await fc.assert(fc.asyncProperty(fc.nat({ max: 2 }), byteMutations(PROBE_BYTES, HOT.map(([start, end]) => [start + EXT_SUPERBLOCK_OFFSET, end + EXT_SUPERBLOCK_OFFSET] as const), 8), async (version, mutations) => {
      const probe = (await expectValueOrOwnError(() => identify(applyByteMutations(heads[version]!, mutations))))!;
      expect(typeof probe.type).toBe('string');
    }), fuzzParameters());
  });
});
