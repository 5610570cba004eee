// The jobs cron would run in a guest: the system crontab, /etc/cron.d, root's
// crontab (Debian, RHEL, SUSE and busybox locations) and the scripts of the
// periodic folders run-parts walks. Reads the guest; parsing is in
// crontab-lines.ts and shell-commands.ts.
import type { FactProblem } from '../../inspect/facts/guest-facts.js';
import { readGuestText, tryGuest } from '../../inspect/facts/read-guest-text.js';
import type { GuestTree } from '../../inspect/guest/guest-tree.js';
import { debianRunPartsName, parseCrontab } from './crontab-lines.js';
import { scriptCommandLines } from './shell-commands.js';

/** One command line cron runs, and when. */
export interface CronJob {
  path: string;
  line: number;
  /** "@reboot", the five time fields, or the folder's period ("daily") for run-parts scripts. */
  schedule: string;
  command: string;
  /** Why cron never runs it (a script that is not executable, a name run-parts skips); absent when it runs. */
  skipped?: string;
}

/**
 * The services of cron daemons, which run /etc/crontab, /etc/cron.d and the
 * users' crontabs, and through them the periodic folders: Debian's cron,
 * cronie's crond (RHEL, CentOS, Fedora; "cron" on SUSE, "cronie" on Arch),
 * busybox crond (Alpine's "crond", "busybox-crond" elsewhere), fcron and
 * dcron. anacron is not one of them: it runs only what its anacrontab lists.
 */
export const CRON_DAEMONS: readonly string[] = ['cron', 'crond', 'cronie', 'busybox-crond', 'fcron', 'dcron'];
/** anacron's service (SysV script or unit) and, on systemd, its hourly timer (Debian, Ubuntu); RHEL's cronie-anacron is run by crond instead. */
export const ANACRON_SERVICE = 'anacron';
export const ANACRON_TIMER = 'anacron.timer';
/** The folders the stock anacrontab (Debian's anacron, cronie-anacron) runs; cron.hourly and crontabs are cron's alone. */
export const ANACRON_FOLDERS: readonly string[] = ['/etc/cron.daily', '/etc/cron.weekly', '/etc/cron.monthly'];

/** Whether anacron, when it runs, runs the job file at `path` (a script of a folder its stock anacrontab lists). */
export function anacronRuns(path: string): boolean {
  return ANACRON_FOLDERS.some((folder) => path.startsWith(`${folder}/`));
}

/** Files read per folder: a real /etc/cron.d or cron.daily holds a dozen. */
export const MAX_CRON_FILES_PER_FOLDER = 256;
/** A crontab or a cron script bigger than this is not one. */
export const MAX_CRON_FILE_BYTES = 256 * 1024;

const SYSTEM_CRONTABS = ['/etc/crontab'];
/** root's own crontab: Debian, RHEL, SUSE, busybox (Alpine). */
const ROOT_CRONTABS = ['/var/spool/cron/crontabs/root', '/var/spool/cron/root', '/var/spool/cron/tabs/root', '/etc/crontabs/root'];
/** Folders of scripts run-parts runs, with their period: /etc/cron.* everywhere, /etc/periodic/* on Alpine. */
const PERIODIC_FOLDERS: Array<{ folder: string; period: string }> = [
  ...['hourly', 'daily', 'weekly', 'monthly'].map((period) => ({ folder: `/etc/cron.${period}`, period })),
  ...['15min', 'hourly', 'daily', 'weekly', 'monthly'].map((period) => ({ folder: `/etc/periodic/${period}`, period })),
];
/** What cronie's and RHEL's run-parts skip whatever the distribution (editor backups, package manager leftovers). */
const ALWAYS_SKIPPED = /(^\.|~$|,$|\.(rpmsave|rpmorig|rpmnew|swp|cfsaved|dpkg-(old|dist|new|tmp))$)/;

export interface CronReadOptions {
  /**
   * Debian's and busybox's run-parts (and Debian's cron for /etc/cron.d)
   * take only names of letters, digits, "_" and "-": a file named
   * "update.sh" never runs there.
   */
  strictNames: boolean;
}

async function listFolder(guest: GuestTree, folder: string, problems: FactProblem[]): Promise<string[]> {
  const listing = await tryGuest(folder, problems, () => guest.list(folder));
  return listing ? listing.names.slice(0, MAX_CRON_FILES_PER_FOLDER).map((name) => `${folder}/${name}`) : [];
}

function nameSkipped(name: string, options: CronReadOptions): string | undefined {
  if (ALWAYS_SKIPPED.test(name)) return `cron never runs a file named ${name}`;
  if (options.strictNames && !debianRunPartsName(name)) return `its name ${name} has characters other than letters, digits, "_" and "-", so cron never runs it`;
  return undefined;
}

async function crontabJobs(guest: GuestTree, path: string, withUser: boolean, skipped: string | undefined, problems: FactProblem[]): Promise<CronJob[]> {
  const text = await readGuestText(guest, path, problems, MAX_CRON_FILE_BYTES);
  if (text === undefined) return [];
  return parseCrontab(text, withUser).map((entry) => ({
    path, line: entry.line, schedule: entry.schedule, command: entry.command, ...(skipped ? { skipped } : {}),
  }));
}

async function scriptJobs(guest: GuestTree, path: string, period: string, skipped: string | undefined, problems: FactProblem[]): Promise<CronJob[]> {
  const stat = await tryGuest(path, problems, () => guest.stat(path));
  if (!stat || stat.kind !== 'file') return [];
  const text = await readGuestText(guest, path, problems, MAX_CRON_FILE_BYTES);
  if (text === undefined) return [];
  const notExecutable = (stat.mode & 0o111) === 0 ? `it is not executable (mode ${(stat.mode & 0o7777).toString(8).padStart(4, '0')}), so run-parts skips it` : undefined;
  const why = skipped ?? notExecutable;
  return scriptCommandLines(text).map(({ line, text: command }) => ({ path, line, schedule: period, command, ...(why ? { skipped: why } : {}) }));
}

/** Every job line cron would consider, each with why it would not run when it would not. */
export async function readCronJobs(guest: GuestTree, options: CronReadOptions, problems: FactProblem[]): Promise<CronJob[]> {
  const jobs: CronJob[] = [];
  for (const path of SYSTEM_CRONTABS) jobs.push(...(await crontabJobs(guest, path, true, undefined, problems)));
  for (const path of await listFolder(guest, '/etc/cron.d', problems)) {
    const name = path.slice(path.lastIndexOf('/') + 1);
    jobs.push(...(await crontabJobs(guest, path, true, nameSkipped(name, options), problems)));
  }
  for (const path of ROOT_CRONTABS) jobs.push(...(await crontabJobs(guest, path, false, undefined, problems)));
  for (const { folder, period } of PERIODIC_FOLDERS) {
    for (const path of await listFolder(guest, folder, problems)) {
      const name = path.slice(path.lastIndexOf('/') + 1);
      jobs.push(...(await scriptJobs(guest, path, period, nameSkipped(name, options), problems)));
    }
  }
  return jobs;
}
