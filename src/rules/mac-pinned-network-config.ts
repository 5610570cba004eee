import type { NetworkInterfaceConfig } from '../inspect/facts/guest-facts.js';
import { NO_OPTIONS, type Rule } from './rule.js';
import { sourceWords } from './support/ssh-access.js';
import { STACK_NAMES } from './support/network-boot.js';

// The guide's warning about device renumbering, which a MAC-bound configuration is one form of.
import { GUIDE_DEVICE_NUMBERING } from './support/guidelines.js';

/** The key that binds each stack's configuration to a card, as its files spell it; empty where no line does. */
const PIN_KEYS: Record<NetworkInterfaceConfig['stack'], string> = {
  'ifcfg-rhel': 'HWADDR=',
  netplan: 'match: macaddress:',
  networkmanager: 'mac-address=',
  'systemd-networkd': '[Match] MACAddress=',
  'ifcfg-suse': '',
  ifupdown: '',
};

/**
 * What the fix changes. Only changes that leave a configuration which still
 * selects the card: removing the only key of a netplan match: or of a
 * networkd [Match] would leave an empty match, which selects every link
 * (and with set-name: or a .link Name=, gives every card one name).
 */
function fixFor(config: NetworkInterfaceConfig): string {
  const pin = config.macPin!;
  const { path, line } = pin.source;
  if (line === undefined || PIN_KEYS[config.stack] === '') {
    const name = config.interface ?? 'eth0';
    return `rename ${path} to ifcfg-${name}, so it applies by interface name rather than by MAC`;
  }
  const selectedByName = config.interface !== undefined || config.namePattern !== undefined;
  if (config.stack === 'netplan') {
    if (config.namePattern !== undefined) return `remove the macaddress: line (line ${line}) from the match: in ${path}; its name: "${config.namePattern}" still selects the card`;
    const name = config.interface === undefined ? 'the card\'s interface name' : config.interface;
    return `in ${path}, replace the match: of this definition (its macaddress: is line ${line}) and its set-name: by naming the definition ${name}, so it applies to that card by name`;
  }
  if (config.stack === 'systemd-networkd' && path.endsWith('.link')) {
    const name = config.interface ?? 'its name';
    return `remove ${path}, which exists only to give the card with that MAC the name ${name}; configuration that names ${name} must then name the card as udev does`;
  }
  // networkd's line may be PermanentMACAddress=; "the MAC line" covers both.
  if (config.stack === 'systemd-networkd') {
    return selectedByName
      ? `remove the [Match] MAC address line (line ${line}) from ${path}; its Name= still selects the card`
      : `replace the [Match] MAC address line (line ${line}) of ${path} with a Name= line for the card (Name=en* eth* for any Ethernet card), so [Match] does not select every link`;
  }
  return `remove the ${PIN_KEYS[config.stack]} line (line ${line}) from ${path}`;
}

export const macPinnedNetworkConfig: Rule = {
  id: 'mac-pinned-network-config',
  title: 'No network configuration tied to a MAC address',
  defaultSeverity: 'error',
  guideline: GUIDE_DEVICE_NUMBERING,
  rationale: 'A network configuration that names the build machine\'s card by its MAC address applies to that card only. The provider\'s VM has a new MAC, so the configuration is passed over (and on Red Hat and netplan systems the card is not renamed either): the appliance comes up without the network it was given, and with no console nobody can log in to fix it. The guide names udev\'s persistent-net rules; this is the same trap in the network stacks\' own files.',
  checks: 'The network configuration the guest holds, whichever stack it is for: Red Hat ifcfg-* files with HWADDR= (MACADDR= only sets a new MAC and is fine), netplan definitions with match: macaddress:, systemd-networkd .network files with MACAddress= or PermanentMACAddress= in [Match] and .link files that give a card matched by MACAddress= a Name=, NetworkManager profiles with mac-address= ([ethernet], [wifi], [infiniband]; cloned-mac-address= is fine), and SUSE ifcfg files named after a MAC (ifcfg-eth-id-MAC). One finding per MAC binding, at its line, whether or not the stack runs at boot: a stack enabled later would apply it. ifupdown\'s hwaddress sets a MAC rather than matching one and is fine.',
  howToFix: 'Before exporting the VM, make the configuration select the card by name: delete HWADDR= (Red Hat) or mac-address= (NetworkManager); in netplan replace a match: on macaddress: by a name: (match: name: "en*") or name the definition after the card; in a .network file replace MACAddress= by Name= (Name=en* eth*), never leaving [Match] empty, which would select every link; delete a .link file that only names the card with that MAC, and configure the card under its own name.',
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
