import { formatBytes } from '../report/format-bytes.js';
import { volumeName } from '../inspect/volumes.js';
import type { Rule } from './rule.js';

interface FreeSpaceZeroedOptions {
  maxNonZeroBytes: number;
  maxNonZeroPercent?: number;
}

const SIXTEEN_MIB = 16 * 1024 * 1024;

function percentOf(part: number, whole: number): string {
  const percent = whole === 0 ? 0 : (100 * part) / whole;
  return `${percent < 10 ? percent.toFixed(1) : percent.toFixed(0)}%`;
}

export const freeSpaceZeroed: Rule<FreeSpaceZeroedOptions> = {
  id: 'free-space-zeroed',
  title: 'Free space zeroed before packaging',
  defaultSeverity: 'warning',
  guideline: 'To help minimize slow provision times, use the smallest possible hard drive image, and be sure to clear the free space on the drive before packaging',
  rationale: 'The XVM2 package is a gzip of the whole disk. Free blocks still holding the contents of deleted files (downloads, package caches, build trees) are compressed and uploaded like live data, and every provider then downloads and unpacks them at each provision. Zeroed blocks compress to almost nothing.',
  checks: 'Reads exactly the free blocks of every ext2/3/4 filesystem (from its block bitmap) and counts, to the block, those that are not all zeros; QCOW2 clusters never allocated count as zeros without being read. The package saving is measured by compressing an evenly spread sample of the non-zero blocks with gzip -1, as the packager does. Skipped with --no-scan.',
  howToFix: 'Inside the VM, on each filesystem: dd if=/dev/zero of=/zerosfile.dat bs=1M; rm /zerosfile.dat; then shut down and export again. Or run zerofree on the unmounted filesystem (Debian package zerofree).',
  fixable: 'safe',
  options: {
    type: 'object',
    properties: {
      maxNonZeroBytes: { type: 'integer', minimum: 0, description: 'Non-zero free bytes tolerated per filesystem (default 16 MiB).' },
      maxNonZeroPercent: { type: 'number', minimum: 0, maximum: 100, description: 'When set, also tolerated while the non-zero part is at most this percentage of the free space: a finding needs both limits exceeded (set maxNonZeroBytes to 0 to judge by percentage alone).' },
    },
    additionalProperties: false,
  },
  defaultOptions: { maxNonZeroBytes: SIXTEEN_MIB },
  async check({ inspection, options, report }) {
    for (const volume of inspection.volumes) {
      const scan = volume.freeSpace;
      if (!scan) continue;
      const where = `${volumeName(volume)} (${volume.filesystem.type})`;
      if (scan.status === 'failed') {
        report({ severity: 'info', location: { partition: volume.index }, message: `The free space of ${where} was not measured: ${scan.reason}.` });
        continue;
      }
      const { nonZeroBytes, freeBytes, estimatedPackageSavingBytes, sampleBytes, blockSize } = scan;
      if (nonZeroBytes <= options.maxNonZeroBytes) continue;
      const percent = freeBytes === 0 ? 0 : (100 * nonZeroBytes) / freeBytes;
      if (options.maxNonZeroPercent !== undefined && percent <= options.maxNonZeroPercent) continue;
      report({
        location: { partition: volume.index },
        message: `${formatBytes(nonZeroBytes)} (${nonZeroBytes} bytes, ${percentOf(nonZeroBytes, freeBytes)}) of the ${formatBytes(freeBytes)} of free space on ${where} is not zero: the contents of deleted files, which the gzip package compresses and uploads like live data. Zeroed, the package would be about ${formatBytes(estimatedPackageSavingBytes)} smaller (gzip -1 on a ${formatBytes(sampleBytes)} sample of those blocks). Inside the VM run dd if=/dev/zero of=/zerosfile.dat bs=1M; rm /zerosfile.dat on this filesystem, or zerofree on it unmounted, then export again.`,
        fix: `write zeros over the ${nonZeroBytes / blockSize} free blocks of ${volumeName(volume)} that are not zero (${formatBytes(nonZeroBytes)}); only blocks the filesystem does not use are written`,
        repairs: [{ kind: 'zero-free-space', partition: volume.index }],
      });
    }
  },
};
