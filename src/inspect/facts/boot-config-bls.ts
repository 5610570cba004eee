// Boot Loader Specification entries (pure): /boot/loader/entries/*.conf,
// the menu of RHEL 8 and later and of Fedora, read by GRUB's blscfg and by
// systemd-boot.
import type { KernelCommandLine } from './guest-facts.js';
import { rootArgument, splitKernelArguments } from './boot-config-words.js';

/**
 * One entry: "key value" lines. Several options lines add up, in order. The
 * source is the first options line (where the arguments are edited), or
 * the linux line when there is none.
 */
export function parseBlsEntry(text: string, path: string): KernelCommandLine {
  const options: string[] = [];
  let title: string | undefined;
  let kernel: string | undefined;
  let optionsLine: number | undefined;
  let linuxLine: number | undefined;
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const [, key, value = ''] = /^(\S+)\s*(.*)$/.exec(line) ?? [];
    if (key === 'title') title = value;
    else if (key === 'linux') {
      kernel = value;
      linuxLine ??= index + 1;
    } else if (key === 'options') {
      options.push(value);
      optionsLine ??= index + 1;
    }
  });
  const args = options.flatMap(splitKernelArguments);
  const root = rootArgument(args);
  return {
    loader: 'bls', kind: 'entry', source: { path, line: optionsLine ?? linuxLine ?? 1 },
    ...(title === undefined ? {} : { title }), ...(kernel === undefined ? {} : { kernel }),
    arguments: args, ...(root === undefined ? {} : { root }),
  };
}
