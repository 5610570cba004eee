// Reads what decideBootNetwork needs beyond the facts (NetworkManager's
// configuration, netplan's renderers and whether netplan is installed), and
// whether the guest keeps the kernel's eth0 naming.
import type { FactProblem, GuestFacts } from '../../inspect/facts/guest-facts.js';
import { listShadowedConfigFiles } from '../../inspect/facts/network/config-directories.js';
import { NETPLAN_DIRECTORIES, NM_CONFIG_FILE } from '../../inspect/facts/network/read-network-facts.js';
import { readGuestText, tryGuest } from '../../inspect/facts/read-guest-text.js';
import type { GuestTree } from '../../inspect/guest/guest-tree.js';
import { kernelInterfaceNaming, type KernelNaming } from './interface-names.js';
import { decideBootNetwork, type BootNetwork } from './network-boot.js';
import { parseNetplanRenderers, resolveNetplanRenderers, type NetplanRendererFile } from './netplan-renderers.js';
import { networkManagerSettings, type NetworkManagerConfigFile } from './networkmanager-settings.js';
import { distroFamily } from './service-commands.js';

/** Highest priority first: a snippet in /etc hides one of the same name in /usr/lib (/run is empty at boot). */
export const NM_CONF_DIRECTORIES = ['/etc/NetworkManager/conf.d', '/usr/lib/NetworkManager/conf.d'];
/** Ubuntu's snippet that keeps NetworkManager off wired cards; netplan blanks it when its global renderer is NetworkManager. */
const NM_GLOBALLY_MANAGED = '10-globally-managed-devices.conf';
/** netplan's systemd generator (a link to netplan's generate program) and its package names. */
export const NETPLAN_GENERATORS = ['/usr/lib/systemd/system-generators/netplan', '/lib/systemd/system-generators/netplan'];
export const NETPLAN_PACKAGES = ['netplan.io', 'netplan'];
/**
 * The packaged files that turn predictable interface names on, at the paths
 * that mask them: the default .link file's NamePolicy (systemd 209 on) and
 * udev's rules that apply it (80-net-name-slot.rules before systemd 209).
 */
export const NAMING_POLICY_MASKS = ['/etc/systemd/network/99-default.link', '/etc/udev/rules.d/80-net-setup-link.rules', '/etc/udev/rules.d/80-net-name-slot.rules'];

export interface InterfaceNaming extends KernelNaming {
  /** A mask in /etc that turns predictable names off for every boot, whatever the command line says. */
  maskedBy?: string;
}

async function readNetplanRendererFiles(guest: GuestTree, problems: FactProblem[]): Promise<NetplanRendererFile[]> {
  const files = await listShadowedConfigFiles(guest, NETPLAN_DIRECTORIES, (name) => name.endsWith('.yaml'), problems);
  const parsed: NetplanRendererFile[] = [];
  for (const file of files) {
    const text = await readGuestText(guest, file.path, problems);
    if (text !== undefined) parsed.push(parseNetplanRenderers(text, file.path));
  }
  return parsed;
}

async function netplanInstalled(guest: GuestTree, facts: GuestFacts, problems: FactProblem[]): Promise<boolean> {
  if (facts.packages.packages.some((pkg) => NETPLAN_PACKAGES.includes(pkg.name))) return true;
  for (const path of NETPLAN_GENERATORS) {
    // The generator is a link to a program elsewhere: lstat sees it even where the target is a placeholder.
    if ((await tryGuest(path, problems, () => guest.lstat(path))) !== undefined) return true;
  }
  return false;
}

export async function readBootNetwork(guest: GuestTree, facts: GuestFacts, problems: FactProblem[]): Promise<BootNetwork> {
  const netplanFiles = facts.network.stacks.includes('netplan') ? await readNetplanRendererFiles(guest, problems) : [];
  const netplanRenderers = resolveNetplanRenderers(netplanFiles);
  const nmFiles: NetworkManagerConfigFile[] = [];
  const main = await readGuestText(guest, NM_CONFIG_FILE, problems);
  if (main !== undefined) nmFiles.push({ path: NM_CONFIG_FILE, text: main });
  for (const file of await listShadowedConfigFiles(guest, NM_CONF_DIRECTORIES, (name) => name.endsWith('.conf'), problems)) {
    if (file.name === NM_GLOBALLY_MANAGED && netplanRenderers.global === 'NetworkManager') continue;
    const text = await readGuestText(guest, file.path, problems);
    if (text !== undefined) nmFiles.push({ path: file.path, text });
  }
  const defaultPlugins = distroFamily(facts) === 'redhat' ? ['ifcfg-rh'] : [];
  return decideBootNetwork(facts, {
    networkManager: nmFiles.length > 0 ? networkManagerSettings(nmFiles, defaultPlugins) : undefined,
    netplanInstalled: await netplanInstalled(guest, facts, problems),
    netplanRenderers,
  });
}

/** A link to /dev/null or an empty file: systemd and udev then skip the packaged file of that name. */
async function isMask(guest: GuestTree, path: string, problems: FactProblem[]): Promise<boolean> {
  const stat = await tryGuest(path, problems, () => guest.lstat(path));
  if (stat?.kind === 'symlink') return (await tryGuest(path, problems, () => guest.readlink(path))) === '/dev/null';
  return stat?.kind === 'file' && stat.size === 0;
}

/** Whether the guest keeps the kernel's names (eth0): net.ifnames=0 on its boot entries, or the naming policy masked. */
export async function readInterfaceNaming(guest: GuestTree, facts: GuestFacts, problems: FactProblem[]): Promise<InterfaceNaming> {
  const kernel = kernelInterfaceNaming(facts.boot.commandLines);
  for (const path of NAMING_POLICY_MASKS) {
    if (await isMask(guest, path, problems)) return { ...kernel, classicNames: true, maskedBy: path };
  }
  return kernel;
}
