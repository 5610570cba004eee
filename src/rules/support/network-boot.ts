// Which of the network configurations found in the guest are applied at
// boot: a configuration counts only when the stack that reads it runs.
// What runs is decided by the enabled services (networking for ifupdown,
// NetworkManager, systemd-networkd, network for Red Hat's initscripts,
// wicked), netplan by whether it is installed and the renderer it
// generates for, and NetworkManager's plugins by its configuration.
import type { GuestFacts, NetworkInterfaceConfig, NetworkStack } from '../../inspect/facts/guest-facts.js';
import { findEnabledService } from '../../inspect/facts/services/find-service.js';
import type { NetworkManagerSettings } from './networkmanager-settings.js';
import type { NetplanRenderers } from './netplan-renderers.js';
import { distroFamily, enableServiceCommand } from './service-commands.js';

/** ifupdown's boot service: Debian's networking (systemd, SysV, OpenRC), Ubuntu's Upstart jobs. */
export const IFUPDOWN_SERVICES = ['networking', 'network-interface', 'ifupdown'];
export const NETWORKMANAGER_SERVICES = ['NetworkManager', 'network-manager'];
export const NETWORKD_SERVICES = ['systemd-networkd'];
/** Red Hat's initscripts (network-scripts); on SUSE "network" is wicked's alias. */
export const LEGACY_NETWORK_SERVICES = ['network'];
export const WICKED_SERVICES = ['wicked', 'network'];

/**
 * Names of the links systemd's own templates in /usr/lib/systemd/network
 * configure: a container's host0 and the host side of containers, VMs and
 * 6rd tunnels. None is the card a provider's VM boots with.
 */
const HOST_SIDE_LINK = /^(host0|ve-.*|vb-.*|vz-.*|vt-.*|6rd-.*)$/;

export interface NetworkBootInputs {
  /** NetworkManager's settings; undefined when it has no configuration to read. */
  networkManager?: NetworkManagerSettings;
  netplanInstalled: boolean;
  netplanRenderers: NetplanRenderers;
}

export interface IgnoredConfig {
  config: NetworkInterfaceConfig;
  /** Why it is not applied, and what would make it count, in words. */
  why: string;
}

export interface BootNetwork {
  /** The init system's services were read: without them every configured stack is taken to run. */
  servicesKnown: boolean;
  applied: NetworkInterfaceConfig[];
  ignored: IgnoredConfig[];
  /** NetworkManager runs and gives a card with no profile of its own its default DHCP profile. */
  networkManagerDefaultDhcp: boolean;
  /** When NetworkManager runs but its default DHCP profile does not count: why, in words. */
  networkManagerNoDefault?: string;
  networkManagerRuns: boolean;
  /** ifupdown brings up its interfaces at boot (itself, or through NetworkManager). */
  ifupdownRuns: boolean;
  /**
   * The network stacks the enabled services start at boot, by name, whether
   * or not a configuration of theirs exists (systemd-networkd with no
   * .network file still runs); netplan is a generator, counted through the
   * stack it renders for.
   */
  running: string[];
}

export const STACK_NAMES: Record<NetworkStack, string> = {
  ifupdown: 'ifupdown',
  netplan: 'netplan',
  'systemd-networkd': 'systemd-networkd',
  networkmanager: 'NetworkManager',
  'ifcfg-rhel': 'Red Hat ifcfg',
  'ifcfg-suse': 'wicked',
};

/** A card or pattern only systemd's host-side templates name. */
export function isHostSideLink(config: NetworkInterfaceConfig): boolean {
  const names = (config.interface ?? config.namePattern ?? '').split(/\s+/).filter((name) => name !== '');
  return names.length > 0 && names.every((name) => HOST_SIDE_LINK.test(name));
}

export function netplanRendererOf(config: NetworkInterfaceConfig, renderers: NetplanRenderers): 'networkd' | 'NetworkManager' {
  return renderers.byDefinition.get(`${config.source.path}:${config.source.line}`) ?? renderers.global;
}

export function decideBootNetwork(facts: GuestFacts, inputs: NetworkBootInputs): BootNetwork {
  const servicesKnown = facts.services.initSystem !== 'unknown';
  const enabled = (names: string[]) => !servicesKnown || findEnabledService(facts.services, names) !== undefined;
  const family = distroFamily(facts);
  const nm = inputs.networkManager;
  const networkManagerRuns = enabled(NETWORKMANAGER_SERVICES) && (servicesKnown || nm !== undefined);
  const nmPlugin = (plugin: string) => networkManagerRuns && (nm?.plugins.includes(plugin) ?? false);
  const ifupdownItself = enabled(IFUPDOWN_SERVICES) && (servicesKnown || facts.network.stacks.includes('ifupdown'));
  const ifupdownRuns = ifupdownItself || (nmPlugin('ifupdown') && nm!.ifupdownManaged);
  const netplanNetworkd = inputs.netplanInstalled && facts.network.interfaces.some((c) => c.stack === 'netplan' && netplanRendererOf(c, inputs.netplanRenderers) === 'networkd');
  // netplan's generator enables systemd-networkd at boot whenever it writes a configuration for it.
  const networkdRuns = enabled(NETWORKD_SERVICES) || netplanNetworkd;
  const legacyRuns = family !== 'suse' && enabled(LEGACY_NETWORK_SERVICES);
  // Red Hat builds NetworkManager with the ifcfg-rh plugin as its default.
  const ifcfgByNm = networkManagerRuns && (nmPlugin('ifcfg-rh') || (nm === undefined && family === 'redhat'));
  const wickedRuns = family === 'suse' ? enabled(WICKED_SERVICES) : enabled(['wicked']);

  const command = (service: string) => enableServiceCommand(facts, service);
  const notRunning = (config: NetworkInterfaceConfig): string | undefined => {
    switch (config.stack) {
      case 'ifupdown':
        if (ifupdownRuns) return undefined;
        if (networkManagerRuns && nm?.plugins.includes('ifupdown')) return `ifupdown's networking service is not enabled, and NetworkManager leaves the interfaces /etc/network/interfaces names alone ([ifupdown] managed=false); enable it with ${command('networking')}`;
        return `ifupdown's networking service is not enabled at boot (${command('networking')})`;
      case 'netplan': {
        if (!inputs.netplanInstalled) return 'netplan is not installed, so nothing reads /etc/netplan at boot';
        const renderer = netplanRendererOf(config, inputs.netplanRenderers);
        if (renderer === 'NetworkManager' && !networkManagerRuns) return `netplan hands it to NetworkManager (renderer: NetworkManager), which is not enabled at boot (${command('NetworkManager')})`;
        return undefined;
      }
      case 'systemd-networkd':
        return networkdRuns ? undefined : `systemd-networkd is not enabled at boot (${command('systemd-networkd')})`;
      case 'networkmanager':
        return networkManagerRuns ? undefined : `NetworkManager is not enabled at boot (${command('NetworkManager')})`;
      case 'ifcfg-rhel':
        return legacyRuns || ifcfgByNm ? undefined : `neither NetworkManager (with its ifcfg-rh plugin) nor the network service is enabled at boot (${command('NetworkManager')})`;
      case 'ifcfg-suse':
        return wickedRuns ? undefined : `wicked is not enabled at boot (${command('wicked')})`;
    }
  };

  const applied: NetworkInterfaceConfig[] = [];
  const ignored: IgnoredConfig[] = [];
  for (const config of facts.network.interfaces) {
    const why = notRunning(config);
    if (why === undefined) applied.push(config);
    else ignored.push({ config, why });
  }
  const running = ([
    [ifupdownItself, 'ifupdown'], [networkdRuns, 'systemd-networkd'], [networkManagerRuns, 'NetworkManager'],
    [legacyRuns, 'the network service (Red Hat\'s network-scripts)'], [wickedRuns, 'wicked'],
  ] as const).filter(([runs]) => runs).map(([, name]) => name);
  const boot: BootNetwork = { servicesKnown, applied, ignored, networkManagerDefaultDhcp: false, networkManagerRuns, ifupdownRuns, running };
  if (!networkManagerRuns) return boot;
  // With its ifupdown plugin and managed=false, NetworkManager leaves every
  // interface /etc/network/interfaces names unmanaged: no default profile
  // either. That name is the build machine's card, which the provider's VM
  // most likely gives its card too.
  const leftAlone = nmPlugin('ifupdown') && !nm!.ifupdownManaged
    ? [...new Set(facts.network.interfaces.filter((c) => c.stack === 'ifupdown' && c.method !== 'loopback' && c.interface !== undefined && c.interface !== 'lo').map((c) => c.interface!))]
    : [];
  if (nm?.noAutoDefault || nm?.ethernetUnmanaged) boot.networkManagerNoDefault = 'its configuration turns it off (no-auto-default=* or unmanaged-devices)';
  else if (leftAlone.length > 0 && !ifupdownItself) boot.networkManagerNoDefault = `NetworkManager leaves ${leftAlone.join(', ')} alone because /etc/network/interfaces names ${leftAlone.length === 1 ? 'it' : 'them'} ([ifupdown] managed=false)`;
  else boot.networkManagerDefaultDhcp = true;
  return boot;
}
