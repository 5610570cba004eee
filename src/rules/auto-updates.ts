import type { FactProblem, GuestFacts } from '../inspect/facts/guest-facts.js';
import { parseShellAssignments } from '../inspect/facts/network/shell-assignments.js';
import { readGuestText, tryGuest } from '../inspect/facts/read-guest-text.js';
import { findEnabledService } from '../inspect/facts/services/find-service.js';
import type { GuestTree } from '../inspect/guest/guest-tree.js';
import { NO_OPTIONS, type FindingInput, type FindingLocation, type Rule } from './rule.js';
import { aptReadsPart, parseAptConfig, periodicInterval, resolveAptSetting, type AptConfigFile, type AptSetting } from './support/apt-config.js';
import { ANACRON_SERVICE, ANACRON_TIMER, anacronRuns, CRON_DAEMONS, readCronJobs, type CronJob } from './support/cron-jobs.js';
import { iniBoolean, iniSetting, type IniSetting } from './support/ini-settings.js';
import { reportProblems } from './support/report-problems.js';
import { distroFamily, enableServiceCommand, type DistroFamily } from './support/service-commands.js';
import { SystemdTimers, type TimerUnit } from './support/systemd-timers.js';
import { serviceStartCommands } from './support/unit-settings.js';
import { upgradeCommandIn } from './support/update-commands.js';

const GUIDE_UPDATES = 'If your Virtual Machine is meant to be in use long term, be sure to have an update / patch maintenance schedule in place or consider running your updates automatically from a script.';

const APT_PARTS = '/etc/apt/apt.conf.d';
/** apt reads its parts first, then the main file. */
const APT_MAIN = '/etc/apt/apt.conf';
/** A real apt.conf.d holds a dozen files. */
export const MAX_APT_CONFIG_FILES = 256;
/** apt's daily jobs on systemd: the first refreshes the lists, the second runs unattended-upgrade. */
const APT_TIMERS = ['apt-daily.timer', 'apt-daily-upgrade.timer'];
/** apt's cron script for systems without systemd (named apt before apt 1.2). */
const APT_CRON_SCRIPTS = ['/etc/cron.daily/apt-compat', '/etc/cron.daily/apt'];
/** dnf-automatic (dnf 4) reads the file its service names; dnf5 reads it as the host's overrides from 5.2.6 on. */
const DNF_AUTOMATIC_CONF = '/etc/dnf/automatic.conf';
/** dnf5's automatic plugin: the package's defaults, read first. */
const DNF5_AUTOMATIC_DEFAULTS = '/usr/share/dnf5/dnf5-plugins/automatic.conf';
/** dnf5's host overrides: the first of these that exists (dnf5 before 5.2.6 knows only the second, since deprecated). */
const DNF5_AUTOMATIC_HOST_CONFS = [DNF_AUTOMATIC_CONF, '/etc/dnf/dnf5-plugins/automatic.conf'];
/** yum-cron 3.4 (RHEL/CentOS 7): an INI file whose apply_updates decides. */
const YUM_CRON_CONF = '/etc/yum/yum-cron.conf';
/** yum-cron 3.2 (RHEL/CentOS 6): shell variables its cron.daily script sources; CHECK_ONLY or DOWNLOAD_ONLY = yes stop it short of installing. */
const YUM_CRON_SYSCONFIG = '/etc/sysconfig/yum-cron';
/** yum-cron's own cron scripts (3.2, then 3.4's): their upgrade lines run or not by its configuration, which yumCron() reads instead. */
const YUM_CRON_JOBS = ['/etc/cron.daily/0yum.cron', '/etc/cron.daily/0yum-daily.cron', '/etc/cron.hourly/0yum-hourly.cron'];
/** At most this many characters of a job's command in a message. */
const MAX_COMMAND_CHARS = 120;

function where(setting: { path: string; line: number }): string {
  return `${setting.path} line ${setting.line}`;
}

function shortCommand(command: string): string {
  return command.length > MAX_COMMAND_CHARS ? `${command.slice(0, MAX_COMMAND_CHARS)}...` : command;
}

/** What the guest has, read once and shared by the checks of each mechanism. */
interface Context {
  guest: GuestTree;
  facts: GuestFacts;
  timers?: SystemdTimers;
  cronDaemon: boolean;
  /** anacron starts at boot (its service or timer): it runs cron.daily, weekly and monthly, nothing else. */
  anacron: boolean;
  jobs: CronJob[];
  problems: FactProblem[];
}

/** A mechanism's verdict: it installs updates, it is there but will not, or it is not there. */
type Verdict = { kind: 'working' } | { kind: 'broken'; finding: FindingInput } | { kind: 'absent' };
const WORKING: Verdict = { kind: 'working' };
const ABSENT: Verdict = { kind: 'absent' };

/** Whether something that starts at boot runs the cron job file at `path`: a cron daemon, or anacron for its folders. */
function jobRuns(context: Context, path: string): boolean {
  return context.cronDaemon || (context.anacron && anacronRuns(path));
}

/** That nothing starts at boot to run the job file at `path`, for messages. */
function noDaemon(path: string): string {
  return anacronRuns(path)
    ? `neither a cron daemon nor anacron starts at boot (looked for ${[...CRON_DAEMONS, ANACRON_SERVICE].join(', ')})`
    : `no cron daemon starts at boot (looked for ${CRON_DAEMONS.join(', ')}; anacron does not run ${path.slice(0, path.lastIndexOf('/'))})`;
}

async function exists(context: Context, path: string): Promise<boolean> {
  return (await tryGuest(path, context.problems, () => context.guest.exists(path))) === true;
}

async function readAptConfigFiles(context: Context): Promise<AptConfigFile[]> {
  const files: AptConfigFile[] = [];
  const listing = await tryGuest(APT_PARTS, context.problems, () => context.guest.list(APT_PARTS));
  const parts = (listing?.names ?? []).filter(aptReadsPart).slice(0, MAX_APT_CONFIG_FILES).map((name) => `${APT_PARTS}/${name}`);
  for (const path of [...parts, APT_MAIN]) {
    const text = await readGuestText(context.guest, path, context.problems);
    if (text !== undefined) files.push({ path, parsed: parseAptConfig(text) });
  }
  return files;
}

/** Cron jobs and enabled timers that run a package manager's upgrade themselves. */
async function upgradeJobs(context: Context): Promise<Verdict[]> {
  const verdicts: Verdict[] = [];
  for (const job of context.jobs) {
    if (YUM_CRON_JOBS.includes(job.path)) continue;
    const command = upgradeCommandIn(job.command);
    if (!command) continue;
    const location = { path: job.path, line: job.line };
    const what = `${job.path} line ${job.line} runs "${shortCommand(command)}"`;
    if (job.skipped) {
      verdicts.push({ kind: 'broken', finding: { location, message: `${what}, but ${job.skipped}, so no updates are installed. Fix that so the appliance keeps getting security fixes while it runs.` } });
    } else if (!jobRuns(context, job.path)) {
      verdicts.push({ kind: 'broken', finding: { location, message: `${what}, but ${noDaemon(job.path)}, so it never runs. Enable the cron service so the appliance keeps getting security fixes while it runs.` } });
    } else {
      verdicts.push(WORKING);
    }
  }
  for (const timer of context.timers?.enabled ?? []) {
    if (!timer.serviceDefinition) continue;
    const text = await readGuestText(context.guest, timer.serviceDefinition, context.problems);
    if (text !== undefined && serviceStartCommands(text).some((command) => upgradeCommandIn(command.value))) verdicts.push(WORKING);
  }
  return verdicts;
}

function timerProblem(name: string, timer: TimerUnit | undefined): { reason: string; path?: string } | undefined {
  if (!timer) return { reason: `${name} is not in the image` };
  if (timer.maskedBy) return { reason: `${name} is masked (${timer.maskedBy})`, path: timer.maskedBy };
  if (timer.serviceMaskedBy) return { reason: `${timer.service}, which ${name} starts, is masked (${timer.serviceMaskedBy})`, path: timer.serviceMaskedBy };
  if (!timer.enabledBy) return { reason: `${name} is not enabled (no link in timers.target.wants)`, path: timer.definition };
  return undefined;
}

function describeSetting(key: string, setting: AptSetting | undefined): string {
  return setting ? `${key} is "${setting.value}" (${where(setting)})` : `${key} is set nowhere in ${APT_MAIN} or ${APT_PARTS}, so apt takes "0"`;
}

/** unattended-upgrades, run by apt's daily jobs (apt.systemd.daily) when APT::Periodic asks for it. */
async function unattendedUpgrades(context: Context): Promise<Verdict> {
  const { facts } = context;
  const installed = facts.packages.packages.some((p) => p.name === 'unattended-upgrades') || (await exists(context, '/usr/bin/unattended-upgrade'));
  const files = await readAptConfigFiles(context);
  const enable = resolveAptSetting(files, 'APT::Periodic::Enable');
  const lists = resolveAptSetting(files, 'APT::Periodic::Update-Package-Lists');
  const upgrade = resolveAptSetting(files, 'APT::Periodic::Unattended-Upgrade');
  if (!installed && periodicInterval(upgrade?.value) !== 'on') return ABSENT;

  const reasons: Array<{ reason: string; location?: FindingLocation }> = [];
  if (!installed) {
    reasons.push({ reason: `${describeSetting('APT::Periodic::Unattended-Upgrade', upgrade)} but unattended-upgrades is not installed, so apt's daily job has nothing to run`, location: { path: upgrade!.path, line: upgrade!.line } });
  }
  if (enable && periodicInterval(enable.value) === 'off') {
    reasons.push({ reason: `APT::Periodic::Enable is "${enable.value}" (${where(enable)}), which turns apt's daily jobs off`, location: { path: enable.path, line: enable.line } });
  }
  for (const [key, setting] of [['APT::Periodic::Update-Package-Lists', lists], ['APT::Periodic::Unattended-Upgrade', upgrade]] as const) {
    const state = periodicInterval(setting?.value);
    if (state === 'on') continue;
    const suffix = state === 'invalid' ? ', which apt.systemd.daily does not understand' : '';
    reasons.push({ reason: `${describeSetting(key, setting)}${suffix}`, location: setting ? { path: setting.path, line: setting.line } : { path: APT_PARTS } });
  }
  if (context.timers) {
    for (const name of APT_TIMERS) {
      const problem = timerProblem(name, await context.timers.find(name));
      if (problem) reasons.push({ reason: problem.reason, location: problem.path ? { path: problem.path } : undefined });
    }
  } else {
    const script = await firstExisting(context, APT_CRON_SCRIPTS);
    if (!script) {
      reasons.push({ reason: `without systemd, apt's daily job runs from ${APT_CRON_SCRIPTS[0]}, which is missing` });
    } else {
      const stat = await tryGuest(script, context.problems, () => context.guest.stat(script));
      if (stat && (stat.mode & 0o111) === 0) reasons.push({ reason: `${script} is not executable, so run-parts skips it`, location: { path: script } });
      if (!jobRuns(context, script)) reasons.push({ reason: `${noDaemon(script)} to run ${script}`, location: { path: script } });
    }
  }
  if (reasons.length === 0) return WORKING;
  const fixes = context.timers
    ? `dpkg-reconfigure -plow unattended-upgrades (it writes ${APT_PARTS}/20auto-upgrades) and systemctl enable apt-daily.timer apt-daily-upgrade.timer`
    : `dpkg-reconfigure -plow unattended-upgrades (it writes ${APT_PARTS}/20auto-upgrades) and keep ${APT_CRON_SCRIPTS[0]} executable with cron enabled`;
  const subject = installed ? 'unattended-upgrades is installed but will not install updates' : 'Automatic updates are asked for but cannot run';
  return {
    kind: 'broken',
    finding: {
      location: reasons.find((r) => r.location)?.location ?? { path: APT_PARTS },
      message: `${subject}: ${reasons.map((r) => r.reason).join('; ')}. An appliance that runs for long stays on the security fixes it was built with; ${installed ? '' : 'apt-get install unattended-upgrades, then '}run ${fixes}.`,
    },
  };
}

async function firstExisting(context: Context, paths: readonly string[]): Promise<string | undefined> {
  for (const path of paths) if (await exists(context, path)) return path;
  return undefined;
}

/** A setting of an INI file, with the file. */
type FileSetting = IniSetting & { path: string };

/**
 * apply_updates as the timer's dnf reads it: dnf 4's dnf-automatic reads
 * /etc/dnf/automatic.conf; dnf5 reads its package's defaults, then the host's
 * overrides. `read` lists the files that were there.
 */
async function applyUpdatesSetting(context: Context, dnf5: boolean): Promise<{ setting?: FileSetting; read: string[] }> {
  const paths = dnf5 ? [DNF5_AUTOMATIC_DEFAULTS] : [DNF_AUTOMATIC_CONF];
  if (dnf5) {
    const host = await firstExisting(context, DNF5_AUTOMATIC_HOST_CONFS);
    if (host) paths.push(host);
  }
  const result: { setting?: FileSetting; read: string[] } = { read: [] };
  for (const path of paths) {
    const text = await readGuestText(context.guest, path, context.problems);
    if (text === undefined) continue;
    result.read.push(path);
    const setting = iniSetting(text, 'commands', 'apply_updates');
    if (setting) result.setting = { ...setting, path };
  }
  return result;
}

/** dnf-automatic (RHEL 8+, Fedora) or dnf5's automatic plugin: their timers, and apply_updates for the plain one. */
async function dnfAutomatic(context: Context): Promise<Verdict> {
  const { timers } = context;
  if (!timers) return ABSENT;
  const enabled = new Map(timers.enabled.map((timer) => [timer.name, timer]));
  if (enabled.has('dnf-automatic-install.timer')) return WORKING;
  const plain = enabled.get('dnf-automatic.timer') ?? enabled.get('dnf5-automatic.timer');
  if (plain) {
    // dnf5 ships dnf5-automatic.timer, with dnf-automatic.timer as its alias.
    const dnf5 = plain.name === 'dnf5-automatic.timer' || (plain.definition?.endsWith('/dnf5-automatic.timer') ?? false);
    const { setting, read } = await applyUpdatesSetting(context, dnf5);
    if (iniBoolean(setting?.value) === true) return WORKING;
    const hostFile = dnf5 ? DNF5_AUTOMATIC_HOST_CONFS.join(' or ') : DNF_AUTOMATIC_CONF;
    let said: string;
    if (setting) said = `apply_updates = ${setting.value} (${where(setting)})`;
    else if (read.length > 0) said = `${read.join(' and ')} ${read.length > 1 ? 'do' : 'does'} not set apply_updates, which dnf-automatic then takes as no`;
    else said = `${dnf5 ? [DNF5_AUTOMATIC_DEFAULTS, ...DNF5_AUTOMATIC_HOST_CONFS].join(', ') : DNF_AUTOMATIC_CONF} ${dnf5 ? 'are' : 'is'} missing, so nothing asks it to install updates`;
    return {
      kind: 'broken',
      finding: {
        location: setting ? { path: setting.path, line: setting.line } : { path: read.at(-1) ?? (dnf5 ? DNF5_AUTOMATIC_HOST_CONFS[0]! : DNF_AUTOMATIC_CONF) },
        message: `${plain.name} is enabled, but ${said}, so it does not install updates. Set apply_updates = yes under [commands] in ${hostFile}${dnf5 ? '' : ', or enable dnf-automatic-install.timer instead'}.`,
      },
    };
  }
  const partial = enabled.get('dnf-automatic-download.timer') ?? enabled.get('dnf-automatic-notifyonly.timer');
  if (partial) {
    const does = partial.name.includes('download') ? 'only downloads updates' : 'only reports that updates exist';
    return {
      kind: 'broken',
      finding: {
        location: partial.enabledBy ? { path: partial.enabledBy } : {},
        message: `${partial.name} is enabled, which ${does} and never installs them. Enable dnf-automatic-install.timer instead so the appliance keeps getting security fixes while it runs.`,
      },
    };
  }
  for (const name of ['dnf-automatic-install.timer', 'dnf-automatic.timer', 'dnf5-automatic.timer']) {
    const timer = await timers.find(name);
    if (!timer) continue;
    const why = timerProblem(name, timer)?.reason ?? `${name} is not enabled`;
    return {
      kind: 'broken',
      finding: {
        location: timer.definition ? { path: timer.definition } : {},
        message: `dnf-automatic is installed but does not run: ${why}. Enable it (systemctl enable ${name === 'dnf5-automatic.timer' ? name : 'dnf-automatic-install.timer'}) so the appliance keeps getting security fixes while it runs.`,
      },
    };
  }
  return ABSENT;
}

/** What yum-cron's configuration makes its daily job do; `installs` false with why, and where. */
type YumCronPlan = { installs: true } | { installs: false; why: string; location: FindingLocation; fix: string };

/** yum-cron 3.4: apply_updates under [commands] of yum-cron.conf (yum-cron's own default is no). */
function yumCron34Plan(text: string): YumCronPlan {
  const apply = iniSetting(text, 'commands', 'apply_updates');
  if (iniBoolean(apply?.value) === true) return { installs: true };
  return {
    installs: false,
    why: apply ? `${YUM_CRON_CONF} sets apply_updates = ${apply.value} (line ${apply.line})` : `${YUM_CRON_CONF} does not set apply_updates under [commands], which yum-cron then takes as no`,
    location: apply ? { path: YUM_CRON_CONF, line: apply.line } : { path: YUM_CRON_CONF },
    fix: `set apply_updates = yes under [commands] in ${YUM_CRON_CONF}`,
  };
}

/** yum-cron 3.2: its cron.daily script installs updates unless CHECK_ONLY=yes or DOWNLOAD_ONLY=yes. */
function yumCron32Plan(text: string): YumCronPlan {
  const variables = parseShellAssignments(text);
  for (const [name, does] of [['CHECK_ONLY', 'only checks for updates'], ['DOWNLOAD_ONLY', 'only downloads updates']] as const) {
    const setting = variables.get(name);
    if (setting?.value !== 'yes') continue;
    return {
      installs: false,
      why: `${YUM_CRON_SYSCONFIG} sets ${name}=yes (line ${setting.line}), so its daily job ${does}`,
      location: { path: YUM_CRON_SYSCONFIG, line: setting.line },
      fix: `set CHECK_ONLY=no and DOWNLOAD_ONLY=no in ${YUM_CRON_SYSCONFIG}`,
    };
  }
  return { installs: true };
}

/**
 * yum-cron: its service turns the daily cron job on (3.4 on RHEL/CentOS 7;
 * on 6, 3.2's init script creates the lock file its cron.daily script
 * needs), and its configuration decides whether that job installs.
 */
async function yumCron(context: Context): Promise<Verdict> {
  const service = findEnabledService(context.facts.services, ['yum-cron']);
  const conf = await readGuestText(context.guest, YUM_CRON_CONF, context.problems);
  const sysconfig = conf === undefined ? await readGuestText(context.guest, YUM_CRON_SYSCONFIG, context.problems) : undefined;
  const configPath = conf !== undefined ? YUM_CRON_CONF : sysconfig !== undefined ? YUM_CRON_SYSCONFIG : undefined;
  const plan = conf !== undefined ? yumCron34Plan(conf) : sysconfig !== undefined ? yumCron32Plan(sysconfig) : undefined;
  const enable = enableServiceCommand(context.facts, 'yum-cron');
  if (!service) {
    if (!configPath) return ABSENT;
    const also = plan && !plan.installs ? `, and ${plan.fix}` : '';
    return {
      kind: 'broken',
      finding: { location: { path: configPath }, message: `yum-cron is installed (${configPath}) but its service is not enabled, so its daily job does nothing. Enable it (${enable})${also}.` },
    };
  }
  if (!plan) {
    return {
      kind: 'broken',
      finding: {
        location: { path: service.enabledBy },
        message: `yum-cron is enabled, but neither ${YUM_CRON_CONF} (yum-cron 3.4, RHEL 7) nor ${YUM_CRON_SYSCONFIG} (yum-cron 3.2, RHEL 6) is in the image, so what its daily job does cannot be told. Reinstall yum-cron to restore its configuration and make it install updates (apply_updates = yes, or CHECK_ONLY=no and DOWNLOAD_ONLY=no).`,
      },
    };
  }
  if (!plan.installs) {
    return { kind: 'broken', finding: { location: plan.location, message: `yum-cron is enabled, but ${plan.why}, so it does not install updates. To keep the appliance getting security fixes while it runs, ${plan.fix}.` } };
  }
  // Its job is a script in /etc/cron.daily, which anacron would run too.
  if (!context.cronDaemon && !context.anacron) {
    return { kind: 'broken', finding: { location: { path: service.enabledBy }, message: `yum-cron is enabled, but no cron daemon starts at boot to run its daily job (looked for ${CRON_DAEMONS.join(', ')}). Enable crond (${enableServiceCommand(context.facts, 'crond')}).` } };
  }
  return WORKING;
}

/** SUSE's transactional-update.timer (MicroOS, SLE Micro) counts when enabled; its configuration is not examined. */
function transactionalUpdate(context: Context): Verdict {
  return context.timers?.enabled.some((timer) => timer.name === 'transactional-update.timer') ? WORKING : ABSENT;
}

function nothingFound(family: DistroFamily, systemd: boolean): FindingInput {
  const why = 'An appliance meant to run for long stays on the security fixes it was built with';
  const waive = 'if updates are applied by a maintenance schedule outside the image, waive this finding';
  switch (family) {
    case 'debian':
      return {
        location: { path: APT_PARTS },
        message: `No automatic updates are set up: unattended-upgrades is not installed, and no cron job or timer runs apt-get upgrade. ${why}: apt-get install unattended-upgrades, run dpkg-reconfigure -plow unattended-upgrades, and keep ${systemd ? 'apt-daily.timer and apt-daily-upgrade.timer enabled' : `${APT_CRON_SCRIPTS[0]} executable with cron enabled`} (${waive}).`,
      };
    case 'redhat':
      return { message: `No automatic updates are set up: neither dnf-automatic nor yum-cron is enabled, and no cron job or timer runs dnf -y upgrade or yum -y update. ${why}: dnf install dnf-automatic and systemctl enable dnf-automatic-install.timer (on RHEL 7, yum-cron with apply_updates = yes) (${waive}).` };
    case 'alpine':
      return { message: `No automatic updates are set up: no script in /etc/periodic or root's crontab runs apk upgrade. ${why}: add an executable /etc/periodic/daily/apk-upgrade (no dot in the name) running apk upgrade -U, and rc-update add crond default (${waive}).` };
    case 'suse':
      return { message: `No automatic updates are set up: no cron job or timer runs zypper patch, and transactional-update.timer is not enabled. ${why}: add a cron job running zypper --non-interactive patch, or enable transactional-update.timer on a transactional system (${waive}).` };
    default:
      return { message: `No automatic updates are set up: no cron job or timer runs a package manager's upgrade. ${why}: schedule one with cron or a systemd timer (${waive}).` };
  }
}

export const autoUpdates: Rule = {
  id: 'auto-updates',
  title: 'Updates are installed automatically',
  defaultSeverity: 'warning',
  guideline: GUIDE_UPDATES,
  rationale: 'A SpotCloud appliance can run for weeks at providers anywhere, reachable from the internet, with nobody logged in. Without a patch schedule it keeps every hole that is found after it was built. The guide accepts a maintenance schedule kept outside the image as well; that leaves no trace in the image, so this rule can only look for automatic updates inside it.',
  checks: `Whether anything in the image installs updates by itself: on Debian and Ubuntu, unattended-upgrades installed, APT::Periodic::Update-Package-Lists and APT::Periodic::Unattended-Upgrade switched on (and APT::Periodic::Enable not off) in ${APT_MAIN} and ${APT_PARTS}/* read in apt's order, and apt's daily jobs triggered (apt-daily.timer and apt-daily-upgrade.timer enabled on systemd; ${APT_CRON_SCRIPTS[0]} and a cron daemon or anacron otherwise); on RHEL-like systems dnf-automatic-install.timer, or dnf-automatic.timer with apply_updates = yes in ${DNF_AUTOMATIC_CONF}, or dnf5-automatic.timer with apply_updates = yes in ${DNF5_AUTOMATIC_DEFAULTS} or the host's ${DNF5_AUTOMATIC_HOST_CONFS.join(' (or the older ')}), or yum-cron enabled with apply_updates = yes in ${YUM_CRON_CONF} (yum-cron 3.4, RHEL 7) or without CHECK_ONLY=yes or DOWNLOAD_ONLY=yes in ${YUM_CRON_SYSCONFIG} (yum-cron 3.2, RHEL 6), with a cron daemon to run it; on SUSE an enabled transactional-update.timer (its configuration is not examined); anywhere, a cron job (/etc/crontab, /etc/cron.d, root's crontab, /etc/cron.{hourly,daily,weekly,monthly}, Alpine's /etc/periodic) or an enabled systemd timer whose service runs apt-get/apt upgrade, unattended-upgrade, yum/dnf -y upgrade, apk upgrade or zypper up/patch, with a cron daemon enabled (${CRON_DAEMONS.join(', ')}; anacron counts only for cron.daily, cron.weekly and cron.monthly, the folders its stock anacrontab runs) and the script executable and named so run-parts runs it. A maintenance schedule kept outside the image leaves no trace in it and cannot be checked: waive the finding if that is how the appliance is patched. Files included with apt's #include are not followed.`,
  howToFix: 'Debian/Ubuntu: apt-get install unattended-upgrades; dpkg-reconfigure -plow unattended-upgrades (writes /etc/apt/apt.conf.d/20auto-upgrades with APT::Periodic::Update-Package-Lists "1"; and APT::Periodic::Unattended-Upgrade "1";); systemctl enable apt-daily.timer apt-daily-upgrade.timer. RHEL 8+/Fedora: dnf install dnf-automatic; systemctl enable dnf-automatic-install.timer. RHEL 7: yum install yum-cron; set apply_updates = yes in /etc/yum/yum-cron.conf; systemctl enable yum-cron. RHEL 6: yum install yum-cron; keep CHECK_ONLY=no and DOWNLOAD_ONLY=no in /etc/sysconfig/yum-cron; chkconfig yum-cron on and chkconfig crond on. Alpine: an executable /etc/periodic/daily/apk-upgrade running apk upgrade -U, with crond enabled. Or keep a patch schedule outside the image and waive this rule.',
  fixable: 'no',
  ...NO_OPTIONS,
  async check({ facts, guest, report }) {
    if (!guest || facts.os.family !== 'linux') return;
    const problems: FactProblem[] = [];
    const family = distroFamily(facts);
    const context: Context = {
      guest,
      facts,
      problems,
      cronDaemon: findEnabledService(facts.services, [...CRON_DAEMONS]) !== undefined,
      anacron: findEnabledService(facts.services, [ANACRON_SERVICE]) !== undefined,
      jobs: await readCronJobs(guest, { strictNames: family === 'debian' || family === 'alpine' }, problems),
    };
    if (facts.services.initSystem === 'systemd') {
      context.timers = await SystemdTimers.read(guest, facts.services.defaultTarget, problems);
      if (context.timers.enabled.some((timer) => timer.name === ANACRON_TIMER)) context.anacron = true;
    }

    const verdicts = await upgradeJobs(context);
    if (family === 'debian') verdicts.push(await unattendedUpgrades(context));
    if (family === 'redhat' || family === 'other') verdicts.push(await dnfAutomatic(context), await yumCron(context));
    if (family === 'suse') verdicts.push(transactionalUpdate(context));

    reportProblems(report, problems, 'the automatic update check');
    if (verdicts.some((verdict) => verdict.kind === 'working')) return;
    const broken = verdicts.flatMap((verdict) => (verdict.kind === 'broken' ? [verdict.finding] : []));
    if (broken.length > 0) {
      for (const finding of broken) report(finding);
      return;
    }
    report(nothingFound(family, context.timers !== undefined));
  },
};
