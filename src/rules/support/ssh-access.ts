import type { Account, EnabledService, GuestFacts, GuestSource, SshdFacts, SshdSetting } from '../../inspect/facts/guest-facts.js';
import { sshdSetting } from '../../inspect/facts/sshd-config.js';
import { findEnabledService } from '../../inspect/facts/services/find-service.js';

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

/** Whether the guest would run sshd: an ssh service starts at boot, or at least an sshd_config is there. */
export function hasSshServer(facts: GuestFacts): boolean {
  return facts.sshd.present || enabledSshService(facts) !== undefined;
}

export interface PasswordLogins {
  allowed: boolean;
  /** The keyword that decides, as a person would write it ("PasswordAuthentication yes"). */
  because: string;
  /** Where it is set; undefined when OpenSSH's compiled-in default decides. */
  source?: GuestSource;
}

function isYes(setting: SshdSetting | undefined): boolean {
  return (setting?.values[0] ?? '').toLowerCase() === 'yes';
}

function decided(keyword: string, setting: SshdSetting | undefined): Pick<PasswordLogins, 'because' | 'source'> {
  return { because: `${keyword} ${setting?.values.join(' ') ?? '(unset)'}`, source: setting?.fromDefault ? undefined : setting?.source };
}

/**
 * Whether sshd's global settings let a password alone log in: by
 * PasswordAuthentication, or by keyboard-interactive through PAM (which asks
 * for the same password), unless AuthenticationMethods requires a key in
 * every list it gives.
 */
export function sshPasswordLogins(sshd: SshdFacts): PasswordLogins {
  const methods = sshdSetting(sshd, 'AuthenticationMethods');
  const lists = (methods?.values ?? ['any']).filter((v) => v.toLowerCase() !== 'any');
  if (lists.length > 0 && lists.every((list) => list.split(',').includes('publickey'))) {
    return { allowed: false, ...decided('AuthenticationMethods', methods) };
  }
  const password = sshdSetting(sshd, 'PasswordAuthentication');
  if (isYes(password)) return { allowed: true, ...decided('PasswordAuthentication', password) };
  const keyboard = sshdSetting(sshd, 'KbdInteractiveAuthentication');
  const pam = sshdSetting(sshd, 'UsePAM');
  if (isYes(keyboard) && isYes(pam)) return { allowed: true, ...decided('KbdInteractiveAuthentication', keyboard) };
  return { allowed: false, ...decided('PasswordAuthentication', password) };
}

/** How a setting is named in a message: "PasswordAuthentication yes (OpenSSH's default: no line sets it)" or "... (/etc/ssh/sshd_config line 12)". */
export function describeDecision(decision: Pick<PasswordLogins, 'because' | 'source'>): string {
  if (!decision.source) return `${decision.because} (OpenSSH's built-in default: no line of the sshd configuration sets it)`;
  return `${decision.because} (${decision.source.path}${decision.source.line === undefined ? '' : ` line ${decision.source.line}`})`;
}

/** Accounts a person can log in to: a login shell and a password field that is not "unknown". */
export function loginAccounts(facts: GuestFacts): Account[] {
  return facts.accounts.accounts.filter((account) => account.loginShell);
}

/** The words of a guest source for a message: "/etc/shadow line 3". */
export function sourceWords(source: GuestSource): string {
  return source.line === undefined ? source.path : `${source.path} line ${source.line}`;
}
