import type { FactProblem, GuestFacts } from '../inspect/facts/guest-facts.js';
import { readGuestText, tryGuest } from '../inspect/facts/read-guest-text.js';
import { UNIT_SEARCH_PATH } from '../inspect/facts/services/systemd-unit-index.js';
import type { GuestTree } from '../inspect/guest/guest-tree.js';
import { NO_OPTIONS, type Rule } from './rule.js';
import { describeRcLocal } from './support/rc-local-script.js';
import { reportProblems } from './support/report-problems.js';
import { serviceStartCommands } from './support/unit-settings.js';

const GUIDE_STARTUP = 'Be sure that your VM has appropriate startup scripts in place to ensure that all services will recover on a restart.';

/** Debian, Ubuntu, SUSE and upstream systemd use the first; RHEL 7+ runs the second (and links the first to it). */
const RC_LOCAL_PATHS = ['/etc/rc.local', '/etc/rc.d/rc.local'];
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
}

async function findRunner(guest: GuestTree, facts: GuestFacts, problems: FactProblem[]): Promise<RcLocalRunner> {
  switch (facts.services.initSystem) {
    case 'systemd': {
      const executableCheck = `systemd-rc-local-generator adds ${RC_LOCAL_UNIT} to the boot only for an executable file`;
      if (facts.services.masked.includes(RC_LOCAL_UNIT)) return { blocker: `${RC_LOCAL_UNIT} is masked, so systemd never runs it`, executableCheck };
      for (const dir of UNIT_SEARCH_PATH) {
        const text = await readGuestText(guest, `${dir}/${RC_LOCAL_UNIT}`, problems);
        if (text === undefined) continue;
        const program = serviceStartCommands(text).find((command) => command.key === 'ExecStart')?.value.split(/\s+/)[0];
        return { runs: program, executableCheck };
      }
      return { blocker: `this systemd has no ${RC_LOCAL_UNIT}, so nothing runs rc.local at boot`, executableCheck };
    }
    case 'openrc':
      return { blocker: 'OpenRC never runs rc.local (its "local" service runs the executable /etc/local.d/*.start files instead)', executableCheck: 'OpenRC' };
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
  checks: `${RC_LOCAL_PATHS.join(' and ')} (one check when one links to the other), when it holds commands (not only comments and "exit 0"): that it is executable (systemd-rc-local-generator pulls ${RC_LOCAL_UNIT} in only for an executable file, and SysV's rc.local script runs it only then), that its first line is a #! line naming an interpreter present in the image (${RC_LOCAL_UNIT} executes it directly, so without one it fails with "Exec format error"), and on systemd that ${RC_LOCAL_UNIT} exists, is not masked and runs this file (RHEL 7+ runs /etc/rc.d/rc.local, with /etc/rc.local a link to it). OpenRC never runs rc.local.`,
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
      if (runner.blocker) issues.push(runner.blocker);
      else if (runs && runs !== canonical) issues.push(`${RC_LOCAL_UNIT} runs ${runner.runs}, not this file`);
      if ((stat.mode & 0o111) === 0) issues.push(`it is not executable (mode ${octal(stat.mode)}), and ${runner.executableCheck}`);
      if (!script.interpreter) {
        issues.push(`it has no #! first line, so ${RC_LOCAL_UNIT} cannot execute it ("Exec format error"; only a SysV shell would fall back to sh)`);
      } else if (!(await tryGuest(script.interpreter, problems, () => guest.exists(script.interpreter!)))) {
        issues.push(`its #! line names ${script.interpreter}, which is not in the image`);
      }
      if (issues.length === 0) continue;
      const first = script.firstCommand;
      const quoted = first.text.length > MAX_QUOTED_CHARS ? `${first.text.slice(0, MAX_QUOTED_CHARS)}...` : first.text;
      report({
        location: { path: canonical, line: first.line },
        message: `${canonical} has startup commands (line ${first.line}: ${quoted}) that will not run at boot: ${issues.join('; ')}. After a provider restart this work silently does not happen; start the file with #!/bin/sh -e and chmod +x it, or better move the commands into a systemd unit of their own.`,
      });
    }
    reportProblems(report, problems, 'the rc.local check');
  },
};
