// Pure helpers for SysV init configuration: /etc/inittab (inittab(5)), the
// rcN.d start links, and the default runlevel Upstart's rc-sysinit job sets.

export interface InittabEntry {
  id: string;
  runlevels: string;
  action: string;
  process: string;
  line: number;
}

/** id:runlevels:action:process lines; comments and malformed lines are skipped. */
export function parseInittab(text: string): InittabEntry[] {
  const entries: InittabEntry[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const fields = line.split(':');
    if (fields.length < 4) return;
    const [id, runlevels, action] = fields as [string, string, string];
    entries.push({ id, runlevels, action: action.trim(), process: fields.slice(3).join(':').trim(), line: index + 1 });
  });
  return entries;
}

/** The runlevel of the initdefault entry ("2", "3", "5" ...). */
export function initDefaultRunlevel(entries: InittabEntry[]): string | undefined {
  const entry = entries.find((e) => e.action === 'initdefault');
  const level = entry?.runlevels.trim();
  return level && /^[0-6Ss]$/.test(level) ? level.toUpperCase() : undefined;
}

/** Whether init hands the boot to OpenRC (Alpine's busybox inittab, Gentoo's sysvinit one). */
export function inittabStartsOpenrc(entries: InittabEntry[]): boolean {
  return entries.some((e) => /(^|[\s/])openrc(\s|$)/.test(e.process));
}

/** Actions under which init itself runs the boot: an inittab with none of them only sets the runlevel (RHEL 6, whose Upstart reads it). */
const BOOT_ACTIONS = new Set(['sysinit', 'boot', 'bootwait', 'wait', 'once', 'respawn']);

export function inittabRunsBoot(entries: InittabEntry[]): boolean {
  return entries.some((e) => BOOT_ACTIONS.has(e.action) && e.process !== '');
}

/** The service a start link runs: "S01ssh" -> "ssh"; undefined for K links, README and the like. */
export function startLinkService(fileName: string): string | undefined {
  // Two digits: the ordering sysv-rc, insserv and chkconfig write.
  const match = /^S\d{2}(.+)$/.exec(fileName);
  return match ? match[1] : undefined;
}

/** `env DEFAULT_RUNLEVEL=2` in Upstart's /etc/init/rc-sysinit.conf. */
export function upstartDefaultRunlevel(rcSysinit: string): string | undefined {
  const match = /^\s*env\s+DEFAULT_RUNLEVEL=["']?([0-6Ss])["']?\s*$/m.exec(rcSysinit);
  return match ? match[1]!.toUpperCase() : undefined;
}
