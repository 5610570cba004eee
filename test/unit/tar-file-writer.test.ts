// The tar writer against the system's tar: members in order, regular files
// owned by root, exact contents, including a member whose header is written
// after its data and a reserved member filled in last.
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeMemberHeader, TarFileWriter } from '../../src/package/tar-file-writer.js';
import { tempDir } from '../helpers/build-image.js';

describe('TarFileWriter', () => {
  it('writes an archive GNU tar lists and extracts exactly', async () => {
    const dir = tempDir('tar');
    const archivePath = join(dir, 'out.tar');
    const file = await open(archivePath, 'w');
    const writer = new TarFileWriter(file);
    const mtime = new Date('2026-01-02T03:04:05Z');
    await writer.addMember({ name: 'description.xml', mtime }, Buffer.from('<domain/>\n'));
    const fill = await writer.reserveMember({ name: 'manifest.txt', mtime }, 12);
    const streamed = writer.beginMember({ name: 'hd0.img.gz', mtime });
    const parts = [Buffer.alloc(700, 1), Buffer.alloc(1, 2), Buffer.alloc(5000, 3)];
    for (const part of parts) await streamed.write(part);
    expect(await streamed.end()).toBe(5701);
    await fill(Buffer.from('hd0.img 5 x\n'));
    const size = await writer.finish();
    await file.close();

    expect(size % 10240).toBe(0);
    expect(statSync(archivePath).size).toBe(size);
    const listing = execFileSync('tar', ['--numeric-owner', '-tvf', archivePath]).toString().trim().split('\n');
    expect(listing.map((line) => line.split(/\s+/).at(-1))).toEqual(['description.xml', 'manifest.txt', 'hd0.img.gz']);
    for (const line of listing) expect(line).toMatch(/^-rw-r--r-- 0\/0 /);
    expect(listing[2]).toMatch(/ 5701 2026-01-02 /);
    const out = join(dir, 'x');
    execFileSync('mkdir', [out]);
    execFileSync('tar', ['-xf', archivePath, '-C', out]);
    expect(readFileSync(join(out, 'manifest.txt'), 'utf8')).toBe('hd0.img 5 x\n');
    expect(readFileSync(join(out, 'description.xml'), 'utf8')).toBe('<domain/>\n');
    expect(readFileSync(join(out, 'hd0.img.gz')).equals(Buffer.concat(parts))).toBe(true);
  });

  it('refuses to fill a reserved member with a different length', async () => {
    const dir = tempDir('tar');
    const file = await open(join(dir, 'out.tar'), 'w');
    const fill = await new TarFileWriter(file).reserveMember({ name: 'manifest.txt', mtime: new Date() }, 10);
    await expect(fill(Buffer.alloc(11))).rejects.toThrow(/reserved 10 bytes/);
    await file.close();
  });
});

describe('member headers of 8 GiB and more', () => {
  it('carry the size in GNU base-256, which GNU tar and Python read', () => {
    const dir = tempDir('tar');
    const archivePath = join(dir, 'big.tar');
    const size = 9 * 1024 ** 3 + 5;
    const header = encodeMemberHeader({ name: 'hd0.img.gz', mtime: new Date('2026-01-02T03:04:05Z') }, size);
    expect(header.length).toBe(512);
    // A sparse archive: the header, the member's (unwritten) bytes padded to a block, two zero blocks.
    writeFileSync(archivePath, header);
    truncateSync(archivePath, 512 + Math.ceil(size / 512) * 512 + 1024);
    const listing = execFileSync('tar', ['--numeric-owner', '-tvf', archivePath]).toString();
    expect(listing).toMatch(new RegExp(`^-rw-r--r-- 0/0 +${size} 2026-01-02 .* hd0\\.img\\.gz$`, 'm'));
    const python = execFileSync('python3', ['-c', 'import sys, tarfile\nfor m in tarfile.open(sys.argv[1]): print(m.name, m.size, m.isfile())', archivePath]).toString();
    expect(python.trim()).toBe(`hd0.img.gz ${size} True`);
  });
});
