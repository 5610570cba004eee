// Keys come from ssh-keygen at test time, so every line is one OpenSSH wrote.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readAuthorizedKeys } from '../../dist/inspect/facts/authorized-keys.js';
import { authorizedKeysPaths, parseAuthorizedKeys, splitOptions } from '../../src/inspect/facts/authorized-keys.js';
import type { Account, FactProblem } from '../../src/inspect/facts/guest-facts.js';
import { tempDir } from '../helpers/build-image.js';
import { openGuest, type OpenedGuest } from '../helpers/open-guest.js';

// Written by ssh-keygen -t dsa (OpenSSH 9.2p1), for an ssh-keygen that no longer makes DSA keys.
const COMMITTED_DSA_KEY = 'ssh-dss AAAAB3NzaC1kc3MAAACBAI7jemvAxVaGZ61a9wOJqbFQxXD8SpG1anOYzTJxe71uZw6t15P1Wym0M1yZ0a0bA8TldXWaQeN1yTJfnbophMxMuy9eC6g3NcFXevLc2gNyFy11NFy+DihNkTpl04niUsD6xHTcJkJDlKBGhJM/47Pok75GMa/uiK3hUyJP70VZAAAAFQD8g4tdT8Lo+JHHjJdHXVoVAq/mpwAAAIBTFykOOwHZ12d99hC59NO1CIQly3RkUC4sS670jKgTEbStoKNQU1mL+S/ZfPQ3Wwc4L/qdntvdGHtD87hvrIKaWx0zW5JIqo4YhmPOHjcXvae7NjzO/ZRPSu2G+Tt46sK53bNMmjMaHrMNHsc626ZGC/jRM+zB6t+u+G3k6PcS2QAAAIAcX0bkHEtK7NdTvHLZYqdXlwjM2L2vtlg0RpecwmWSKMAmOZtRNHrpovERYOwDqluQ6Rl5wDhIcDuhVjnrgV5WCJCfXjh6TqbIhVT7OFBfWhpmG9spqStglDRMPmIyxDRgLoRVHsON0AUH7GvAt111l1b3pwV5gnpfALPD6bSJPA== old@dsa';
const OS_RELEASE = readFileSync('test/data/distro/debian-12/base-files/usr/lib/os-release', 'utf8');

const keyDir = tempDir('keys');

/** A public key line from ssh-keygen, its comment replaced. */
function generate(name: string, args: string[], comment: string): string {
  const file = join(keyDir, name);
  execFileSync('ssh-keygen', ['-q', '-N', '', '-C', comment, '-f', file, ...args]);
  return readFileSync(`${file}.pub`, 'utf8').trim();
}

function dsaKey(): string {
  try {
    return generate('dsa', ['-t', 'dsa'], 'old@dsa');
  } catch {
    return COMMITTED_DSA_KEY;
  }
}

/** The base64 field of a key line. */
function blobOf(line: string): string {
  return line.split(' ')[1]!;
}

/** RFC 4251 strings. */
function wire(...fields: Buffer[]): string {
  return Buffer.concat(fields.flatMap((f) => [Buffer.from([0, 0, (f.length >> 8) & 0xff, f.length & 0xff]), f])).toString('base64');
}

let rsa1024: string;
let rsa3072: string;
let ed25519: string;
let ecdsa384: string;
let dsa: string;
let certificate: string;

beforeAll(() => {
  rsa1024 = generate('rsa1024', ['-t', 'rsa', '-b', '1024'], 'alice@laptop');
  rsa3072 = generate('rsa3072', ['-t', 'rsa', '-b', '3072'], 'bob');
  ed25519 = generate('ed25519', ['-t', 'ed25519'], 'carol at work');
  ecdsa384 = generate('ecdsa384', ['-t', 'ecdsa', '-b', '384'], 'dan');
  dsa = dsaKey();
  generate('ca', ['-t', 'ed25519'], 'ca');
  execFileSync('ssh-keygen', ['-q', '-s', join(keyDir, 'ca'), '-I', 'erin', '-n', 'erin', join(keyDir, 'ed25519.pub')]);
  certificate = readFileSync(join(keyDir, 'ed25519-cert.pub'), 'utf8').trim();
});

describe('parseAuthorizedKeys', () => {
  it('reads the key types ssh-keygen writes, with their sizes and comments', () => {
    const keys = parseAuthorizedKeys(['# my keys', '', rsa1024, rsa3072, ed25519, ecdsa384, dsa, certificate].join('\n'), '/root/.ssh/authorized_keys');
    expect(keys).toEqual([
      { line: 3, type: 'ssh-rsa', bits: 1024, comment: 'alice@laptop' },
      { line: 4, type: 'ssh-rsa', bits: 3072, comment: 'bob' },
      { line: 5, type: 'ssh-ed25519', bits: 256, comment: 'carol at work' },
      { line: 6, type: 'ecdsa-sha2-nistp384', bits: 384, comment: 'dan' },
      { line: 7, type: 'ssh-dss', bits: 1024, comment: 'old@dsa' },
      { line: 8, type: 'ssh-ed25519-cert-v01@openssh.com', bits: 256, comment: 'carol at work' },
    ]);
  });

  it('splits off options, quoted ones with blanks and escaped quotes included', () => {
    const lines = [
      `from="10.0.0.1",command="echo hi" ${ed25519}`,
      `command="echo \\"hello world\\"",no-pty ${rsa3072}`,
      `no-agent-forwarding\t${ed25519}`,
    ];
    expect(parseAuthorizedKeys(lines.join('\n'), 'k')).toEqual([
      { line: 1, type: 'ssh-ed25519', bits: 256, comment: 'carol at work', options: 'from="10.0.0.1",command="echo hi"' },
      { line: 2, type: 'ssh-rsa', bits: 3072, comment: 'bob', options: 'command="echo \\"hello world\\"",no-pty' },
      { line: 3, type: 'ssh-ed25519', bits: 256, comment: 'carol at work', options: 'no-agent-forwarding' },
    ]);
  });

  it('keeps lines sshd cannot use, with the reason', () => {
    const lines = [
      'this is garbage',
      `ssh-rsa ${blobOf(ed25519)} wrong type`,
      'ssh-ed25519 AAAA!!!!',
      `ssh-ed25519 ${blobOf(ed25519).slice(0, 40)}`,
      `command="no end ${ed25519}`,
      'ssh-ed25519',
      `ecdsa-sha2-nistp256 ${blobOf(ecdsa384)}`,
    ];
    const keys = parseAuthorizedKeys(lines.join('\n'), 'k');
    expect(keys.map((k) => [k.line, k.type, k.error !== undefined])).toEqual([
      [1, 'unknown', true], [2, 'ssh-rsa', true], [3, 'ssh-ed25519', true], [4, 'ssh-ed25519', true],
      [5, 'unknown', true], [6, 'ssh-ed25519', true], [7, 'ecdsa-sha2-nistp256', true],
    ]);
    expect(keys[0]!.error).toBe('no key type sshd knows where the key should start (found "is")');
    expect(keys[1]!.error).toBe('the line says ssh-rsa but the key data holds a key of type ssh-ed25519');
    expect(keys[3]!.error).toMatch(/^the key data cannot be read: /);
    expect(keys[2]!.error).toBe('the key data is not base64');
    expect(keys[4]!.error).toBe('the options field has an unterminated quote');
    expect(keys[5]!.error).toBe('no key data after ssh-ed25519');
    expect(keys[6]!.error).toBe('the line says ecdsa-sha2-nistp256 but the key data holds a key of type ecdsa-sha2-nistp384');
  });

  it('takes rsa-sha2 names for RSA keys, CRLF line ends and leading blanks', () => {
    const text = `  rsa-sha2-512 ${blobOf(rsa3072)} x\r\n\t${ed25519}\r\n`;
    expect(parseAuthorizedKeys(text, 'k')).toEqual([
      { line: 1, type: 'ssh-rsa', bits: 3072, comment: 'x' },
      { line: 2, type: 'ssh-ed25519', bits: 256, comment: 'carol at work' },
    ]);
  });

  it('reads FIDO security keys, which sshpk does not', () => {
    // Hand-built: making a real sk key needs a hardware token.
    const skEd = wire(Buffer.from('sk-ssh-ed25519@openssh.com'), Buffer.alloc(32, 7), Buffer.from('ssh:'));
    const skEcdsa = wire(Buffer.from('sk-ecdsa-sha2-nistp256@openssh.com'), Buffer.from('nistp256'), Buffer.alloc(65, 4), Buffer.from('ssh:'));
    const shortEd = wire(Buffer.from('sk-ssh-ed25519@openssh.com'), Buffer.alloc(31, 7), Buffer.from('ssh:'));
    const keys = parseAuthorizedKeys([
      `sk-ssh-ed25519@openssh.com ${skEd} yubikey`,
      `no-touch-required sk-ecdsa-sha2-nistp256@openssh.com ${skEcdsa}`,
      `sk-ssh-ed25519@openssh.com ${shortEd}`,
    ].join('\n'), 'k');
    expect(keys).toEqual([
      { line: 1, type: 'sk-ssh-ed25519@openssh.com', bits: 256, comment: 'yubikey' },
      { line: 2, type: 'sk-ecdsa-sha2-nistp256@openssh.com', bits: 256, options: 'no-touch-required' },
      { line: 3, type: 'sk-ssh-ed25519@openssh.com', error: 'the ed25519 key is not 32 bytes' },
    ]);
  });
});

describe('splitOptions', () => {
  it('ends the options at the first blank outside quotes', () => {
    expect(splitOptions('a="x y",b  rest of line')).toEqual({ options: 'a="x y",b', rest: 'rest of line' });
    expect(splitOptions('a="x \\" y" rest')).toEqual({ options: 'a="x \\" y"', rest: 'rest' });
    expect(splitOptions('a="x rest')).toEqual({ error: 'the options field has an unterminated quote' });
  });
});

describe('authorizedKeysPaths', () => {
  const alice = { name: 'alice', home: '/home/alice', uid: 1000 };

  it('expands tokens and makes relative paths relative to the home directory', () => {
    expect(authorizedKeysPaths(['.ssh/authorized_keys', '.ssh/authorized_keys2'], alice)).toEqual(['/home/alice/.ssh/authorized_keys', '/home/alice/.ssh/authorized_keys2']);
    expect(authorizedKeysPaths(['%h/.ssh/keys', '/etc/ssh/keys/%u', '/var/keys/%U', 'keys/100%%'], alice)).toEqual([
      '/home/alice/.ssh/keys', '/etc/ssh/keys/alice', '/var/keys/1000', '/home/alice/keys/100%',
    ]);
    expect(authorizedKeysPaths(['.ssh/authorized_keys'], { name: 'root', home: '/', uid: 0 })).toEqual(['/.ssh/authorized_keys']);
  });

  it('names no file for "none" or an unknown token, and no file twice', () => {
    expect(authorizedKeysPaths(['none'], alice)).toEqual([]);
    expect(authorizedKeysPaths(['/keys/%x', '%h/k', '/home/alice/k'], alice)).toEqual(['/home/alice/k']);
  });
});

describe('readAuthorizedKeys on a guest', () => {
  let opened: OpenedGuest;

  function account(name: string, uid: number, home: string): Account {
    return { name, uid, gid: uid, home, shell: '/bin/bash', loginShell: true, password: { kind: 'locked', source: { path: '/etc/shadow' } }, source: { path: '/etc/passwd' } };
  }

  beforeAll(async () => {
    opened = await openGuest({
      'etc/os-release': OS_RELEASE,
      'root/.ssh/authorized_keys': `${ed25519}\n`,
      'root/.ssh/authorized_keys2': `garbage\n${rsa1024}\n`,
      'home/alice/.ssh/': '',
      'etc/ssh/keys/bob': `${dsa}\n`,
      'home/big/.ssh/authorized_keys': Buffer.alloc(1024 * 1024 + 1, 0x23),
    });
  });
  afterAll(() => opened?.inspected.close());

  it('reads the files that exist, once per account that uses them', async () => {
    const accounts = [account('root', 0, '/root'), account('alice', 1000, '/home/alice'), account('bob', 1001, '/home/bob'), account('toor', 0, '/root')];
    const files = await readAuthorizedKeys(opened.guest, accounts, ['.ssh/authorized_keys', '.ssh/authorized_keys2', '/etc/ssh/keys/%u']);
    expect(files.map((f) => [f.account, f.path, f.keys.map((k) => k.error ? 'error' : `${k.type}/${k.bits}`)])).toEqual([
      ['root', '/root/.ssh/authorized_keys', ['ssh-ed25519/256']],
      ['root', '/root/.ssh/authorized_keys2', ['error', 'ssh-rsa/1024']],
      ['bob', '/etc/ssh/keys/bob', ['ssh-dss/1024']],
      ['toor', '/root/.ssh/authorized_keys', ['ssh-ed25519/256']],
      ['toor', '/root/.ssh/authorized_keys2', ['error', 'ssh-rsa/1024']],
    ]);
  });

  it('notes a file too big to read', async () => {
    const problems: FactProblem[] = [];
    const files = await readAuthorizedKeys(opened.guest, [account('big', 1002, '/home/big')], ['.ssh/authorized_keys'], problems);
    expect(files).toEqual([]);
    expect(problems).toEqual([{ path: '/home/big/.ssh/authorized_keys', message: expect.stringContaining('1048577 bytes') }]);
  });
});
