import { describe, expect, it } from 'vitest';
import { isWithin, joinComponents, normaliseGuestPath, pathComponents } from '../../src/inspect/guest/guest-path.js';

describe('pathComponents / joinComponents', () => {
  it('drops empty and "." components but keeps ".."', () => {
    expect(pathComponents('//etc/./ssh//sshd_config/')).toEqual(['etc', 'ssh', 'sshd_config']);
    expect(pathComponents('/a/../b')).toEqual(['a', '..', 'b']);
    expect(pathComponents('/')).toEqual([]);
  });

  it('joins into an absolute path', () => {
    expect(joinComponents(['etc', 'fstab'])).toBe('/etc/fstab');
    expect(joinComponents([])).toBe('/');
  });
});

describe('normaliseGuestPath', () => {
  it.each([
    ['/etc/fstab', '/etc/fstab'],
    ['etc/fstab', '/etc/fstab'],
    ['', '/'],
    ['/', '/'],
    ['//usr///lib/', '/usr/lib'],
    ['/usr/./lib/.', '/usr/lib'],
    ['/usr/lib/../bin', '/usr/bin'],
    ['/a/b/c/../../d', '/a/d'],
    ['/..', '/'],
    ['/../../..', '/'],
    ['../etc/shadow', '/etc/shadow'],
    ['/boot/../../../etc/passwd', '/etc/passwd'],
    ['/a/../../b/..', '/'],
    ['/...', '/...'],
    ['/a/..b', '/a/..b'],
  ])('normalises %j to %j', (input, expected) => {
    expect(normaliseGuestPath(input)).toBe(expected);
  });
});

describe('isWithin', () => {
  it.each([
    ['/boot', '/boot', true],
    ['/boot/grub/grub.cfg', '/boot', true],
    ['/bootx', '/boot', false],
    ['/boot-efi/x', '/boot', false],
    ['/', '/boot', false],
    ['/bo', '/boot', false],
    ['/anything', '/', true],
    ['/', '/', true],
    ['/usr/local/bin', '/usr/local', true],
    ['/usr/localbin', '/usr/local', false],
    ['/usr', '/usr/local', false],
  ])('isWithin(%j, %j) is %s', (path, prefix, expected) => {
    expect(isWithin(path, prefix)).toBe(expected);
  });
});
