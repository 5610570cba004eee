// Keys come from ssh-keygen and node:crypto at test time, so each is a file a
// real tool wrote; only the PuTTY ones are hand-written (no puttygen here).
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describePrivateKey, MAX_PRIVATE_KEY_TEXT } from '../../src/rules/support/private-key-file.js';
import { tempDir } from '../helpers/build-image.js';

/** A private key as `ssh-keygen -q <args> -f FILE` writes it. */
function sshKeygen(args: string[]): string {
  const file = join(tempDir('keygen'), 'key');
  execFileSync('ssh-keygen', ['-q', ...args, '-C', 'test@spotlint', '-f', file], { stdio: 'pipe' });
  return readFileSync(file, 'utf8');
}

function pkcs8(passphrase?: string): string {
  const encoding = passphrase === undefined ? {} : { cipher: 'aes-256-cbc', passphrase };
  return generateKeyPairSync('ed25519', { privateKeyEncoding: { type: 'pkcs8', format: 'pem', ...encoding }, publicKeyEncoding: { type: 'spki', format: 'pem' } }).privateKey;
}

// Hand-written in the layout PuTTYgen 0.78 saves (.ppk): the header lines are what matters; the blobs are placeholders.
function puttyKey(version: 2 | 3, encryption: string): string {
  const kdf = version === 3 && encryption !== 'none' ? 'Key-Derivation: Argon2id\nArgon2-Memory: 8192\nArgon2-Passes: 13\nArgon2-Parallelism: 1\nArgon2-Salt: 0123456789abcdef0123456789abcdef\n' : '';
  return `PuTTY-User-Key-File-${version}: ssh-ed25519\nEncryption: ${encryption}\nComment: ed25519-key-20240101\nPublic-Lines: 2\nAAAAC3NzaC1lZDI1NTE5AAAAIHB5Lz8wNQ2aVbq0hT0m3u1p4yq7nJ3kX8Kc3H\nM2dGVzdA==\n${kdf}Private-Lines: 1\nAAAAIGZha2UgcHJpdmF0ZSBrZXkgYnl0ZXMgZm9yIHRlc3Rpbmc=\nPrivate-MAC: 00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\n`;
}

describe('describePrivateKey', () => {
  it('reads the cipher name inside an OpenSSH key: none without a passphrase, a cipher with one', () => {
    expect(describePrivateKey(sshKeygen(['-t', 'ed25519', '-N', '']))).toEqual({ format: 'openssh', encrypted: false });
    expect(describePrivateKey(sshKeygen(['-t', 'ed25519', '-N', 'secret']))).toEqual({ format: 'openssh', encrypted: true });
  });

  it('takes a PEM key as encrypted only with its Proc-Type header', () => {
    const encrypted = sshKeygen(['-m', 'PEM', '-t', 'rsa', '-b', '2048', '-N', 'secret']);
    expect(encrypted).toContain('Proc-Type: 4,ENCRYPTED');
    expect(describePrivateKey(encrypted)).toEqual({ format: 'pem', encrypted: true });
    expect(describePrivateKey(sshKeygen(['-m', 'PEM', '-t', 'rsa', '-b', '2048', '-N', '']))).toEqual({ format: 'pem', encrypted: false });
    expect(describePrivateKey(sshKeygen(['-m', 'PEM', '-t', 'ecdsa', '-N', 'secret']))).toEqual({ format: 'pem', encrypted: true });
  });

  it('tells PKCS#8 keys apart by their armour', () => {
    expect(describePrivateKey(pkcs8())).toEqual({ format: 'pkcs8', encrypted: false });
    expect(describePrivateKey(pkcs8('secret'))).toEqual({ format: 'pkcs8', encrypted: true });
  });

  it('reads the Encryption line of PuTTY keys, versions 2 and 3', () => {
    expect(describePrivateKey(puttyKey(2, 'none'))).toEqual({ format: 'putty', encrypted: false });
    expect(describePrivateKey(puttyKey(2, 'aes256-cbc'))).toEqual({ format: 'putty', encrypted: true });
    expect(describePrivateKey(puttyKey(3, 'none'))).toEqual({ format: 'putty', encrypted: false });
    expect(describePrivateKey(puttyKey(3, 'aes256-cbc'))).toEqual({ format: 'putty', encrypted: true });
  });

  it('does not mistake base64 that happens to spell "bcrypt" or a comment saying ENCRYPTED for a passphrase', () => {
    const plain = sshKeygen(['-t', 'ed25519', '-N', '']);
    expect(describePrivateKey(`# ENCRYPTED with aes256-ctr and bcrypt, says this note\n${plain}`)).toEqual({ format: 'openssh', encrypted: false });
  });

  it('reads keys with CRLF line ends', () => {
    expect(describePrivateKey(sshKeygen(['-t', 'ed25519', '-N', 'secret']).replace(/\n/g, '\r\n'))).toEqual({ format: 'openssh', encrypted: true });
    expect(describePrivateKey(sshKeygen(['-m', 'PEM', '-t', 'ecdsa', '-N', 'secret']).replace(/\n/g, '\r\n'))).toEqual({ format: 'pem', encrypted: true });
  });

  it('finds no key in public keys, cut-short keys, corrupt OpenSSH bodies or text past the bound', () => {
    const file = join(tempDir('keygen'), 'key');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', file]);
    expect(describePrivateKey(readFileSync(`${file}.pub`, 'utf8'))).toBeUndefined();
    const plain = readFileSync(file, 'utf8');
    expect(describePrivateKey(plain.slice(0, plain.indexOf('-----END')))).toBeUndefined();
    expect(describePrivateKey('-----BEGIN OPENSSH PRIVATE KEY-----\nbm90IGFuIG9wZW5zc2gga2V5\n-----END OPENSSH PRIVATE KEY-----\n')).toBeUndefined();
    expect(describePrivateKey('-----BEGIN OPENSSH PRIVATE KEY-----\n%%% not base64 %%%\n-----END OPENSSH PRIVATE KEY-----\n')).toBeUndefined();
    expect(describePrivateKey('PuTTY-User-Key-File-3: ssh-ed25519\nComment: no encryption line\n')).toBeUndefined();
    expect(describePrivateKey(`${'#'.repeat(MAX_PRIVATE_KEY_TEXT)}\n${plain}`)).toBeUndefined();
  });
});
