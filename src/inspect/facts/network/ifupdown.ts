// Debian's ifupdown: /etc/network/interfaces and the files it includes
// (interfaces(5)). Parsing is per file; which interfaces come up at boot is
// decided across all of them, since "auto eth0" may sit in one file and
// "iface eth0" in another.
import { normaliseGuestPath } from '../../guest/guest-path.js';
import type { NetworkInterfaceConfig } from '../guest-facts.js';

export interface IfupdownIface {
  name: string;
  /** inet, inet6 ... */
  family: string;
  /** dhcp, static, manual, loopback, ... as written. */
  method: string;
  line: number;
}

export interface IfupdownBootMark {
  name: string;
  /** auto and allow-auto: brought up by `ifup -a`; allow-hotplug: by udev when the device appears. */
  kind: 'auto' | 'hotplug';
  line: number;
}

export interface IfupdownInclude {
  /** source: a file or glob; source-directory: every run-parts-named file in a directory. */
  kind: 'source' | 'source-directory';
  /** Absolute: a relative path is taken from the including file's directory. */
  pattern: string;
  line: number;
}

export interface IfupdownFile {
  path: string;
  ifaces: IfupdownIface[];
  bootMarks: IfupdownBootMark[];
  includes: IfupdownInclude[];
}

const METHODS: Record<string, NetworkInterfaceConfig['method']> = {
  dhcp: 'dhcp',
  static: 'static',
  manual: 'manual',
  loopback: 'loopback',
};

/** Lines as ifupdown reads them: a trailing "\" joins the next line; comments are whole lines. */
function logicalLines(text: string): { words: string[]; line: number }[] {
  const physical = text.split(/\r?\n/);
  const logical: { words: string[]; line: number }[] = [];
  for (let index = 0; index < physical.length; index++) {
    const line = index + 1;
    // Joined once at the end: joining as it goes copies the line so far for
    // every "\", which is quadratic in a file of continuation lines.
    const pieces = [physical[index]!.trimEnd()];
    while (pieces.at(-1)!.endsWith('\\') && index + 1 < physical.length) {
      pieces.push(pieces.pop()!.slice(0, -1));
      index++;
      pieces.push(physical[index]!.trimEnd());
    }
    const content = pieces.join(' ').trim();
    // ifupdown has no end-of-line comments: "#" counts only first on a line.
    if (content === '' || content.startsWith('#')) continue;
    logical.push({ words: content.split(/\s+/), line });
  }
  return logical;
}

/** One interfaces(5) file; its includes are listed, not followed (the collector reads them). */
export function parseInterfacesFile(text: string, path: string): IfupdownFile {
  const file: IfupdownFile = { path, ifaces: [], bootMarks: [], includes: [] };
  const directory = path.slice(0, path.lastIndexOf('/')) || '/';
  for (const { words, line } of logicalLines(text)) {
    const [keyword, ...rest] = words as [string, ...string[]];
    if (keyword === 'iface') {
      const [name, family = '', method = ''] = rest;
      if (name) file.ifaces.push({ name, family, method, line });
    } else if (keyword === 'auto' || keyword === 'allow-auto') {
      for (const name of rest) file.bootMarks.push({ name, kind: 'auto', line });
    } else if (keyword === 'allow-hotplug') {
      for (const name of rest) file.bootMarks.push({ name, kind: 'hotplug', line });
    } else if ((keyword === 'source' || keyword === 'source-directory') && rest.length > 0) {
      const target = rest.join(' ');
      file.includes.push({ kind: keyword, pattern: normaliseGuestPath(target.startsWith('/') ? target : `${directory}/${target}`), line });
    }
    // Options such as "hwaddress ether 52:54:00:..." are deliberately not
    // read: hwaddress *sets* the card's MAC before bringing it up, so the
    // stanza still applies to whatever card has the name. It is a MAC
    // change, not a binding of the configuration to one card's MAC, and a
    // VM moved to new hardware keeps working with it.
  }
  return file;
}

/**
 * The configurations the files give together: one per iface stanza, at
 * boot when any file marks the interface auto/allow-auto (ifup -a at boot)
 * or allow-hotplug (ifup when udev reports the card, which for a card
 * present at boot is at boot). Other allow-CLASS groups only come up when
 * asked for by name, so they are not at boot.
 */
export function ifupdownConfigs(files: readonly IfupdownFile[]): NetworkInterfaceConfig[] {
  const boot = new Map<string, 'auto' | 'hotplug'>();
  for (const mark of files.flatMap((file) => file.bootMarks)) {
    if (boot.get(mark.name) !== 'auto') boot.set(mark.name, mark.kind);
  }
  return files.flatMap((file) =>
    file.ifaces.map((iface) => {
      const config: NetworkInterfaceConfig = {
        stack: 'ifupdown',
        interface: iface.name,
        method: METHODS[iface.method] ?? 'other',
        atBoot: boot.has(iface.name),
        source: { path: file.path, line: iface.line },
      };
      if (boot.get(iface.name) === 'hotplug') config.hotplug = true;
      return config;
    }),
  );
}

/** The configurations one file gives on its own (its includes not followed). */
export function parseIfupdown(text: string, path: string): NetworkInterfaceConfig[] {
  return ifupdownConfigs([parseInterfacesFile(text, path)]);
}

/** source-directory reads files named like run-parts does: letters, digits, "_" and "-" only. */
export const SOURCE_DIRECTORY_NAME = /^[A-Za-z0-9_-]+$/;
