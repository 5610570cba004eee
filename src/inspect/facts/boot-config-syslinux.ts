// SYSLINUX and EXTLINUX configuration (pure): extlinux.conf, syslinux.cfg.
import type { KernelCommandLine } from './guest-facts.js';
import { rootArgument, splitKernelArguments } from './boot-config-words.js';
import { MAX_COMMAND_LINES_PER_FILE } from './boot-config-grub.js';

/**
 * The APPEND lines, each with its LABEL and KERNEL (or LINUX). Keywords
 * are case-insensitive; an APPEND before any LABEL is the default of every
 * label without its own; "APPEND -" passes nothing.
 */
export function parseSyslinuxCfg(text: string, path: string): KernelCommandLine[] {
  const lines: KernelCommandLine[] = [];
  let label: string | undefined;
  let kernel: string | undefined;
  /** The current label's APPEND, which a later KERNEL line in the same label still names. */
  let labelAppend: KernelCommandLine | undefined;
  const split = text.split('\n');
  for (let index = 0; index < split.length && lines.length < MAX_COMMAND_LINES_PER_FILE; index++) {
    const line = split[index]!.trim();
    if (line === '' || line.startsWith('#')) continue;
    const [, word = '', rest = ''] = /^(\S+)\s*(.*)$/.exec(line) ?? [];
    const keyword = word.toLowerCase();
    if (keyword === 'label') {
      label = rest;
      kernel = undefined;
      labelAppend = undefined;
    } else if (keyword === 'kernel' || keyword === 'linux') {
      kernel = rest;
      if (labelAppend) labelAppend.kernel = rest;
    } else if (keyword === 'append') {
      const args = rest === '-' ? [] : splitKernelArguments(rest);
      const root = rootArgument(args);
      const entry: KernelCommandLine = {
        loader: 'syslinux', kind: 'entry', source: { path, line: index + 1 },
        ...(label === undefined ? {} : { title: label }), ...(kernel === undefined ? {} : { kernel }),
        arguments: args, ...(root === undefined ? {} : { root }),
      };
      lines.push(entry);
      if (label !== undefined) labelAppend = entry;
    }
  }
  return lines;
}
