// Hashes come from the real tools: openssl passwd for MD5 and SHA crypt,
// and Perl's crypt(), which is the system's libxcrypt, for DES, bcrypt and
// the schemes spotlint cannot verify.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { cryptCost, verifyCrypt } from '../../src/rules/passwords/verify-crypt.js';

function openssl(flag: string, salt: string, password: string): string {
  return execFileSync('openssl', ['passwd', flag, '-salt', salt, password], { encoding: 'utf8' }).trim();
}

/** libxcrypt's crypt(3) through Perl; the password goes in as its UTF-8 bytes. */
function libcCrypt(password: string, setting: string): string {
  const hash = execFileSync('perl', ['-e', 'print crypt($ARGV[0], $ARGV[1])', password, setting], { encoding: 'utf8' });
  if (!hash || hash.startsWith('*')) throw new Error(`crypt() refused the setting ${setting}`);
  return hash;
}

describe('verifyCrypt', () => {
  it.each([
    ['md5', '-1', 'saltsalt'],
    ['sha256', '-5', 'saltsalt'],
    ['sha512', '-6', 'sixteencharsaltx'],
    ['sha512 with rounds', '-6', 'rounds=10000$saltsalt'],
    ['sha256 with rounds', '-5', 'rounds=1000$saltsalt'],
  ])('verifies %s crypt from openssl', (_, flag, salt) => {
    const hash = openssl(flag, salt, 'Tr0ub4dor&3');
    expect(verifyCrypt('Tr0ub4dor&3', hash)).toBe(true);
    expect(verifyCrypt('Tr0ub4dor&4', hash)).toBe(false);
    expect(verifyCrypt('', hash)).toBe(false);
  });

  it('verifies DES crypt, which only reads 8 characters', () => {
    const hash = libcCrypt('password', 'ab');
    expect(hash).toBe('abJnggxhB/yWI');
    expect(verifyCrypt('password', hash)).toBe(true);
    expect(verifyCrypt('password123', hash)).toBe(true);
    expect(verifyCrypt('passwor', hash)).toBe(false);
  });

  it.each(['$2a$', '$2b$', '$2y$'])('verifies %s bcrypt', (prefix) => {
    const hash = libcCrypt('hunter2', `${prefix}05$abcdefghijklmnopqrstuu`);
    expect(verifyCrypt('hunter2', hash)).toBe(true);
    expect(verifyCrypt('hunter3', hash)).toBe(false);
  });

  it('hashes the UTF-8 bytes of a password, as crypt(3) does', () => {
    expect(verifyCrypt('pässwörd', openssl('-1', 'abc', 'pässwörd'))).toBe(true);
    expect(verifyCrypt('pässwörd', openssl('-6', 'abc', 'pässwörd'))).toBe(true);
    expect(verifyCrypt('pässwörd', libcCrypt('pässwörd', 'ab'))).toBe(true);
    expect(verifyCrypt('passwort', libcCrypt('pässwörd', 'ab'))).toBe(false);
    expect(verifyCrypt('pässwörd', libcCrypt('pässwörd', '$2b$04$abcdefghijklmnopqrstuu'))).toBe(true);
  });

  it.each([
    ['yescrypt', '$y$j9T$abcdefghijklmnop$'],
    ['gost-yescrypt', '$gy$j9T$abcdefghijklmnop$'],
    ['scrypt', '$7$CU..../....abcdefghijklmnop$'],
    ['bsdi-des', '_J9..abcd'],
    ['sun-md5', '$md5$abcdefgh$'],
  ])('answers unsupported for %s', (_, setting) => {
    const hash = libcCrypt('secret', setting);
    expect(verifyCrypt('secret', hash)).toBe('unsupported');
    expect(verifyCrypt('other', hash)).toBe('unsupported');
  });

  it('answers unsupported for a hash of no known scheme, false for a malformed one of a known scheme', () => {
    expect(verifyCrypt('secret', 'NP')).toBe('unsupported');
    expect(verifyCrypt('secret', '$6$bad salt$abc')).toBe(false);
    expect(verifyCrypt('secret', '$6$saltsalt')).toBe(false);
    expect(verifyCrypt('secret', '$1$nosecond')).toBe(false);
    expect(verifyCrypt('secret', '$2b$04$short')).toBe(false);
  });
});

describe('cryptCost', () => {
  it('counts default SHA-512 crypts', () => {
    expect(cryptCost(openssl('-6', 'saltsalt', 'x'))).toBe(1);
    expect(cryptCost(openssl('-6', 'rounds=50000$saltsalt', 'x'))).toBe(10);
    expect(cryptCost('$6$rounds=999999999999$salt$abc')).toBe(999_999_999 / 5000); // glibc's ceiling
    expect(cryptCost(openssl('-1', 'saltsalt', 'x'))).toBeLessThan(1);
    expect(cryptCost('$2b$12$abcdefghijklmnopqrstuuyvPXIbu7xe6/CED2DzX8z6Si09MlzlW')).toBeCloseTo(16 * cryptCost('$2b$08$abcdefghijklmnopqrstuuyvPXIbu7xe6/CED2DzX8z6Si09MlzlW'));
    expect(cryptCost('$y$j9T$abc$def')).toBe(0);
  });
});
