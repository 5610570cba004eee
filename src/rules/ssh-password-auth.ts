import { NO_OPTIONS, type Rule } from './rule.js';
import { GUIDE_SSH_KEYS } from './support/guidelines.js';
import { describeDecision, hasOpenSshConfig, matchScopes, sourceWords, sshdConfigPath, sshPasswordLogins } from './support/ssh-access.js';

export const sshPasswordAuth: Rule = {
  id: 'ssh-password-auth',
  title: 'sshd does not accept password logins',
  defaultSeverity: 'warning',
  guideline: GUIDE_SSH_KEYS,
  rationale: 'An appliance on SpotCloud gets a public address at a provider anywhere in the world, where ssh scanners try common passwords on every address all day. With password logins off, a guessed or leaked password cannot open the VM.',
  checks: 'sshd\'s effective configuration (/etc/ssh/sshd_config with its Include files, first value wins, OpenSSH\'s built-in defaults where a keyword is absent): PasswordAuthentication, and KbdInteractiveAuthentication with UsePAM yes (keyboard-interactive through PAM asks for the same password); with AuthenticationMethods, whether one of its lists is made of password methods alone. Globally, and in each Match block that turns password logins back on for some users or addresses. Only OpenSSH is checked: dropbear does not read sshd_config.',
  howToFix: 'Put "PasswordAuthentication no" and "KbdInteractiveAuthentication no" in /etc/ssh/sshd_config, before any Match block (or in a file that sshd_config Includes first, such as /etc/ssh/sshd_config.d/50-appliance.conf), after installing a key for the account you log in with.',
  fixable: 'no',
  ...NO_OPTIONS,
  async check({ facts, guest, report }) {
    if (!guest || !hasOpenSshConfig(facts)) return;
    const global = sshPasswordLogins(facts.sshd);
    if (global.allowed) {
      report({
        location: global.source ? { path: global.source.path, line: global.source.line } : { path: sshdConfigPath(facts) },
        message: `sshd accepts password logins: ${describeDecision(global)}. On SpotCloud the appliance faces ssh scanners that guess passwords; set "PasswordAuthentication no" and "KbdInteractiveAuthentication no" at the top of the sshd configuration and log in with a key.`,
      });
      return;
    }
    for (const block of matchScopes(facts.sshd)) {
      const scoped = sshPasswordLogins(facts.sshd, block);
      if (!scoped.allowed) continue;
      const at = scoped.source ?? block.source;
      report({
        location: { path: at.path, line: at.line },
        message: `Password logins are off globally, but "Match ${block.criteria}" (${sourceWords(block.source)}) turns them on for the connections it matches (${describeDecision(scoped)}). Make sure that is meant: scanners will try passwords on those accounts or addresses.`,
      });
    }
  },
};
