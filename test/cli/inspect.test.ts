import { beforeAll, describe, expect, it } from 'vitest';
import { FIXTURE_GUEST, fixturePath } from '../helpers/fixtures.js';
import { runCli } from '../helpers/run-cli.js';

interface JsonVolume {
  index: number | null;
  start: number;
  size: number;
  partition: { kind: string; type: string; typeName: string; bootable: boolean; name?: string; beyondEnd: boolean } | null;
  filesystem: { type: string; uuid?: string; label?: string; ext?: { version: string; cleanlyUnmounted: boolean; blockSize: number } };
  freeSpace?: { status: string; freeBytes?: number; nonZeroBytes?: number; unstoredBytes?: number };
}

/** What a QCOW2 copy must share with its raw twin: everything but how much of the free space the file does not store. */
function sameAsRaw(volumes: JsonVolume[]) {
  return volumes.map(({ freeSpace, ...volume }) => ({ ...volume, freeSpace: freeSpace && { ...freeSpace, unstoredBytes: undefined } }));
}

async function inspectJson(image: string) {
  const result = await runCli(['inspect', '--json', fixturePath(image)]);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout) as {
    image: { format: string; virtualSize: number; qcow2?: { version: number } };
    partitionTable: { scheme: string; problems: string[] };
    volumes: JsonVolume[];
    rootPartition: number | null;
    mounts: { mountPoint: string; partition: number | null; spec: string }[];
    fstabProblems: { line: number; reason: string }[];
  };
}

/** What must be the same whatever the container: where each filesystem is and what it is. */
function filesystemsOf(volumes: JsonVolume[]) {
  return volumes
    .filter((v) => v.filesystem.type !== 'unknown')
    .map((v) => ({ start: v.start, size: v.size, type: v.filesystem.type, uuid: v.filesystem.uuid, label: v.filesystem.label }));
}

describe('spotlint inspect', () => {
  let mbr: Awaited<ReturnType<typeof inspectJson>>;
  beforeAll(async () => {
    mbr = await inspectJson('mbr.img');
  });

  it('reads the MBR layout: three primaries, the boot one active, swap identified', async () => {
    expect(mbr.image.format).toBe('raw');
    expect(mbr.partitionTable.scheme).toBe('mbr');
    expect(mbr.volumes.map((v) => [v.index, v.start, v.size, v.partition?.type, v.partition?.bootable])).toEqual([
      [1, 1 * 1024 * 1024, 8 * 1024 * 1024, '0x83', true],
      [2, 9 * 1024 * 1024, 24 * 1024 * 1024, '0x83', false],
      [3, 33 * 1024 * 1024, 4 * 1024 * 1024, '0x82', false],
    ]);
    expect(mbr.volumes.map((v) => v.filesystem.type)).toEqual(['ext2', 'ext4', 'swap']);
    expect(mbr.volumes[1]!.filesystem).toMatchObject({ uuid: FIXTURE_GUEST.root.uuid, label: 'rootfs' });
    expect(mbr.volumes[2]!.filesystem).toMatchObject({ uuid: FIXTURE_GUEST.swap.uuid, label: 'swap' });
  });

  it('finds the root filesystem and attaches /boot from fstab by LABEL', async () => {
    expect(mbr.rootPartition).toBe(2);
    expect(mbr.mounts).toEqual([
      { mountPoint: '/', partition: 2, spec: 'root' },
      { mountPoint: '/boot', partition: 1, spec: 'LABEL=boot' },
    ]);
    expect(mbr.fstabProblems).toEqual([]);
  });

  it.each(['mbr.qcow2', 'mbr-compressed.qcow2', 'mbr-v2.qcow2'])('gives the same partitions and root for %s as for the raw image', async (image) => {
    const qcow = await inspectJson(image);
    expect(qcow.image.format).toBe('qcow2');
    expect(qcow.image.virtualSize).toBe(mbr.image.virtualSize);
    expect(sameAsRaw(qcow.volumes)).toEqual(sameAsRaw(mbr.volumes));
    // The raw file stores every byte; the QCOW2 copy leaves clean clusters out, and the scan skips them.
    expect(mbr.volumes.filter((v) => v.freeSpace).map((v) => v.freeSpace!.unstoredBytes)).toEqual([0, 0]);
    expect(qcow.volumes.filter((v) => v.freeSpace).every((v) => v.freeSpace!.unstoredBytes! > 0)).toBe(true);
    expect(qcow.rootPartition).toBe(2);
    expect(qcow.mounts).toEqual(mbr.mounts);
  });

  it('reads GPT names, type GUIDs and the BIOS boot partition', async () => {
    const gpt = await inspectJson('gpt.img');
    expect(gpt.partitionTable).toMatchObject({ scheme: 'gpt', problems: [] });
    expect(gpt.volumes.map((v) => [v.index, v.partition?.name, v.partition?.typeName])).toEqual([
      [1, 'boot', 'Linux filesystem'],
      [2, 'root', 'Linux filesystem'],
      [3, 'swap', 'Linux swap'],
      [4, 'bios', 'BIOS boot'],
    ]);
    expect(filesystemsOf(gpt.volumes)).toEqual(filesystemsOf(mbr.volumes));
    expect(gpt.rootPartition).toBe(2);
    expect(gpt.mounts).toEqual(mbr.mounts);
  });

  it('numbers logical partitions from 5 and finds the root on one', async () => {
    const logical = await inspectJson('logical.img');
    expect(logical.volumes.map((v) => [v.index, v.partition?.kind, v.filesystem.type])).toEqual([
      [1, 'primary', 'ext2'],
      [5, 'logical', 'ext4'],
      [6, 'logical', 'swap'],
    ]);
    expect(logical.volumes[1]!.start).toBe(10 * 1024 * 1024);
    expect(logical.rootPartition).toBe(5);
    expect(logical.mounts.map((m) => [m.mountPoint, m.partition])).toEqual([['/', 5], ['/boot', 1]]);
  });

  it('reads a bare filesystem and says which fstab entries it cannot attach', async () => {
    const bare = await inspectJson('bare.img');
    expect(bare.partitionTable.scheme).toBe('none');
    expect(bare.volumes).toHaveLength(1);
    expect(bare.volumes[0]).toMatchObject({ index: null, start: 0, filesystem: { type: 'ext4', uuid: FIXTURE_GUEST.root.uuid } });
    expect(bare.rootPartition).toBeNull();
    expect(bare.fstabProblems).toEqual([
      { line: 3, spec: 'LABEL=boot', mountPoint: '/boot', reason: 'no filesystem in this image matches LABEL=boot' },
    ]);
  });

  it('prints a table a person can read', async () => {
    const result = await runCli(['inspect', fixturePath('mbr.img')]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Format: +raw/);
    expect(result.stdout).toMatch(/Partitions: MBR \(DOS\), disk id 5107c0de/);
    expect(result.stdout).toMatch(/│ 2 .*│ 0x83 Linux .*│ ext4 .*│ rootfs .*│ 6f0c8a3e-2b1d-4c5e-9f7a-0123456789ab │ \/ /);
    expect(result.stdout).toContain('Root filesystem: partition 2');
    expect(result.stdout).toContain('Mounted /boot from partition 1 (fstab: LABEL=boot)');
    expect(result.stdout).toMatch(/partition 2: ext4, 6144 blocks of 4096 bytes, .*; clean/);
    const qcow = await runCli(['inspect', fixturePath('mbr-v2.qcow2')]);
    expect(qcow.stdout).toMatch(/Format: +QCOW2 v2, 64\.0 KiB clusters/);
  });
});
