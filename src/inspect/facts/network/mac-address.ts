// MAC addresses as the network stacks write them, in one form for rules to
// compare: lower-case hex pairs joined by ":".

/** Ethernet (6), FireWire/EUI-64 (8) and InfiniBand (20) hardware addresses. */
const ADDRESS_LENGTHS = new Set([6, 8, 20]);

/**
 * "aa:bb:cc:dd:ee:ff" for any way the stacks write one: upper or lower case,
 * ":" or "-" between octets, octets without their leading zero ("0:1b:..."),
 * and NetworkManager's old keyfile form, a list of decimal bytes
 * ("0;27;33;10;11;12;"). Undefined for anything else.
 */
export function normaliseMac(text: string): string | undefined {
  const trimmed = text.trim();
  if (trimmed.includes(';')) return fromDecimalList(trimmed);
  const octets = trimmed.split(/[:-]/);
  if (!ADDRESS_LENGTHS.has(octets.length)) return undefined;
  if (!octets.every((octet) => /^[0-9a-fA-F]{1,2}$/.test(octet))) return undefined;
  return octets.map((octet) => octet.toLowerCase().padStart(2, '0')).join(':');
}

/** The MAC as written when it cannot be normalised, so a rule still sees what the file says. */
export function macOrAsWritten(text: string): string {
  return normaliseMac(text) ?? text.trim();
}

function fromDecimalList(text: string): string | undefined {
  const bytes = text.split(';').filter((part) => part.trim() !== '');
  if (!ADDRESS_LENGTHS.has(bytes.length)) return undefined;
  const octets: string[] = [];
  for (const byte of bytes) {
    if (!/^\s*\d{1,3}\s*$/.test(byte)) return undefined;
    const value = Number(byte);
    if (value > 255) return undefined;
    octets.push(value.toString(16).padStart(2, '0'));
  }
  return octets.join(':');
}
