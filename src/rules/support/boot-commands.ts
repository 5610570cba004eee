// The command lines a guest runs as it boots: the start commands of its
// enabled systemd services, the enabled SysV/OpenRC scripts and Upstart jobs,
// rc.local, OpenRC's local.d, cron's @reboot jobs, and one level into the
// shell scripts those name. Reads the guest; bounded in files and bytes.
import type { FactProblem, GuestFacts } from '../../inspect/facts/guest-facts.js';
import { readGuestText, tryGuest } from '../../inspect/facts/read-guest-text.js';
import type { GuestTree } from '../../inspect/guest/guest-tree.js';
import type { CronJob } from './cron-jobs.js';
import { scriptCommandLines, simpleCommands } from './shell-commands.js';
import { serviceStartCommands } from './unit-settings.js';

export interface BootCommand {
  path: string;
  line: number;
  text: string;
  /** What runs it: the service, "rc.local", "cron @reboot" ... */
  via: string;
}

/** Enabled services whose files are read; a desktop install enables about a hundred. */
export const MAX_SERVICES_SCANNED = 512;
/** Scripts named by those commands that are read in turn. */
export const MAX_FOLLOWED_SCRIPTS = 128;
/** A boot script bigger than this is not read (and programs are not scripts). */
export const MAX_BOOT_SCRIPT_BYTES = 256 * 1024;
/** All scripts together: beyond this the rest are not read. */
export const MAX_TOTAL_SCRIPT_BYTES = 16 * 1024 * 1024;
const RC_LOCAL_PATHS = ['/etc/rc.local', '/etc/rc.d/rc.local'];
const OPENRC_LOCAL_D = '/etc/local.d';
const SHELLS = new Set(['sh', 'bash', 'dash', 'ash', 'ksh', 'zsh']);

class Collector {
  readonly commands: BootCommand[] = [];
  private readonly readScripts = new Set<string>();
  private followed = 0;
  private bytesRead = 0;

  constructor(private readonly guest: GuestTree, private readonly problems: FactProblem[]) {}

  /** A shell script's command lines, and one level into the scripts they run. */
  async addScript(path: string, via: string, follow: boolean): Promise<void> {
    const lines = await this.scriptLines(path);
    if (!lines) return;
    for (const { line, text } of lines) await this.addCommand({ path, line, text, via }, follow);
  }

  async addCommand(command: BootCommand, follow: boolean): Promise<void> {
    this.commands.push(command);
    if (!follow) return;
    for (const simple of simpleCommands(command.text)) {
      // "/usr/local/bin/announce" or "sh /usr/local/bin/announce.sh": the script that line runs.
      const script = SHELLS.has(simple.name) ? simple.args.find((arg) => !arg.startsWith('-')) : simple.program;
      if (!script?.startsWith('/') || this.readScripts.has(script) || this.followed >= MAX_FOLLOWED_SCRIPTS) continue;
      this.followed++;
      await this.addScript(script, command.via, false);
    }
  }

  private async scriptLines(path: string): Promise<Array<{ line: number; text: string }> | undefined> {
    if (this.readScripts.has(path)) return undefined;
    this.readScripts.add(path);
    const stat = await tryGuest(path, this.problems, () => this.guest.stat(path));
    if (!stat || stat.kind !== 'file' || stat.size > MAX_BOOT_SCRIPT_BYTES || this.bytesRead + stat.size > MAX_TOTAL_SCRIPT_BYTES) return undefined;
    this.bytesRead += stat.size;
    const text = await readGuestText(this.guest, path, this.problems, MAX_BOOT_SCRIPT_BYTES);
    // Programs are binaries; only text with a #! line (or an rc.local-style script) is read as shell.
    if (text === undefined || text.includes('\0')) return undefined;
    return scriptCommandLines(text);
  }
}

export async function readBootCommands(guest: GuestTree, facts: GuestFacts, cronJobs: readonly CronJob[], problems: FactProblem[]): Promise<BootCommand[]> {
  const collector = new Collector(guest, problems);
  for (const service of facts.services.enabled.slice(0, MAX_SERVICES_SCANNED)) {
    if (!service.definition) continue;
    if (service.initSystem === 'systemd') {
      const text = await readGuestText(guest, service.definition, problems);
      if (text === undefined) continue;
      for (const command of serviceStartCommands(text)) {
        await collector.addCommand({ path: service.definition, line: command.line, text: command.value, via: service.name }, true);
      }
    } else {
      await collector.addScript(service.definition, service.name, false);
    }
  }
  for (const path of RC_LOCAL_PATHS) await collector.addScript(path, 'rc.local', true);
  const localD = await tryGuest(OPENRC_LOCAL_D, problems, () => guest.list(OPENRC_LOCAL_D));
  for (const name of (localD?.names ?? []).filter((n) => n.endsWith('.start')).slice(0, MAX_FOLLOWED_SCRIPTS)) {
    await collector.addScript(`${OPENRC_LOCAL_D}/${name}`, 'OpenRC local.d', true);
  }
  for (const job of cronJobs) {
    if (job.schedule === '@reboot' && !job.skipped) await collector.addCommand({ path: job.path, line: job.line, text: job.command, via: 'cron @reboot' }, true);
  }
  return collector.commands;
}
