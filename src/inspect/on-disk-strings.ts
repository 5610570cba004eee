/**
 * Strings stored in on-disk structures: fixed-size fields ended by a NUL
 * (or by the end of the field). Pure.
 */
export function fixedString(bytes: Buffer): string {
  const end = bytes.indexOf(0);
  return bytes.subarray(0, end === -1 ? bytes.length : end).toString('utf8');
}
