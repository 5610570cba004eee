import type { FactProblem } from '../inspect/facts/guest-facts.js';
import { tryGuest } from '../inspect/facts/read-guest-text.js';
import { findEnabledService } from '../inspect/facts/services/find-service.js';
import type { GuestTree } from '../inspect/guest/guest-tree.js';
import { NO_OPTIONS, type Rule } from './rule.js';
import { GUIDE_REMOTE_ACCESS } from './support/guidelines.js';
import { distroFamily, enableServiceCommand } from './support/service-commands.js';
import { enabledSshService, REMOTE_DESKTOP_NAMES, SSH_SERVICE_NAMES } from './support/ssh-access.js';

/** Debian's ssh unit and init script refuse to start while this file exists. */
const SSHD_NOT_TO_BE_RUN = '/etc/ssh/sshd_not_to_be_run';

/** Where an installed but not enabled sshd would be defined, per init system. */
const SSH_DEFINITIONS = [
  '/etc/systemd/system/ssh.service', '/etc/systemd/system/sshd.service',
  '/lib/systemd/system/ssh.service', '/lib/systemd/system/sshd.service',
  '/usr/lib/systemd/system/ssh.service', '/usr/lib/systemd/system/sshd.service',
  '/etc/init.d/ssh', '/etc/init.d/sshd', '/etc/init.d/dropbear', '/etc/init/ssh.conf',
];

/** The problems of the sshd facts that stop sshd itself (the facts say so in their words). */
const STOPS_SSHD = /sshd refuses to start/;

async function present(guest: GuestTree, path: string, problems: FactProblem[]): Promise<boolean> {
  return (await tryGuest(path, problems, () => guest.stat(path))) !== undefined;
}

export const remoteAccess: Rule = {
  id: 'remote-access',
  title: 'A remote access service starts at boot',
  defaultSeverity: 'error',
  guideline: GUIDE_REMOTE_ACCESS,
  rationale: 'A SpotCloud provider runs the appliance somewhere in the world with no console for the buyer. If no ssh (or remote desktop) server starts at boot, nobody can ever log in to the running VM: the paid provision is wasted and the image has to be fixed and uploaded again.',
  checks: `The services the guest's init system starts at boot (systemd units reached from the boot target, socket units included; SysV rc links of the default runlevel; Upstart jobs with "start on"; OpenRC boot and default runlevels), for sshd under any of its names (${SSH_SERVICE_NAMES.join(', ')}) or a remote desktop server (${REMOTE_DESKTOP_NAMES.join(', ')}). Masked units do not count. When sshd is enabled: ${SSHD_NOT_TO_BE_RUN}, which stops Debian's sshd from starting, and lines of the sshd configuration that sshd refuses to start with.`,
  howToFix: 'Install an ssh server and enable it at boot (systemctl enable ssh on Debian/Ubuntu, systemctl enable sshd on RHEL-like systems, rc-update add sshd default on Alpine), check its configuration with sshd -t, then make sure you can log in with a key before exporting.',
  fixable: 'no',
  ...NO_OPTIONS,
  async check({ facts, guest, report }) {
    if (!guest || facts.os.family !== 'linux') return;
    const problems: FactProblem[] = [];
    const ssh = enabledSshService(facts);
    if (ssh) {
      if (await present(guest, SSHD_NOT_TO_BE_RUN, problems)) {
        report({
          location: { path: SSHD_NOT_TO_BE_RUN },
          message: `${ssh.name} is enabled at boot, but ${SSHD_NOT_TO_BE_RUN} exists, so sshd refuses to start and there is no way into the appliance (SpotCloud has no console). Delete ${SSHD_NOT_TO_BE_RUN} before exporting.`,
        });
      }
      for (const problem of facts.sshd.problems.filter((p) => STOPS_SSHD.test(p.message))) {
        report({
          location: { path: problem.path },
          message: `${problem.path}: ${problem.message}. ${ssh.name} is enabled, but with this configuration there is no way into the appliance (SpotCloud has no console). Fix the line and check with sshd -t.`,
        });
      }
      return;
    }
    if (findEnabledService(facts.services, REMOTE_DESKTOP_NAMES)) return;
    const masked = facts.services.masked.find((name) => SSH_SERVICE_NAMES.some((s) => name === `${s}.service` || name === `${s}.socket`));
    const installed: string[] = [];
    for (const path of SSH_DEFINITIONS) if (await present(guest, path, problems)) installed.push(path);
    const init = facts.services.initSystem === 'unknown' ? 'an init system spotlint could not identify' : facts.services.initSystem;
    const where = `(${init}; looked for ${SSH_SERVICE_NAMES.join('/')} and remote desktop servers such as xrdp and VNC)`;
    // The name the installed definition goes by (dropbear is dropbear), else the distribution's name for sshd.
    const unit = installed[0]?.replace(/^.*\//, '').replace(/\.(service|conf)$/, '') ?? (distroFamily(facts) === 'debian' ? 'ssh' : 'sshd');
    let message: string;
    if (masked) {
      message = `${masked} is masked (linked to /dev/null), so no ssh server starts at boot ${where}. SpotCloud gives no console, so nobody could log in to the appliance. Unmask and enable it: systemctl unmask ${masked} && systemctl enable ${masked}.`;
    } else if (installed.length > 0) {
      message = `An ssh server is installed (${installed[0]}) but not enabled at boot ${where}. SpotCloud gives no console, so nobody could log in to the appliance. Enable it: ${enableServiceCommand(facts, unit, installed[0])}.`;
    } else {
      message = `No remote access service starts at boot ${where}. SpotCloud gives no console, so nobody could log in to the appliance. Install an ssh server (openssh-server) and enable it: ${enableServiceCommand(facts, unit)}.`;
    }
    report({ location: installed[0] ? { path: installed[0] } : {}, message });
  },
};
