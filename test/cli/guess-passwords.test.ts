// Password guessing on the built code: its verifications run in worker
// threads loaded from dist/. Hashes come from openssl passwd and from Perl's
// crypt() (the system's libxcrypt).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { candidatesFor, guessPasswords, nameVariants } from '../../dist/rules/passwords/guess-passwords.js';
import { loadCommonPasswords } from '../../dist/rules/passwords/common-passwords.js';

function sha512(password: string, salt = 'saltsalt'): string {
  return execFileSync('openssl', ['passwd', '-6', '-salt', salt, password], { encoding: 'utf8' }).trim();
}

function libcCrypt(password: string, setting: string): string {
  return execFileSync('perl', ['-e', 'print crypt($ARGV[0], $ARGV[1])', password, setting], { encoding: 'utf8' });
}

const LONG_RANDOM = 'vX9#qL2!mZ7$wR4@tK8%';

describe('the common password list', () => {
  it('is John the Ripper\'s list in order, comments dropped, the empty password kept', async () => {
    const list = await loadCommonPasswords();
    const lines = readFileSync('data/common-passwords.lst', 'utf8').trimEnd().split('\n');
    expect(lines.filter((l) => !l.startsWith('#!comment:'))).toEqual([...list]);
    expect(list).toHaveLength(3546);
    expect(list.slice(0, 3)).toEqual(['123456', '12345', 'password']);
    expect(list).toContain('');
  });
});

describe('candidates', () => {
  it('tries the name and its variants first, then the list, without repeats', () => {
    expect(nameVariants('root')).toEqual(['root', 'toor', 'root123', 'root1', 'rootroot', 'Root']);
    expect(nameVariants('bob')).toEqual(['bob', 'bob123', 'bob1', 'bobbob', 'Bob']);
    expect(candidatesFor('admin', ['123456', 'admin', 'password'], 2)).toEqual(['admin', 'nimda', 'admin123', 'admin1', 'adminadmin', 'Admin', '123456']);
  });
});

describe('guessPasswords', () => {
  it('guesses a common password and the account name, not a long random one', async () => {
    const results = await guessPasswords([
      { account: 'alice', hash: sha512('123456') },
      { account: 'bob', hash: sha512('bob', 'pepper') },
      { account: 'carol', hash: sha512(LONG_RANDOM) },
      { account: 'dave', hash: sha512('evad') },
    ], { maxCandidates: 30, maxAccounts: 10 });
    expect(results.map((r) => [r.account, r.outcome, r.password, r.scheme])).toEqual([
      ['alice', 'guessed', '123456', 'sha512'],
      ['bob', 'guessed', 'bob', 'sha512'],
      ['carol', 'not-guessed', undefined, 'sha512'],
      ['dave', 'guessed', 'evad', 'sha512'],
    ]);
    expect(results[2]!.candidatesTried).toBe(6 + 30);
    for (const result of results) expect(result.candidatesTried).toBeGreaterThan(0);
  });

  it('finds the empty password, which the list holds', async () => {
    // openssl passwd will not hash an empty password; crypt() will.
    const [result] = await guessPasswords([{ account: 'erin', hash: libcCrypt('', '$6$saltsalt$') }], { maxCandidates: 30, maxAccounts: 1 });
    expect(result).toMatchObject({ outcome: 'guessed', password: '' });
  });

  it('tries exactly the first maxCandidates of the list: the last entry needs all of it', async () => {
    const hash = libcCrypt('sss', 'ab');
    const [all] = await guessPasswords([{ account: 'quux42', hash }], { maxCandidates: 3546, maxAccounts: 1 });
    expect(all).toMatchObject({ outcome: 'guessed', password: 'sss', scheme: 'des' });
    const [short] = await guessPasswords([{ account: 'quux42', hash }], { maxCandidates: 3545, maxAccounts: 1 });
    expect(short).toMatchObject({ outcome: 'not-guessed', candidatesTried: 6 + 3545 });
  });

  it('verifies bcrypt and md5 crypt', async () => {
    const results = await guessPasswords([
      { account: 'gina', hash: libcCrypt('password', '$2b$04$abcdefghijklmnopqrstuu') },
      { account: 'hank', hash: libcCrypt('qwerty', '$1$saltsalt$') },
    ], { maxCandidates: 100, maxAccounts: 2 });
    expect(results.map((r) => [r.outcome, r.password, r.scheme])).toEqual([['guessed', 'password', 'bcrypt'], ['guessed', 'qwerty', 'md5']]);
  });

  it('says unsupported for yescrypt, skipped-cap past maxAccounts, and keeps the order', async () => {
    const results = await guessPasswords([
      { account: 'ivy', hash: libcCrypt('123456', '$y$j9T$abcdefghijklmnop$') },
      { account: 'jack', hash: sha512('jack') },
      { account: 'kim', hash: sha512('123456') },
      { account: 'lee', hash: sha512('123456') },
    ], { maxCandidates: 5, maxAccounts: 2 });
    expect(results).toEqual([
      { account: 'ivy', outcome: 'unsupported', candidatesTried: 0, scheme: 'yescrypt' },
      { account: 'jack', outcome: 'guessed', password: 'jack', candidatesTried: expect.any(Number), scheme: 'sha512' },
      { account: 'kim', outcome: 'skipped-cap', candidatesTried: 0, scheme: 'sha512' },
      { account: 'lee', outcome: 'skipped-cap', candidatesTried: 0, scheme: 'sha512' },
    ]);
  });

  it('tries fewer common passwords on a costly hash, and none on one that would take hours', async () => {
    const results = await guessPasswords([
      { account: 'mia', hash: sha512(LONG_RANDOM, 'rounds=50000$saltsalt') },
      { account: 'ned', hash: `$6$rounds=999999999$saltsalt$${'A'.repeat(86)}` },
    ], { maxCandidates: 20, maxAccounts: 2 });
    expect(results[0]).toMatchObject({ outcome: 'not-guessed', candidatesTried: 6 + 2 });
    expect(results[0]!.note).toMatch(/2 of 20 common passwords tried/);
    expect(results[1]).toMatchObject({ outcome: 'unsupported', candidatesTried: 0, scheme: 'sha512' });
    expect(results[1]!.note).toMatch(/not tried/);
  });

  it('returns at once for no targets and refuses nonsense options', async () => {
    expect(await guessPasswords([], { maxCandidates: 10, maxAccounts: 10 })).toEqual([]);
    await expect(guessPasswords([], { maxCandidates: -1, maxAccounts: 10 })).rejects.toThrow(/maxCandidates/);
    await expect(guessPasswords([], { maxCandidates: 1, maxAccounts: 1.5 })).rejects.toThrow(/maxAccounts/);
  });
});
