// SUSE's /etc/sysconfig/network/ifcfg-* (ifcfg(5), read by wicked and the
// older ifup scripts): shell variables; the interface is named by the file.
import type { NetworkInterfaceConfig } from '../guest-facts.js';
import { hasIpAddress, ifcfgSuffix } from './ifcfg-names.js';
import { macOrAsWritten } from './mac-address.js';
import { parseShellAssignments } from './shell-assignments.js';

const DHCP = new Set(['dhcp', 'dhcp4', 'dhcp6', 'dhcp+autoip']);
const STARTS_AT_BOOT = new Set(['auto', 'onboot', 'boot', 'nfsroot']);
/** Brought up when the device appears (hotplug) or gets a link (ifplugd): at boot for a card that is there. */
const STARTS_ON_EVENT = new Set(['hotplug', 'ifplugd']);
const STAYS_DOWN = new Set(['manual', 'off']);
/** SLES 9/10 named files after the card's MAC: ifcfg-eth-id-00:16:3e:12:34:56. */
const MAC_NAMED = /^[a-z]+-id-([0-9a-fA-F:]+)$/;

export function parseIfcfgSuse(text: string, path: string): NetworkInterfaceConfig[] {
  const variables = parseShellAssignments(text);
  const suffix = ifcfgSuffix(path);
  const bootproto = (variables.get('BOOTPROTO')?.value ?? 'static').toLowerCase();
  const startmode = variables.get('STARTMODE')?.value.toLowerCase();
  let method: NetworkInterfaceConfig['method'];
  if (suffix === 'lo') method = 'loopback';
  else if (DHCP.has(bootproto)) method = 'dhcp';
  else if (bootproto === 'static') method = hasIpAddress(variables) ? 'static' : 'manual';
  else if (bootproto === 'none') method = 'manual';
  else method = 'other';
  const config: NetworkInterfaceConfig = { stack: 'ifcfg-suse', method, source: { path } };
  // No STARTMODE: wicked's and the old scripts' defaults differ, so spotlint does not guess.
  if (startmode && (STARTS_AT_BOOT.has(startmode) || STARTS_ON_EVENT.has(startmode))) config.atBoot = true;
  else if (startmode && STAYS_DOWN.has(startmode)) config.atBoot = false;
  if (startmode && STARTS_ON_EVENT.has(startmode)) config.hotplug = true;
  const macNamed = MAC_NAMED.exec(suffix);
  if (macNamed) {
    config.macPin = { mac: macOrAsWritten(macNamed[1]!), source: { path } };
  } else if (!/-bus-/.test(suffix)) {
    // ifcfg-eth-bus-pci-... binds to a slot, not a name; any other suffix is the interface name.
    config.interface = suffix;
  }
  // LLADDR is not read: it sets the card's MAC, it does not choose the card.
  return [config];
}
