// Checks a candidate password against a crypt(5) hash, for the schemes a
// JavaScript library can compute. The rest are reported, not guessed at.
import { createRequire } from 'node:module';
import bcrypt from 'bcryptjs';
import unixCryptDes from 'unix-crypt-td-js';
import { verify as verifyShaCrypt } from 'unixcrypt';
import { hashScheme } from '../../inspect/facts/accounts.js';
import type { HashScheme } from '../../inspect/facts/guest-facts.js';

// apache-md5 is CommonJS whose typings declare an ES default export, which
// an ES module's default import would not get: load it the CommonJS way.
const apacheMd5 = createRequire(import.meta.url)('apache-md5') as (password: string, salt: string) => string;

export const VERIFIABLE_SCHEMES: ReadonlySet<HashScheme> = new Set<HashScheme>(['des', 'md5', 'sha256', 'sha512', 'bcrypt']);

/** md5crypt reads at most 8 salt characters. */
const MD5_SALT_CHARS = 8;
/** SHA-crypt's rounds as glibc bounds them (crypt(5)). */
const SHA_ROUNDS_DEFAULT = 5000;
const SHA_ROUNDS_MIN = 1000;
const SHA_ROUNDS_MAX = 999_999_999;

/**
 * crypt(3) hashes the bytes of a password; the DES and MD5 libraries hash
 * the char codes of a string, so they get one char per UTF-8 byte.
 */
function byteString(text: string): string {
  return Buffer.from(text, 'utf8').toString('latin1');
}

function verifyMd5Crypt(candidate: string, hash: string): boolean {
  const end = hash.indexOf('$', 3);
  if (end < 0) return false;
  const salt = hash.slice(3, end).slice(0, MD5_SALT_CHARS);
  return apacheMd5(byteString(candidate), `$1$${salt}`) === hash;
}

/**
 * Whether `candidate` is the password of `hash`: true or false for DES,
 * md5crypt, SHA-256/512-crypt (rounds= honoured) and bcrypt; 'unsupported'
 * for the schemes no library here computes (yescrypt, gost-yescrypt,
 * scrypt, Sun MD5, BSDi DES, unknown).
 */
export function verifyCrypt(candidate: string, hash: string): boolean | 'unsupported' {
  const scheme = hashScheme(hash);
  if (!VERIFIABLE_SCHEMES.has(scheme)) return 'unsupported';
  try {
    switch (scheme) {
      case 'des': return unixCryptDes(byteString(candidate), hash.slice(0, 2)) === hash;
      case 'md5': return verifyMd5Crypt(candidate, hash);
      case 'bcrypt': return bcrypt.compareSync(candidate, hash);
      default: return verifyShaCrypt(candidate, hash);
    }
  } catch {
    // The libraries throw on a malformed hash, which no password matches (crypt(3) fails on it too).
    return false;
  }
}

/**
 * What one verification against `hash` costs, counted in SHA-512-crypts of
 * the default 5000 rounds (about 19 ms in Node); measured ratios, rounded up.
 * 0 for schemes that cannot be verified.
 */
export function cryptCost(hash: string): number {
  switch (hashScheme(hash)) {
    case 'des': return 0.03;
    case 'md5': return 0.1;
    case 'sha256':
    case 'sha512': {
      const match = /^\$[56]\$rounds=(\d+)\$/.exec(hash);
      const rounds = match ? Math.min(Math.max(Number(match[1]), SHA_ROUNDS_MIN), SHA_ROUNDS_MAX) : SHA_ROUNDS_DEFAULT;
      return rounds / SHA_ROUNDS_DEFAULT;
    }
    case 'bcrypt': {
      // bcryptjs takes ~25 ms at cost 8, and twice as long per step.
      const cost = Number(hash.slice(4, 6));
      return Number.isInteger(cost) ? 1.4 * 2 ** (cost - 8) : 1;
    }
    default: return 0;
  }
}
