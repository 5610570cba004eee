// systemd-networkd's .network files (systemd.network(5)) and udev's .link
// files (systemd.link(5)) that name a card by its MAC address.
import type { NetworkInterfaceConfig } from '../guest-facts.js';
import { allValues, lastValue, parseIniSections, SYSTEMD_DIALECT, type IniEntry, type IniSection } from './ini-sections.js';
import { macOrAsWritten } from './mac-address.js';

/** systemd's booleans, and the DHCP= values that turn a DHCP client on. */
const DHCP_ON = new Set(['yes', 'true', 'on', '1', 'ipv4', 'ipv6', 'both']);
const YES = new Set(['yes', 'true', 'on', '1']);
/** ActivationPolicy= values that leave the link down until someone brings it up. */
const NOT_UP_AT_BOOT = new Set(['manual', 'down', 'always-down']);
const GLOB = /[*?[]/;

/**
 * A list setting of [Match] (Name=, MACAddress=): values are blank-separated,
 * repeated assignments add to the list and an empty one clears it.
 */
function matchList(sections: readonly IniSection[], key: string): { values: string[]; entry?: IniEntry } {
  let values: string[] = [];
  let entry: IniEntry | undefined;
  for (const assignment of allValues(sections, 'Match', key)) {
    const words = assignment.value.split(/\s+/).filter((word) => word !== '');
    if (words.length === 0) {
      values = [];
      entry = undefined;
    } else {
      values.push(...words);
      entry ??= assignment;
    }
  }
  return entry ? { values, entry } : { values };
}

/** The MAC a [Match] section binds the file to: MACAddress=, else PermanentMACAddress=. */
function matchMac(sections: readonly IniSection[], path: string): NetworkInterfaceConfig['macPin'] {
  for (const key of ['MACAddress', 'PermanentMACAddress']) {
    const { values, entry } = matchList(sections, key);
    // Several MACs may be listed; the first names the card the file was written for.
    if (entry && values.length > 0) return { mac: macOrAsWritten(values[0]!), source: { path, line: entry.line } };
  }
  return undefined;
}

function sourceOf(sections: readonly IniSection[], path: string): NetworkInterfaceConfig['source'] {
  const match = sections.find((section) => section.name === 'Match');
  return match ? { path, line: match.line } : { path };
}

/** A .network file: the links it matches and how it configures them. */
export function parseNetworkdNetwork(text: string, path: string): NetworkInterfaceConfig[] {
  const sections = parseIniSections(text, SYSTEMD_DIALECT);
  const dhcp = lastValue(sections, 'Network', 'DHCP');
  const hasAddress =
    allValues(sections, 'Network', 'Address').some((entry) => entry.value !== '') ||
    allValues(sections, 'Address', 'Address').some((entry) => entry.value !== '');
  const unmanaged = lastValue(sections, 'Link', 'Unmanaged');
  const activation = lastValue(sections, 'Link', 'ActivationPolicy');
  const config: NetworkInterfaceConfig = {
    stack: 'systemd-networkd',
    method: dhcp && DHCP_ON.has(dhcp.value.toLowerCase()) ? 'dhcp' : hasAddress ? 'static' : 'other',
    atBoot: !(unmanaged && YES.has(unmanaged.value.toLowerCase())) && !(activation && NOT_UP_AT_BOOT.has(activation.value.toLowerCase())),
    source: sourceOf(sections, path),
  };
  const names = matchList(sections, 'Name').values;
  if (names.length === 1 && !GLOB.test(names[0]!) && !names[0]!.startsWith('!')) config.interface = names[0]!;
  else if (names.length > 0) config.namePattern = names.join(' ');
  const macPin = matchMac(sections, path);
  if (macPin) config.macPin = macPin;
  return [config];
}

/**
 * A .link file that matches a card by MAC and gives it a Name=: the card
 * with that MAC gets the name, any other card does not. Other .link files
 * (the default naming policy, MTU or offload settings) pin nothing and give
 * no configuration.
 */
export function parseNetworkdLink(text: string, path: string): NetworkInterfaceConfig[] {
  const sections = parseIniSections(text, SYSTEMD_DIALECT);
  const macPin = matchMac(sections, path);
  const name = lastValue(sections, 'Link', 'Name');
  if (!macPin || !name || name.value === '') return [];
  return [{ stack: 'systemd-networkd', interface: name.value, method: 'other', macPin, source: sourceOf(sections, path) }];
}

/** A .network or .link file, by its name. */
export function parseSystemdNetworkd(text: string, path: string): NetworkInterfaceConfig[] {
  if (path.endsWith('.network')) return parseNetworkdNetwork(text, path);
  if (path.endsWith('.link')) return parseNetworkdLink(text, path);
  return [];
}
