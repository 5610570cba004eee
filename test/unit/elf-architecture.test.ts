import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { elfArchitecture } from '../../src/inspect/facts/elf-architecture.js';

/**
 * An ELF header laid out as elf(5) says: e_ident (magic, class, data,
 * version), then e_type and e_machine in the file's byte order. Only dash
 * is a real binary here; the other architectures have no file in the test
 * data, so their headers are written by hand.
 */
function elfHeader(bits: 32 | 64, littleEndian: boolean, machine: number): Buffer {
  const header = Buffer.alloc(64);
  header.set([0x7f, 0x45, 0x4c, 0x46, bits === 64 ? 2 : 1, littleEndian ? 1 : 2, 1], 0);
  const ET_EXEC = 2;
  if (littleEndian) {
    header.writeUInt16LE(ET_EXEC, 16);
    header.writeUInt16LE(machine, 18);
  } else {
    header.writeUInt16BE(ET_EXEC, 16);
    header.writeUInt16BE(machine, 18);
  }
  return header;
}

describe('elfArchitecture', () => {
  it('reads Debian 12 dash (amd64) as x86_64', () => {
    const dash = readFileSync('test/data/distro/debian-12/dash/bin/dash');
    expect(elfArchitecture(dash.subarray(0, 64))).toBe('x86_64');
  });

  it.each([
    [32, true, 3, 'i386'],
    [64, true, 62, 'x86_64'],
    [32, true, 62, 'x32'],
    [32, true, 40, 'arm'],
    [64, true, 183, 'aarch64'],
    [32, false, 8, 'mips'],
    [32, true, 8, 'mipsel'],
    [64, false, 8, 'mips64'],
    [64, true, 8, 'mips64el'],
    [32, false, 20, 'ppc'],
    [64, false, 21, 'ppc64'],
    [64, true, 21, 'ppc64le'],
    [32, false, 22, 's390'],
    [64, false, 22, 's390x'],
    [32, true, 243, 'riscv32'],
    [64, true, 243, 'riscv64'],
    [32, false, 2, 'sparc'],
    [64, false, 43, 'sparc64'],
    [64, true, 50, 'ia64'],
    [64, true, 258, 'loongarch64'],
  ] as const)('ELFCLASS%i, little-endian %s, e_machine %i -> %s', (bits, littleEndian, machine, expected) => {
    expect(elfArchitecture(elfHeader(bits, littleEndian, machine))).toBe(expected);
  });

  it('reads e_machine in the byte order the header declares', () => {
    // 21 read the wrong way round would be 0x1500, no machine at all.
    const header = elfHeader(64, false, 21);
    expect(header.readUInt16BE(18)).toBe(21);
    expect(elfArchitecture(header)).toBe('ppc64');
  });

  it('answers undefined for a shell script, a short read, a bad class or data byte, and an unknown machine', () => {
    expect(elfArchitecture(Buffer.from('#!/bin/busybox sh\necho hello\n'))).toBeUndefined();
    expect(elfArchitecture(elfHeader(64, true, 62).subarray(0, 19))).toBeUndefined();
    const badClass = elfHeader(64, true, 62);
    badClass[4] = 3;
    expect(elfArchitecture(badClass)).toBeUndefined();
    const badData = elfHeader(64, true, 62);
    badData[5] = 0;
    expect(elfArchitecture(badData)).toBeUndefined();
    expect(elfArchitecture(elfHeader(64, true, 0x9999))).toBeUndefined();
    expect(elfArchitecture(Buffer.alloc(0))).toBeUndefined();
  });
});
