// The guest's network configuration, stack by stack: which stacks are
// configured, and for each interface how it gets an address, whether it
// comes up at boot and whether it is bound to one card's MAC address.
// (udev's 70-persistent-net.rules is read by its own rule, not here.)
import type { GuestTree } from '../../guest/guest-tree.js';
import type { FactProblem, NetworkFacts, NetworkInterfaceConfig, NetworkStack } from '../guest-facts.js';
import { readGuestText, tryGuest } from '../read-guest-text.js';
import { listConfigFiles, listShadowedConfigFiles, type ConfigFile } from './config-directories.js';
import { isIgnoredIfcfgName } from './ifcfg-names.js';
import { parseIfcfgRhel } from './ifcfg-rhel.js';
import { parseIfcfgSuse } from './ifcfg-suse.js';
import { mergeNetplanDefinitions, netplanConfig, parseNetplanFile, type NetplanDefinition } from './netplan.js';
import { isIgnoredKeyfileName, parseNetworkManagerKeyfile } from './networkmanager-keyfile.js';
import { readIfupdown } from './read-ifupdown.js';
import { parseNetworkdLink, parseNetworkdNetwork } from './systemd-networkd.js';

// /run is left out of every search path below: it is a tmpfs at boot, so
// whatever the image holds under /run is hidden before any stack reads it.

/** Highest priority first; netplan(5): files in /etc shadow those in /lib. */
export const NETPLAN_DIRECTORIES = ['/etc/netplan', '/lib/netplan', '/usr/lib/netplan'];
/** Highest priority first, per systemd.network(5). */
export const NETWORKD_DIRECTORIES = ['/etc/systemd/network', '/usr/local/lib/systemd/network', '/usr/lib/systemd/network', '/lib/systemd/network'];
/** Where an administrator (not a package) puts networkd configuration. */
const NETWORKD_ADMIN_DIRECTORIES = new Set(['/etc/systemd/network', '/usr/local/lib/systemd/network']);
export const NM_CONFIG_FILE = '/etc/NetworkManager/NetworkManager.conf';
export const NM_CONNECTIONS_DIRECTORY = '/etc/NetworkManager/system-connections';
export const RHEL_IFCFG_DIRECTORY = '/etc/sysconfig/network-scripts';
export const SUSE_IFCFG_DIRECTORY = '/etc/sysconfig/network';

type StackReading = NetworkInterfaceConfig[] | undefined;

export async function readNetworkFacts(guest: GuestTree): Promise<NetworkFacts> {
  const problems: FactProblem[] = [];
  const readers: [NetworkStack, (guest: GuestTree, problems: FactProblem[]) => Promise<StackReading>][] = [
    ['ifupdown', readIfupdown],
    ['netplan', readNetplan],
    ['systemd-networkd', readNetworkd],
    ['networkmanager', readNetworkManager],
    ['ifcfg-rhel', (g, p) => readIfcfg(g, RHEL_IFCFG_DIRECTORY, parseIfcfgRhel, p)],
    ['ifcfg-suse', (g, p) => readIfcfg(g, SUSE_IFCFG_DIRECTORY, parseIfcfgSuse, p)],
  ];
  const stacks: NetworkStack[] = [];
  const interfaces: NetworkInterfaceConfig[] = [];
  for (const [stack, read] of readers) {
    const configs = await read(guest, problems);
    if (configs === undefined) continue;
    stacks.push(stack);
    interfaces.push(...configs);
  }
  return { stacks, interfaces, problems };
}

async function readEach(guest: GuestTree, files: readonly ConfigFile[], problems: FactProblem[]): Promise<{ file: ConfigFile; text: string }[]> {
  const texts: { file: ConfigFile; text: string }[] = [];
  for (const file of files) {
    const text = await readGuestText(guest, file.path, problems);
    if (text !== undefined) texts.push({ file, text });
  }
  return texts;
}

async function readNetplan(guest: GuestTree, problems: FactProblem[]): Promise<StackReading> {
  const files = await listShadowedConfigFiles(guest, NETPLAN_DIRECTORIES, (name) => name.endsWith('.yaml'), problems);
  if (files.length === 0) return undefined;
  const definitions: NetplanDefinition[] = [];
  for (const { file, text } of await readEach(guest, files, problems)) {
    const parsed = parseNetplanFile(text, file.path);
    for (const error of parsed.errors) {
      problems.push({ path: file.path, message: `${file.path} ${error}; netplan generates no configuration at all while a file is broken` });
    }
    definitions.push(...parsed.definitions);
  }
  return mergeNetplanDefinitions(definitions).map(netplanConfig);
}

/**
 * systemd ships templates in /usr/lib/systemd/network (for containers'
 * host0, VM tap links) on every install, so those alone do not mean the
 * guest uses networkd: its .network files count only once an administrator
 * has put one in /etc. A .link file that pins a name to a MAC counts
 * wherever it is, since udev applies it whether networkd runs or not.
 */
async function readNetworkd(guest: GuestTree, problems: FactProblem[]): Promise<StackReading> {
  const files = await listShadowedConfigFiles(guest, NETWORKD_DIRECTORIES, (name) => name.endsWith('.network') || name.endsWith('.link'), problems);
  const configured = files.some((file) => NETWORKD_ADMIN_DIRECTORIES.has(file.directory));
  const configs: NetworkInterfaceConfig[] = [];
  for (const { file, text } of await readEach(guest, files, problems)) {
    if (file.name.endsWith('.link')) configs.push(...parseNetworkdLink(text, file.path));
    else if (configured) configs.push(...parseNetworkdNetwork(text, file.path));
  }
  return configured || configs.length > 0 ? configs : undefined;
}

/**
 * NetworkManager configured means its NetworkManager.conf is there (it then
 * brings up wired cards by itself with a default DHCP profile) or it has
 * connection profiles. Profiles it would refuse to load are left out.
 */
async function readNetworkManager(guest: GuestTree, problems: FactProblem[]): Promise<StackReading> {
  const hasConfig = (await tryGuest(NM_CONFIG_FILE, problems, () => guest.exists(NM_CONFIG_FILE))) === true;
  const files = await listConfigFiles(guest, NM_CONNECTIONS_DIRECTORY, (name) => !isIgnoredKeyfileName(name), problems);
  const loadable: ConfigFile[] = [];
  for (const file of files) {
    const stat = await tryGuest(file.path, problems, () => guest.stat(file.path));
    if (!stat || stat.kind !== 'file') continue;
    // NetworkManager skips a profile (it may hold Wi-Fi or VPN secrets)
    // that is not root's or that others can read or write.
    if (stat.uid !== 0 || (stat.mode & 0o077) !== 0) {
      const mode = (stat.mode & 0o777).toString(8).padStart(3, '0');
      problems.push({ path: file.path, message: `${file.path}: owner uid ${stat.uid}, mode ${mode}; NetworkManager ignores a connection file that is not root's with mode 600` });
      continue;
    }
    loadable.push(file);
  }
  if (!hasConfig && files.length === 0) return undefined;
  return (await readEach(guest, loadable, problems)).flatMap(({ file, text }) => parseNetworkManagerKeyfile(text, file.path));
}

async function readIfcfg(
  guest: GuestTree,
  directory: string,
  parse: (text: string, path: string) => NetworkInterfaceConfig[],
  problems: FactProblem[],
): Promise<StackReading> {
  const files = await listConfigFiles(guest, directory, (name) => !isIgnoredIfcfgName(name), problems);
  if (files.length === 0) return undefined;
  return (await readEach(guest, files, problems)).flatMap(({ file, text }) => parse(text, file.path));
}
