import type { Account, EnabledService, GuestFacts, GuestSource, SshdFacts, SshdMatchBlock, SshdSetting } from '../../inspect/facts/guest-facts.js';
import { findEnabledService } from '../../inspect/facts/services/find-service.js';
import { sshdSetting } from '../../inspect/facts/sshd-config.js';
import { distroFamily } from './service-commands.js';

/** The names sshd goes by across distributions' units and init scripts (and dropbear, a small ssh server). */
export const SSH_SERVICE_NAMES = ['ssh', 'sshd', 'openssh', 'openssh-server', 'openssh-daemon', 'dropbear'];

/** Remote desktop servers that give a way in without a console. */
export const REMOTE_DESKTOP_NAMES = [
  'xrdp', 'vncserver', 'vncserver-x11-serviced', 'x11vnc', 'tigervnc', 'tigervncserver', 'xvnc', 'vino-server',
  'gnome-remote-desktop', 'nxserver', 'x2goserver',
];

export function enabledSshService(facts: GuestFacts): EnabledService | undefined {
  return findEnabledService(facts.services, SSH_SERVICE_NAMES);
}

/**
 * Whether OpenSSH's sshd configuration is there to check, and could be read.
 * Dropbear never reads sshd_config, so its guests are not judged by
 * OpenSSH's defaults; an unreadable sshd_config is remote-access's finding.
 */
export function hasOpenSshConfig(facts: GuestFacts): boolean {
  return facts.sshd.present && Object.keys(facts.sshd.settings).length > 0;
}

export function isYes(setting: SshdSetting | undefined): boolean {
  return (setting?.values[0] ?? '').toLowerCase() === 'yes';
}

/** A keyword's value where a Match block applies: the block's own, else the global one. */
export function settingIn(sshd: SshdFacts, keyword: string, block?: SshdMatchBlock): SshdSetting | undefined {
  return (block && sshdSetting({ settings: block.settings }, keyword)) ?? sshdSetting(sshd, keyword);
}

/** OpenSSH's version from the package database (openssh-server, or Alpine's openssh), e.g. 9.2; undefined when unknown. */
export function opensshVersion(facts: GuestFacts): number | undefined {
  const pkg = facts.packages.packages.find((p) => p.name === 'openssh-server' || p.name === 'openssh');
  const match = pkg && /^(?:\d+:)?(\d+)\.(\d+)/.exec(pkg.version);
  return match ? Number(match[1]) + Number(match[2]) / 10 : undefined;
}

export interface Decision {
  /** The keyword and value that decide, as a person would write them ("PasswordAuthentication yes"). */
  because: string;
  /** Where it is set; undefined when OpenSSH's compiled-in default decides. */
  source?: GuestSource;
}

export interface PasswordLogins extends Decision {
  allowed: boolean;
}

function decision(keyword: string, setting: SshdSetting | undefined): Decision {
  return { because: `${keyword} ${setting?.values.join(' ') ?? '(unset)'}`, source: setting?.fromDefault ? undefined : setting?.source };
}

/**
 * Whether a password alone logs in, globally or where a Match block applies:
 * by PasswordAuthentication, or by keyboard-interactive through PAM (which
 * asks for the same password; without PAM, Linux has no keyboard-interactive
 * device that takes a password). With AuthenticationMethods, only when one of
 * its lists is made of password methods alone, each of them enabled.
 */
export function sshPasswordLogins(sshd: SshdFacts, block?: SshdMatchBlock): PasswordLogins {
  const password = settingIn(sshd, 'PasswordAuthentication', block);
  const keyboard = settingIn(sshd, 'KbdInteractiveAuthentication', block);
  const pam = sshdSetting(sshd, 'UsePAM'); // global only: sshd does not take UsePAM inside Match
  const enabled: Record<string, boolean> = {
    password: isYes(password),
    'keyboard-interactive': isYes(keyboard) && isYes(pam),
    'keyboard-interactive:pam': isYes(keyboard) && isYes(pam),
  };
  const methods = settingIn(sshd, 'AuthenticationMethods', block);
  const lists = (methods?.values ?? ['any']).filter((v) => v.toLowerCase() !== 'any');
  if (lists.length > 0) {
    const passwordOnly = lists.find((list) => list.split(',').every((method) => enabled[method] === true));
    return { allowed: passwordOnly !== undefined, ...decision('AuthenticationMethods', methods) };
  }
  if (enabled.password) return { allowed: true, ...decision('PasswordAuthentication', password) };
  if (enabled['keyboard-interactive']) return { allowed: true, ...decision('KbdInteractiveAuthentication', keyboard) };
  return { allowed: false, ...decision('PasswordAuthentication', password) };
}

/** Match blocks that are scopes of their own ("Match all" lines already count as global in the facts). */
export function matchScopes(sshd: SshdFacts): SshdMatchBlock[] {
  return sshd.matchBlocks.filter((block) => block.criteria.trim().toLowerCase() !== 'all');
}

/** The words of a guest source for a message: "/etc/shadow line 3". */
export function sourceWords(source: GuestSource): string {
  return source.line === undefined ? source.path : `${source.path} line ${source.line}`;
}

/** "PasswordAuthentication yes (/etc/ssh/sshd_config line 12)", or "... (OpenSSH's built-in default: ...)". */
export function describeDecision(decided: Decision): string {
  if (!decided.source) return `${decided.because} (OpenSSH's built-in default: no line of the sshd configuration sets it)`;
  return `${decided.because} (${sourceWords(decided.source)})`;
}

/** Accounts with a shell a person can log in with. */
export function loginAccounts(facts: GuestFacts): Account[] {
  return facts.accounts.accounts.filter((account) => account.loginShell);
}

/** The Debian family, whose ssh service is named "ssh" and whose SysV tool is update-rc.d (service-commands.ts decides the family). */
export function isDebianLike(facts: GuestFacts): boolean {
  return distroFamily(facts) === 'debian';
}

/** Where a finding about the sshd configuration as a whole points: its main file. */
export function sshdConfigPath(facts: GuestFacts): string {
  return facts.sshd.files[0] ?? '/etc/ssh/sshd_config';
}
