import type { NetworkInterfaceConfig } from '../inspect/facts/guest-facts.js';
import { NO_OPTIONS, type Rule } from './rule.js';
import { sourceWords } from './support/ssh-access.js';
import { STACK_NAMES } from './support/network-boot.js';

/** The guide's warning about device renumbering, which a MAC-bound configuration is one form of. */
const GUIDE_DEVICE_NUMBERING = 'Be aware of anything in your VM that could potentially change ethernet and hard drive device numbering under Linux or BSD. Allowing these to occur may result in an appliance that will no longer boot or have network access.';

/** The key that binds each stack's configuration to a card, as its files spell it; empty where no line does. */
const PIN_KEYS: Record<NetworkInterfaceConfig['stack'], string> = {
  'ifcfg-rhel': 'HWADDR=',
  netplan: 'match: macaddress:',
  networkmanager: 'mac-address=',
  'systemd-networkd': '[Match] MACAddress=',
  'ifcfg-suse': '',
  ifupdown: '',
};

/** What the fix does: the one line that goes, or (SUSE) the file that is renamed. */
function fixFor(config: NetworkInterfaceConfig): string {
  const pin = config.macPin!;
  if (pin.source.line === undefined || PIN_KEYS[config.stack] === '') {
    const name = config.interface ?? 'eth0';
    return `rename ${pin.source.path} to ifcfg-${name}, so it applies by interface name rather than by MAC`;
  }
  if (config.stack === 'netplan') return `remove the macaddress: line (line ${pin.source.line}) from the match: in ${pin.source.path}, so the definition applies by name`;
  // networkd's line may be PermanentMACAddress=; "the MAC line" covers both.
  if (config.stack === 'systemd-networkd') return `remove the [Match] MAC address line (line ${pin.source.line}) from ${pin.source.path}`;
  return `remove the ${PIN_KEYS[config.stack]} line (line ${pin.source.line}) from ${pin.source.path}`;
}

export const macPinnedNetworkConfig: Rule = {
  id: 'mac-pinned-network-config',
  title: 'No network configuration tied to a MAC address',
  defaultSeverity: 'error',
  guideline: GUIDE_DEVICE_NUMBERING,
  rationale: 'A network configuration that names the build machine\'s card by its MAC address applies to that card only. The provider\'s VM has a new MAC, so the configuration is passed over (and on Red Hat and netplan systems the card is not renamed either): the appliance comes up without the network it was given, and with no console nobody can log in to fix it. The guide names udev\'s persistent-net rules; this is the same trap in the network stacks\' own files.',
  checks: 'The network configuration the guest holds, whichever stack it is for: Red Hat ifcfg-* files with HWADDR= (MACADDR= only sets a new MAC and is fine), netplan definitions with match: macaddress:, systemd-networkd .network files with MACAddress= or PermanentMACAddress= in [Match] and .link files that give a card matched by MACAddress= a Name=, NetworkManager profiles with mac-address= ([ethernet], [wifi], [infiniband]; cloned-mac-address= is fine), and SUSE ifcfg files named after a MAC (ifcfg-eth-id-MAC). One finding per MAC binding, at its line, whether or not the stack runs at boot: a stack enabled later would apply it. ifupdown\'s hwaddress sets a MAC rather than matching one and is fine.',
  howToFix: 'Delete the MAC key (HWADDR=, mac-address=, macaddress:, MACAddress=) so the configuration applies by interface name, or match by driver or name pattern instead (netplan match: name: "en*"; networkd [Match] Name=en*), before exporting the VM.',
  fixable: 'safe',
  ...NO_OPTIONS,
  async check({ facts, guest, report }) {
    if (!guest) return;
    for (const config of facts.network.interfaces) {
      if (!config.macPin) continue;
      const name = config.interface ?? config.namePattern ?? 'the card with that MAC';
      const where = sourceWords(config.macPin.source);
      report({
        location: { path: config.macPin.source.path, line: config.macPin.source.line },
        message: `${where} ties the ${STACK_NAMES[config.stack]} configuration of ${name} to the MAC address ${config.macPin.mac} (${PIN_KEYS[config.stack] || 'the MAC in the file name'}). The provider's VM has a different MAC, so this configuration is not applied there and the appliance may come up without its network; remove the MAC binding so it applies by interface name.`,
        fix: fixFor(config),
      });
    }
  },
};
