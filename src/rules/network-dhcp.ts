import type { FactProblem, GuestFacts, NetworkInterfaceConfig } from '../inspect/facts/guest-facts.js';
import { NO_OPTIONS, type FindingInput, type Rule } from './rule.js';
import { namesPredictableInterface } from './support/interface-names.js';
import { isHostSideLink, STACK_NAMES, type BootNetwork } from './support/network-boot.js';
import { readBootNetwork, readInterfaceNaming, type InterfaceNaming } from './support/read-network-boot.js';
import { reportProblems } from './support/report-problems.js';
import { sourceWords } from './support/ssh-access.js';

/** The guide's fix for an appliance stuck at "Detecting": an interface configured for DHCP. */
const GUIDE_DHCP = 'You can solve this by setting up an eth1 entry under the OS with DHCP configuration';
/** Configurations named in one message; the rest are counted. */
const MAX_NAMED_CONFIGS = 3;

function nameOf(config: NetworkInterfaceConfig): string {
  return config.interface ?? (config.namePattern ? `the cards matching ${config.namePattern}` : 'a card matched by its MAC');
}

/** Configurations a provider's card could be given: not loopback, not systemd's host-side templates, up at boot. */
function bootCandidates(boot: BootNetwork): NetworkInterfaceConfig[] {
  return boot.applied.filter((c) => c.method !== 'loopback' && c.interface !== 'lo' && c.atBoot !== false && !isHostSideLink(c));
}

/** Why the DHCP configurations that exist do not count, for the message. */
function unusedDhcp(boot: BootNetwork): string[] {
  const reasons: string[] = [];
  for (const { config, why } of boot.ignored) {
    if (config.method === 'dhcp' && !isHostSideLink(config)) reasons.push(`${sourceWords(config.source)} (DHCP for ${nameOf(config)}) is not used, as ${why}`);
  }
  for (const config of boot.applied) {
    if (config.method === 'dhcp' && config.atBoot === false && !isHostSideLink(config)) {
      reasons.push(`${sourceWords(config.source)} configures ${nameOf(config)} for DHCP but does not bring it up at boot`);
    }
  }
  if (reasons.length <= MAX_NAMED_CONFIGS) return reasons;
  return [...reasons.slice(0, MAX_NAMED_CONFIGS), `${reasons.length - MAX_NAMED_CONFIGS} more`];
}

/** What to write, in the words of the stack the guest already uses or starts at boot. */
function dhcpAdvice(facts: GuestFacts, boot: BootNetwork): string {
  const stacks = new Set(boot.applied.map((c) => c.stack));
  const runs = (name: string) => boot.running.includes(name);
  if (stacks.has('ifupdown') || (boot.ifupdownRuns && facts.network.stacks.includes('ifupdown'))) return 'Add "allow-hotplug eth0" and "iface eth0 inet dhcp" to /etc/network/interfaces (with the interface name the guest gives its first card)';
  if (stacks.has('netplan')) return 'Give the first card "dhcp4: true" in /etc/netplan (match it by name, e.g. match: name: "en*")';
  if (stacks.has('systemd-networkd') || runs('systemd-networkd')) return 'Add a .network file in /etc/systemd/network with [Match] Name=en* eth* and [Network] DHCP=yes';
  if (stacks.has('ifcfg-rhel')) return 'Set BOOTPROTO=dhcp and ONBOOT=yes in the first card\'s ifcfg file';
  if (boot.networkManagerRuns) return 'Give the first card a NetworkManager profile with [ipv4] method=auto, or let NetworkManager make its default one (remove no-auto-default=*)';
  if (boot.ifupdownRuns) return 'Add "allow-hotplug eth0" and "iface eth0 inet dhcp" to /etc/network/interfaces (with the interface name the guest gives its first card)';
  return 'Configure the first Ethernet card for DHCP in the network stack the guest starts at boot';
}

function whatRuns(boot: BootNetwork, facts: GuestFacts): string {
  if (!boot.servicesKnown) return 'the init system could not be read, so every configured stack was counted';
  if (boot.running.length === 0) return `no network stack runs at boot${facts.network.stacks.length === 0 ? ' and none is configured' : ''}`;
  const runs = `${boot.running.join(', ')} run${boot.running.length === 1 ? 's' : ''} at boot`;
  if (boot.networkManagerNoDefault) return `${runs}, but NetworkManager's default DHCP profile does not apply: ${boot.networkManagerNoDefault}`;
  return runs;
}

/** How to stop depending on the build machine's name, in the words of the stack that names it. */
function namingAdvice(config: NetworkInterfaceConfig): string {
  const classic = 'put net.ifnames=0 on the kernel command line (GRUB_CMDLINE_LINUX in /etc/default/grub, then regenerate grub.cfg)';
  switch (config.stack) {
    case 'ifupdown': return `${capitalised(classic)} and configure eth0 instead ("allow-hotplug eth0", "iface eth0 inet dhcp")`;
    case 'netplan': return `Match the card by a pattern (match: name: "en*" in the definition, with dhcp4: true), or ${classic} and configure eth0`;
    case 'systemd-networkd': return `Match a pattern instead ([Match] Name=en* eth*), or ${classic} and configure eth0`;
    case 'networkmanager': return `Remove interface-name= from the profile so it applies to whichever wired card there is, or ${classic} and name eth0`;
    case 'ifcfg-rhel': return `${capitalised(classic)} (grubby --update-kernel=ALL --args=net.ifnames=0 for the installed kernels) and configure eth0 (ifcfg-eth0 with DEVICE=eth0)`;
    case 'ifcfg-suse': return `${capitalised(classic)} and configure eth0 (ifcfg-eth0)`;
  }
}

function capitalised(text: string): string {
  return `${text[0]!.toUpperCase()}${text.slice(1)}`;
}

/**
 * The warning for DHCP tied to the names the build machine's card got from
 * its slot: on another hypervisor the card is named otherwise, unless the
 * guest keeps the kernel's eth0 naming, where those names never exist at all.
 */
function predictableNameFinding(dhcp: NetworkInterfaceConfig[], naming: InterfaceNaming): FindingInput {
  const first = dhcp[0]!;
  const names = [...new Set(dhcp.map((c) => c.interface!))];
  const configured = `DHCP at boot is configured only for ${names.join(', ')} (${STACK_NAMES[first.stack]}, ${sourceWords(first.source)})`;
  const location = { path: first.source.path, ...(first.source.line === undefined ? {} : { line: first.source.line }) };
  if (naming.classicNames) {
    const why = naming.maskedBy ? `${naming.maskedBy} masks systemd-udevd's naming policy` : 'every boot entry passes net.ifnames=0';
    return { severity: 'warning', location, message: `${configured}, but ${why}, so the kernel's name eth0 stays and no DHCP configuration applies to the card, on a provider's network as on this one (SpotCloud shows "Detecting"). Configure eth0 (or a name pattern) instead.` };
  }
  const kernel = naming.entries === 0
    ? 'no boot entry was found, and no GRUB default passes net.ifnames=0'
    : naming.without.length === naming.entries
      ? `the kernel command line keeps these names: no net.ifnames=0 in ${sourceWords(naming.without[0]!.source)}${naming.entries > 1 ? ` or the other ${naming.entries - 1} boot entries` : ''}`
      : `${naming.without.length} of ${naming.entries} boot entries lack net.ifnames=0, the first at ${sourceWords(naming.without[0]!.source)}`;
  return {
    severity: 'warning',
    location,
    message: `${configured}, ${names.length === 1 ? 'a name' : 'names'} systemd-udevd derives from where the build machine's card sits. A provider's hypervisor may put the card elsewhere (a KVM NIC in slot 3 is ens3, VirtualBox's is enp0s3), and then nothing configures it: the appliance gets no address and SpotCloud shows "Detecting" (${kernel}). ${namingAdvice(first)}.`,
  };
}

export const networkDhcp: Rule = {
  id: 'network-dhcp',
  title: 'The network comes up by DHCP at boot',
  defaultSeverity: 'error',
  guideline: GUIDE_DHCP,
  rationale: 'The appliance runs on whatever network the provider gives it: only DHCP knows that network\'s addresses, gateway and name servers. With no DHCP at boot, or a static address on the first card (the build network\'s address, wrong everywhere else), the VM has no working network, SpotCloud shows its IP as "Detecting" and nobody can reach it. The guide does not speak of static addresses; it gives DHCP as the fix for an appliance that never gets an address. DHCP for the build machine\'s interface name only fails the same way when the provider\'s VM names its card otherwise: the guide\'s renumbered interface.',
  checks: 'The interfaces configured by the network stacks that run at boot, as the enabled services decide: ifupdown (/etc/network/interfaces and its includes) when its networking service is enabled, or when NetworkManager runs with its ifupdown plugin and [ifupdown] managed=true (with managed=false NetworkManager leaves those interfaces alone); netplan when it is installed, for networkd (its generator enables systemd-networkd) or for NetworkManager when that runs (the renderer key); systemd-networkd .network files in /etc/systemd/network when systemd-networkd is enabled (systemd\'s own templates for host0, ve-*, vb-*, vz-*, vt-* and 6rd-* links are not a VM\'s card and do not count); NetworkManager keyfiles when NetworkManager is enabled; Red Hat ifcfg files when NetworkManager (ifcfg-rh plugin, the default on Red Hat) or the legacy network service runs; SUSE ifcfg files when wicked runs. Name patterns (Name=en*, match: name: "e*") count; ifupdown\'s allow-hotplug counts as at boot, which relies on udev reporting the card. NetworkManager with no profile at all counts: it gives every wired card a default DHCP profile unless no-auto-default=* or unmanaged-devices says otherwise, or (Debian\'s ifupdown plugin with managed=false, networking not enabled) /etc/network/interfaces names the card, which NetworkManager then leaves unconfigured. An error when nothing configures DHCP at boot, or when the first interface brought up at boot (in the order ifupdown, netplan, systemd-networkd, NetworkManager, ifcfg files) has a static address. A warning when every DHCP configuration brought up at boot names a predictable interface (en*, wl*, ww*: no name pattern, no MAC match, not the kernel\'s eth*) and NetworkManager\'s default profile does not cover other cards: a provider\'s hypervisor may put the card in another slot (a KVM NIC in slot 3 is ens3, VirtualBox\'s enp0s3), unless net.ifnames=0 is on every boot entry\'s kernel command line (grub.cfg, menu.lst, BLS entries with grubenv\'s kernelopts, syslinux; with no entry, GRUB_CMDLINE_LINUX or GRUB_CMDLINE_LINUX_DEFAULT) or /etc/systemd/network/99-default.link, /etc/udev/rules.d/80-net-setup-link.rules or 80-net-name-slot.rules masks the naming policy; with those, the card keeps the name eth0 and a configuration for an en* name never applies, which is warned too. MAC-bound configurations count here; mac-pinned-network-config reports them. cloud-init and DHCP run from scripts are not seen.',
  howToFix: 'Configure the first Ethernet card for DHCP and bring it up at boot: on Debian "allow-hotplug eth0" and "iface eth0 inet dhcp" in /etc/network/interfaces, on Red Hat BOOTPROTO=dhcp and ONBOOT=yes, with netplan "dhcp4: true", with systemd-networkd [Network] DHCP=yes; and enable the service of the stack that reads that configuration. Do not tie it to the build machine\'s interface name: match a pattern (netplan match: name: "en*", networkd [Match] Name=en* eth*), or put net.ifnames=0 on the kernel command line and configure eth0.',
  fixable: 'no',
  ...NO_OPTIONS,
  async check({ facts, guest, report }) {
    if (!guest || facts.os.family !== 'linux') return;
    const problems: FactProblem[] = [];
    const boot = await readBootNetwork(guest, facts, problems);
    const candidates = bootCandidates(boot);
    const primary = candidates.find((c) => c.method === 'dhcp' || c.method === 'static');
    const hasDhcp = candidates.some((c) => c.method === 'dhcp') || boot.networkManagerDefaultDhcp;
    if (primary?.method === 'static') {
      report({
        location: { path: primary.source.path, line: primary.source.line },
        message: `The first interface brought up at boot, ${nameOf(primary)} (${STACK_NAMES[primary.stack]}, ${sourceWords(primary.source)}), has a static address: it is the build network's and is wrong on any provider's network, so the appliance would not be reachable${hasDhcp ? '' : ' (and no interface uses DHCP)'}. Configure it for DHCP.`,
      });
    } else if (!hasDhcp) {
      const unused = unusedDhcp(boot);
      const configured = facts.network.interfaces[0]?.source.path;
      report({
        ...(configured ? { location: { path: configured } } : {}),
        message: `No interface gets its address by DHCP at boot: ${[whatRuns(boot, facts), ...unused].join('; ')}. On a provider's network the appliance then gets no address and SpotCloud shows "Detecting". ${unused.length > 0 ? 'Make one of those count as said, or configure another card for DHCP' : dhcpAdvice(facts, boot)}.`,
      });
    } else if (!boot.networkManagerDefaultDhcp) {
      // NetworkManager's default profile would give a card of any name DHCP.
      const dhcp = candidates.filter((c) => c.method === 'dhcp');
      if (dhcp.length > 0 && dhcp.every(namesPredictableInterface)) report(predictableNameFinding(dhcp, await readInterfaceNaming(guest, facts, problems)));
    }
    reportProblems(report, [...facts.network.problems, ...problems], 'the DHCP check');
  },
};
