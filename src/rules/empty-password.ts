import { NO_OPTIONS, type Rule } from './rule.js';
import { loginAccounts, sourceWords } from './support/ssh-access.js';
import { sshdSetting } from '../inspect/facts/sshd-config.js';

export const emptyPassword: Rule = {
  id: 'empty-password',
  title: 'No login account without a password',
  defaultSeverity: 'error',
  guideline: 'If you must use passwords, be sure to set them to something complex enough that ssh port scanners won\'t be able to guess the password easily.',
  rationale: 'An empty password field means the account needs no password at all: anyone at a login prompt, anyone who gets a shell and runs su, and, if sshd\'s PermitEmptyPasswords is on, anyone on the network, is in.',
  checks: 'Accounts with a login shell (not nologin or false) whose password field (in /etc/shadow, or in /etc/passwd when it holds the password itself) is empty.',
  howToFix: 'Lock the account\'s password (passwd -l NAME) and log in with a key, or set a strong password (passwd NAME).',
  fixable: 'no',
  ...NO_OPTIONS,
  async check({ facts, guest, report }) {
    if (!guest) return;
    const permitEmpty = (sshdSetting(facts.sshd, 'PermitEmptyPasswords')?.values[0] ?? 'no').toLowerCase() === 'yes';
    for (const account of loginAccounts(facts)) {
      if (account.password.kind !== 'empty') continue;
      const ssh = permitEmpty ? ' and over ssh, since sshd has PermitEmptyPasswords yes' : '';
      report({
        location: { path: account.password.source.path, line: account.password.source.line },
        message: `${account.name} (uid ${account.uid}, shell ${account.shell || '/bin/sh'}) has an empty password field (${sourceWords(account.password.source)}): anyone can log in as ${account.name} without a password at a login prompt or with su${ssh}. Lock it (passwd -l ${account.name}) or set a strong password.`,
      });
    }
  },
};
