import type { FactProblem, GuestFacts } from '../inspect/facts/guest-facts.js';
import { readGuestText, tryGuest } from '../inspect/facts/read-guest-text.js';
import { UNIT_SEARCH_PATH } from '../inspect/facts/services/systemd-unit-index.js';
import type { GuestTree } from '../inspect/guest/guest-tree.js';
import { NO_OPTIONS, type Rule } from './rule.js';
import { RC_LOCAL_PATHS } from './support/boot-commands.js';
import { describeRcLocal } from './support/rc-local-script.js';
import { reportProblems } from './support/report-problems.js';
import { serviceStartCommands } from './support/unit-settings.js';

const GUIDE_STARTUP = 'Be sure that your VM has appropriate startup scripts in place to ensure that all services will recover on a restart.';

const RC_LOCAL_UNIT = 'rc-local.service';
/** At most this many characters of the first command in a message. */
const MAX_QUOTED_CHARS = 100;

function octal(mode: number): string {
  return (mode & 0o7777).toString(8).padStart(4, '0');
}

/** What runs rc.local at boot, or what stops anything from running it. */
interface RcLocalRunner {
  /** The path the boot runs (rc-local.service's ExecStart on systemd); undefined when it is not known. */
  runs?: string;
  /** Why nothing runs any rc.local. */
  blocker?: string;
  /** Who checks the execute bit, for the message. */
  executableCheck: string;
  /** What undoes the blocker, when something can. */
  remedy?: string;
}

/** Where startup work belongs on each init system, for the message. */
function betterPlace(initSystem: GuestFacts['services']['initSystem']): string {
  switch (initSystem) {
    case 'systemd': return 'move the commands into a systemd unit of their own (Type=oneshot, WantedBy=multi-user.target) and enable it';
    case 'openrc': return 'move the commands into an executable /etc/local.d/NAME.start and rc-update add local default';
    case 'upstart': return 'move the commands into an Upstart job of their own (/etc/init/NAME.conf with "start on runlevel [2345]")';
    case 'sysv': return 'move the commands into an init script of their own in /etc/init.d and enable it (update-rc.d NAME defaults, or chkconfig NAME on)';
    default: return '';
  }
}

async function findRunner(guest: GuestTree, facts: GuestFacts, problems: FactProblem[]): Promise<RcLocalRunner> {
  switch (facts.services.initSystem) {
    case 'systemd': {
      const executableCheck = `systemd-rc-local-generator adds ${RC_LOCAL_UNIT} to the boot only for an executable file`;
      if (facts.services.masked.includes(RC_LOCAL_UNIT)) return { blocker: `${RC_LOCAL_UNIT} is masked, so systemd never runs it`, executableCheck, remedy: `systemctl unmask ${RC_LOCAL_UNIT}` };
      for (const dir of UNIT_SEARCH_PATH) {
        const text = await readGuestText(guest, `${dir}/${RC_LOCAL_UNIT}`, problems);
        if (text === undefined) continue;
        const program = serviceStartCommands(text).find((command) => command.key === 'ExecStart')?.value.split(/\s+/)[0];
        return { runs: program, executableCheck };
      }
      return { blocker: `this systemd has no ${RC_LOCAL_UNIT}, so nothing runs rc.local at boot`, executableCheck };
    }
    case 'openrc':
      return { blocker: 'OpenRC never runs rc.local (its "local" service runs the executable /etc/local.d/*.start files instead)', executableCheck: 'OpenRC does not look at it' };
    default:
      return { executableCheck: 'the boot scripts run it only when it is executable' };
  }
}

async function canonicalPath(guest: GuestTree, path: string, problems: FactProblem[]): Promise<string | undefined> {
  return tryGuest(path, problems, () => guest.resolve(path));
}

export const rcLocal: Rule = {
  id: 'rc-local',
  title: 'rc.local runs at boot',
  defaultSeverity: 'warning',
  guideline: GUIDE_STARTUP,
  rationale: 'A SpotCloud provider can stop the VM at any time and start it again elsewhere; whatever the appliance needs at startup must then run by itself. An rc.local with commands that is not executable, lacks its #! line, or sits where the init system does not look, looks like startup work but silently does nothing after a restart.',
  checks: `${RC_LOCAL_PATHS.join(' and ')} (one check when one links to the other), when it holds commands (not only comments, "exit 0" and RHEL's stock "touch /var/lock/subsys/local"): that it is executable (systemd-rc-local-generator pulls ${RC_LOCAL_UNIT} in only for an executable file, and SysV's rc.local script runs it only then), that its first line is a #! line naming an interpreter present in the image (${RC_LOCAL_UNIT} executes it directly, so without one it fails with "Exec format error"; SysV's and Upstart's rc scripts run it from a shell, which falls back to sh, so there only a missing interpreter counts), and on systemd that ${RC_LOCAL_UNIT} exists, is not masked and runs this file (RHEL 7+ runs /etc/rc.d/rc.local, with /etc/rc.local a link to it). OpenRC never runs rc.local.`,
  howToFix: 'Start the file with #!/bin/sh -e, make it executable (chmod +x /etc/rc.local; on RHEL chmod +x /etc/rc.d/rc.local), and on systemd check that rc-local.service is not masked. Better still, move the commands into a systemd unit of their own (Type=oneshot, WantedBy=multi-user.target) and enable it; on OpenRC use an executable /etc/local.d/NAME.start with rc-update add local default.',
  fixable: 'no',
  ...NO_OPTIONS,
  async check({ facts, guest, report }) {
    if (!guest || facts.os.family !== 'linux') return;
    const problems: FactProblem[] = [];
    const runner = await findRunner(guest, facts, problems);
    const runs = runner.runs ? (await canonicalPath(guest, runner.runs, problems)) ?? runner.runs : undefined;
    const seen = new Set<string>();
    for (const path of RC_LOCAL_PATHS) {
      const canonical = await canonicalPath(guest, path, problems);
      if (canonical === undefined || seen.has(canonical)) continue;
      seen.add(canonical);
      const stat = await tryGuest(canonical, problems, () => guest.stat(canonical));
      if (!stat || stat.kind !== 'file') continue;
      const text = await readGuestText(guest, canonical, problems);
      if (text === undefined) continue;
      const script = describeRcLocal(text);
      if (!script.firstCommand) continue;

      const issues: string[] = [];
      const remedies: string[] = [];
      if (runner.blocker) {
        issues.push(runner.blocker);
        if (runner.remedy) remedies.push(runner.remedy);
      } else if (runs && runs !== canonical) {
        issues.push(`${RC_LOCAL_UNIT} runs ${runner.runs}, not this file`);
        remedies.push(`move the commands to ${runner.runs}`);
      }
      if ((stat.mode & 0o111) === 0) {
        issues.push(`it is not executable (mode ${octal(stat.mode)}), and ${runner.executableCheck}`);
        remedies.push(`chmod +x ${canonical}`);
      }
      // SysV's and Upstart's rc scripts start rc.local from a shell, which runs a file without #! as sh; systemd execs it.
      const shellRunsIt = facts.services.initSystem === 'sysv' || facts.services.initSystem === 'upstart';
      if (!script.interpreter && !shellRunsIt) {
        issues.push(`it has no #! first line, so ${RC_LOCAL_UNIT} cannot execute it ("Exec format error")`);
        remedies.push('make #!/bin/sh -e its first line');
      } else if (script.interpreter && !(await tryGuest(script.interpreter, problems, () => guest.exists(script.interpreter!)))) {
        issues.push(`its #! line names ${script.interpreter}, which is not in the image`);
        remedies.push(`point its #! line at an interpreter the image has (or install ${script.interpreter})`);
      }
      if (issues.length === 0) continue;
      const first = script.firstCommand;
      const quoted = first.text.length > MAX_QUOTED_CHARS ? `${first.text.slice(0, MAX_QUOTED_CHARS)}...` : first.text;
      const better = betterPlace(facts.services.initSystem);
      const todo = [remedies.join(' and '), better].filter((part) => part !== '').join(', or better ') || 'make the init system run it';
      report({
        location: { path: canonical, line: first.line },
        message: `${canonical} has startup commands (line ${first.line}: ${quoted}) that will not run at boot: ${issues.join('; ')}. After a provider restart this work silently does not happen; ${todo}.`,
      });
    }
    reportProblems(report, problems, 'the rc.local check');
  },
};
