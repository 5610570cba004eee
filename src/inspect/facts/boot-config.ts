// The guest's boot loader configuration: which kernel command lines it
// passes, and the GRUB defaults that shape the ones grub-mkconfig writes.
// Guest paths: a separate /boot partition is in the tree when fstab mounts it.
import type { GuestTree } from '../guest/guest-tree.js';
import { parseBlsEntry } from './boot-config-bls.js';
import { grubDefaultCommandLines, parseGrubCfg, parseGrubDefaults, parseGrubEnvironment } from './boot-config-grub.js';
import { parseGrubLegacyMenu } from './boot-config-grub-legacy.js';
import { parseSyslinuxCfg } from './boot-config-syslinux.js';
import type { BootConfigFacts, FactProblem, GrubDefaultSetting, KernelCommandLine } from './guest-facts.js';
import { readGuestText, tryGuest } from './read-guest-text.js';

/** grub-mkconfig's output: /boot/grub on Debian and Ubuntu, /boot/grub2 on RHEL, Fedora and SUSE. */
const GRUB_CFG = ['/boot/grub/grub.cfg', '/boot/grub2/grub.cfg'];
const GRUB_DEFAULTS = '/etc/default/grub';
const GRUB_DEFAULTS_DROP_INS = '/etc/default/grub.d/*.cfg';
const GRUB_ENVIRONMENT = ['/boot/grub2/grubenv', '/boot/grub/grubenv'];
/** RHEL 5/6 name it grub.conf (with menu.lst a link to it), Debian and SUSE menu.lst. */
const GRUB_LEGACY_MENUS = ['/boot/grub/menu.lst', '/boot/grub/grub.conf'];
const BLS_ENTRIES = '/boot/loader/entries/*.conf';
/** Where EXTLINUX and SYSLINUX look for their configuration on a Linux root (the ESP, vfat, is not read). */
const SYSLINUX_CONFIGS = ['/boot/extlinux/extlinux.conf', '/boot/extlinux.conf', '/extlinux.conf',
  '/boot/syslinux/syslinux.cfg', '/boot/syslinux/extlinux.conf', '/syslinux/syslinux.cfg'];

/** Kernels installed side by side get one entry each; a few dozen is already many. */
export const MAX_BLS_ENTRIES = 64;
/** /etc/default/grub.d holds a handful of drop-ins (Ubuntu cloud images ship two or three). */
export const MAX_GRUB_DROP_INS = 32;

export async function readBootConfigFacts(guest: GuestTree): Promise<BootConfigFacts> {
  const problems: FactProblem[] = [];
  const files: string[] = [];
  const commandLines: KernelCommandLine[] = [];
  /** Canonical paths already read: grub.conf and menu.lst, or the two grub.cfg, are often one file. */
  const seen = new Set<string>();

  /** Reads a file once, whatever link leads to it; undefined when absent, unreadable or seen. */
  const read = async (path: string): Promise<string | undefined> => {
    const text = await readGuestText(guest, path, problems);
    if (text === undefined) return undefined;
    const canonical = (await tryGuest(path, problems, () => guest.resolve(path))) ?? path;
    if (seen.has(canonical)) return undefined;
    seen.add(canonical);
    files.push(path);
    return text;
  };
  const glob = async (pattern: string, max: number): Promise<string[]> =>
    ((await tryGuest(pattern, problems, () => guest.glob(pattern))) ?? []).slice(0, max);

  for (const path of GRUB_CFG) {
    const text = await read(path);
    if (text !== undefined) commandLines.push(...parseGrubCfg(text, path));
  }

  let grubDefaults: Record<string, GrubDefaultSetting> = {};
  for (const path of [GRUB_DEFAULTS, ...await glob(GRUB_DEFAULTS_DROP_INS, MAX_GRUB_DROP_INS)]) {
    const text = await read(path);
    if (text !== undefined) grubDefaults = parseGrubDefaults(text, path, grubDefaults);
  }
  commandLines.push(...grubDefaultCommandLines(grubDefaults));

  for (const path of GRUB_ENVIRONMENT) {
    const text = await read(path);
    if (text !== undefined) commandLines.push(...parseGrubEnvironment(text, path));
  }
  for (const path of GRUB_LEGACY_MENUS) {
    const text = await read(path);
    if (text !== undefined) commandLines.push(...parseGrubLegacyMenu(text, path));
  }
  for (const path of await glob(BLS_ENTRIES, MAX_BLS_ENTRIES)) {
    const text = await read(path);
    if (text !== undefined) commandLines.push(parseBlsEntry(text, path));
  }
  for (const path of SYSLINUX_CONFIGS) {
    const text = await read(path);
    if (text !== undefined) commandLines.push(...parseSyslinuxCfg(text, path));
  }
  return { files, commandLines, grubDefaults, problems };
}
