// udev rules (udev(7)) that give a network interface a NAME when its MAC
// address matches: the persistent-net generator's lines and hand-written
// ones alike. Pure: rules text in, the MAC-to-name bindings out.

export interface UdevMacName {
  /** 1-based line where the rule starts. */
  line: number;
  /** 1-based line where it ends: the same line unless "\" continues it. */
  endLine: number;
  /** The MAC (or MAC pattern) as the rule writes it. */
  mac: string;
  name: string;
}

/** A key with its optional {attribute}, read where a pair starts; no comma or quote inside the braces, so a failed read stops at the next pair. */
const KEY = /[A-Za-z_]+(?:\{[^}",\s]*\})?/y;
const OPERATORS = ['==', '!=', '+=', '-=', ':=', '='];

interface RulePair {
  key: string;
  operator: string;
  value: string;
}

/**
 * The KEY op "value" pairs of one rule, read left to right as udev does:
 * pairs are separated by commas; a value is double-quoted, with escaped
 * quotes allowed inside. A pair udev would reject is skipped up to the next
 * comma; an unterminated value ends the rule. Each character is looked at
 * a bounded number of times, whatever the rule holds.
 */
function rulePairs(rule: string): RulePair[] {
  const pairs: RulePair[] = [];
  let at = 0;
  const skipBlanks = () => {
    while (at < rule.length && (rule[at] === ' ' || rule[at] === '\t')) at++;
  };
  const nextPair = () => {
    const comma = rule.indexOf(',', at);
    at = comma === -1 ? rule.length : comma + 1;
  };
  while (at < rule.length) {
    while (at < rule.length && (rule[at] === ',' || rule[at] === ' ' || rule[at] === '\t')) at++;
    KEY.lastIndex = at;
    const key = KEY.exec(rule)?.[0];
    if (key === undefined) {
      nextPair();
      continue;
    }
    at += key.length;
    skipBlanks();
    const operator = OPERATORS.find((op) => rule.startsWith(op, at));
    if (operator === undefined) {
      nextPair();
      continue;
    }
    at += operator.length;
    skipBlanks();
    if (rule[at] !== '"') {
      nextPair();
      continue;
    }
    let end = at + 1;
    while (end < rule.length && rule[end] !== '"') end += rule[end] === '\\' ? 2 : 1;
    if (end >= rule.length) break;
    pairs.push({ key, operator, value: rule.slice(at + 1, end) });
    at = end + 1;
  }
  return pairs;
}

/** The keys that match a device's MAC: ATTR{address}, ATTRS{address} (a parent's), and old udev's SYSFS{address}. */
const ADDRESS_KEYS = new Set(['ATTR{address}', 'ATTRS{address}', 'SYSFS{address}']);
/**
 * A value that names one card or one vendor's cards: at least one octet
 * pair spelled out. "?*" (any address) binds nothing.
 */
const NAMES_A_MAC = /[0-9a-fA-F]{2}[:-]/;

/**
 * Rules as udev reads them: a line ending in "\" goes on with the next; "#"
 * starts a comment line. The parts of a continued rule are collected and
 * joined once: joining as it goes copies the growing rule for each line.
 */
function ruleLines(text: string): { rule: string; line: number; endLine: number }[] {
  const physical = text.split(/\r?\n/);
  const rules: { rule: string; line: number; endLine: number }[] = [];
  for (let index = 0; index < physical.length; index++) {
    const line = index + 1;
    const parts: string[] = [];
    let part = physical[index]!;
    while (part.endsWith('\\') && index + 1 < physical.length) {
      parts.push(part.slice(0, -1));
      index++;
      part = physical[index]!;
    }
    parts.push(part);
    const rule = parts.join('');
    if (rule.trimStart().startsWith('#') || rule.trim() === '') continue;
    rules.push({ rule, line, endLine: index + 1 });
  }
  return rules;
}

export function parseUdevMacNames(text: string): UdevMacName[] {
  const found: UdevMacName[] = [];
  for (const { rule, line, endLine } of ruleLines(text)) {
    let mac: string | undefined;
    let name: string | undefined;
    for (const { key, operator, value } of rulePairs(rule)) {
      if (ADDRESS_KEYS.has(key) && operator === '==' && NAMES_A_MAC.test(value)) mac ??= value;
      else if (key === 'NAME' && (operator === '=' || operator === ':=') && value !== '') name = value;
    }
    if (mac !== undefined && name !== undefined) found.push({ line, endLine, mac, name });
  }
  return found;
}
