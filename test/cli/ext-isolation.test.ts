// The ext2fs WebAssembly module can abort or loop on a corrupted filesystem.
// Each filesystem runs in its own worker, so that is one failed filesystem,
// never a dead or silently-exiting spotlint. Exercised on the built code.
import { statSync, writeFileSync } from 'node:fs';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ExtFilesystem } from '../../dist/inspect/ext/ext-filesystem.js';
import { FIXTURE_GUEST, fixturePath } from '../helpers/fixtures.js';
import { tempDir } from '../helpers/build-image.js';

const CORPUS = new URL('../../../shared/corpus/e2fsprogs/', import.meta.url);

function corpusImage(name: string): string {
  const path = join(tempDir('corpus'), name);
  writeFileSync(path, gunzipSync(readFileSync(new URL(`${name}.gz`, CORPUS))));
  return path;
}

const rootOfMbr = () => {
  const layout = FIXTURE_GUEST.layouts.mbr.partitions[1]!;
  return { imagePath: fixturePath('mbr.img'), partitionStart: layout.start, partitionSize: layout.size };
};

describe('ext filesystem workers', () => {
  it('turn a WebAssembly abort into a fatal error for that filesystem only', async () => {
    // A fast symlink whose inline data is too small makes libext2fs abort.
    const image = corpusImage('f_badsymlinks2.img');
    const broken = await ExtFilesystem.open({ imagePath: image, partitionStart: 0, partitionSize: statSync(image).size });
    const healthy = await ExtFilesystem.open(rootOfMbr());
    try {
      await expect(broken.readlink('/inline_data/slow_isize_too_small')).rejects.toMatchObject({ code: 'WASM_ABORT', fatal: true });
      // Later calls fail at once with the same cause instead of hanging.
      await expect(broken.lstat('/')).rejects.toMatchObject({ code: 'WASM_ABORT' });
      expect(broken.failure?.message).toBe('libext2fs aborted on a corrupt structure');
      // Another filesystem in the same process is untouched.
      expect((await healthy.read('/etc/hostname', 0, 100)).toString()).toBe(FIXTURE_GUEST.hostname);
    } finally {
      await broken.close();
      await healthy.close();
    }
  });

  it('stop a call that takes too long and fail everything after it', async () => {
    const fs = await ExtFilesystem.open(rootOfMbr(), 1000);
    try {
      (fs as unknown as { timeoutMs: number }).timeoutMs = 1;
      await expect(fs.read(FIXTURE_GUEST.bigFile.path, 0, FIXTURE_GUEST.bigFile.size)).rejects.toMatchObject({ code: 'ETIMEDOUT', fatal: true });
      await expect(fs.lstat('/etc')).rejects.toMatchObject({ code: 'ETIMEDOUT' });
    } finally {
      await fs.close();
    }
  });

  it('name libext2fs errors instead of printing their numbers', async () => {
    const image = corpusImage('f_desc_size_zero.img');
    await expect(ExtFilesystem.open({ imagePath: image, partitionStart: 0, partitionSize: statSync(image).size }))
      .rejects.toMatchObject({ code: 'EXT2_ET_BAD_DESC_SIZE', message: 'EXT2_ET_BAD_DESC_SIZE: the group descriptor size is invalid' });
  });
});
