import { SpotlintError } from '../../errors.js';
import type { ByteSource } from './byte-source.js';
import { detectFormat, DETECTION_HEADER_BYTES } from './detect-format.js';
import { openImageFile } from './open-image-file.js';
import { Qcow2Image } from './qcow2-image.js';
import { RawImage } from './raw-image.js';

export interface OpenedImage {
  source: ByteSource;
  /** Size of the image file itself. */
  fileSize: number;
  /** Bytes the file occupies on the host disk (sparse regions excluded). */
  allocatedBytes: number;
}

const SECTOR = 512;

/** Opens an image read-only and picks its format from its content. */
export async function openImage(path: string): Promise<OpenedImage> {
  const { handle, stats, size: fileSize } = await openImageFile(path);
  try {
    const head = Buffer.alloc(Math.min(DETECTION_HEADER_BYTES, fileSize));
    await handle.read(head, 0, head.length, 0);
    const tail = Buffer.alloc(Math.min(SECTOR, fileSize));
    await handle.read(tail, 0, tail.length, fileSize - tail.length);

    const detected = detectFormat(head, tail);
    const allocatedBytes = stats.blocks * 512;
    switch (detected.kind) {
      case 'unsupported':
        throw new SpotlintError(`${path}: is ${detected.name}, not a raw or QCOW2 disk image; ${detected.advice}`);
      case 'qcow2':
        return { source: await Qcow2Image.open(path, handle, fileSize), fileSize, allocatedBytes };
      case 'raw':
        if (fileSize < SECTOR) {
          throw new SpotlintError(`${path}: is only ${fileSize} bytes, too small to be a disk image (a disk has at least one 512-byte sector); the export was probably cut short`);
        }
        return { source: new RawImage(path, handle, fileSize), fileSize, allocatedBytes };
    }
  } catch (error) {
    await handle.close();
    throw error;
  }
}
