// Whether the interface name a network configuration names is the one a
// provider's VM gives its card. systemd-udevd's predictable names (en*, wl*,
// ww*) come from where the card sits: VirtualBox's e1000 in PCI slot 3 is
// enp0s3, a KVM virtio NIC in slot 3 is ens3. net.ifnames=0 on the kernel
// command line keeps the kernel's eth0 instead. Pure.
import type { KernelCommandLine, NetworkInterfaceConfig } from '../../inspect/facts/guest-facts.js';

/** Ethernet, WLAN and WWAN names systemd-udevd makes from a card's slot, firmware index, path or MAC. */
const PREDICTABLE_NAME = /^(en|wl|ww)[a-z]/;
/** grubenv's kernelopts, which RHEL's BLS entries name as a variable. */
const KERNELOPTS = /^\$(kernelopts|\{kernelopts\})$/;
/** The GRUB defaults grub-mkconfig copies into every entry it writes (recovery entries take only the first). */
const GRUB_TEMPLATES = ['GRUB_CMDLINE_LINUX', 'GRUB_CMDLINE_LINUX_DEFAULT'];

/** A configuration bound to one predictable name: no name pattern, no MAC match, not the kernel's eth*. */
export function namesPredictableInterface(config: NetworkInterfaceConfig): boolean {
  return config.interface !== undefined && PREDICTABLE_NAME.test(config.interface) && config.namePattern === undefined && config.macPin === undefined;
}

/** net.ifnames as the kernel arguments set it (the last one before "--" wins): false for net.ifnames=0, undefined when unset. */
export function netIfnames(args: readonly string[]): boolean | undefined {
  let value: boolean | undefined;
  for (const arg of args) {
    if (arg === '--') break;
    if (arg.startsWith('net.ifnames=')) value = arg.slice('net.ifnames='.length) !== '0';
  }
  return value;
}

export interface KernelNaming {
  /** Every boot entry turns predictable names off (net.ifnames=0); with no entry, a GRUB template does. */
  classicNames: boolean;
  /** The boot entries that leave predictable names on. */
  without: KernelCommandLine[];
  /** Boot entries looked at. */
  entries: number;
}

/** Whether the kernel command lines the boot loader passes keep the kernel's eth0 naming. */
export function kernelInterfaceNaming(commandLines: readonly KernelCommandLine[]): KernelNaming {
  const kernelopts = commandLines.find((c) => c.kind === 'template' && c.title === 'kernelopts')?.arguments ?? [];
  const entries = commandLines.filter((c) => c.kind === 'entry');
  const expanded = (entry: KernelCommandLine) => entry.arguments.flatMap((arg) => (KERNELOPTS.test(arg) ? kernelopts : [arg]));
  const without = entries.filter((entry) => netIfnames(expanded(entry)) !== false);
  if (entries.length > 0) return { classicNames: without.length === 0, without, entries: entries.length };
  const templates = commandLines.filter((c) => c.kind === 'template' && GRUB_TEMPLATES.includes(c.title ?? ''));
  return { classicNames: templates.some((t) => netIfnames(t.arguments) === false), without: [], entries: 0 };
}
