import { randomUUID } from 'node:crypto';
import { access, link, open, rename, stat, unlink } from 'node:fs/promises';
import { unlinkSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { SpotlintError } from '../errors.js';
import { fsyncDirectory } from '../fix/fsync-directory.js';
import { compressDisk } from './compress-disk.js';
import { DeflatePool } from './deflate-pool.js';
import { renderDescriptionXml, type MachineFeatures } from './description-xml.js';
import { formatManifest, manifestLength, type ManifestEntry } from './manifest.js';
import { DESCRIPTION_MEMBER, diskImageName, diskMemberName, MANIFEST_MEMBER, type DiskFormat } from './member-names.js';
import { TarFileWriter } from './tar-file-writer.js';

export interface PackageDisk {
  path: string;
  format: DiskFormat;
  /** The file's size in bytes and modification time, as it was checked. */
  size: number;
  mtimeMs: number;
}

export interface PackageRequest {
  output: string;
  name: string;
  features: MachineFeatures;
  disks: readonly PackageDisk[];
  level: number;
  threads: number;
  /** Replace a file already at `output` (otherwise one that appears meanwhile is never replaced). */
  overwrite: boolean;
  /** Bytes of all disks read so far, of `total`. */
  onProgress?: (done: number, total: number) => void;
}

export interface WrittenPackage {
  output: string;
  uuid: string;
  entries: ManifestEntry[];
  /** Each disk's gzip member size, in order. */
  compressedSizes: number[];
  /** The whole .xvm2 file. */
  packageBytes: number;
}

/** Where a package is written until it is complete: next to it, so the final rename stays on one filesystem. */
export function partialPackagePath(output: string): string {
  return join(dirname(output), `.${basename(output)}.${process.pid}.partial`);
}

/**
 * Writes an XVM2 package (XVM2.md): description.xml, manifest.txt, then one
 * gzip member per disk, each disk read once for both its MD5 and its gzip.
 * The archive is built under a temporary name and renamed into place only
 * when complete and flushed, so the output name never holds a partial
 * package: not after an error, not after Ctrl-C (the partial file is
 * removed), not after a crash (the partial file stays, under its own name).
 */
export async function writePackage(request: PackageRequest): Promise<WrittenPackage> {
  const partial = partialPackagePath(request.output);
  const file = await open(partial, 'wx');
  const removePartial = () => {
    try { unlinkSync(partial); } catch { /* already gone */ }
  };
  // Ctrl-C, a closed terminal or `kill`: remove the partial package, then
  // die of the same signal, as the shell expects of an interrupted command.
  let placed = false;
  const onSignal = (signal: NodeJS.Signals) => {
    removePartial();
    if (placed) {
      // Already complete and in place: only the second name goes.
      process.removeAllListeners(signal);
      process.kill(process.pid, signal);
      return;
    }
    // A progress bar hides the cursor and would show it again from its own
    // handler, which is taken away below.
    if (process.stderr.isTTY) process.stderr.write('\u001b[?25h');
    process.stderr.write(`\nspotlint: interrupted; ${request.output} was not written\n`);
    // Every other handler goes too (a progress bar's would keep the process
    // alive), so the signal's default action ends the process.
    process.removeAllListeners(signal);
    process.kill(process.pid, signal);
  };
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const signal of signals) process.on(signal, onSignal);
  const releaseSignals = () => { for (const signal of signals) process.off(signal, onSignal); };

  let pool: DeflatePool | undefined;
  try {
    pool = new DeflatePool(request.threads);
    const archive = new TarFileWriter(file);
    const mtime = new Date();
    const uuid = randomUUID();
    const members = request.disks.map((disk, index) => diskMemberName(index, disk.format));
    const description = renderDescriptionXml({
      name: request.name,
      uuid,
      features: request.features,
      disks: members.map((member) => ({ member, device: 'disk' as const })),
    });
    await archive.addMember({ name: DESCRIPTION_MEMBER, mtime }, Buffer.from(description));
    const sized = request.disks.map((disk, index) => ({ name: diskImageName(index, disk.format), size: BigInt(disk.size) }));
    const fillManifest = await archive.reserveMember({ name: MANIFEST_MEMBER, mtime }, manifestLength(sized));

    const total = request.disks.reduce((sum, disk) => sum + disk.size, 0);
    let before = 0;
    const entries: ManifestEntry[] = [];
    const compressedSizes: number[] = [];
    for (const [index, disk] of request.disks.entries()) {
      const member = archive.beginMember({ name: members[index]!, mtime });
      const compressed = await compressDisk(disk.path, {
        pool,
        threads: request.threads,
        level: request.level,
        name: diskImageName(index, disk.format),
        write: member.write,
        onProgress: (done) => request.onProgress?.(before + done, total),
      });
      if (compressed.size !== disk.size) {
        throw new SpotlintError(`${disk.path} changed size while it was being packaged (${disk.size} bytes when checked, ${compressed.size} now): is something writing to it?`);
      }
      compressedSizes.push(await member.end());
      entries.push({ name: sized[index]!.name, size: sized[index]!.size, md5: compressed.md5 });
      before += disk.size;
    }
    for (const disk of request.disks) {
      const now = await stat(disk.path);
      if (now.size !== disk.size || now.mtimeMs !== disk.mtimeMs) {
        throw new SpotlintError(`${disk.path} was modified while it was being checked or packaged: is something writing to it? Nothing was packaged`);
      }
    }
    await fillManifest(Buffer.from(formatManifest(entries)));
    const packageBytes = await archive.finish();
    await file.sync();
    await file.close();

    const appeared = () => new SpotlintError(`${request.output} appeared while the package was being written; it was left alone (give --overwrite to replace it)`);
    if (request.overwrite) {
      await rename(partial, request.output);
      placed = true;
    } else {
      // link() fails if a file appeared at the output meanwhile: never replace one unasked.
      const linked = await link(partial, request.output).then(() => true, (error: NodeJS.ErrnoException) => {
        if (error.code === 'EEXIST') throw appeared();
        // Filesystems without hard links (FAT, some network shares): rename,
        // after one more look, is the closest there.
        if (error.code === 'EPERM' || error.code === 'ENOTSUP' || error.code === 'EOPNOTSUPP' || error.code === 'ENOSYS') return false;
        throw error;
      });
      if (linked) {
        placed = true;
        await unlink(partial);
      } else {
        if (await access(request.output).then(() => true, () => false)) throw appeared();
        await rename(partial, request.output);
        placed = true;
      }
    }
    await fsyncDirectory(dirname(request.output));
    return { output: request.output, uuid, entries, compressedSizes, packageBytes };
  } catch (error) {
    await file.close().catch(() => {});
    removePartial();
    throw error;
  } finally {
    releaseSignals();
    await pool?.close();
  }
}
