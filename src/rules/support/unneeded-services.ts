// Services a server appliance rarely needs, with why, and how to stop one
// starting at boot on each init system. Pure: facts in, words out.
import type { EnabledService, GuestFacts } from '../../inspect/facts/guest-facts.js';
import { distroFamily } from './service-commands.js';

export interface UnneededService {
  /** Unit, script or job names (without .service/.socket), lower case. */
  names: string[];
  what: string;
  /** Why a SpotCloud appliance can do without it. */
  why: string;
}

/**
 * Desktop, printing, zeroconf, radio and clear-text login services. None of
 * them is something systemd itself enables (systemd-*, getty@), so a plain
 * install of a server distribution triggers nothing here.
 */
export const UNNEEDED_SERVICES: readonly UnneededService[] = [
  {
    names: ['cups', 'cupsd', 'org.cups.cupsd', 'cups-browsed'],
    what: 'the CUPS print server',
    why: 'an appliance in a provider\'s data centre has no printer to serve, and CUPS listens for print jobs (IPP, port 631)',
  },
  {
    names: ['avahi-daemon', 'dbus-org.freedesktop.avahi'],
    what: 'Avahi, the mDNS/DNS-SD responder',
    why: 'it announces the machine and its services on the local network, which at a provider means other customers\' machines, and answers on UDP port 5353',
  },
  {
    names: ['bluetooth', 'bluetoothd', 'dbus-org.bluez'],
    what: 'the Bluetooth daemon',
    why: 'a virtual machine has no Bluetooth radio',
  },
  {
    names: ['modemmanager', 'dbus-org.freedesktop.modemmanager1'],
    what: 'ModemManager',
    why: 'a virtual machine has no mobile broadband modem, and ModemManager probes serial ports at boot',
  },
  {
    names: ['display-manager', 'gdm', 'gdm3', 'lightdm', 'sddm', 'xdm', 'kdm', 'lxdm', 'slim', 'nodm', 'wdm'],
    what: 'a graphical login manager',
    why: 'SpotCloud gives no console to log in at, so a graphical login screen only costs memory and boot time (remote desktops run their own servers)',
  },
  {
    names: ['telnet', 'telnetd', 'rsh', 'rlogin', 'rexec', 'rshd', 'rlogind', 'rexecd', 'in.telnetd'],
    what: 'a clear-text remote login service like telnet, rsh, rlogin or rexec',
    why: 'it sends passwords unencrypted across the internet to wherever the provider is; ssh does the same job safely',
  },
  {
    names: ['xinetd', 'inetd', 'openbsd-inetd', 'inetutils-inetd'],
    what: 'an inetd super-server',
    why: 'it starts whatever its configuration lists (often telnet, rsh or the echo and chargen toys) on demand, out of sight of the list of services started at boot',
  },
  {
    names: ['wpa_supplicant'],
    what: 'the Wi-Fi supplicant',
    why: 'a virtual machine has no wireless card',
  },
  {
    names: ['pcscd'],
    what: 'the smart card daemon',
    why: 'a virtual machine has no card reader',
  },
];

/** The names a service answers to, for matching: without .service/.socket and without a template instance, lower case. */
export function matchNames(service: EnabledService): string[] {
  const names = new Set<string>();
  for (const name of [service.name, ...service.aliases]) {
    const lower = name.toLowerCase();
    const bare = lower.replace(/\.(service|socket)$/, '');
    names.add(lower);
    names.add(bare);
    const at = bare.indexOf('@');
    if (at > 0) names.add(bare.slice(0, at));
  }
  return [...names];
}

/** Whether a user's list (names with or without .service/.socket) names the service. */
export function listNames(list: readonly string[], service: EnabledService): string | undefined {
  const names = matchNames(service);
  return list.find((entry) => names.includes(entry.toLowerCase()));
}

export function unneededEntry(service: EnabledService): UnneededService | undefined {
  const names = matchNames(service);
  return UNNEEDED_SERVICES.find((entry) => entry.names.some((name) => names.includes(name)));
}

/** The command that stops `service` starting at boot, for the init system that starts it. */
export function disableCommand(service: EnabledService, facts: GuestFacts): string {
  const sysv = distroFamily(facts) === 'debian' ? `update-rc.d ${service.name} disable` : `chkconfig ${service.name} off`;
  switch (service.initSystem) {
    case 'systemd':
      return `systemctl disable --now ${service.name}`;
    case 'sysv':
      // A SysV script under systemd: systemctl hands it to update-rc.d or chkconfig.
      return facts.services.initSystem === 'systemd' ? `systemctl disable ${service.name} (which runs ${sysv})` : sysv;
    case 'upstart':
      return `echo manual > /etc/init/${service.name}.override`;
    case 'openrc': {
      const runlevel = /^\/etc\/runlevels\/([^/]+)\//.exec(service.enabledBy)?.[1] ?? 'default';
      return `rc-update del ${service.name} ${runlevel}`;
    }
  }
}
