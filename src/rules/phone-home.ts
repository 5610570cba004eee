import type { FactProblem, GuestFacts } from '../inspect/facts/guest-facts.js';
import { readGuestText, tryGuest } from '../inspect/facts/read-guest-text.js';
import { findEnabledService } from '../inspect/facts/services/find-service.js';
import type { GuestTree } from '../inspect/guest/guest-tree.js';
import { NO_OPTIONS, type Rule } from './rule.js';
import { readBootCommands } from './support/boot-commands.js';
import { cloudPhoneHome, type CloudConfigFile, type CloudPhoneHome } from './support/cloud-config.js';
import { readCronJobs } from './support/cron-jobs.js';
import { reportProblems } from './support/report-problems.js';
import { distroFamily } from './support/service-commands.js';
import { simpleCommands } from './support/shell-commands.js';

const GUIDE_PHONE_HOME = 'it is a good idea to include a phone home capability within your appliances which announces when a new appliance boots and becomes available to execute a job.';

/** Programs that talk to another machine from a script. */
export const CALL_OUT_PROGRAMS = ['curl', 'wget', 'nc', 'ncat', 'netcat', 'socat'];
const CLOUD_CFG = '/etc/cloud/cloud.cfg';
const CLOUD_CFG_D = '/etc/cloud/cloud.cfg.d';
/** A real cloud.cfg.d holds a handful of files. */
export const MAX_CLOUD_CFG_FILES = 256;

/** A small unit that announces the appliance, for the explanation and the message. */
export const ANNOUNCE_UNIT_EXAMPLE = `/etc/systemd/system/announce-boot.service:
[Unit]
Description=Announce this appliance once the network is up
Wants=network-online.target
After=network-online.target

[Service]
Type=oneshot
ExecStart=/usr/bin/curl -fsS --retry 10 --retry-connrefused --data-urlencode host=%H https://jobs.example.com/appliance-ready

[Install]
WantedBy=multi-user.target

then: systemctl enable announce-boot.service`;

async function readCloudConfig(guest: GuestTree, problems: FactProblem[]): Promise<CloudConfigFile[]> {
  const files: CloudConfigFile[] = [];
  const listing = await tryGuest(CLOUD_CFG_D, problems, () => guest.list(CLOUD_CFG_D));
  const parts = (listing?.names ?? []).filter((name) => name.endsWith('.cfg')).slice(0, MAX_CLOUD_CFG_FILES).map((name) => `${CLOUD_CFG_D}/${name}`);
  for (const path of [CLOUD_CFG, ...parts]) {
    const text = await readGuestText(guest, path, problems);
    if (text !== undefined) files.push({ path, text });
  }
  return files;
}

/** Where `systemctl enable cloud-final.service` puts its link (cloud-init.target is pulled in by cloud-init-generator, not by a link). */
const CLOUD_FINAL_LINKS = ['/etc/systemd/system', '/lib/systemd/system', '/usr/lib/systemd/system'].map((dir) => `${dir}/cloud-init.target.wants/cloud-final.service`);
/** cloud-init-generator leaves cloud-init.target out of the boot while this file exists. */
const CLOUD_INIT_DISABLED = '/etc/cloud/cloud-init.disabled';

/**
 * Whether cloud-init's final stage runs at boot: enabled outright (SysV,
 * or a unit reached from the boot target), or, on systemd, linked into
 * cloud-init.target, which cloud-init-generator adds to the boot unless
 * cloud-init is disabled by file (its datasource detection at boot is not
 * predicted here).
 */
async function cloudFinalRuns(guest: GuestTree, facts: GuestFacts, problems: FactProblem[]): Promise<boolean> {
  if (findEnabledService(facts.services, ['cloud-final'])) return true;
  if (facts.services.initSystem !== 'systemd') return false;
  if (['cloud-final.service', 'cloud-init.target'].some((unit) => facts.services.masked.includes(unit))) return false;
  if (await tryGuest(CLOUD_INIT_DISABLED, problems, () => guest.exists(CLOUD_INIT_DISABLED))) return false;
  for (const link of CLOUD_FINAL_LINKS) if (await tryGuest(link, problems, () => guest.exists(link))) return true;
  return false;
}

/** A NoCloud seed in the image: ds-identify then finds a datasource wherever the appliance boots. */
const NOCLOUD_SEED_FILES = ['/var/lib/cloud/seed/nocloud/meta-data', '/var/lib/cloud/seed/nocloud-net/meta-data'];

async function hasNoCloudSeed(guest: GuestTree, problems: FactProblem[]): Promise<boolean> {
  for (const path of NOCLOUD_SEED_FILES) if (await tryGuest(path, problems, () => guest.exists(path))) return true;
  return false;
}

/** How to add an announcement on the guest's init system, for the message. */
function announceAdvice(initSystem: GuestFacts['services']['initSystem']): string {
  switch (initSystem) {
    case 'systemd': return "add a small systemd unit that reports the appliance's address to your job server once the network is up (spotlint explain phone-home has an example)";
    case 'openrc': return "add an executable /etc/local.d/announce.start that reports the appliance's address to your job server (curl or wget), with rc-update add local default";
    case 'upstart': return "add an Upstart job (/etc/init/announce.conf, \"start on started networking\") that reports the appliance's address to your job server with curl or wget";
    case 'sysv': return "add a line to an executable /etc/rc.local (or an init script of its own) that reports the appliance's address to your job server with curl or wget";
    default: return "add a boot-time command that reports the appliance's address to your job server once the network is up";
  }
}

/** Why cloud-init's phone_home, set in the image, will not run; undefined when it will. */
function cloudPhoneHomeGap(config: CloudPhoneHome, finalStageEnabled: boolean): string | undefined {
  const at = config.source ? `${config.source.path} line ${config.source.line}` : CLOUD_CFG;
  if (!config.url) return `cloud-init's phone_home (${at}) has no url`;
  if (!config.moduleListed) return `cloud-init's phone_home is set (${at}) but no stage's module list names phone-home`;
  if (!finalStageEnabled) return `cloud-init's phone_home is set (${at}) but cloud-init's final stage (cloud-final) does not start at boot`;
  return undefined;
}

export const phoneHome: Rule = {
  id: 'phone-home',
  title: 'The appliance announces itself when it boots',
  defaultSeverity: 'info',
  guideline: GUIDE_PHONE_HOME,
  rationale: 'SpotCloud appliances are transient: a provider starts one somewhere, for a limited time, with an address nobody knows in advance. Unless the appliance tells you it is up (and where), you have to go looking for it, and paid time passes while it waits for a job.',
  checks: `Whether anything calls out as the guest boots: cloud-init's phone_home module with a url in ${CLOUD_CFG} or ${CLOUD_CFG_D}/*.cfg, listed in a stage's modules and with cloud-final enabled (or linked into cloud-init.target, which cloud-init-generator adds to the boot unless /etc/cloud/cloud-init.disabled exists; its datasource detection at boot is not predicted); or a command running ${CALL_OUT_PROGRAMS.join(', ')} in the start commands (ExecStart=, ExecStartPre=, ExecStartPost=) of an enabled systemd service, in an enabled SysV or OpenRC script or Upstart job, in an executable /etc/rc.local or /etc/rc.d/rc.local (not on OpenRC, nor with rc-local.service masked), in OpenRC's executable /etc/local.d/*.start, or in a cron @reboot job, including one level into the shell scripts those commands run (a script run by its path only when it is executable; one given to sh whatever its mode). When cloud-init's phone_home is the only announcement, an info finding says that cloud-init runs only where it finds a datasource, unless the image seeds NoCloud (/var/lib/cloud/seed/nocloud*/meta-data). Unit drop-ins are not read, and an announcement configured through cloud-init user data supplied at launch is not in the image.`,
  howToFix: `Add a small unit that reports the appliance's address to your job server once the network is up, for example ${ANNOUNCE_UNIT_EXAMPLE}; or configure cloud-init's phone_home module (phone_home: url: ...).`,
  fixable: 'no',
  ...NO_OPTIONS,
  async check({ facts, guest, report }) {
    if (!guest || facts.os.family !== 'linux') return;
    const problems: FactProblem[] = [];
    let cloudGap: string | undefined;
    let cloudAnnounces: CloudPhoneHome | undefined;
    const cloudFiles = await readCloudConfig(guest, problems);
    if (cloudFiles.length > 0) {
      const config = cloudPhoneHome(cloudFiles);
      for (const path of config.brokenFiles) problems.push({ path, message: 'not valid YAML' });
      if (config.source) {
        cloudGap = cloudPhoneHomeGap(config, await cloudFinalRuns(guest, facts, problems));
        if (!cloudGap && (await hasNoCloudSeed(guest, problems))) return;
        if (!cloudGap) cloudAnnounces = config;
      }
    }
    const family = distroFamily(facts);
    const jobs = await readCronJobs(guest, { strictNames: family === 'debian' || family === 'alpine' }, problems);
    const commands = await readBootCommands(guest, facts, jobs, problems);
    const callsOut = commands.find((command) => simpleCommands(command.text).some((simple) => CALL_OUT_PROGRAMS.includes(simple.name)));
    reportProblems(report, problems, 'the phone-home check');
    if (callsOut) return;
    if (cloudAnnounces?.source) {
      const at = cloudAnnounces.source;
      report({
        location: { path: at.path, line: at.line },
        message: `Only cloud-init's phone_home (${at.path} line ${at.line}) announces the appliance, and cloud-init runs only when it finds a datasource at boot (on systemd its generator leaves it out of the boot otherwise); a SpotCloud provider may offer none (no metadata service, no config drive). Check that your providers offer one, seed NoCloud in /var/lib/cloud/seed/nocloud, or ${announceAdvice(facts.services.initSystem)}.`,
      });
      return;
    }
    report({
      location: cloudGap && cloudFiles.length > 0 ? { path: CLOUD_CFG } : {},
      message: `Nothing announces the appliance when it boots${cloudGap ? ` (${cloudGap})` : ''}: no enabled service, boot script, executable rc.local or cron @reboot job runs ${CALL_OUT_PROGRAMS.slice(0, 3).join(', ')} or the like. SpotCloud appliances come and go at providers anywhere, so ${announceAdvice(facts.services.initSystem)}.`,
    });
  },
};
