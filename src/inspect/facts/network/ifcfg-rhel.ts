// Red Hat's /etc/sysconfig/network-scripts/ifcfg-* (initscripts'
// sysconfig.txt, NetworkManager's ifcfg-rh plugin): shell variables.
import type { NetworkInterfaceConfig } from '../guest-facts.js';
import { hasIpAddress, ifcfgSuffix } from './ifcfg-names.js';
import { macOrAsWritten } from './mac-address.js';
import { isShellNo, parseShellAssignments } from './shell-assignments.js';

export function parseIfcfgRhel(text: string, path: string): NetworkInterfaceConfig[] {
  const variables = parseShellAssignments(text);
  const get = (key: string) => variables.get(key)?.value;
  const device = variables.get('DEVICE');
  const name = device?.value || ifcfgSuffix(path);
  const bootproto = (get('BOOTPROTO') ?? 'none').toLowerCase();
  let method: NetworkInterfaceConfig['method'];
  if (name === 'lo' || get('TYPE')?.toLowerCase() === 'loopback') method = 'loopback';
  else if (get('MASTER') || get('BRIDGE') || get('TEAM_MASTER')) method = 'other';
  else if (bootproto === 'dhcp' || bootproto === 'bootp') method = 'dhcp';
  // "none" and "static" both mean: the addresses written here, if any.
  else if (bootproto === 'none' || bootproto === 'static' || bootproto === '') method = hasIpAddress(variables) ? 'static' : 'manual';
  else method = 'other';
  const config: NetworkInterfaceConfig = {
    stack: 'ifcfg-rhel',
    interface: name,
    method,
    // The network service starts every ifcfg file not saying ONBOOT=no; so does NetworkManager.
    atBoot: !isShellNo(get('ONBOOT')),
    source: device ? { path, line: device.line } : { path },
  };
  // HWADDR binds the file to the card with that MAC: initscripts and
  // NetworkManager apply it to no other card (and rename the card to
  // DEVICE). MACADDR is different: it sets a new MAC on whatever card has
  // the name, so it pins nothing.
  const hwaddr = variables.get('HWADDR');
  if (hwaddr && hwaddr.value !== '') config.macPin = { mac: macOrAsWritten(hwaddr.value), source: { path, line: hwaddr.line } };
  return [config];
}
