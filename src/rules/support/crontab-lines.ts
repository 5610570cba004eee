// Crontab entries (crontab(5)): "m h dom mon dow [user] command" or
// "@reboot [user] command"; the system crontab and /etc/cron.d files name a
// user, a user's own crontab does not. Pure: text in, entries out.

export interface CrontabEntry {
  /** 1-based line. */
  line: number;
  /** "@reboot", "@daily" ..., or the five time fields joined by spaces. */
  schedule: string;
  user?: string;
  command: string;
}

/** The @ schedules cron knows (Vixie cron, cronie, busybox crond). */
const NAMED_SCHEDULES = new Set(['@reboot', '@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly']);
/** NAME=value lines set the environment of the jobs below them. */
const ENVIRONMENT_LINE = /^[A-Za-z_][A-Za-z0-9_]*\s*=/;

/**
 * The job lines of a crontab. `withUser`: the system crontab format
 * (/etc/crontab, /etc/cron.d/*), whose sixth field names the user.
 * Comments, blank lines and environment settings are left out, and so are
 * lines with too few fields for a job.
 */
export function parseCrontab(text: string, withUser: boolean): CrontabEntry[] {
  const entries: CrontabEntry[] = [];
  text.split('\n').forEach((raw, index) => {
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#') || ENVIRONMENT_LINE.test(trimmed)) return;
    const fields = trimmed.split(/\s+/);
    const named = NAMED_SCHEDULES.has(fields[0]!.toLowerCase());
    const timeFields = named ? 1 : 5;
    const commandAt = timeFields + (withUser ? 1 : 0);
    if (fields.length <= commandAt) return;
    if (!named && fields[0]!.startsWith('@')) return;
    // The command keeps its own spacing: take the text after the fields before it.
    let rest = trimmed;
    for (let f = 0; f < commandAt; f++) rest = rest.slice(rest.indexOf(fields[f]!) + fields[f]!.length).trimStart();
    const entry: CrontabEntry = { line: index + 1, schedule: named ? fields[0]!.toLowerCase() : fields.slice(0, 5).join(' '), command: rest };
    if (withUser) entry.user = fields[timeFields]!;
    entries.push(entry);
  });
  return entries;
}

/**
 * Whether Debian's run-parts (and so cron.daily and friends, and cron's
 * reading of /etc/cron.d) takes a file of this name: letters, digits,
 * underscores and hyphens only, so "update.sh" never runs there.
 */
export function debianRunPartsName(name: string): boolean {
  return /^[A-Za-z0-9_-]+$/.test(name);
}
