import { describe, expect, it } from 'vitest';
import { formatManifest, manifestLength, parseManifest } from '../../src/package/manifest.js';
import { diskMemberName, ideTargetName, isPlainMemberName } from '../../src/package/member-names.js';

describe('manifest.txt', () => {
  const entries = [
    { name: 'hd0.img', size: 1073741824n, md5: '9e107d9d372bb6826bd81d3542a419d6' },
    { name: 'hd1.qcow2', size: 0n, md5: 'd41d8cd98f00b204e9800998ecf8427e' },
  ];

  it('is one "NAME SIZE MD5" line per disk, newline-terminated', () => {
    expect(formatManifest(entries)).toBe('hd0.img 1073741824 9e107d9d372bb6826bd81d3542a419d6\nhd1.qcow2 0 d41d8cd98f00b204e9800998ecf8427e\n');
  });

  it('has a length known before the digests are', () => {
    expect(manifestLength(entries.map(({ name, size }) => ({ name, size })))).toBe(Buffer.byteLength(formatManifest(entries)));
  });

  it('parses what it writes, and says which line is wrong and why', () => {
    expect(parseManifest(formatManifest(entries))).toEqual({ ok: true, entries });
    expect(parseManifest('hd0.img 12  abc\n')).toMatchObject({ ok: false, line: 1, problem: expect.stringMatching(/single spaces/) });
    expect(parseManifest('hd0.img 12 abc\n')).toMatchObject({ ok: false, problem: expect.stringMatching(/32 hex/) });
    expect(parseManifest('hd0.img -1 9e107d9d372bb6826bd81d3542a419d6\n')).toMatchObject({ ok: false, problem: expect.stringMatching(/whole number/) });
    expect(parseManifest('hd0.img 1 9e107d9d372bb6826bd81d3542a419d6')).toMatchObject({ ok: false, problem: expect.stringMatching(/no newline/) });
    expect(parseManifest('x'.repeat(70_000))).toMatchObject({ ok: false, problem: expect.stringMatching(/larger than/) });
  });
});

describe('member names', () => {
  it('names disks hd<N>.<ext>.gz and IDE targets hda..hdd', () => {
    expect(diskMemberName(0, 'raw')).toBe('hd0.img.gz');
    expect(diskMemberName(1, 'qcow2')).toBe('hd1.qcow2.gz');
    expect([0, 1, 2, 3].map(ideTargetName)).toEqual(['hda', 'hdb', 'hdc', 'hdd']);
    expect(() => ideTargetName(4)).toThrow(RangeError);
  });

  it('accepts only plain top-level names', () => {
    for (const name of ['hd0.img.gz', 'description.xml', 'a b']) expect(isPlainMemberName(name)).toBe(true);
    for (const name of ['', '.', '..', '../evil', '/etc/evil', 'dir/file', 'a\\b', 'x\ny', 'x'.repeat(256)]) expect(isPlainMemberName(name)).toBe(false);
  });
});
