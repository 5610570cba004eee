/**
 * Text from an image (labels, file names, link targets, fstab fields) shown
 * to a person: control characters become \xNN and lone surrogates \uNNNN,
 * so a hostile name can neither break a one-line message nor drive the
 * terminal. JSON output needs none of this; JSON.stringify escapes it.
 */
export function printable(text: string): string {
  let out = '';
  for (const char of text) {
    const code = char.codePointAt(0)!;
    if (code < 0x20 || code === 0x7f || (code >= 0x80 && code < 0xa0)) {
      out += `\\x${code.toString(16).padStart(2, '0')}`;
    } else if (code >= 0xd800 && code <= 0xdfff) {
      out += `\\u${code.toString(16)}`;
    } else {
      out += char;
    }
  }
  return out;
}
