// GRUB 2's configuration (pure): grub.cfg as grub-mkconfig writes it,
// /etc/default/grub that grub-mkconfig reads, and grubenv's kernelopts.
import type { GrubDefaultSetting, KernelCommandLine } from './guest-facts.js';
import { rootArgument, splitKernelArguments, splitShellWords } from './boot-config-words.js';

/** More kernel lines than any menu holds; the rest of a file is not read. */
export const MAX_COMMAND_LINES_PER_FILE = 256;
/** Far more GRUB_* settings than grub-mkconfig knows. */
export const MAX_GRUB_VARIABLES = 256;
/** A quoted value in /etc/default/grub may span lines; one this long is not a setting. */
export const MAX_CONTINUATION_LINES = 32;

/** The commands that load a Linux kernel: linux16 on RHEL 7 BIOS, linuxefi on UEFI with older patches. */
const LINUX_COMMANDS = new Set(['linux', 'linux16', 'linuxefi']);

/** The kernel path is the first word that is not an option (--no-verify ...). */
function kernelAndArguments(words: string[]): { kernel?: string; args: string[] } {
  let first = 1;
  while (first < words.length && words[first]!.startsWith('--')) first++;
  return { kernel: words[first], args: words.slice(first + 1) };
}

/**
 * The linux lines of a grub.cfg, with the title of the menuentry around
 * them. Blocks are followed by their braces: a line ending in "{" opens one
 * (menuentry, submenu, function), a line "}" closes it. Variables in the
 * arguments ($vt_handoff) stay as written.
 */
export function parseGrubCfg(text: string, path: string): KernelCommandLine[] {
  const lines: KernelCommandLine[] = [];
  const blocks: (string | undefined)[] = [];
  const split = text.split('\n');
  for (let index = 0; index < split.length && lines.length < MAX_COMMAND_LINES_PER_FILE; index++) {
    const { words } = splitShellWords(split[index]!);
    const command = words[0];
    if (command === undefined) continue;
    if (command === '}') {
      blocks.pop();
      continue;
    }
    if (words[words.length - 1] === '{') {
      blocks.push(command === 'menuentry' ? words[1] : undefined);
      continue;
    }
    if (!LINUX_COMMANDS.has(command)) continue;
    const { kernel, args } = kernelAndArguments(words);
    const title = [...blocks].reverse().find((t) => t !== undefined);
    lines.push({
      loader: 'grub2', kind: 'entry', source: { path, line: index + 1 },
      ...(title === undefined ? {} : { title }), ...(kernel === undefined ? {} : { kernel }),
      arguments: args, ...optionalRoot(args),
    });
  }
  return lines;
}

function optionalRoot(args: readonly string[]): { root?: string } {
  const root = rootArgument(args);
  return root === undefined ? {} : { root };
}

const ASSIGNMENT = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s;

/**
 * The variables one /etc/default/grub-style file sets, on top of `before`
 * (grub-mkconfig sources /etc/default/grub, then each
 * /etc/default/grub.d/*.cfg, and a later assignment wins). A value may
 * refer to variables set before it ("$GRUB_CMDLINE_LINUX quiet"); an unset
 * GRUB_* one is empty, as it is to grub-mkconfig, and other names stay as
 * written. Command substitutions are kept as text, never run.
 */
export function parseGrubDefaults(text: string, path: string, before: Readonly<Record<string, GrubDefaultSetting>> = {}): Record<string, GrubDefaultSetting> {
  const settings: Record<string, GrubDefaultSetting> = { ...before };
  const expand = (name: string) => (Object.hasOwn(settings, name) ? settings[name]!.value : name.startsWith('GRUB_') ? '' : undefined);
  const lines = text.split('\n');
  for (let index = 0; index < lines.length; index++) {
    const first = index;
    let command = lines[index]!;
    let split = splitShellWords(command, expand);
    // A quoted value may go on over several lines.
    while (split.open && index + 1 < lines.length && index - first < MAX_CONTINUATION_LINES) {
      command += `\n${lines[++index]!}`;
      split = splitShellWords(command, expand);
    }
    const words = split.words[0] === 'export' ? split.words.slice(1) : split.words;
    // Only leading NAME=value words assign; after them comes a command.
    for (const word of words) {
      const assignment = ASSIGNMENT.exec(word);
      if (!assignment) break;
      const name = assignment[1]!;
      if (!Object.hasOwn(settings, name) && Object.keys(settings).length >= MAX_GRUB_VARIABLES) continue;
      settings[name] = { value: assignment[2]!, source: { path, line: first + 1 } };
    }
  }
  return settings;
}

/** The variables grub-mkconfig turns into kernel arguments; LINUX_DEFAULT is left out of recovery entries. */
const GRUB_CMDLINE_VARIABLES = ['GRUB_CMDLINE_LINUX', 'GRUB_CMDLINE_LINUX_DEFAULT'];

/** GRUB_CMDLINE_LINUX and GRUB_CMDLINE_LINUX_DEFAULT as the templates of the entries grub-mkconfig writes. */
export function grubDefaultCommandLines(settings: Readonly<Record<string, GrubDefaultSetting>>): KernelCommandLine[] {
  return GRUB_CMDLINE_VARIABLES.filter((name) => Object.hasOwn(settings, name)).map((name) => {
    const { value, source } = settings[name]!;
    const args = splitKernelArguments(value);
    return { loader: 'grub2', kind: 'template', source, title: name, arguments: args, ...optionalRoot(args) };
  });
}

/**
 * grubenv's kernelopts (RHEL 8 and Fedora 30-33 keep the arguments of every
 * BLS entry there, which say "options $kernelopts"). A GRUB environment
 * block is NAME=value lines padded with # to 1024 bytes.
 */
export function parseGrubEnvironment(text: string, path: string): KernelCommandLine[] {
  const lines = text.split('\n');
  for (let index = 0; index < lines.length; index++) {
    const assignment = /^kernelopts=(.*)$/.exec(lines[index]!);
    if (!assignment) continue;
    const args = splitKernelArguments(assignment[1]!);
    return [{ loader: 'grub2', kind: 'template', source: { path, line: index + 1 }, title: 'kernelopts', arguments: args, ...optionalRoot(args) }];
  }
  return [];
}
