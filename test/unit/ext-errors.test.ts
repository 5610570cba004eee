import { describe, expect, it } from 'vitest';
import { describeExtError } from '../../src/inspect/ext/ext-errors.js';
import { EXT2_ET_BASE } from '../../src/inspect/ext/ext2-error-names.js';

describe('describeExtError', () => {
  it('names a libext2fs error number and explains it, without the number', () => {
    const info = describeExtError({ errno: 2133571347 });
    expect(info).toEqual({
      code: 'EXT2_ET_BAD_MAGIC',
      message: 'EXT2_ET_BAD_MAGIC: no ext2/3/4 superblock where one should be',
      fatal: false,
    });
    expect(info.message).not.toMatch(/\d{4,}/);
    expect(info.message).not.toContain('2133571347');
  });

  it('reads errno from an Error object as the ext2fs module throws it', () => {
    const error = Object.assign(new Error('ext2fs_open2 failed (args: [123456])'), { errno: EXT2_ET_BASE + 19 });
    expect(describeExtError(error).code).toBe('EXT2_ET_BAD_MAGIC');
  });

  it('names a libext2fs error without an explanation by its name alone', () => {
    // EXT2_ET_BASE + 1 is EXT2_ET_MAGIC_EXT2FS_FILSYS, which has no plain-words explanation.
    expect(describeExtError({ errno: EXT2_ET_BASE + 1 })).toEqual({
      code: 'EXT2_ET_MAGIC_EXT2FS_FILSYS', message: 'EXT2_ET_MAGIC_EXT2FS_FILSYS', fatal: false,
    });
  });

  it('calls a libext2fs number it has no name for EXT2_ET_UNKNOWN', () => {
    expect(describeExtError({ errno: EXT2_ET_BASE + 100000 })).toEqual({
      code: 'EXT2_ET_UNKNOWN', message: 'EXT2_ET_UNKNOWN', fatal: false,
    });
  });

  it('passes an errno code through', () => {
    expect(describeExtError({ code: 'ENOENT' })).toEqual({ code: 'ENOENT', message: 'ENOENT', fatal: false });
    expect(describeExtError(Object.assign(new Error('no such file'), { code: 'ELOOP', errno: 40 }))).toEqual({
      code: 'ELOOP', message: 'ELOOP', fatal: false,
    });
  });

  it('adds the image read error to EIO', () => {
    const info = describeExtError({ code: 'EIO' }, new Error('read of 4096 bytes at offset 1048576 failed: short read'));
    expect(info).toEqual({
      code: 'EIO',
      message: 'I/O error reading the image: read of 4096 bytes at offset 1048576 failed: short read',
      fatal: false,
    });
  });

  it('leaves EIO alone without a read error', () => {
    expect(describeExtError({ code: 'EIO' })).toEqual({ code: 'EIO', message: 'EIO', fatal: false });
  });

  it('does not add a read error to other codes', () => {
    expect(describeExtError({ code: 'ENOENT' }, new Error('boom')).message).toBe('ENOENT');
  });

  it('treats a WebAssembly OOM abort as fatal WASM_OUT_OF_MEMORY', () => {
    expect(describeExtError(new WebAssembly.RuntimeError('Aborted(OOM)'))).toEqual({
      code: 'WASM_OUT_OF_MEMORY',
      message: 'libext2fs ran out of its 16 MiB WebAssembly memory (a corrupt structure claims huge sizes)',
      fatal: true,
    });
  });

  it('treats any other WebAssembly runtime error as a fatal abort', () => {
    expect(describeExtError(new WebAssembly.RuntimeError('unreachable'))).toEqual({
      code: 'WASM_ABORT', message: 'libext2fs aborted on a corrupt structure', fatal: true,
    });
  });

  it('treats a plain Error whose message starts with Aborted as a fatal abort', () => {
    expect(describeExtError(new Error('Aborted(Assertion failed)'))).toMatchObject({ code: 'WASM_ABORT', fatal: true });
  });

  it('never shows the module\'s own text for an errno it cannot name', () => {
    const raw = Object.assign(new Error('node_ext2fs_open UNKNOWN (1234) args: [1]'), { errno: 1234, code: 'UNKNOWN' });
    expect(describeExtError(raw)).toEqual({
      code: 'EUNKNOWN', message: 'libext2fs failed with an error spotlint does not know', fatal: false,
    });
  });

  it('keeps the message of an unknown error with no decoration, and code UNKNOWN is not an errno', () => {
    expect(describeExtError(Object.assign(new Error('weird'), { code: 'UNKNOWN' }))).toEqual({
      code: 'EUNKNOWN', message: 'weird', fatal: false,
    });
  });

  it('does not pass through a code that is not errno-shaped', () => {
    expect(describeExtError(Object.assign(new Error('bad'), { code: 'ERR_INVALID_ARG_TYPE' }))).toEqual({
      code: 'EUNKNOWN', message: 'bad', fatal: false,
    });
  });

  it('handles non-Error throwables', () => {
    expect(describeExtError('a string')).toEqual({ code: 'EUNKNOWN', message: 'a string', fatal: false });
    expect(describeExtError(undefined)).toEqual({ code: 'EUNKNOWN', message: 'undefined', fatal: false });
    expect(describeExtError(null)).toEqual({ code: 'EUNKNOWN', message: 'null', fatal: false });
  });

  it('ignores small errno numbers (below the libext2fs base)', () => {
    expect(describeExtError({ errno: 2, code: 'ENOENT' })).toEqual({ code: 'ENOENT', message: 'ENOENT', fatal: false });
  });
});
