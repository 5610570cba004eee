/**
 * manifest.txt of an XVM2 package: one line per disk,
 * `<member name without .gz> <uncompressed size> <md5 hex>\n` (XVM2.md).
 */

export interface ManifestEntry {
  /** e.g. `hd0.img`: the disk member's name without `.gz`. */
  name: string;
  /** Uncompressed size in bytes. */
  size: bigint;
  /** 32 lowercase hex digits: the MD5 of the whole uncompressed image. */
  md5: string;
}

export function formatManifest(entries: readonly ManifestEntry[]): string {
  return entries.map((entry) => `${entry.name} ${entry.size} ${entry.md5}\n`).join('');
}

/**
 * The manifest's length in bytes once every MD5 is known: a line's length
 * does not depend on the digest's value, so the packager can reserve the
 * manifest's place in the archive before it has read any disk.
 */
export function manifestLength(entries: ReadonlyArray<Omit<ManifestEntry, 'md5'>>): number {
  return Buffer.byteLength(formatManifest(entries.map((entry) => ({ ...entry, md5: '0'.repeat(32) }))));
}

export type ManifestParse =
  | { ok: true; entries: ManifestEntry[] }
  | { ok: false; line: number; problem: string };

/** A manifest is small; anything larger than this is not one. */
export const MAX_MANIFEST_BYTES = 64 * 1024;

/** Strict: every line must have exactly the three fields, separated by single spaces. */
export function parseManifest(text: string): ManifestParse {
  if (Buffer.byteLength(text) > MAX_MANIFEST_BYTES) return { ok: false, line: 0, problem: `larger than ${MAX_MANIFEST_BYTES} bytes` };
  if (text.length > 0 && !text.endsWith('\n')) return { ok: false, line: text.split('\n').length, problem: 'the last line has no newline' };
  const lines = text.split('\n').slice(0, -1);
  const entries: ManifestEntry[] = [];
  for (const [index, line] of lines.entries()) {
    const fields = line.split(' ');
    if (fields.length !== 3) return { ok: false, line: index + 1, problem: `expected "NAME SIZE MD5" separated by single spaces, found ${fields.length} field${fields.length === 1 ? '' : 's'}` };
    const [name, size, md5] = fields as [string, string, string];
    if (!/^(0|[1-9][0-9]{0,19})$/.test(size)) return { ok: false, line: index + 1, problem: `size "${size}" is not a whole number of bytes` };
    if (!/^[0-9a-fA-F]{32}$/.test(md5)) return { ok: false, line: index + 1, problem: `md5 "${md5}" is not 32 hex digits` };
    entries.push({ name, size: BigInt(size), md5: md5.toLowerCase() });
  }
  return { ok: true, entries };
}
