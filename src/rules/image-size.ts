import { formatBytes } from '../report/format-bytes.js';
import type { Rule } from './rule.js';

interface ImageSizeOptions {
  maxBytes: number;
}

const TWO_GIB = 2 * 1024 * 1024 * 1024;

export const imageSize: Rule<ImageSizeOptions> = {
  id: 'image-size',
  title: 'Virtual disk no larger than the SpotCloud limit',
  defaultSeverity: 'error',
  guideline: 'You may be charged for disk space used on a SpotCloud provider, so don\'t create a larger hard drive than you need for your appliance. You are also limited to a maximum appliance size of 2GB per VM within SpotCloud.',
  rationale: 'SpotCloud refuses appliances above 2 GB per VM, and every byte of disk is uploaded, stored and provisioned at the buyer\'s cost. The limit applies to the disk the VM sees, not to how much of the image file is allocated.',
  checks: 'The virtual size of the disk (for QCOW2, the size in its header; for raw, the file size) against maxBytes.',
  howToFix: 'Shrink the filesystem and the partition (resize2fs, then the partition table), then the image (qemu-img resize --shrink, or truncate for raw). Or build the appliance on a smaller disk from the start.',
  fixable: 'no',
  options: {
    type: 'object',
    properties: {
      maxBytes: { type: 'integer', minimum: 1, description: 'Largest virtual disk size allowed, in bytes (default 2 GiB).' },
    },
    additionalProperties: false,
  },
  defaultOptions: { maxBytes: TWO_GIB },
  async check({ inspection, options, report }) {
    const { virtualSize, allocatedBytes } = inspection.image;
    if (virtualSize <= options.maxBytes) return;
    report({
      message: `The virtual disk is ${formatBytes(virtualSize)} (${virtualSize} bytes), above the ${formatBytes(options.maxBytes)} (${options.maxBytes} bytes) SpotCloud accepts per VM; ${formatBytes(allocatedBytes)} of it is allocated on this host. Shrink the filesystem, the partition and the image, or rebuild on a smaller disk.`,
    });
  },
};
