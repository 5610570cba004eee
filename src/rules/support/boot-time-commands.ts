// One-shot clock setting at boot: an ntpdate (or sntp, chronyd -q, ntpd -q,
// rdate, htpdate) run from a cron @reboot line or from rc.local. Pure.

export interface ClockCommand {
  line: number;
  /** The command as written. */
  command: string;
}

/** Programs that set the clock once from the network and exit. */
const CLOCK_SETTERS = [
  /(?:^|[\s/;&|(])(?:ntpdate|ntpdate-debian|sntp|rdate|htpdate)(?=\s|$)/,
  /(?:^|[\s/;&|(])chronyd\s(?:.*\s)?-[a-zA-Z]*[qQ]/,
  /(?:^|[\s/;&|(])ntpd\s(?:.*\s)?-[a-zA-Z]*q/,
];

export function setsClock(command: string): boolean {
  return CLOCK_SETTERS.some((pattern) => pattern.test(command));
}

/** "@reboot" lines of a crontab that set the clock (the system crontab's user field is kept in the command). */
export function rebootClockCommands(crontab: string): ClockCommand[] {
  const found: ClockCommand[] = [];
  crontab.split(/\r?\n/).forEach((raw, index) => {
    const match = /^\s*@reboot\s+(.+)$/.exec(raw);
    if (match && setsClock(match[1]!)) found.push({ line: index + 1, command: match[1]!.trim() });
  });
  return found;
}

/** Lines of a shell script (rc.local) that set the clock; comment lines do not count. */
export function scriptClockCommands(script: string): ClockCommand[] {
  const found: ClockCommand[] = [];
  script.split(/\r?\n/).forEach((raw, index) => {
    const content = raw.trim();
    if (content === '' || content.startsWith('#')) return;
    if (setsClock(content)) found.push({ line: index + 1, command: content });
  });
  return found;
}
