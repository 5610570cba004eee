// When the free space of a filesystem cannot be measured, the run goes on:
// the volume says why, and the rule says so as information, not as a pass.
import { describe, expect, it } from 'vitest';
import { SpotlintError } from '../../src/errors.js';
import { ExtError, type ExtFilesystem } from '../../src/inspect/ext/ext-filesystem.js';
import { FreeSpaceScan } from '../../src/inspect/freespace/free-space.js';
import type { ImageInspection } from '../../src/inspect/inspect-image.js';
import type { Volume } from '../../src/inspect/volumes.js';
import { freeSpaceZeroed } from '../../src/rules/free-space-zeroed.js';
import type { FindingInput } from '../../src/rules/rule.js';
import { ByteBufferSource } from './byte-buffer-source.js';

const MiB = 1024 * 1024;

function extVolume(): Volume {
  return {
    index: 1, start: MiB, size: 8 * MiB, partition: null,
    filesystem: { type: 'ext4', ext: { blockSize: 4096 } } as Volume['filesystem'],
  };
}

/** Just enough of an ExtFilesystem for the scan: the free ranges, or a failure. */
function fakeFs(freeRanges: () => Promise<Float64Array>): ExtFilesystem {
  return { freeRanges } as unknown as ExtFilesystem;
}

class FailingSource extends ByteBufferSource {
  override async read(): Promise<number> {
    throw new SpotlintError('mem.img: QCOW2 image is corrupt: the compressed cluster at file offset 65536 does not decompress');
  }
}

async function ruleFindings(volumes: Volume[]): Promise<FindingInput[]> {
  const findings: FindingInput[] = [];
  await freeSpaceZeroed.check({
    inspection: { volumes } as ImageInspection,
    facts: {} as never,
    guest: null,
    options: freeSpaceZeroed.defaultOptions,
    report: (finding) => findings.push(finding),
  });
  return findings;
}

describe('free space that cannot be measured', () => {
  it('a block bitmap the worker cannot read fails that volume only, with the reason', async () => {
    const volume = extVolume();
    const scan = new FreeSpaceScan(new ByteBufferSource(Buffer.alloc(16 * MiB)));
    await scan.add(volume, fakeFs(async () => { throw new ExtError('EXT2_ET_BLOCK_BITMAP_READ', 'cannot read the block bitmap'); }));
    await scan.finished();
    expect(volume.freeSpace).toEqual({ status: 'failed', reason: 'its block bitmap cannot be read (cannot read the block bitmap)' });
    expect(await ruleFindings([volume])).toEqual([{
      severity: 'info',
      location: { partition: 1 },
      message: 'The free space of partition 1 (ext4) was not measured: its block bitmap cannot be read (cannot read the block bitmap).',
    }]);
  });

  it('an image layer error while reading free blocks fails that volume, and the next volume is still scanned', async () => {
    const failing = extVolume();
    const scan = new FreeSpaceScan(new FailingSource(Buffer.alloc(16 * MiB)));
    await scan.add(failing, fakeFs(async () => new Float64Array([0, 4 * MiB])));
    await scan.finished();
    expect(failing.freeSpace).toMatchObject({ status: 'failed', reason: expect.stringContaining('does not decompress') });

    const healthy = extVolume();
    const garbage = Buffer.alloc(16 * MiB);
    garbage.fill(0xaa, MiB + 4096, MiB + 3 * 4096);
    const secondScan = new FreeSpaceScan(new ByteBufferSource(garbage));
    await secondScan.add(healthy, fakeFs(async () => new Float64Array([0, 4 * MiB])));
    await secondScan.finished();
    expect(healthy.freeSpace).toMatchObject({ status: 'scanned', freeBytes: 4 * MiB, nonZeroBytes: 2 * 4096 });
    expect([...secondScan.nonZeroRuns.get(healthy)!]).toEqual([MiB + 4096, 2 * 4096]);
  });

  it('a bug (an error that is neither an image nor an I/O error) is not hidden as a failed scan', async () => {
    class BuggySource extends ByteBufferSource {
      override async read(): Promise<number> { throw new TypeError('undefined is not a function'); }
    }
    const scan = new FreeSpaceScan(new BuggySource(Buffer.alloc(16 * MiB)));
    await scan.add(extVolume(), fakeFs(async () => new Float64Array([0, MiB])));
    await expect(scan.finished()).rejects.toThrow(TypeError);
  });

  it('reports progress against the total of every filesystem added', async () => {
    const seen: Array<[number, number]> = [];
    const scan = new FreeSpaceScan(new ByteBufferSource(Buffer.alloc(16 * MiB)), (done, total) => seen.push([done, total]));
    await scan.add(extVolume(), fakeFs(async () => new Float64Array([0, 2 * MiB])));
    await scan.add(extVolume(), fakeFs(async () => new Float64Array([4 * MiB, MiB])));
    await scan.finished();
    expect(seen.at(-1)).toEqual([3 * MiB, 3 * MiB]);
    expect(seen.every(([done, total]) => done <= total)).toBe(true);
  });
});

describe('a filesystem larger than its partition', () => {
  it('is not scanned: the next partition would be counted (and later zeroed) as its free space', async () => {
    const volume: Volume = { ...extVolume(), partition: { size: 4 * MiB } as Volume['partition'] };
    const scan = new FreeSpaceScan(new ByteBufferSource(Buffer.alloc(16 * MiB, 0x77)));
    await scan.add(volume, fakeFs(async () => new Float64Array([MiB, 5 * MiB])));
    await scan.finished();
    expect(volume.freeSpace).toEqual({ status: 'failed', reason: `the filesystem claims free blocks up to byte ${6 * MiB}, beyond the ${4 * MiB} bytes of its partition` });
    expect(scan.nonZeroRuns.size).toBe(0);
  });
});
