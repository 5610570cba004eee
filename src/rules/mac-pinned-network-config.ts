import type { Repair } from '../fix/repair.js';
import type { FactProblem, NetworkInterfaceConfig } from '../inspect/facts/guest-facts.js';
import { parseIfcfgRhel } from '../inspect/facts/network/ifcfg-rhel.js';
import { parseIniSections, SYSTEMD_DIALECT } from '../inspect/facts/network/ini-sections.js';
import { parseNetplanFile } from '../inspect/facts/network/netplan.js';
import { parseNetworkManagerKeyfile } from '../inspect/facts/network/networkmanager-keyfile.js';
import { NETWORKD_DIRECTORIES } from '../inspect/facts/network/read-network-facts.js';
import { parseNetworkdNetwork } from '../inspect/facts/network/systemd-networkd.js';
import { readGuestText, tryGuest } from '../inspect/facts/read-guest-text.js';
import type { GuestTree } from '../inspect/guest/guest-tree.js';
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

/** What a .network file's [Match] gets instead of a MAC line that is all it has: any Ethernet card, by either naming scheme. */
const ANY_ETHERNET_NAME = 'Name=en* eth*';

/** [Link] settings of a .link file that only name the card: removing the file loses nothing else. */
const NAMING_LINK_KEYS = new Set(['Name', 'Description', 'NamePolicy', 'AlternativeNamesPolicy']);

/** What the fix changes, in one sentence, and the repairs that make it when --fix can make it alone. */
interface FixPlan {
  fix: string;
  repairs?: Repair[];
}

/** `text` with line `line` (1-based) removed or replaced, the other lines and their endings kept; the way the parsers will read the fixed file. */
function editedText(text: string, line: number, replacement?: string): string {
  const lines = text.split('\n');
  if (replacement === undefined) lines.splice(line - 1, 1);
  else lines[line - 1] = replacement + (lines[line - 1]!.endsWith('\r') ? '\r' : '');
  return lines.join('\n');
}

/**
 * Whether removing (or replacing) the MAC line leaves exactly the
 * configuration the fix text promises: the file parsed again binds no MAC
 * and selects the card by the name it promised. A line that is not the
 * whole binding (a second MACAddress= line, a YAML flow mapping, a value
 * continued on the next line) fails this and gets no repair.
 */
function unpinnedAsPromised(config: NetworkInterfaceConfig, text: string, replacement?: string): boolean {
  const { path, line } = config.macPin!.source;
  const lines = text.split('\n');
  if (line === undefined || line > lines.length || lines[line - 1]!.replace(/\r$/, '').endsWith('\\')) return false;
  const edited = editedText(text, line, replacement);
  const sameName = (after: NetworkInterfaceConfig | undefined) =>
    after !== undefined && after.macPin === undefined && after.interface === config.interface && after.namePattern === config.namePattern;
  switch (config.stack) {
    case 'ifcfg-rhel': return sameName(parseIfcfgRhel(edited, path)[0]);
    case 'networkmanager': return sameName(parseNetworkManagerKeyfile(edited, path)[0]);
    case 'systemd-networkd': {
      const after = parseNetworkdNetwork(edited, path)[0];
      if (replacement === undefined) return sameName(after);
      return after !== undefined && after.macPin === undefined && after.namePattern === ANY_ETHERNET_NAME.slice('Name='.length);
    }
    case 'netplan': {
      // The key and its value on this one line, in a block mapping: otherwise the line is not the whole binding.
      if (!/^\s*macaddress\s*:\s*\S/.test(lines[line - 1]!)) return false;
      const before = parseNetplanFile(text, path);
      const definition = before.definitions.find((d) => d.matchMac?.source.line === line);
      // The name must be in this file's match: too, or removing the line could leave it an empty match:.
      if (before.errors.length > 0 || definition?.matchName === undefined) return false;
      const after = parseNetplanFile(edited, path);
      const kept = after.definitions.find((d) => d.id === definition.id && d.kind === definition.kind);
      return after.errors.length === 0 && kept?.matched === true && kept.matchMac === undefined && kept.matchName === definition.matchName;
    }
    default: return false;
  }
}

/**
 * A .link file that names the card by MAC: removing it is the fix when it
 * sets nothing else; when it hides a file of the same name further down
 * systemd's search path, it is masked (a link to /dev/null) instead, as
 * removing it would bring that file back.
 */
async function linkFilePlan(config: NetworkInterfaceConfig, guest: GuestTree, problems: FactProblem[]): Promise<FixPlan> {
  const { path } = config.macPin!.source;
  const name = config.interface ?? 'its name';
  const after = `configuration that names ${name} must then name the card as udev does`;
  const text = await readGuestText(guest, path, problems);
  if (text === undefined) return { fix: `remove ${path}, which exists only to give the card with that MAC the name ${name}; ${after}` };
  const others = parseIniSections(text, SYSTEMD_DIALECT).flatMap((section) => {
    if (section.name === 'Match') return [];
    if (section.name !== 'Link') return [`[${section.name}]`];
    return section.entries.filter((entry) => !NAMING_LINK_KEYS.has(entry.key)).map((entry) => `${entry.key}=`);
  });
  if (others.length > 0) {
    return { fix: `move the other settings of ${path} (${[...new Set(others)].join(', ')}) to a .link file that selects the card another way, then remove ${path}, which gives the card with that MAC the name ${name}; ${after}` };
  }
  const directory = path.slice(0, path.lastIndexOf('/'));
  const fileName = path.slice(path.lastIndexOf('/') + 1);
  const position = NETWORKD_DIRECTORIES.indexOf(directory);
  const lowerDirectories = position === -1 ? [] : NETWORKD_DIRECTORIES.slice(position + 1);
  for (const lower of lowerDirectories) {
    const hidden = `${lower}/${fileName}`;
    if (!(await tryGuest(hidden, problems, () => guest.lstat(hidden)))) continue;
    // /lib is often a link to /usr/lib: the same file under two names hides nothing.
    if ((await tryGuest(hidden, problems, () => guest.resolve(hidden))) === (await tryGuest(path, problems, () => guest.resolve(path)))) continue;
    return {
      fix: `replace ${path} with a link to /dev/null (removing it would bring back ${hidden}), as it exists only to give the card with that MAC the name ${name}; ${after}`,
      repairs: [{ kind: 'link', path, target: '/dev/null' }],
    };
  }
  return { fix: `remove ${path}, which exists only to give the card with that MAC the name ${name}; ${after}`, repairs: [{ kind: 'remove', path }] };
}

/**
 * What the fix changes. Only changes that leave a configuration which still
 * selects the card: removing the only key of a netplan match: or of a
 * networkd [Match] would leave an empty match, which selects every link
 * (and with set-name: or a .link Name=, gives every card one name). Renaming
 * a netplan definition or a SUSE ifcfg file is left to a person: no repairs.
 */
async function fixPlan(config: NetworkInterfaceConfig, guest: GuestTree, problems: FactProblem[]): Promise<FixPlan> {
  const pin = config.macPin!;
  const { path, line } = pin.source;
  if (line === undefined || PIN_KEYS[config.stack] === '') {
    const name = config.interface ?? 'eth0';
    return { fix: `rename ${path} to ifcfg-${name}, so it applies by interface name rather than by MAC` };
  }
  if (config.stack === 'systemd-networkd' && path.endsWith('.link')) return linkFilePlan(config, guest, problems);
  const selectedByName = config.interface !== undefined || config.namePattern !== undefined;
  let fix: string;
  let replacement: string | undefined;
  if (config.stack === 'netplan') {
    if (config.namePattern === undefined) {
      const name = config.interface === undefined ? 'the card\'s interface name' : config.interface;
      return { fix: `in ${path}, replace the match: of this definition (its macaddress: is line ${line}) and its set-name: by naming the definition ${name}, so it applies to that card by name` };
    }
    fix = `remove the macaddress: line (line ${line}) from the match: in ${path}; its name: "${config.namePattern}" still selects the card`;
  } else if (config.stack === 'systemd-networkd') {
    // networkd's line may be PermanentMACAddress=; "the MAC line" covers both.
    if (selectedByName) {
      fix = `remove the [Match] MAC address line (line ${line}) from ${path}; its Name= still selects the card`;
    } else {
      fix = `replace the [Match] MAC address line (line ${line}) of ${path} with a Name= line for the card (${ANY_ETHERNET_NAME} for any Ethernet card), so [Match] does not select every link`;
      replacement = ANY_ETHERNET_NAME;
    }
  } else {
    fix = `remove the ${PIN_KEYS[config.stack]} line (line ${line}) from ${path}`;
  }
  const text = await readGuestText(guest, path, problems);
  if (text === undefined || !unpinnedAsPromised(config, text, replacement)) return { fix };
  const repair: Repair = replacement === undefined ? { kind: 'remove-lines', path, lines: [[line, line]] } : { kind: 'replace-line', path, line, text: replacement };
  return { fix, repairs: [repair] };
}

export const macPinnedNetworkConfig: Rule = {
  id: 'mac-pinned-network-config',
  title: 'No network configuration tied to a MAC address',
  defaultSeverity: 'error',
  guideline: GUIDE_DEVICE_NUMBERING,
  rationale: 'A network configuration that names the build machine\'s card by its MAC address applies to that card only. The provider\'s VM has a new MAC, so the configuration is passed over (and on Red Hat and netplan systems the card is not renamed either): the appliance comes up without the network it was given, and with no console nobody can log in to fix it. The guide names udev\'s persistent-net rules; this is the same trap in the network stacks\' own files.',
  checks: 'The network configuration the guest holds, whichever stack it is for: Red Hat ifcfg-* files with HWADDR= (MACADDR= only sets a new MAC and is fine), netplan definitions with match: macaddress:, systemd-networkd .network files with MACAddress= or PermanentMACAddress= in [Match] and .link files that give a card matched by MACAddress= a Name=, NetworkManager profiles with mac-address= ([ethernet], [wifi], [infiniband]; cloned-mac-address= is fine), and SUSE ifcfg files named after a MAC (ifcfg-eth-id-MAC). One finding per MAC binding, at its line, whether or not the stack runs at boot: a stack enabled later would apply it. ifupdown\'s hwaddress sets a MAC rather than matching one and is fine.',
  howToFix: 'Before exporting the VM, make the configuration select the card by name: delete HWADDR= (Red Hat) or mac-address= (NetworkManager); in netplan replace a match: on macaddress: by a name: (match: name: "en*") or name the definition after the card; in a .network file replace MACAddress= by Name= (Name=en* eth*), never leaving [Match] empty, which would select every link; delete a .link file that only names the card with that MAC, and configure the card under its own name; rename a SUSE ifcfg-eth-id-MAC file after the interface (ifcfg-eth0). spotlint --fix makes the one-line changes and removes such a .link file; renaming a netplan definition or a SUSE file, or a binding it cannot undo by one line, is left to you.',
  fixable: 'safe',
  ...NO_OPTIONS,
  async check({ facts, guest, report }) {
    if (!guest) return;
    // The facts already read these files; one that cannot be read again only loses its repairs.
    const problems: FactProblem[] = [];
    for (const config of facts.network.interfaces) {
      if (!config.macPin) continue;
      const name = config.interface ?? config.namePattern ?? 'the card with that MAC';
      const where = sourceWords(config.macPin.source);
      const { fix, repairs } = await fixPlan(config, guest, problems);
      report({
        location: { path: config.macPin.source.path, line: config.macPin.source.line },
        message: `${where} ties the ${STACK_NAMES[config.stack]} configuration of ${name} to the MAC address ${config.macPin.mac} (${PIN_KEYS[config.stack] || 'the MAC in the file name'}). The provider's VM has a different MAC, so this configuration is not applied there and the appliance may come up without its network; remove the MAC binding so it applies by interface name.`,
        fix,
        ...(repairs ? { repairs } : {}),
      });
    }
  },
};
