// The free-space scan and the rule free-space-zeroed, end to end: real
// filesystems with garbage of a known size left in their free blocks, linted
// and inspected through the built CLI, with e2fsprogs as the oracle.
import { readFileSync, statSync, truncateSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { beforeAll, describe, expect, it } from 'vitest';
import { ExtFilesystem } from '../../dist/inspect/ext/ext-filesystem.js';
import { wrapInMbr } from '../helpers/build-image.js';
import {
  freeSpaceOnlyConfig, KiB, leaveGarbage, makeSmallExt, mergeRanges, MiB, randomGarbage, readDumpe2fs,
  repetitiveText, sha256, toQcow2, writeIntoImage, type BlockRange, type LeftGarbage, type SmallExtOptions,
} from '../helpers/dirty-free-space.js';
import { runCli } from '../helpers/run-cli.js';

// ajv-formats is CommonJS: under NodeNext its default import is the function itself.
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;

interface FreeSpaceJson {
  status: string;
  blockSize: number;
  freeBytes: number;
  nonZeroBytes: number;
  unstoredBytes: number;
  estimatedPackageSavingBytes: number;
  sampleBytes: number;
}
interface FindingJson {
  ruleId: string;
  severity: string;
  message: string;
  location: { partition?: number | null };
  fix?: string;
}
interface LintJson {
  images: Array<{
    inspection: { image: { format: string }; volumes: Array<{ partition: number | null; start: number; freeSpace?: FreeSpaceJson }> };
    findings: FindingJson[];
    rulesRun: string[];
  }>;
}
interface InspectJson {
  volumes: Array<{ index: number | null; freeSpace?: FreeSpaceJson }>;
}

/** Not a multiple of 1 KiB nor of 4 KiB: the last block is partly garbage, and counts whole. */
const GARBAGE_BYTES = 3 * MiB + 12_345;
const ceilBlocks = (bytes: number, blockSize: number) => Math.ceil(bytes / blockSize) * blockSize;

async function inspectJson(image: string, args: string[] = []): Promise<InspectJson> {
  const result = await runCli(['inspect', image, '--json', ...args]);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout) as InspectJson;
}

async function inspectTable(image: string, args: string[] = []): Promise<string> {
  const result = await runCli(['inspect', image, ...args]);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return result.stdout;
}

interface LintRun {
  code: number | null;
  stdout: string;
  report: LintJson;
  /** The free-space-zeroed findings of the first image. */
  findings: FindingJson[];
}

/**
 * `spotlint IMAGE... --format json`; it must print nothing on stderr. Images
 * share a run where they can: each run costs a second of Node start-up.
 */
async function lint(images: string | string[], config: string, args: string[] = []): Promise<LintRun> {
  const result = await runCli(['--config', config, ...[images].flat(), '--format', 'json', ...args]);
  expect(result.stderr).toBe('');
  const report = JSON.parse(result.stdout) as LintJson;
  return { code: result.code, stdout: result.stdout, report, findings: findingsOf(report, 0) };
}

const findingsOf = (report: LintJson, image: number) => report.images[image]!.findings.filter((f) => f.ruleId === 'free-space-zeroed');
const lintedFreeSpace = (run: LintRun, image = 0, volume = 0) => run.report.images[image]!.inspection.volumes[volume]!.freeSpace;

/** 1 MiB to 100 MiB the way a disk tool prints it ("27.4 MiB"); the tests keep their figures in that span. */
function mib(bytes: number): string {
  expect(bytes).toBeGreaterThanOrEqual(MiB);
  expect(bytes).toBeLessThan(100 * MiB);
  return `${(bytes / MiB).toFixed(1)} MiB`;
}

function dirtyExt(options: SmallExtOptions, garbage: Buffer): { image: string; left: LeftGarbage } {
  const image = makeSmallExt(options);
  return { image, left: leaveGarbage(image, garbage) };
}

describe('non-zero free bytes are counted exactly, to the block', () => {
  const variants = [
    { name: 'ext4, 4 KiB blocks', options: { type: 'ext4', sizeMiB: 32, blockSize: 4096 } },
    { name: 'ext4, 1 KiB blocks', options: { type: 'ext4', sizeMiB: 32, blockSize: 1024 } },
    { name: 'ext2 (block maps, no flex_bg), 4 KiB blocks', options: { type: 'ext2', sizeMiB: 32, blockSize: 4096 } },
  ] as const;
  const built = new Map<string, { image: string; left: LeftGarbage; hashBefore: string; inspected: InspectJson; linted: FreeSpaceJson }>();
  let clean: { image: string; hashBefore: string; inspected: InspectJson; linted: FreeSpaceJson };

  beforeAll(async () => {
    const dirty = variants.map(({ name, options }) => ({ name, ...dirtyExt(options, randomGarbage(GARBAGE_BYTES)) }));
    const cleanImage = makeSmallExt({ type: 'ext4', sizeMiB: 32, blockSize: 4096 });
    const images = [...dirty.map((d) => d.image), cleanImage];
    const hashes = images.map(sha256);
    const [linted, ...inspected] = await Promise.all([lint(images, freeSpaceOnlyConfig()), ...images.map((image) => inspectJson(image))]);
    dirty.forEach(({ name, image, left }, i) => {
      built.set(name, { image, left, hashBefore: hashes[i]!, inspected: inspected[i]!, linted: lintedFreeSpace(linted, i)! });
    });
    clean = { image: cleanImage, hashBefore: hashes.at(-1)!, inspected: inspected.at(-1)!, linted: lintedFreeSpace(linted, images.length - 1)! };
  });

  it.each(variants.map((v) => v.name))('%s: inspect --json and the lint report give the garbage\'s blocks', (name) => {
    const { image, left, inspected, linted } = built.get(name)!;
    const { blockSize, freeBlocks } = readDumpe2fs(image);
    // The oracle: the blocks debugfs gave the file (data, plus the indirect blocks of a block-mapped file).
    expect(left.allocatedBytes).toBe(ceilBlocks(GARBAGE_BYTES, blockSize) + left.mapBlocks * blockSize);
    if (name.startsWith('ext2')) expect(left.mapBlocks).toBeGreaterThan(0);
    else expect(left.mapBlocks).toBe(0);

    const scanned = inspected.volumes[0]!.freeSpace!;
    expect(scanned).toMatchObject({ status: 'scanned', blockSize, freeBytes: freeBlocks * blockSize, nonZeroBytes: left.allocatedBytes, unstoredBytes: 0 });
    expect(linted).toEqual(scanned);
  });

  it('ext4: exactly ceil(N / block size) blocks of N bytes of garbage', () => {
    for (const name of ['ext4, 4 KiB blocks', 'ext4, 1 KiB blocks']) {
      const { inspected } = built.get(name)!;
      const { blockSize, nonZeroBytes } = inspected.volumes[0]!.freeSpace!;
      expect(nonZeroBytes, name).toBe(ceilBlocks(GARBAGE_BYTES, blockSize));
      expect(nonZeroBytes % blockSize).toBe(0);
      expect(nonZeroBytes).toBeGreaterThan(GARBAGE_BYTES);
    }
  });

  it('random garbage does not compress: the estimated saving is close to the non-zero bytes', () => {
    for (const { inspected } of built.values()) {
      const { nonZeroBytes, estimatedPackageSavingBytes, sampleBytes } = inspected.volumes[0]!.freeSpace!;
      expect(estimatedPackageSavingBytes).toBeGreaterThan(0.9 * nonZeroBytes);
      expect(estimatedPackageSavingBytes).toBeLessThanOrEqual(nonZeroBytes);
      expect(sampleBytes).toBeGreaterThan(0);
      expect(sampleBytes).toBeLessThanOrEqual(nonZeroBytes);
    }
  });

  it('a fresh mke2fs -d filesystem: no non-zero byte, and the superblock\'s free blocks', () => {
    const { blockSize, freeBlocks } = readDumpe2fs(clean.image);
    const expected = { status: 'scanned', blockSize, freeBytes: freeBlocks * blockSize, nonZeroBytes: 0, unstoredBytes: 0, estimatedPackageSavingBytes: 0, sampleBytes: 0 };
    expect(clean.inspected.volumes[0]!.freeSpace).toEqual(expected);
    expect(clean.linted).toEqual(expected);
  });

  it('leaves every image as it was', () => {
    for (const { image, hashBefore } of [...built.values(), clean]) expect(sha256(image)).toBe(hashBefore);
  });
});

/** The free ranges the scan reads, as inclusive block ranges. */
async function scanRanges(image: string, blockSize: number): Promise<BlockRange[]> {
  const fs = await ExtFilesystem.open({ imagePath: image, partitionStart: 0, partitionSize: statSync(image).size });
  try {
    const pairs = await fs.freeRanges();
    const ranges: BlockRange[] = [];
    for (let i = 0; i + 1 < pairs.length; i += 2) {
      const [offset, length] = [pairs[i]!, pairs[i + 1]!];
      // Whole blocks, in ascending order, never overlapping.
      expect(offset % blockSize).toBe(0);
      expect(length % blockSize).toBe(0);
      expect(length).toBeGreaterThan(0);
      if (ranges.length > 0) expect(offset / blockSize).toBeGreaterThan(ranges.at(-1)![1]);
      ranges.push([offset / blockSize, (offset + length) / blockSize - 1]);
    }
    return ranges;
  } finally {
    await fs.close();
  }
}

const contains = (outer: BlockRange[], [first, last]: BlockRange) => outer.some(([a, b]) => a <= first && last <= b);

describe('the scanned ranges are the free blocks dumpe2fs lists', () => {
  const layouts = [
    { name: 'ext4, flex_bg, 64 MiB of 1 KiB blocks (8 groups)', options: { type: 'ext4', sizeMiB: 64, blockSize: 1024 }, uninit: true },
    { name: 'ext4, 4 KiB blocks in groups of 1024 (8 groups)', options: { type: 'ext4', sizeMiB: 32, blockSize: 4096, blocksPerGroup: 1024 }, uninit: true },
    { name: 'ext2, 1 KiB blocks in groups of 2048 (16 groups)', options: { type: 'ext2', sizeMiB: 32, blockSize: 1024, blocksPerGroup: 2048 }, uninit: false },
  ] as const;

  it.each(layouts)('$name', async ({ options, uninit }) => {
    const { image } = dirtyExt(options, randomGarbage(700 * KiB + 1));
    const view = readDumpe2fs(image);
    expect(view.groups.length).toBeGreaterThanOrEqual(8);
    const listed = mergeRanges(view.groups.flatMap((g) => g.free));
    const scanned = await scanRanges(image, view.blockSize);
    expect(mergeRanges(scanned)).toEqual(listed);
    const scannedBlocks = scanned.reduce((sum, [a, b]) => sum + b - a + 1, 0);
    expect(scannedBlocks).toBe(view.freeBlocks);

    const uninitGroups = view.groups.filter((g) => g.flags.includes('BLOCK_UNINIT'));
    if (!uninit) {
      expect(uninitGroups).toEqual([]);
      return;
    }
    // Their bitmaps are not on disk: the library must compute them, not skip the groups.
    expect(uninitGroups.length).toBeGreaterThan(0);
    for (const group of uninitGroups) {
      expect(group.free.length, `group ${group.index}`).toBeGreaterThan(0);
      for (const range of group.free) expect(contains(scanned, range), `group ${group.index} ${range.join('-')}`).toBe(true);
    }
  });

  it('garbage in BLOCK_UNINIT groups is found, to the block', async () => {
    const image = makeSmallExt({ type: 'ext4', sizeMiB: 64, blockSize: 1024 });
    const before = readDumpe2fs(image);
    const uninitGroups = before.groups.filter((g) => g.flags.includes('BLOCK_UNINIT'));
    expect(uninitGroups.length).toBeGreaterThanOrEqual(2);
    // 50 blocks less a few bytes, 7 blocks into each group's largest free range.
    const pieceBlocks = 50;
    for (const group of uninitGroups) {
      const [first, last] = [...group.free].sort((a, b) => (b[1] - b[0]) - (a[1] - a[0]))[0]!;
      expect(last - first).toBeGreaterThan(pieceBlocks + 7);
      writeIntoImage(image, (first + 7) * before.blockSize, randomGarbage(pieceBlocks * before.blockSize - 100, group.index + 1));
    }
    const run = await lint(image, freeSpaceOnlyConfig());
    expect(lintedFreeSpace(run)).toMatchObject({ nonZeroBytes: uninitGroups.length * pieceBlocks * before.blockSize, freeBytes: before.freeBlocks * before.blockSize });
    // The groups are still uninitialised: the garbage sat where the bitmap is computed, not read.
    const after = readDumpe2fs(image);
    expect(after.groups.filter((g) => g.flags.includes('BLOCK_UNINIT')).map((g) => g.index)).toEqual(uninitGroups.map((g) => g.index));
  });
});

describe('a QCOW2 twin of a dirty raw image', () => {
  let run: LintRun;
  let raw: FreeSpaceJson;
  let blockSize: number;
  let left: LeftGarbage;
  const twins = [1, 2];

  beforeAll(async () => {
    const dirty = dirtyExt({ type: 'ext4', sizeMiB: 32, blockSize: 4096 }, randomGarbage(GARBAGE_BYTES));
    left = dirty.left;
    blockSize = readDumpe2fs(dirty.image).blockSize;
    run = await lint([dirty.image, toQcow2(dirty.image), toQcow2(dirty.image, true)], freeSpaceOnlyConfig());
    raw = lintedFreeSpace(run, 0)!;
  });

  it('reports the same non-zero and free bytes as the raw image', () => {
    expect(raw.nonZeroBytes).toBe(ceilBlocks(left.bytes, blockSize));
    for (const twin of twins) {
      expect(run.report.images[twin]!.inspection.image.format).toBe('qcow2');
      expect(lintedFreeSpace(run, twin)).toMatchObject({ status: 'scanned', blockSize, freeBytes: raw.freeBytes, nonZeroBytes: raw.nonZeroBytes });
    }
  });

  it('counts the clusters qemu-img left unallocated as unstored zeros; the raw image has none', () => {
    expect(raw.unstoredBytes).toBe(0);
    for (const twin of twins) {
      const { unstoredBytes, freeBytes, nonZeroBytes } = lintedFreeSpace(run, twin)!;
      expect(unstoredBytes).toBeGreaterThan(0);
      // Unallocated clusters hold zeros: never the garbage.
      expect(unstoredBytes).toBeLessThanOrEqual(freeBytes - nonZeroBytes);
    }
  });

  it('estimates about the same saving', () => {
    for (const twin of twins) {
      const { estimatedPackageSavingBytes, nonZeroBytes } = lintedFreeSpace(run, twin)!;
      expect(estimatedPackageSavingBytes).toBeGreaterThan(0.9 * nonZeroBytes);
      expect(Math.abs(estimatedPackageSavingBytes - raw.estimatedPackageSavingBytes)).toBeLessThan(0.05 * raw.estimatedPackageSavingBytes);
    }
  });
});

describe('inside an MBR disk', () => {
  let run: LintRun;
  let left: LeftGarbage;
  let dirtyView: ReturnType<typeof readDumpe2fs>;
  let cleanView: ReturnType<typeof readDumpe2fs>;

  beforeAll(async () => {
    const dirty = dirtyExt({ type: 'ext4', sizeMiB: 32, blockSize: 4096 }, randomGarbage(GARBAGE_BYTES));
    const clean = makeSmallExt({ type: 'ext4', sizeMiB: 16, blockSize: 1024 });
    left = dirty.left;
    dirtyView = readDumpe2fs(dirty.image);
    cleanView = readDumpe2fs(clean);
    run = await lint(wrapInMbr([{ image: dirty.image }, { image: clean }]), freeSpaceOnlyConfig(['warning', { maxNonZeroBytes: MiB }]));
  });

  it('measures each partition\'s filesystem on its own', () => {
    const volumes = run.report.images[0]!.inspection.volumes;
    expect(volumes.map((v) => [v.partition, v.start])).toEqual([[1, MiB], [2, 33 * MiB]]);
    expect(volumes[0]!.freeSpace).toMatchObject({ blockSize: 4096, freeBytes: dirtyView.freeBlocks * 4096, nonZeroBytes: ceilBlocks(left.bytes, 4096), unstoredBytes: 0 });
    expect(volumes[1]!.freeSpace).toMatchObject({ blockSize: 1024, freeBytes: cleanView.freeBlocks * 1024, nonZeroBytes: 0, unstoredBytes: 0 });
  });

  it('reports the dirty partition only, by number', () => {
    expect(run.findings).toHaveLength(1);
    expect(run.findings[0]!.location).toEqual({ partition: 1 });
    expect(run.findings[0]!.message).toContain('partition 1 (ext4)');
  });

  it('the JSON report with freeSpace matches report.schema.json', () => {
    const ajv = new Ajv2020({ allErrors: true, strict: false });
    addFormats(ajv);
    const schema = JSON.parse(readFileSync(fileURLToPath(new URL('../../report.schema.json', import.meta.url)), 'utf8'));
    const validate = ajv.compile(schema);
    const report = JSON.parse(run.stdout);
    expect(validate(report), JSON.stringify(validate.errors)).toBe(true);
    // The schema must also reject a scanned result that lacks a figure.
    delete report.images[0].inspection.volumes[0].freeSpace.nonZeroBytes;
    expect(validate(report)).toBe(false);
  });
});

describe('free-space-zeroed: when it fires and what it says', () => {
  const FOUR_MIB = 4 * MiB + 1;
  let image: string;
  let runs: Record<'byDefault' | 'overOneMiB' | 'underPercent' | 'overPercent' | 'underBytes', LintRun>;
  let text: LintRun;
  let blockSize: number;

  beforeAll(async () => {
    ({ image } = dirtyExt({ type: 'ext4', sizeMiB: 32, blockSize: 4096 }, randomGarbage(FOUR_MIB)));
    blockSize = readDumpe2fs(image).blockSize;
    const big = dirtyExt({ type: 'ext4', sizeMiB: 64, blockSize: 4096 }, randomGarbage(17 * MiB + 1));
    const textual = dirtyExt({ type: 'ext4', sizeMiB: 32, blockSize: 4096 }, repetitiveText(FOUR_MIB));
    const withOptions = (options: object) => freeSpaceOnlyConfig(['warning', options]);
    const [byDefault, overOneMiB, underPercent, overPercent, underBytes, t] = await Promise.all([
      lint([image, big.image], freeSpaceOnlyConfig()),
      lint(image, withOptions({ maxNonZeroBytes: MiB }), ['--fail-on', 'warning']),
      lint(image, withOptions({ maxNonZeroBytes: MiB, maxNonZeroPercent: 50 })),
      lint(image, withOptions({ maxNonZeroBytes: MiB, maxNonZeroPercent: 10 })),
      lint(image, withOptions({ maxNonZeroBytes: 8 * MiB, maxNonZeroPercent: 10 })),
      lint(textual.image, withOptions({ maxNonZeroBytes: MiB })),
    ]);
    runs = { byDefault, overOneMiB, underPercent, overPercent, underBytes };
    text = t;
  });

  it('stays quiet under the default 16 MiB, though the scan ran', () => {
    expect(lintedFreeSpace(runs.byDefault)!.nonZeroBytes).toBe(ceilBlocks(FOUR_MIB, blockSize));
    expect(runs.byDefault.findings).toEqual([]);
    expect(runs.byDefault.code).toBe(0);
  });

  it('fires by default above 16 MiB', () => {
    const { nonZeroBytes } = lintedFreeSpace(runs.byDefault, 1)!;
    expect(nonZeroBytes).toBe(ceilBlocks(17 * MiB + 1, 4096));
    const findings = findingsOf(runs.byDefault.report, 1);
    expect(findings).toHaveLength(1);
    expect(findings[0]!.message).toContain(`(${nonZeroBytes} bytes, `);
  });

  it('fires over a maxNonZeroBytes from the config file: a warning with the figures, a saving and a fix', () => {
    const { nonZeroBytes, freeBytes, estimatedPackageSavingBytes } = lintedFreeSpace(runs.overOneMiB)!;
    expect(runs.overOneMiB.code).toBe(1);
    expect(runs.overOneMiB.findings).toHaveLength(1);
    const finding = runs.overOneMiB.findings[0]!;
    expect(finding.severity).toBe('warning');
    expect(finding.location).toEqual({ partition: null });
    const percent = Math.round((100 * nonZeroBytes) / freeBytes);
    expect(finding.message).toContain(`${mib(nonZeroBytes)} (${nonZeroBytes} bytes, ${percent}%) of the ${mib(freeBytes)} of free space on the whole disk (ext4) is not zero`);
    expect(finding.message).toContain(`the package would be about ${mib(estimatedPackageSavingBytes)} smaller`);
    expect(finding.message).toMatch(/dd if=\/dev\/zero|zerofree/);
    expect(finding.fix).toContain(`write zeros over the ${nonZeroBytes / blockSize} free blocks`);
  });

  it('with maxNonZeroPercent, needs both limits exceeded', () => {
    const { nonZeroBytes, freeBytes } = lintedFreeSpace(runs.overOneMiB)!;
    const percent = (100 * nonZeroBytes) / freeBytes;
    // The image sits between the limits the configs below use.
    expect(percent).toBeGreaterThan(10);
    expect(percent).toBeLessThan(50);
    expect(nonZeroBytes).toBeLessThan(8 * MiB);
    expect(runs.underPercent.findings).toEqual([]);
    expect(runs.overPercent.findings).toHaveLength(1);
    expect(runs.underBytes.findings).toEqual([]);
  });

  it('repetitive text compresses: the estimated saving is a small part of the non-zero bytes', () => {
    const { nonZeroBytes, estimatedPackageSavingBytes } = lintedFreeSpace(text)!;
    expect(nonZeroBytes).toBe(ceilBlocks(FOUR_MIB, 4096));
    expect(estimatedPackageSavingBytes).toBeLessThan(0.2 * nonZeroBytes);
    expect(text.findings).toHaveLength(1);
  });
});

describe('turning the scan off, and --progress when stderr is not a terminal', () => {
  const nonZero = ceilBlocks(GARBAGE_BYTES, 4096);
  const config = freeSpaceOnlyConfig(['warning', { maxNonZeroBytes: MiB }]);
  let dirty: string;
  let clean: string;
  let hashBefore: string;
  /** The control: the same image and config with the scan on, no flag. */
  let scanned: LintRun;
  let dirtyTable: string;

  beforeAll(async () => {
    dirty = dirtyExt({ type: 'ext4', sizeMiB: 32, blockSize: 4096 }, randomGarbage(GARBAGE_BYTES)).image;
    clean = makeSmallExt({ type: 'ext4', sizeMiB: 16, blockSize: 4096 });
    hashBefore = sha256(dirty);
    [scanned, dirtyTable] = await Promise.all([lint(dirty, config), inspectTable(dirty)]);
  });

  it('the control run scans and reports', () => {
    expect(lintedFreeSpace(scanned)).toMatchObject({ status: 'scanned', nonZeroBytes: nonZero });
    expect(scanned.findings).toHaveLength(1);
  });

  it('--no-scan: no freeSpace in the report and no finding', async () => {
    const unscanned = await lint(dirty, config, ['--no-scan']);
    expect(lintedFreeSpace(unscanned)).toBeUndefined();
    expect(unscanned.stdout).not.toContain('freeSpace');
    expect(unscanned.findings).toEqual([]);
    // A check that did not run is not listed as run.
    expect(scanned.report.images[0]!.rulesRun).toContain('free-space-zeroed');
    expect(unscanned.report.images[0]!.rulesRun).not.toContain('free-space-zeroed');
  });

  it('--disable free-space-zeroed skips the scan', async () => {
    const disabled = await lint(dirty, config, ['--disable', 'free-space-zeroed']);
    expect(disabled.stdout).not.toContain('freeSpace');
    expect(disabled.findings).toEqual([]);
  });

  it('inspect shows a free space line, NOT ZERO or all zero, unless --no-scan', async () => {
    const [cleanTable, unscannedTable] = await Promise.all([inspectTable(clean), inspectTable(dirty, ['--no-scan'])]);
    const dirtyView = readDumpe2fs(dirty);
    const { estimatedPackageSavingBytes } = lintedFreeSpace(scanned) as FreeSpaceJson;
    expect(dirtyTable).toContain(`\n  free space: ${mib(dirtyView.freeBlocks * dirtyView.blockSize)}, of which ${mib(nonZero)} (${nonZero} bytes) NOT ZERO; zeroing it takes about ${mib(estimatedPackageSavingBytes)} off the gzip package\n`);
    const cleanView = readDumpe2fs(clean);
    expect(cleanTable).toContain(`\n  free space: ${mib(cleanView.freeBlocks * cleanView.blockSize)}, all zero\n`);
    expect(unscannedTable).not.toContain('free space:');
    expect(unscannedTable).toContain('ext4');
  });

  it('lint --progress prints nothing on stderr for a short scan, and the same report; --no-progress is accepted', async () => {
    // lint() fails on any stderr output.
    const [forced, refused] = await Promise.all([lint(dirty, config, ['--progress']), lint(dirty, config, ['--no-progress'])]);
    expect(forced.stdout).toBe(scanned.stdout);
    expect(refused.stdout).toBe(scanned.stdout);
    expect([forced.code, refused.code]).toEqual([scanned.code, scanned.code]);
  });

  it('inspect --progress prints the same table and nothing on stderr', async () => {
    expect(await inspectTable(dirty, ['--progress'])).toBe(dirtyTable);
  });

  it('none of these runs changed the image', () => {
    expect(sha256(dirty)).toBe(hashBefore);
  });
});

describe('a truncated image', () => {
  it('counts the free blocks missing from the file as not stored, and still measures the rest', async () => {
    // One block group with 4 KiB blocks: all metadata sits at the start, so
    // cutting the end loses only free blocks, as an interrupted export does.
    const image = makeSmallExt({ type: 'ext4', sizeMiB: 32, blockSize: 4096 });
    const whole = (await inspectJson(image)).volumes[0]!.freeSpace!;
    truncateSync(image, 24 * MiB);
    const cut = (await inspectJson(image)).volumes[0]!.freeSpace!;
    expect(cut).toMatchObject({ status: 'scanned', freeBytes: whole.freeBytes, nonZeroBytes: 0 });
    expect(whole.unstoredBytes).toBe(0);
    expect(cut.unstoredBytes).toBe(8 * MiB);
  });
});
