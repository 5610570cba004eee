// The ssh public keys that let people log in to accounts: the files sshd's
// AuthorizedKeysFile names, read line by line as sshd reads them
// (sshd(8) "AUTHORIZED_KEYS FILE FORMAT").
import sshpk from 'sshpk';
import type { GuestTree } from '../guest/guest-tree.js';
import type { Account, FactProblem } from './guest-facts.js';
import { readGuestText } from './read-guest-text.js';
import { trimTrailing } from './trim-trailing.js';

export interface AuthorizedKey {
  /** 1-based line in the file. */
  line: number;
  /** The key's type as its data names it ("ssh-rsa", "ssh-ed25519", "sk-ssh-ed25519@openssh.com" ...); "unknown" when the line names none. */
  type: string;
  /** RSA modulus, DSA prime or curve size. */
  bits?: number;
  comment?: string;
  /** The options field as written (from="...",command="..."). */
  options?: string;
  /** Why sshd could not use the line. */
  error?: string;
}

export interface AuthorizedKeysFile {
  account: string;
  path: string;
  keys: AuthorizedKey[];
}

/** sshd reads authorized_keys files of any size; spotlint reads 1 MiB of each. */
export const MAX_AUTHORIZED_KEYS_BYTES = 1024 * 1024;
export const MAX_AUTHORIZED_KEYS_LINES = 100_000;
/** Distinct files read for one guest: accounts x AuthorizedKeysFile patterns. */
export const MAX_AUTHORIZED_KEYS_FILES = 1000;

type KeyFamily = 'rsa' | 'dsa' | 'ecdsa' | 'ed25519' | 'sk-ecdsa' | 'sk-ed25519';

interface KeyTypeInfo {
  family: KeyFamily;
  /** The type name inside the key data (rsa-sha2-* lines hold ssh-rsa keys). */
  blobType: string;
  curve?: string;
  certificate?: boolean;
}

const PLAIN_KEY_TYPES: Record<string, KeyTypeInfo> = {
  'ssh-rsa': { family: 'rsa', blobType: 'ssh-rsa' },
  // sshd takes the signature names for the RSA key type too.
  'rsa-sha2-256': { family: 'rsa', blobType: 'ssh-rsa' },
  'rsa-sha2-512': { family: 'rsa', blobType: 'ssh-rsa' },
  'ssh-dss': { family: 'dsa', blobType: 'ssh-dss' },
  'ecdsa-sha2-nistp256': { family: 'ecdsa', blobType: 'ecdsa-sha2-nistp256', curve: 'nistp256' },
  'ecdsa-sha2-nistp384': { family: 'ecdsa', blobType: 'ecdsa-sha2-nistp384', curve: 'nistp384' },
  'ecdsa-sha2-nistp521': { family: 'ecdsa', blobType: 'ecdsa-sha2-nistp521', curve: 'nistp521' },
  'ssh-ed25519': { family: 'ed25519', blobType: 'ssh-ed25519' },
  'sk-ecdsa-sha2-nistp256@openssh.com': { family: 'sk-ecdsa', blobType: 'sk-ecdsa-sha2-nistp256@openssh.com', curve: 'nistp256' },
  'sk-ssh-ed25519@openssh.com': { family: 'sk-ed25519', blobType: 'sk-ssh-ed25519@openssh.com' },
};

const CERTIFICATE_SUFFIX = '-cert-v01@openssh.com';

/** The key types sshd reads in authorized_keys, certificates included. */
function keyTypeInfo(name: string): KeyTypeInfo | undefined {
  const plain = PLAIN_KEY_TYPES[name];
  if (plain) return plain;
  if (!name.endsWith(CERTIFICATE_SUFFIX)) return undefined;
  // ssh-ed25519-cert-v01@openssh.com certifies an ssh-ed25519 key, sk-ssh-ed25519-cert-v01@openssh.com an sk-ssh-ed25519@openssh.com one.
  const certified = name.slice(0, -CERTIFICATE_SUFFIX.length);
  const base = PLAIN_KEY_TYPES[certified.startsWith('sk-') ? `${certified}@openssh.com` : certified];
  return base ? { ...base, blobType: name, certificate: true } : undefined;
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const SK_ED25519_KEY_BYTES = 32;
const SK_KEY_BITS = 256;

/** Reads the length-prefixed strings of the SSH wire format (RFC 4251 section 5). */
function readWireStrings(data: Buffer, count: number): Buffer[] | undefined {
  const strings: Buffer[] = [];
  let offset = 0;
  while (strings.length < count) {
    if (offset + 4 > data.length) return undefined;
    const length = data.readUInt32BE(offset);
    offset += 4;
    if (offset + length > data.length) return undefined;
    strings.push(data.subarray(offset, offset + length));
    offset += length;
  }
  return offset === data.length ? strings : undefined;
}

/** FIDO keys, which sshpk does not read: type, (curve, point | key), application. */
function securityKeyBits(info: KeyTypeInfo, data: Buffer): number {
  const fields = readWireStrings(data, info.family === 'sk-ecdsa' ? 4 : 3);
  if (!fields) throw new Error('the key data is truncated or has bytes left over');
  if (fields[0]!.toString('latin1') !== info.blobType) throw new Error(`the key data holds a ${fields[0]!.toString('latin1')} key`);
  if (info.family === 'sk-ed25519' && fields[1]!.length !== SK_ED25519_KEY_BYTES) throw new Error('the ed25519 key is not 32 bytes');
  if (info.family === 'sk-ecdsa' && fields[1]!.toString('latin1') !== info.curve) throw new Error(`the key data is on curve ${fields[1]!.toString('latin1')}, not ${info.curve}`);
  return SK_KEY_BITS;
}

function sshpkTypeName(key: sshpk.Key): string {
  switch (key.type) {
    case 'rsa': return 'ssh-rsa';
    case 'dsa': return 'ssh-dss';
    case 'ecdsa': return `ecdsa-sha2-${key.curve ?? 'unknown'}`;
    case 'ed25519': return 'ssh-ed25519';
    default: return key.type;
  }
}

/** Decodes one key: its type as the data names it and its size; throws with the reason sshd would not use it. */
function decodeKey(typeName: string, info: KeyTypeInfo, base64: string): { type: string; bits: number } {
  if (!BASE64.test(base64)) throw new Error('the key data is not base64');
  const data = Buffer.from(base64, 'base64');
  if (info.family === 'sk-ecdsa' || info.family === 'sk-ed25519') {
    if (info.certificate) throw new Error(`spotlint cannot read ${typeName} certificates`);
    return { type: info.blobType, bits: securityKeyBits(info, data) };
  }
  if (info.certificate) {
    const certificate = sshpk.parseCertificate(`${typeName} ${base64}`, 'openssh');
    return { type: typeName, bits: certificate.subjectKey.size };
  }
  const key = sshpk.parseKey(data, 'rfc4253');
  if (key instanceof sshpk.PrivateKey) throw new Error('a private key: authorized_keys takes public keys');
  const type = sshpkTypeName(key);
  if (type !== info.blobType) throw new Error(`the line says ${typeName} but the key data holds a key of type ${type}`);
  return { type, bits: key.size };
}

/**
 * Splits a leading options field off, as sshd does: it runs to the first
 * blank outside double quotes, and \" inside quotes does not end them.
 */
export function splitOptions(text: string): { options: string; rest: string } | { error: string } {
  let quoted = false;
  let end = 0;
  for (; end < text.length && (quoted || (text[end] !== ' ' && text[end] !== '\t')); end++) {
    if (text[end] === '\\' && text[end + 1] === '"') end++;
    else if (text[end] === '"') quoted = !quoted;
  }
  if (quoted) return { error: 'the options field has an unterminated quote' };
  return { options: text.slice(0, end), rest: text.slice(end).replace(/^[ \t]+/, '') };
}

function parseKeyLine(text: string, line: number): AuthorizedKey {
  let keyPart = text;
  let options: string | undefined;
  const firstToken = text.split(/[ \t]/, 1)[0]!;
  if (!keyTypeInfo(firstToken)) {
    const split = splitOptions(text);
    if ('error' in split) return { line, type: 'unknown', error: split.error };
    options = split.options;
    keyPart = split.rest;
  }
  const [typeName = '', base64 = '', ...commentWords] = keyPart.split(/[ \t]+/);
  const info = keyTypeInfo(typeName);
  if (!info) {
    const seen = typeName === '' ? 'nothing' : `"${typeName.slice(0, 40)}"`;
    return { line, type: 'unknown', error: `no key type sshd knows where the key should start (found ${seen})` };
  }
  const comment = commentWords.join(' ').trim();
  const key: AuthorizedKey = { line, type: info.blobType };
  if (comment !== '') key.comment = comment;
  if (options !== undefined) key.options = options;
  if (base64 === '') return { ...key, error: `no key data after ${typeName}` };
  try {
    const decoded = decodeKey(typeName, info, base64);
    return { ...key, type: decoded.type, bits: decoded.bits };
  } catch (error) {
    // sshpk says "Failed to parse (unnamed) as a valid rfc4253 format key: <why>"; the why is the news.
    const reason = (error as Error).message.replace(/^Failed to parse .*? as a valid \S+ format (?:key|certificate): /, '');
    return { ...key, error: reason.startsWith('the ') ? reason : `the key data cannot be read: ${reason}` };
  }
}

/**
 * The keys of an authorized_keys file, one per line that is not blank or a
 * "#" comment. A line sshd could not use is kept, with `error` saying why.
 * `path` names the file the text came from; the keys' lines refer to it.
 */
export function parseAuthorizedKeys(text: string, path: string): AuthorizedKey[] {
  const keys: AuthorizedKey[] = [];
  const lines = text.split('\n');
  const count = Math.min(lines.length, MAX_AUTHORIZED_KEYS_LINES);
  for (let index = 0; index < count; index++) {
    const trimmed = trimTrailing(lines[index]!.replace(/\r$/, '').replace(/^[ \t]+/, ''), ' \t');
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    keys.push(parseKeyLine(trimmed, index + 1));
  }
  return keys;
}

/**
 * The files an AuthorizedKeysFile setting names for one account
 * (sshd_config(5)): %% is "%", %h the home directory, %u the user name, %U
 * the user id; a path that is not absolute after that is relative to the
 * home directory. "none" names no file; a pattern with another %-token
 * makes sshd fail, so it names no file either.
 */
export function authorizedKeysPaths(patterns: string[], account: { name: string; home: string; uid: number }): string[] {
  const paths: string[] = [];
  for (const pattern of patterns) {
    if (pattern.toLowerCase() === 'none') continue;
    let unknownToken = false;
    const expanded = pattern.replace(/%(.?)/g, (_, token: string) => {
      switch (token) {
        case '%': return '%';
        case 'h': return account.home;
        case 'u': return account.name;
        case 'U': return String(account.uid);
        default:
          unknownToken = true;
          return '';
      }
    });
    if (unknownToken || expanded === '') continue;
    const path = expanded.startsWith('/') ? expanded : `${account.home.replace(/\/+$/, '')}/${expanded}`;
    if (!paths.includes(path)) paths.push(path);
  }
  return paths;
}

/**
 * Reads every account's authorized keys files that exist, once each even
 * when accounts share them. Files that exist but cannot be read, or are
 * larger than MAX_AUTHORIZED_KEYS_BYTES, go to `problems`.
 */
export async function readAuthorizedKeys(guest: GuestTree, accounts: Account[], patterns: string[], problems: FactProblem[] = []): Promise<AuthorizedKeysFile[]> {
  const parsed = new Map<string, AuthorizedKey[] | undefined>();
  const files: AuthorizedKeysFile[] = [];
  for (const account of accounts) {
    for (const path of authorizedKeysPaths(patterns, account)) {
      if (!parsed.has(path)) {
        if (parsed.size >= MAX_AUTHORIZED_KEYS_FILES) {
          problems.push({ path, message: `more than ${MAX_AUTHORIZED_KEYS_FILES} authorized keys files; the rest were not read` });
          return files;
        }
        const text = await readGuestText(guest, path, problems, MAX_AUTHORIZED_KEYS_BYTES);
        parsed.set(path, text === undefined ? undefined : parseAuthorizedKeys(text, path));
      }
      const keys = parsed.get(path);
      if (keys) files.push({ account: account.name, path, keys });
    }
  }
  return files;
}
