// SSH keys in OpenSSH's own formats, made with node:crypto and converted by
// sshpk, so fixtures need no ssh-keygen on the machine running the tests.
import { generateKeyPairSync } from 'node:crypto';
import sshpk from 'sshpk';
import type { Tree } from '../build-image.js';

export type SshKeyType = 'ed25519' | 'rsa' | 'ecdsa';

export interface SshKeyPair {
  /** "-----BEGIN OPENSSH PRIVATE KEY-----" ..., as ssh-keygen writes it. */
  privateOpenssh: string;
  /** "ssh-ed25519 AAAA... comment", one line, as in a .pub file or authorized_keys. */
  publicSsh: string;
}

/** ssh-keygen's defaults: RSA 3072 bits, ECDSA on P-256. */
const DEFAULT_BITS: Record<SshKeyType, number> = { ed25519: 256, rsa: 3072, ecdsa: 256 };
const ECDSA_CURVES: Record<number, string> = { 256: 'P-256', 384: 'P-384', 521: 'P-521' };

function generatePem(type: SshKeyType, bits: number): string {
  const privateKeyEncoding = { type: 'pkcs8', format: 'pem' } as const;
  const publicKeyEncoding = { type: 'spki', format: 'pem' } as const;
  switch (type) {
    case 'ed25519':
      return generateKeyPairSync('ed25519', { privateKeyEncoding, publicKeyEncoding }).privateKey;
    case 'rsa':
      return generateKeyPairSync('rsa', { modulusLength: bits, privateKeyEncoding, publicKeyEncoding }).privateKey;
    case 'ecdsa': {
      const namedCurve = ECDSA_CURVES[bits];
      if (!namedCurve) throw new Error(`ecdsa keys come in 256, 384 or 521 bits, not ${bits}`);
      return generateKeyPairSync('ec', { namedCurve, privateKeyEncoding, publicKeyEncoding }).privateKey;
    }
  }
}

/** A fresh key pair; `comment` ends the public line, as ssh-keygen's user@host does. */
export function sshKeyPair(type: SshKeyType, bits = DEFAULT_BITS[type], comment = ''): SshKeyPair {
  const key = sshpk.parsePrivateKey(generatePem(type, bits), 'pem');
  key.comment = comment;
  const publicSsh = key.toPublic().toString('ssh').trim();
  return { privateOpenssh: key.toString('openssh'), publicSsh: `${publicSsh}\n` };
}

/** Host keys made once per test process: an RSA 3072 key costs most of a guest build, and no test needs them to differ. */
const hostKeyCache = new Map<string, SshKeyPair>();

/** The host keys openssh-server's postinst makes with `ssh-keygen -A`: ssh_host_<type>_key and .pub. */
export function addHostKeys(tree: Tree, types: readonly SshKeyType[], hostname: string, bits: Partial<Record<SshKeyType, number>> = {}): void {
  for (const type of types) {
    const cacheKey = `${type}/${bits[type] ?? DEFAULT_BITS[type]}/${hostname}`;
    const pair = hostKeyCache.get(cacheKey) ?? sshKeyPair(type, bits[type], `root@${hostname}`);
    hostKeyCache.set(cacheKey, pair);
    tree[`etc/ssh/ssh_host_${type}_key`] = pair.privateOpenssh;
    tree[`etc/ssh/ssh_host_${type}_key.pub`] = pair.publicSsh;
  }
}
