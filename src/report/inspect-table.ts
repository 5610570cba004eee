import Table from 'cli-table3';
import { chainLoadsActivePartition } from '../inspect/boot/boot-code.js';
import type { ImageInspection } from '../inspect/inspect-image.js';
import { volumeName, type Volume } from '../inspect/volumes.js';
import { renderGuestFacts } from './inspect-facts.js';
import { formatBytes } from './format-bytes.js';
import { printable } from './printable.js';

const SCHEME_NAMES = { mbr: 'MBR (DOS)', gpt: 'GPT', none: 'none (a bare filesystem on the whole disk)' } as const;

function describeImage(inspection: ImageInspection): string[] {
  const { image, partitionTable } = inspection;
  const format = image.qcow2
    ? `QCOW2 v${image.qcow2.version}, ${formatBytes(image.qcow2.clusterSize)} clusters${image.qcow2.dirty ? ', marked dirty' : ''}${image.qcow2.corrupt ? ', marked corrupt by QEMU' : ''}`
    : 'raw';
  const table = SCHEME_NAMES[partitionTable.scheme] + (partitionTable.diskId ? `, disk id ${partitionTable.diskId}` : '');
  return [
    `Image:      ${image.path}`,
    `Format:     ${format}`,
    `Size:       ${formatBytes(image.virtualSize)} virtual (${image.virtualSize} bytes), file ${formatBytes(image.fileSize)}, ${formatBytes(image.allocatedBytes)} allocated on the host`,
    `Partitions: ${table}`,
    `Boot code:  ${describeBootCode(inspection)}`,
  ];
}

function describeBootCode({ bootCode }: ImageInspection): string {
  const { sector0, coreSectorPresent, activePartitions } = bootCode;
  const parts = [sector0.name];
  if (sector0.coreSector !== undefined) {
    parts.push(`loading core.img from sector ${sector0.coreSector}${coreSectorPresent ? '' : ', which is EMPTY'}`);
  }
  // What the active partition starts with matters only to MBR code that runs it.
  if (chainLoadsActivePartition(sector0.kind)) {
    parts.push(activePartitions.length === 0 ? 'NO ACTIVE PARTITION' : activePartitions.map(({ partition, code }) => `active partition ${partition}: ${code.name}`).join(', '));
  }
  return parts.join('; ');
}

function mountPointOf(inspection: ImageInspection, volume: Volume): string {
  return inspection.mounts.filter((m) => m.partition === volume.index).map((m) => m.mountPoint).join(', ');
}

function volumeTable(inspection: ImageInspection): string {
  const table = new Table({
    head: ['#', 'Start', 'Size', 'Type', 'Boot', 'Filesystem', 'Label', 'UUID', 'Mounted at'],
    style: { head: [], border: [] },
    // No rule between rows: a partition table reads better as a block.
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
  });
  for (const volume of inspection.volumes) {
    const p = volume.partition;
    const type = p ? (p.kind === 'gpt' ? `${p.typeName}${p.name ? ` "${printable(p.name)}"` : ''}` : `${p.type} ${p.typeName}${p.kind === 'logical' ? ' (logical)' : ''}`) : '-';
    const size = formatBytes(p?.size ?? volume.size) + (p?.beyondEnd ? ' (PAST END OF IMAGE)' : '');
    const fs = volume.filesystem.type + (volume.filesystem.detail ? ` (${volume.filesystem.detail})` : '');
    table.push([
      volume.index ?? '-',
      String(volume.start),
      size,
      type,
      p?.bootable ? 'yes' : '',
      volume.readError ? `${fs}: UNREADABLE` : fs,
      printable(volume.filesystem.label ?? ''),
      printable(volume.filesystem.uuid ?? ''),
      mountPointOf(inspection, volume),
    ]);
  }
  return table.toString();
}

function extDetails(volume: Volume): string[] {
  const ext = volume.filesystem.ext;
  if (!ext) return [];
  const state = [
    ext.cleanlyUnmounted ? 'clean' : 'NOT CLEANLY UNMOUNTED',
    ext.errorsRecorded ? 'ERRORS RECORDED' : '',
    ext.needsRecovery ? 'JOURNAL NEEDS RECOVERY' : '',
    ext.errorCount > 0 ? `${ext.errorCount} errors logged` : '',
  ].filter(Boolean).join(', ');
  const used = (ext.blockCount - ext.freeBlocks) * ext.blockSize;
  const lines = [
    `${volumeName(volume)}: ${ext.version}, ${ext.blockCount} blocks of ${ext.blockSize} bytes, ${formatBytes(used)} used, ${formatBytes(ext.freeBlocks * ext.blockSize)} free; ${state}`,
    `  last mounted on ${printable(ext.lastMountedOn) || '(never recorded)'}${ext.lastWriteTime ? `, last written ${new Date(ext.lastWriteTime * 1000).toISOString()}` : ''}`,
    `  features: ${ext.features.join(' ')}`,
  ];
  if (volume.readError) lines.push(`  cannot read its files: ${printable(volume.readError.message)}`);
  const freeSpace = describeFreeSpace(volume);
  if (freeSpace) lines.push(`  free space: ${freeSpace}`);
  return lines;
}

function describeFreeSpace(volume: Volume): string | undefined {
  const scan = volume.freeSpace;
  if (!scan) return undefined;
  if (scan.status === 'failed') return `not measured: ${printable(scan.reason)}`;
  if (scan.nonZeroBytes === 0) return `${formatBytes(scan.freeBytes)}, all zero`;
  return `${formatBytes(scan.freeBytes)}, of which ${formatBytes(scan.nonZeroBytes)} (${scan.nonZeroBytes} bytes) NOT ZERO; zeroing it takes about ${formatBytes(scan.estimatedPackageSavingBytes)} off the gzip package`;
}

/** The human view of `spotlint inspect`. */
export function renderInspectTable(inspection: ImageInspection): string {
  const lines = describeImage(inspection);
  lines.push(volumeTable(inspection));
  for (const volume of inspection.volumes) lines.push(...extDetails(volume));
  const root = inspection.rootPartition;
  lines.push(root === undefined
    ? 'Root filesystem: none found (no readable ext2/3/4 filesystem with /etc and /etc/fstab or /etc/os-release)'
    : `Root filesystem: ${volumeName({ index: root })}`);
  for (const mount of inspection.mounts.filter((m) => m.mountPoint !== '/')) {
    lines.push(`Mounted ${printable(mount.mountPoint)} from ${volumeName({ index: mount.partition })} (fstab: ${printable(mount.spec)})`);
  }
  for (const problem of inspection.partitionTable.problems) lines.push(`Partition table problem: ${problem}`);
  for (const problem of inspection.fstabProblems) {
    lines.push(printable(problem.line === 0
      ? problem.reason
      : `/etc/fstab line ${problem.line}: ${problem.spec} on ${problem.mountPoint}: ${problem.reason}`));
  }
  lines.push(...renderGuestFacts(inspection.facts));
  return `${lines.join('\n')}\n`;
}
