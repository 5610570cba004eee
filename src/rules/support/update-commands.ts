// Which commands install updates unattended: the package managers'
// upgrade subcommands as a cron job or a timer would run them. Pure.
import { simpleCommands, type SimpleCommand } from './shell-commands.js';

/** Subcommands that upgrade installed packages, per program. */
const UPGRADE_SUBCOMMANDS: Record<string, string[]> = {
  'apt-get': ['upgrade', 'dist-upgrade', 'full-upgrade'],
  apt: ['upgrade', 'dist-upgrade', 'full-upgrade'],
  aptitude: ['upgrade', 'safe-upgrade', 'full-upgrade', 'dist-upgrade'],
  apk: ['upgrade'],
  zypper: ['up', 'update', 'patch', 'dup', 'dist-upgrade'],
};
/** yum and dnf ask before they change anything; in a job nobody answers, so only -y runs. */
const ASKING_UPGRADES: Record<string, string[]> = {
  yum: ['update', 'upgrade', 'update-minimal', 'upgrade-minimal', 'distro-sync'],
  dnf: ['update', 'upgrade', 'upgrade-minimal', 'distro-sync'],
  dnf5: ['update', 'upgrade', 'upgrade-minimal', 'distro-sync'],
  microdnf: ['update', 'upgrade'],
};
/** Programs that upgrade by themselves. */
const UPGRADERS = new Set(['unattended-upgrade', 'unattended-upgrades']);

function assumesYes(args: string[]): boolean {
  return args.some((arg) => arg === '--assumeyes' || arg === '-y' || /^-[a-zA-Z]*y[a-zA-Z]*$/.test(arg));
}

/** Whether one command upgrades packages without asking. */
export function isUpgradeCommand(command: SimpleCommand): boolean {
  if (UPGRADERS.has(command.name)) return true;
  const subcommands = UPGRADE_SUBCOMMANDS[command.name];
  if (subcommands) return command.args.some((arg) => subcommands.includes(arg));
  const asking = ASKING_UPGRADES[command.name];
  // --downloadonly fetches the packages and installs nothing (yum-cron 3.2's DOWNLOAD_ONLY=yes runs exactly that).
  if (asking) return command.args.some((arg) => asking.includes(arg)) && assumesYes(command.args) && !command.args.includes('--downloadonly');
  return false;
}

/** The first command of a line of shell that upgrades packages, as written ("apt-get -qy dist-upgrade"); undefined when none does. */
export function upgradeCommandIn(text: string): string | undefined {
  const found = simpleCommands(text).find(isUpgradeCommand);
  return found ? [found.program, ...found.args].join(' ') : undefined;
}
