import type { GuestFacts, SshdMatchBlock } from '../inspect/facts/guest-facts.js';
import { NO_OPTIONS, type Rule } from './rule.js';
import { GUIDE_PASSWORDS } from './support/guidelines.js';
import { describeDecision, hasOpenSshConfig, matchScopes, opensshVersion, settingIn, sourceWords, sshdConfigPath, sshPasswordLogins } from './support/ssh-access.js';

/** OpenSSH 7.0 changed PermitRootLogin's compiled-in default from yes to prohibit-password. */
const PROHIBIT_PASSWORD_SINCE = 7.0;

/** PermitRootLogin where a scope applies, with OpenSSH's default of the guest's own version when no line sets it. */
function permitRootLogin(facts: GuestFacts, block?: SshdMatchBlock): { value: string; where: string; path: string; line?: number } {
  const setting = settingIn(facts.sshd, 'PermitRootLogin', block);
  if (setting && !setting.fromDefault && setting.source) {
    return { value: (setting.values[0] ?? '').toLowerCase(), where: sourceWords(setting.source), path: setting.source.path, line: setting.source.line };
  }
  const version = opensshVersion(facts);
  const old = version !== undefined && version < PROHIBIT_PASSWORD_SINCE;
  return {
    value: old ? 'yes' : 'prohibit-password',
    where: old ? `the built-in default of this image's OpenSSH ${version!.toFixed(1)}, older than 7.0` : 'OpenSSH\'s built-in default',
    path: sshdConfigPath(facts),
  };
}

export const sshRootLogin: Rule = {
  id: 'ssh-root-login',
  title: 'root cannot log in over ssh with a password',
  defaultSeverity: 'warning',
  guideline: GUIDE_PASSWORDS,
  rationale: 'root is the one account name every ssh scanner knows. "PermitRootLogin yes" together with password logins lets them guess root\'s password directly, and one right guess owns the whole appliance.',
  checks: 'sshd\'s effective PermitRootLogin, globally and in each Match block (its compiled-in default is prohibit-password since OpenSSH 7.0, and yes before: the version comes from the package database when it is there). Reported where it is "yes" and, in that same scope, sshd accepts password logins (see ssh-password-auth), when an account with uid 0 has a password that can log in (not locked).',
  howToFix: 'Remove "PermitRootLogin yes" from the sshd configuration (the default since OpenSSH 7.0, prohibit-password, allows root in with a key only), or set "PermitRootLogin prohibit-password"; log in as an ordinary user and use sudo.',
  fixable: 'no',
  ...NO_OPTIONS,
  async check({ facts, guest, report }) {
    if (!guest || !hasOpenSshConfig(facts)) return;
    // A locked or empty root password cannot be guessed over ssh (an empty one is empty-password's finding).
    const root = facts.accounts.accounts.find((a) => a.uid === 0 && a.loginShell && (a.password.kind === 'hash' || a.password.kind === 'unknown'));
    if (!root) return;
    const reported = new Set<string>();
    for (const block of [undefined, ...matchScopes(facts.sshd)]) {
      const rootLogin = permitRootLogin(facts, block);
      const passwords = sshPasswordLogins(facts.sshd, block);
      if (rootLogin.value !== 'yes' || !passwords.allowed) continue;
      const key = `${rootLogin.path}:${rootLogin.line}`;
      if (reported.has(key)) continue;
      reported.add(key);
      const scope = block ? ` for connections matching "Match ${block.criteria}" (${sourceWords(block.source)})` : '';
      report({
        location: { path: rootLogin.path, line: rootLogin.line },
        message: `"PermitRootLogin yes" (${rootLogin.where}) lets ${root.name} log in over ssh with a password${scope}, and password logins are on there (${describeDecision(passwords)}). Scanners try root's password first; set "PermitRootLogin prohibit-password" (root with a key only) or log in as an ordinary user.`,
      });
    }
  },
};
