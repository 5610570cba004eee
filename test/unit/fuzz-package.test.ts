// Property tests: an XVM2 package made by GNU tar, gzip and md5sum, then
// mutated (tar header fields with their checksums made right again or not,
// description.xml, manifest.txt, the gzip stream, the end marker, the file
// cut short), must get a verdict from verifyPackage or a SpotlintError,
// promptly. Knobs: test/helpers/fuzz.ts.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { verifyPackage } from '../../src/package/verify-package.js';
import { tempDir } from '../helpers/build-image.js';
import { applyByteMutations, byteMutations, expectValueOrOwnError, fuzzParameters } from '../helpers/fuzz.js';
import { makeDiskFile, stagePackage, tarWithGnuTar } from '../helpers/package-fixtures.js';

const BLOCK = 512;
/** ustar header fields: name, mode, uid, gid, size, mtime, checksum, type flag, link name, magic, version, prefix. */
const HEADER_FIELDS = [0, 100, 108, 116, 124, 136, 148, 156, 157, 257, 263, 345];

type Range = readonly [number, number];

/** Offsets of the member headers of a tar archive, up to its end marker. */
function headerOffsets(tar: Buffer): number[] {
  const offsets: number[] = [];
  for (let at = 0; at + BLOCK <= tar.length && tar[at] !== 0;) {
    offsets.push(at);
    const size = parseInt(tar.toString('latin1', at + 124, at + 136).replace(/\0.*$/, '').trim(), 8);
    at += BLOCK + Math.ceil(size / BLOCK) * BLOCK;
  }
  return offsets;
}

/** Writes a ustar header's checksum for its (mutated) bytes, as a tool that writes hostile archives would. */
function fixHeaderChecksum(tar: Buffer, at: number): void {
  if (at + BLOCK > tar.length) return;
  tar.fill(0x20, at + 148, at + 156);
  let sum = 0;
  for (let i = at; i < at + BLOCK; i++) sum += tar[i]!;
  tar.write(`${sum.toString(8).padStart(6, '0')}\0 `, at + 148, 'latin1');
}

let base: Buffer;
let headers: number[];
let hot: Range[];
let scratch: string;

beforeAll(() => {
  const staged = stagePackage([makeDiskFile(48 * 1024)], 'Fuzz appliance');
  base = readFileSync(tarWithGnuTar(staged.dir, staged.members));
  headers = headerOffsets(base);
  // Every header field, every member's first bytes (XML, manifest, gzip header) and last block (gzip trailer), the end marker.
  hot = headers.flatMap((at, index): Range[] => {
    const next = headers[index + 1] ?? base.length;
    return [...HEADER_FIELDS.map((field): Range => [at + field, at + field + 1]), [at, at + BLOCK], [at + BLOCK, Math.min(next, at + 2 * BLOCK)], [Math.max(at + BLOCK, next - BLOCK), next]];
  });
  scratch = join(tempDir('fuzz-package'), 'mutated.xvm2');
});

async function verifyBytes(bytes: Buffer) {
  writeFileSync(scratch, bytes);
  return expectValueOrOwnError(() => verifyPackage(scratch));
}

describe('fuzz: XVM2 package', () => {
  it('starts from a package the verifier accepts', async () => {
    expect(headers).toHaveLength(3);
    const verdict = await verifyBytes(base);
    expect(verdict).toMatchObject({ valid: true, problems: [] });
  });

  it('gives any mutation of the package a verdict or a SpotlintError', async () => {
    await fc.assert(fc.asyncProperty(byteMutations(base.length, hot, 6), fc.boolean(), async (mutations, fixChecksums) => {
      const bytes = applyByteMutations(base, mutations);
      if (fixChecksums) for (const at of headers) fixHeaderChecksum(bytes, at);
      const verdict = await verifyBytes(bytes);
      if (!verdict) return;
      expect(verdict.valid).toBe(verdict.problems.length === 0);
      for (const problem of verdict.problems) expect(problem.message).not.toBe('');
      if (verdict.valid) expect(verdict.disks).toHaveLength(1);
    }), fuzzParameters());
  });
});
