import { NO_OPTIONS, type Rule } from './rule.js';
import { describeDecision, hasSshServer, sourceWords, sshPasswordLogins } from './support/ssh-access.js';
import { sshdSetting } from '../inspect/facts/sshd-config.js';

export const sshRootLogin: Rule = {
  id: 'ssh-root-login',
  title: 'root cannot log in over ssh with a password',
  defaultSeverity: 'warning',
  guideline: 'If you must use passwords, be sure to set them to something complex enough that ssh port scanners won\'t be able to guess the password easily.',
  rationale: 'root is the one account name every ssh scanner knows. "PermitRootLogin yes" together with password logins lets them guess root\'s password directly, and one right guess owns the whole appliance.',
  checks: 'sshd\'s effective PermitRootLogin (OpenSSH\'s default since 7.0 is prohibit-password, which allows keys only). It is reported when it is "yes", sshd accepts password logins (see ssh-password-auth), and root has a password that can log in (not locked). Match blocks that set PermitRootLogin yes are reported the same way.',
  howToFix: 'Remove "PermitRootLogin yes" from the sshd configuration (the default, prohibit-password, allows root in with a key only), or set "PermitRootLogin prohibit-password"; log in as an ordinary user and use sudo.',
  fixable: 'no',
  ...NO_OPTIONS,
  async check({ facts, guest, report }) {
    if (!guest || !hasSshServer(facts)) return;
    const root = facts.accounts.accounts.find((account) => account.uid === 0 && account.name === 'root');
    // A locked or absent root password cannot be guessed, whatever sshd allows.
    if (root && (root.password.kind === 'locked' || !root.loginShell)) return;
    const passwords = sshPasswordLogins(facts.sshd);
    const candidates = [
      { setting: sshdSetting(facts.sshd, 'PermitRootLogin'), match: undefined as string | undefined },
      ...facts.sshd.matchBlocks.map((block) => ({ setting: block.settings.permitrootlogin, match: block.criteria })),
    ];
    for (const { setting, match } of candidates) {
      if ((setting?.values[0] ?? '').toLowerCase() !== 'yes' || !setting?.source) continue;
      if (!passwords.allowed && match === undefined) continue;
      const scope = match === undefined ? '' : ` for connections matching "Match ${match}"`;
      const why = match === undefined ? `password logins are on (${describeDecision(passwords)})` : 'password logins may be on for them';
      report({
        location: { path: setting.source.path, line: setting.source.line },
        message: `"PermitRootLogin yes" (${sourceWords(setting.source)}) lets root log in over ssh with a password${scope}, and ${why}. Scanners try root's password first; remove the line (the default, prohibit-password, allows root in with a key only).`,
      });
    }
  },
};
