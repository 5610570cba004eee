// The command lines a guest runs as it boots: the start commands of its
// enabled systemd services, the enabled SysV/OpenRC scripts and Upstart jobs,
// an executable rc.local, OpenRC's executable local.d scripts, cron's @reboot
// jobs, and one level into the shell scripts those run (executed directly
// only when executable, or given to a shell). Reads the guest; bounded in
// files and bytes.
import type { FactProblem, GuestFacts } from '../../inspect/facts/guest-facts.js';
import { readGuestText, tryGuest } from '../../inspect/facts/read-guest-text.js';
import type { GuestTree } from '../../inspect/guest/guest-tree.js';
import type { CronJob } from './cron-jobs.js';
import { scriptCommandLines, SHELL_PROGRAMS, simpleCommands, type SimpleCommand } from './shell-commands.js';
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
/**
 * Where rc.local lives: Debian, Ubuntu, SUSE and upstream systemd run the
 * first; RHEL, CentOS and Fedora the second (with the first a link to it).
 * Whoever runs it (systemd-rc-local-generator, the SysV rc.local script)
 * runs it only when it is executable.
 */
export const RC_LOCAL_PATHS: readonly string[] = ['/etc/rc.local', '/etc/rc.d/rc.local'];
const RC_LOCAL_UNIT = 'rc-local.service';
/** OpenRC's "local" service runs the executable *.start files here (and never rc.local). */
const OPENRC_LOCAL_D = '/etc/local.d';

/**
 * The script a command runs and whether the kernel executes it itself
 * ("/usr/local/bin/announce": it must be executable) or a shell reads it
 * ("sh /usr/local/bin/announce.sh", "busybox sh x": any mode does).
 */
function scriptRunBy(simple: SimpleCommand): { path: string; needsExecuteBit: boolean } | undefined {
  if (!SHELL_PROGRAMS.has(simple.name)) return simple.program.startsWith('/') ? { path: simple.program, needsExecuteBit: true } : undefined;
  // `sh -c "..."` runs a string, which simpleCommands already splits; the script is the first operand.
  if (simple.args.includes('-c')) return undefined;
  const operand = simple.args.find((arg) => !arg.startsWith('-') && !SHELL_PROGRAMS.has(arg));
  return operand?.startsWith('/') ? { path: operand, needsExecuteBit: false } : undefined;
}

class Collector {
  readonly commands: BootCommand[] = [];
  private readonly readScripts = new Set<string>();
  private followed = 0;
  private bytesRead = 0;

  constructor(private readonly guest: GuestTree, private readonly problems: FactProblem[]) {}

  /**
   * A shell script's command lines, and one level into the scripts they run.
   * `needsExecuteBit`: the script is executed itself, so a file without an
   * execute bit runs nothing ("Permission denied").
   */
  async addScript(path: string, via: string, follow: boolean, needsExecuteBit: boolean): Promise<void> {
    const lines = await this.scriptLines(path, needsExecuteBit);
    if (!lines) return;
    for (const { line, text } of lines) await this.addCommand({ path, line, text, via }, follow);
  }

  async addCommand(command: BootCommand, follow: boolean): Promise<void> {
    this.commands.push(command);
    if (!follow) return;
    for (const simple of simpleCommands(command.text)) {
      const script = scriptRunBy(simple);
      if (!script || this.readScripts.has(script.path) || this.followed >= MAX_FOLLOWED_SCRIPTS) continue;
      this.followed++;
      await this.addScript(script.path, command.via, false, script.needsExecuteBit);
    }
  }

  private async scriptLines(path: string, needsExecuteBit: boolean): Promise<Array<{ line: number; text: string }> | undefined> {
    if (this.readScripts.has(path)) return undefined;
    this.readScripts.add(path);
    const stat = await tryGuest(path, this.problems, () => this.guest.stat(path));
    if (!stat || stat.kind !== 'file' || (needsExecuteBit && (stat.mode & 0o111) === 0)) return undefined;
    if (stat.size > MAX_BOOT_SCRIPT_BYTES || this.bytesRead + stat.size > MAX_TOTAL_SCRIPT_BYTES) return undefined;
    this.bytesRead += stat.size;
    const text = await readGuestText(this.guest, path, this.problems, MAX_BOOT_SCRIPT_BYTES);
    // Programs are binaries; only text with a #! line (or an rc.local-style script) is read as shell.
    if (text === undefined || text.includes('\0')) return undefined;
    return scriptCommandLines(text);
  }
}

/** OpenRC never runs rc.local, and systemd runs nothing through a masked rc-local.service. */
function rcLocalMayRun(facts: GuestFacts): boolean {
  if (facts.services.initSystem === 'openrc') return false;
  return !(facts.services.initSystem === 'systemd' && facts.services.masked.includes(RC_LOCAL_UNIT));
}

/** The paths with links inside the guest resolved, each file once (RHEL's /etc/rc.local is a link to /etc/rc.d/rc.local). */
async function distinctPaths(guest: GuestTree, paths: readonly string[], problems: FactProblem[]): Promise<string[]> {
  const seen = new Set<string>();
  for (const path of paths) {
    const canonical = await tryGuest(path, problems, () => guest.resolve(path));
    if (canonical !== undefined) seen.add(canonical);
  }
  return [...seen];
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
      // Whether a service starts is the facts' call; its script is read whatever its mode.
      await collector.addScript(service.definition, service.name, false, false);
    }
  }
  if (rcLocalMayRun(facts)) {
    for (const path of await distinctPaths(guest, RC_LOCAL_PATHS, problems)) await collector.addScript(path, 'rc.local', true, true);
  }
  const localD = await tryGuest(OPENRC_LOCAL_D, problems, () => guest.list(OPENRC_LOCAL_D));
  for (const name of (localD?.names ?? []).filter((n) => n.endsWith('.start')).slice(0, MAX_FOLLOWED_SCRIPTS)) {
    await collector.addScript(`${OPENRC_LOCAL_D}/${name}`, 'OpenRC local.d', true, true);
  }
  for (const job of cronJobs) {
    if (job.schedule === '@reboot' && !job.skipped) await collector.addCommand({ path: job.path, line: job.line, text: job.command, via: 'cron @reboot' }, true);
  }
  return collector.commands;
}
