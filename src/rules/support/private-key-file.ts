// What kind of private key a file holds, and whether a passphrase protects
// it, from its text alone: OpenSSH's own format, the old PEM formats, PKCS#8
// and PuTTY's .ppk. Pure: text in, a description out.

export interface PrivateKeyDescription {
  format: 'openssh' | 'pem' | 'pkcs8' | 'putty';
  encrypted: boolean;
}

/** A 16384-bit RSA key in any of these formats is under 13 KiB; more than this is not a key file. */
export const MAX_PRIVATE_KEY_TEXT = 64 * 1024;

/** PROTOCOL.key: the binary body starts with this C string. */
const OPENSSH_MAGIC = Buffer.from('openssh-key-v1\0', 'latin1');
/** Cipher names are short ("aes256-ctr", "chacha20-poly1305@openssh.com"); a longer length field is corruption. */
const MAX_CIPHER_NAME_BYTES = 64;

const BEGIN_LINE = /^-----BEGIN ((?:OPENSSH |RSA |EC |DSA |ENCRYPTED )?PRIVATE KEY)-----[ \t]*\r?$/m;
const PUTTY_HEADER = /^\uFEFF?PuTTY-User-Key-File-[23]:/;

/**
 * The key a file's text holds, or undefined when it holds none that a
 * program could load (no armour, or an OpenSSH body that is not one).
 * Only the first MAX_PRIVATE_KEY_TEXT characters are looked at.
 */
export function describePrivateKey(text: string): PrivateKeyDescription | undefined {
  const head = text.length > MAX_PRIVATE_KEY_TEXT ? text.slice(0, MAX_PRIVATE_KEY_TEXT) : text;
  if (PUTTY_HEADER.test(head)) return describePuttyKey(head);
  const begin = BEGIN_LINE.exec(head);
  if (!begin) return undefined;
  const label = begin[1]!;
  const bodyStart = begin.index + begin[0].length;
  const bodyEnd = head.indexOf(`-----END ${label}-----`, bodyStart);
  // Without its END line the key is cut short, and no program would load it.
  if (bodyEnd < 0) return undefined;
  const body = head.slice(bodyStart, bodyEnd);
  switch (label) {
    case 'OPENSSH PRIVATE KEY': {
      const encrypted = opensshKeyEncrypted(body);
      return encrypted === undefined ? undefined : { format: 'openssh', encrypted };
    }
    case 'PRIVATE KEY':
      return { format: 'pkcs8', encrypted: false };
    case 'ENCRYPTED PRIVATE KEY':
      return { format: 'pkcs8', encrypted: true };
    default:
      // RFC 1421 headers come before the base64; OpenSSL writes Proc-Type and DEK-Info for a passphrase.
      return { format: 'pem', encrypted: /^Proc-Type:[ \t]*4,[ \t]*ENCRYPTED[ \t]*\r?$/im.test(body) };
  }
}

/** PuTTY writes "Encryption: none" or "Encryption: aes256-cbc" on the line after the header. */
function describePuttyKey(text: string): PrivateKeyDescription | undefined {
  const encryption = /^Encryption:[ \t]*(\S+)[ \t]*\r?$/m.exec(text)?.[1];
  return encryption === undefined ? undefined : { format: 'putty', encrypted: encryption !== 'none' };
}

/** Whether the openssh-key-v1 body names a cipher other than "none"; undefined when it is not such a body. */
function opensshKeyEncrypted(base64Body: string): boolean | undefined {
  const body = base64Body.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(body)) return undefined;
  const bytes = Buffer.from(body, 'base64');
  if (bytes.length < OPENSSH_MAGIC.length + 4 || !bytes.subarray(0, OPENSSH_MAGIC.length).equals(OPENSSH_MAGIC)) return undefined;
  const nameLength = bytes.readUInt32BE(OPENSSH_MAGIC.length);
  const nameStart = OPENSSH_MAGIC.length + 4;
  if (nameLength === 0 || nameLength > MAX_CIPHER_NAME_BYTES || nameStart + nameLength > bytes.length) return undefined;
  return bytes.toString('latin1', nameStart, nameStart + nameLength) !== 'none';
}
