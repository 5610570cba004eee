// NetworkManager connection profiles in keyfile format
// (nm-settings-keyfile(5)): GLib key files, one connection each, in
// /etc/NetworkManager/system-connections.
import type { NetworkInterfaceConfig } from '../guest-facts.js';
import { GLIB_KEYFILE_DIALECT, lastValue, parseIniSections, type IniEntry, type IniSection } from './ini-sections.js';
import { macOrAsWritten } from './mac-address.js';

/** Sections that carry a card's mac-address, under their short and their long (setting) names. */
const HARDWARE_SECTIONS = ['ethernet', '802-3-ethernet', 'wifi', '802-11-wireless', 'infiniband'];

const IP_METHODS: Record<string, NetworkInterfaceConfig['method']> = {
  auto: 'dhcp',
  dhcp: 'dhcp',
  manual: 'static',
  disabled: 'disabled',
  ignore: 'disabled',
};

/** GLib's escapes in key file values (\s for a leading space, \n, \t, \r, \\). */
function unescapeKeyfileValue(value: string): string {
  const escapes: Record<string, string> = { s: ' ', n: '\n', t: '\t', r: '\r', '\\': '\\' };
  return value.replace(/\\(.)/g, (whole, char: string) => escapes[char] ?? whole);
}

function value(sections: readonly IniSection[], section: string, key: string): IniEntry | undefined {
  const entry = lastValue(sections, section, key);
  return entry ? { ...entry, value: unescapeKeyfileValue(entry.value) } : undefined;
}

function ipMethod(sections: readonly IniSection[], type: string | undefined): NetworkInterfaceConfig['method'] {
  if (type === 'loopback') return 'loopback';
  // A port of a bond or bridge has no addresses of its own.
  if (value(sections, 'connection', 'master') || value(sections, 'connection', 'controller')) return 'other';
  // NetworkManager's default for IPv4 is auto (DHCP) when the file leaves it out.
  const ipv4 = IP_METHODS[value(sections, 'ipv4', 'method')?.value ?? 'auto'] ?? 'other';
  if (ipv4 !== 'disabled') return ipv4;
  const ipv6 = value(sections, 'ipv6', 'method')?.value;
  if (ipv6 === 'auto' || ipv6 === 'dhcp') return 'dhcp';
  if (ipv6 === 'manual') return 'static';
  return 'disabled';
}

export function parseNetworkManagerKeyfile(text: string, path: string): NetworkInterfaceConfig[] {
  const sections = parseIniSections(text, GLIB_KEYFILE_DIALECT);
  const connection = sections.find((section) => section.name === 'connection');
  if (!connection) return [];
  const type = value(sections, 'connection', 'type')?.value;
  const autoconnect = value(sections, 'connection', 'autoconnect')?.value.toLowerCase();
  const config: NetworkInterfaceConfig = {
    stack: 'networkmanager',
    method: ipMethod(sections, type),
    atBoot: !['false', 'no', '0'].includes(autoconnect ?? 'true'),
    source: { path, line: connection.line },
  };
  const interfaceName = value(sections, 'connection', 'interface-name')?.value;
  const matchNames = value(sections, 'match', 'interface-name')?.value;
  if (interfaceName) config.interface = interfaceName;
  else if (matchNames) config.namePattern = matchNames;
  for (const section of HARDWARE_SECTIONS) {
    // mac-address binds the profile to the card; cloned-mac-address only changes the card's MAC.
    const mac = value(sections, section, 'mac-address');
    if (mac && mac.value !== '') {
      config.macPin = { mac: macOrAsWritten(mac.value), source: { path, line: mac.line } };
      break;
    }
  }
  return [config];
}

/**
 * Files NetworkManager's keyfile plugin passes over in its directory: hidden
 * files, editor and package-manager leftovers.
 */
export function isIgnoredKeyfileName(name: string): boolean {
  return name.startsWith('.') || name.endsWith('~') || /\.(bak|orig|rej|swp|tmp|rpmnew|rpmsave|dpkg-[a-z]+|nmmeta)$/.test(name);
}
