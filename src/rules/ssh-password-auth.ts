import { NO_OPTIONS, type Rule } from './rule.js';
import { describeDecision, hasSshServer, sshPasswordLogins } from './support/ssh-access.js';

const GUIDELINE = 'It\'s also highly recommended that you use ssh keys (RSA or DSA) instead of login passwords for remote access';

export const sshPasswordAuth: Rule = {
  id: 'ssh-password-auth',
  title: 'sshd does not accept password logins',
  defaultSeverity: 'warning',
  guideline: GUIDELINE,
  rationale: 'An appliance on SpotCloud gets a public address at a provider anywhere in the world, where ssh scanners try common passwords on every address all day. With password logins off, a guessed or leaked password cannot open the VM.',
  checks: 'sshd\'s effective global configuration (/etc/ssh/sshd_config with its Include files, first value wins, OpenSSH\'s built-in defaults where a keyword is absent): PasswordAuthentication, and KbdInteractiveAuthentication together with UsePAM (keyboard-interactive through PAM asks for the same password), unless AuthenticationMethods requires a key in every list. Match blocks that turn password logins on for some users or addresses are reported too.',
  howToFix: 'Put "PasswordAuthentication no" and "KbdInteractiveAuthentication no" in /etc/ssh/sshd_config, before any Match block (or in a file that sshd_config Includes first, such as /etc/ssh/sshd_config.d/50-appliance.conf), after installing a key for the account you log in with.',
  fixable: 'no',
  ...NO_OPTIONS,
  async check({ facts, guest, report }) {
    if (!guest || !hasSshServer(facts)) return;
    const global = sshPasswordLogins(facts.sshd);
    if (global.allowed) {
      report({
        location: global.source ? { path: global.source.path, line: global.source.line } : { path: facts.sshd.files[0] ?? '/etc/ssh/sshd_config' },
        message: `sshd accepts password logins: ${describeDecision(global)}. On SpotCloud the appliance faces ssh scanners that guess passwords; set "PasswordAuthentication no" and "KbdInteractiveAuthentication no" at the top of the sshd configuration and log in with a key.`,
      });
      return;
    }
    for (const block of facts.sshd.matchBlocks) {
      const setting = block.settings.passwordauthentication ?? block.settings.kbdinteractiveauthentication;
      if ((setting?.values[0] ?? '').toLowerCase() !== 'yes') continue;
      const at = setting!.source ?? block.source;
      report({
        location: { path: at.path, line: at.line },
        message: `Password logins are off globally, but "Match ${block.criteria}" (${block.source.path} line ${block.source.line}) turns them on again for the connections it matches. Make sure that is meant: scanners will try passwords on those accounts or addresses.`,
      });
    }
  },
};
