// udev rules (udev(7)) that give a network interface a NAME when its MAC
// address matches: the persistent-net generator's lines and hand-written
// ones alike. Pure: rules text in, the MAC-to-name bindings out.

export interface UdevMacName {
  /** 1-based line where the rule starts. */
  line: number;
  /** The MAC (or MAC pattern) as the rule writes it. */
  mac: string;
  name: string;
}

/** KEY, KEY{attr}; operator; "value" (escaped quotes allowed inside). */
const PAIR = /([A-Za-z_]+(?:\{[^}]*\})?)\s*(==|!=|\+=|-=|:=|=)\s*"((?:[^"\\]|\\.)*)"/g;
/** The keys that match a device's MAC: ATTR{address}, ATTRS{address} (a parent's), and old udev's SYSFS{address}. */
const ADDRESS_KEYS = new Set(['ATTR{address}', 'ATTRS{address}', 'SYSFS{address}']);
/**
 * A value that names one card or one vendor's cards: at least one octet
 * pair spelled out. "?*" (any address) binds nothing.
 */
const NAMES_A_MAC = /[0-9a-fA-F]{2}[:-]/;

/** Rules as udev reads them: a line ending in "\" goes on with the next; "#" starts a comment line. */
function ruleLines(text: string): { rule: string; line: number }[] {
  const physical = text.split(/\r?\n/);
  const rules: { rule: string; line: number }[] = [];
  for (let index = 0; index < physical.length; index++) {
    const line = index + 1;
    let rule = physical[index]!;
    while (rule.endsWith('\\') && index + 1 < physical.length) {
      index++;
      rule = `${rule.slice(0, -1)}${physical[index]!}`;
    }
    if (rule.trimStart().startsWith('#') || rule.trim() === '') continue;
    rules.push({ rule, line });
  }
  return rules;
}

export function parseUdevMacNames(text: string): UdevMacName[] {
  const found: UdevMacName[] = [];
  for (const { rule, line } of ruleLines(text)) {
    let mac: string | undefined;
    let name: string | undefined;
    for (const [, key, operator, value] of rule.matchAll(PAIR)) {
      if (ADDRESS_KEYS.has(key!) && operator === '==' && NAMES_A_MAC.test(value!)) mac ??= value;
      else if (key === 'NAME' && (operator === '=' || operator === ':=') && value !== '') name = value;
    }
    if (mac !== undefined && name !== undefined) found.push({ line, mac, name });
  }
  return found;
}
