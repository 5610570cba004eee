// Commands that set the clock once from the network and exit (ntpdate,
// sntp, rdate, htpdate, "chronyd -q", "ntpd -q"), as a boot script, a cron
// @reboot line or a unit's ExecStart= would run them. Matched on the simple
// commands of a line, not by a pattern over the whole line, so the work
// stays linear on a crafted line. Pure.
import { simpleCommands, type SimpleCommand } from './shell-commands.js';

/** A short option cluster that holds `letter` ("-gq" holds q); long options are matched by name. */
function hasShortOption(args: readonly string[], letter: string): boolean {
  return args.some((arg) => /^-[a-zA-Z]+$/.test(arg) && arg.slice(1).includes(letter));
}

function hasAnyOption(args: readonly string[], letters: string, long: readonly string[] = []): boolean {
  return [...letters].some((letter) => hasShortOption(args, letter)) || args.some((arg) => long.includes(arg.split('=')[0]!));
}

/**
 * Whether one command sets the clock. Each program's own options decide:
 * ntpdate sets it unless -q or -d only query; sntp only with -s/-S (ntp
 * 4.2.8) or -r/-a (4.2.6); rdate unless -p only prints; htpdate only with
 * -s, -a, -x or -D; chronyd and ntpd only with -q (chronyd -Q only prints
 * the offset). busybox runs the applet named by its first argument.
 */
export function setsClock(command: SimpleCommand): boolean {
  const [name, args] = command.name === 'busybox' && command.args[0] !== undefined
    ? [command.args[0], command.args.slice(1)]
    : [command.name, command.args];
  switch (name) {
    case 'ntpdate':
    case 'ntpdate-debian':
      return !hasAnyOption(args, 'qd');
    case 'sntp':
      return hasAnyOption(args, 'sSra', ['--settod', '--slew']);
    case 'rdate':
      return !(hasShortOption(args, 'p') && !hasShortOption(args, 's'));
    case 'htpdate':
      return hasAnyOption(args, 'saxD');
    case 'chronyd':
    case 'ntpd':
      return hasShortOption(args, 'q');
    default:
      return false;
  }
}

/** The first command of a line of shell that sets the clock, as written ("ntpdate -b pool.ntp.org"); undefined when none does. */
export function clockCommandIn(text: string): string | undefined {
  const found = simpleCommands(text).find(setsClock);
  return found ? [found.program, ...found.args].join(' ') : undefined;
}
