import { NO_OPTIONS, type Rule } from './rule.js';
import { GUIDE_PASSWORDS } from './support/guidelines.js';
import { hasOpenSshConfig, isYes, loginAccounts, settingIn, sourceWords, sshPasswordLogins } from './support/ssh-access.js';

export const emptyPassword: Rule = {
  id: 'empty-password',
  title: 'No login account without a password',
  defaultSeverity: 'error',
  guideline: GUIDE_PASSWORDS,
  rationale: 'An empty password field means the account needs no password at all: anyone at a login prompt, anyone who gets a shell and runs su, and, if sshd has PermitEmptyPasswords yes with password logins on, anyone on the network, is in.',
  checks: 'Accounts with a login shell (not nologin or false) whose password field (in /etc/shadow, or in /etc/passwd when it holds the password itself) is empty.',
  howToFix: 'Lock the account\'s password (passwd -l NAME) and log in with a key, or set a strong password (passwd NAME).',
  fixable: 'no',
  ...NO_OPTIONS,
  async check({ facts, guest, report }) {
    if (!guest) return;
    const overSsh = hasOpenSshConfig(facts) && isYes(settingIn(facts.sshd, 'PermitEmptyPasswords')) && sshPasswordLogins(facts.sshd).allowed;
    for (const account of loginAccounts(facts)) {
      if (account.password.kind !== 'empty') continue;
      const ssh = overSsh ? ', and over ssh, since sshd has PermitEmptyPasswords yes and accepts passwords' : '';
      report({
        location: { path: account.password.source.path, line: account.password.source.line },
        message: `${account.name} (uid ${account.uid}, shell ${account.shell || '/bin/sh'}) has an empty password field (${sourceWords(account.password.source)}): anyone can log in as ${account.name} without a password at a login prompt or with su${ssh}. Lock it (passwd -l ${account.name}) or set a strong password.`,
      });
    }
  },
};
