// GRUB Legacy's menu.lst / grub.conf (pure): title and kernel lines, and
// the "# kopt=" default that Debian's update-grub writes into new entries.
import type { KernelCommandLine } from './guest-facts.js';
import { rootArgument, splitKernelArguments } from './boot-config-words.js';
import { MAX_COMMAND_LINES_PER_FILE } from './boot-config-grub.js';

/** GRUB Legacy separates a command from its arguments by blanks or an "=". */
const COMMAND = /^([a-z]+)(?:\s*=\s*|\s+)(.*)$/;
/** update-grub's settings live in comments: "# kopt=root=/dev/hda1 ro", or kopt_2_6 for one kernel series. */
const KOPT = /^#\s*kopt(?:_[0-9_]+)?=(.*)$/;

export function parseGrubLegacyMenu(text: string, path: string): KernelCommandLine[] {
  const lines: KernelCommandLine[] = [];
  let title: string | undefined;
  const split = text.split('\n');
  for (let index = 0; index < split.length && lines.length < MAX_COMMAND_LINES_PER_FILE; index++) {
    const line = split[index]!.trim();
    const source = { path, line: index + 1 };
    const kopt = KOPT.exec(line);
    if (kopt) {
      const args = splitKernelArguments(kopt[1]!);
      const root = rootArgument(args);
      lines.push({ loader: 'grub-legacy', kind: 'template', source, title: 'kopt', arguments: args, ...(root === undefined ? {} : { root }) });
      continue;
    }
    const command = COMMAND.exec(line);
    if (!command) continue;
    if (command[1] === 'title') {
      title = command[2]!.trim();
      continue;
    }
    if (command[1] !== 'kernel') continue;
    // Options (--type=linux, --no-mem-option) come before the kernel file.
    const words = command[2]!.trim().split(/\s+/).filter((w) => w !== '');
    const first = words.findIndex((w) => !w.startsWith('--'));
    const kernel = first < 0 ? undefined : words[first];
    const args = first < 0 ? [] : words.slice(first + 1);
    const root = rootArgument(args);
    lines.push({
      loader: 'grub-legacy', kind: 'entry', source,
      ...(title === undefined ? {} : { title }), ...(kernel === undefined ? {} : { kernel }),
      arguments: args, ...(root === undefined ? {} : { root }),
    });
  }
  return lines;
}
