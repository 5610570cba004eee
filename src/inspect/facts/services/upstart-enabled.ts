import type { GuestTree } from '../../guest/guest-tree.js';
import type { EnabledService, FactProblem } from '../guest-facts.js';
import { readGuestText, tryGuest } from '../read-guest-text.js';
import { upstartStartCondition } from './upstart-jobs.js';

/** Job files read from /etc/init; Ubuntu 14.04 ships about a hundred. */
export const MAX_UPSTART_JOBS = 1024;

const UPSTART_JOB_DIR = '/etc/init';

export interface UpstartJobs {
  /** Every job name with a .conf file (started by itself or not). */
  jobs: string[];
  /** Some job has a `start on` stanza: Upstart boot configuration is present. */
  configured: boolean;
  /** Jobs that start by themselves: a `start on` stanza left in force by `manual` in the .conf or .override. */
  enabled: EnabledService[];
}

/** The jobs in /etc/init/*.conf (the top level only; jobs in subdirectories are not read). */
export async function readUpstartJobs(guest: GuestTree, problems: FactProblem[]): Promise<UpstartJobs> {
  const result: UpstartJobs = { jobs: [], configured: false, enabled: [] };
  const listing = await tryGuest(UPSTART_JOB_DIR, problems, () => guest.list(UPSTART_JOB_DIR));
  if (!listing) return result;
  const confs = listing.names.filter((name) => name.endsWith('.conf') && name !== '.conf');
  if (confs.length > MAX_UPSTART_JOBS) problems.push({ path: UPSTART_JOB_DIR, message: `${UPSTART_JOB_DIR}: more than ${MAX_UPSTART_JOBS} job files; the rest were not read` });
  for (const file of confs.slice(0, MAX_UPSTART_JOBS)) {
    const job = file.slice(0, -'.conf'.length);
    const confPath = `${listing.canonical}/${file}`;
    const overridePath = `${listing.canonical}/${job}.override`;
    const conf = await readGuestText(guest, confPath, problems);
    if (conf === undefined) continue;
    result.jobs.push(job);
    const override = listing.names.includes(`${job}.override`) ? await readGuestText(guest, overridePath, problems) : undefined;
    const condition = upstartStartCondition(conf, override);
    if (condition.hasStartOn) result.configured = true;
    if (!condition.startOn) continue;
    const enabledBy = condition.startOn.file === 'override' ? overridePath : confPath;
    result.enabled.push({ name: job, initSystem: 'upstart', enabledBy, definition: confPath, aliases: [] });
  }
  return result;
}
