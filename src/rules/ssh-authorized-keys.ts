import picomatch from 'picomatch';
import type { Account, GuestFacts } from '../inspect/facts/guest-facts.js';
import { readAuthorizedKeys, type AuthorizedKey } from '../inspect/facts/authorized-keys.js';
import { sshdSetting } from '../inspect/facts/sshd-config.js';
import { NO_OPTIONS, type Rule } from './rule.js';
import { describeDecision, hasSshServer, loginAccounts, sshPasswordLogins } from './support/ssh-access.js';

/** OpenSSH 9.1+ refuses RSA keys under 1024 bits outright; under 2048 is below every current recommendation. */
const MIN_RSA_BITS = 2048;

/** sshd's AllowUsers/DenyUsers patterns are USER or USER@HOST, with * and ? wildcards. */
function userMatches(patterns: string[], name: string): boolean {
  return patterns.some((pattern) => picomatch.isMatch(name, pattern.split('@')[0]!, { dot: true }));
}

/** Accounts sshd would let in at all: a login shell, AllowUsers/DenyUsers, and PermitRootLogin no for root. */
function sshAccounts(facts: GuestFacts): Account[] {
  const allow = sshdSetting(facts.sshd, 'AllowUsers')?.values ?? [];
  const deny = sshdSetting(facts.sshd, 'DenyUsers')?.values ?? [];
  const rootLogin = (sshdSetting(facts.sshd, 'PermitRootLogin')?.values[0] ?? 'prohibit-password').toLowerCase();
  return loginAccounts(facts).filter((account) =>
    !(account.uid === 0 && rootLogin === 'no')
    && !userMatches(deny, account.name)
    && (allow.length === 0 || userMatches(allow, account.name)));
}

/** At most this many account names in a message; the rest are counted. */
const MAX_NAMED_ACCOUNTS = 6;

function namesOf(accounts: Account[]): string {
  const named = accounts.slice(0, MAX_NAMED_ACCOUNTS).map((a) => a.name).join(', ');
  return accounts.length > MAX_NAMED_ACCOUNTS ? `${named} and ${accounts.length - MAX_NAMED_ACCOUNTS} more accounts` : named;
}

function keyProblem(key: AuthorizedKey): string | undefined {
  if (key.error) return `is not a key sshd can read (${key.error})`;
  if (key.type === 'ssh-dss') return 'is a DSA key, which OpenSSH has refused by default since 7.0 (2015) and removed in 9.8: it will not log anyone in on a current sshd';
  if (key.type === 'ssh-rsa' && key.bits !== undefined && key.bits < MIN_RSA_BITS) {
    return `is a ${key.bits}-bit RSA key, below the ${MIN_RSA_BITS} bits current guidance asks for${key.bits < 1024 ? ' (OpenSSH 9.1 and later refuse it outright)' : ''}`;
  }
  return undefined;
}

export const sshAuthorizedKeys: Rule = {
  id: 'ssh-authorized-keys',
  title: 'Someone can log in over ssh with a key',
  defaultSeverity: 'error',
  guideline: 'It\'s also highly recommended that you use ssh keys (RSA or DSA) instead of login passwords for remote access',
  rationale: 'With password logins off and no authorized key, the appliance boots fine and nobody can ever get in: SpotCloud has no console. With password logins on and no key, the appliance relies on passwords that scanners try all day. (The guide, written in 2011, names DSA keys; current OpenSSH no longer accepts them.)',
  checks: 'For every account sshd would let in (login shell; AllowUsers/DenyUsers; root unless PermitRootLogin no), the files AuthorizedKeysFile names (default .ssh/authorized_keys and .ssh/authorized_keys2 in the home folder; %h, %u and %U expanded), parsed key by key. Error: password logins off (see ssh-password-auth) and no account has a usable key, or PubkeyAuthentication no. Warning: password logins on and no account has a key; a DSA key; an RSA key under 2048 bits; a line that is not a key. When AuthorizedKeysCommand is set, keys may come from elsewhere and their absence is not reported.',
  howToFix: 'Put your public key (ssh-ed25519, or RSA of 3072 bits or more) in /home/USER/.ssh/authorized_keys of a login account (mode 600, the folder 700, owned by the user), test the login, then turn password logins off.',
  fixable: 'no',
  ...NO_OPTIONS,
  async check({ facts, guest, report }) {
    if (!guest || !hasSshServer(facts)) return;
    const passwords = sshPasswordLogins(facts.sshd);
    const pubkey = sshdSetting(facts.sshd, 'PubkeyAuthentication');
    if ((pubkey?.values[0] ?? 'yes').toLowerCase() === 'no' && !passwords.allowed) {
      report({
        location: pubkey?.source ? { path: pubkey.source.path, line: pubkey.source.line } : {},
        message: `sshd accepts neither keys (PubkeyAuthentication no) nor passwords (${describeDecision(passwords)}): nobody can log in to the appliance, and SpotCloud gives no console. Turn PubkeyAuthentication back on and install a key.`,
      });
      return;
    }
    const patterns = (sshdSetting(facts.sshd, 'AuthorizedKeysFile')?.values ?? ['.ssh/authorized_keys', '.ssh/authorized_keys2'])
      .filter((pattern) => pattern.toLowerCase() !== 'none');
    const accounts = sshAccounts(facts);
    const files = await readAuthorizedKeys(guest, accounts, patterns);
    const usable = new Set<string>();
    for (const file of files) {
      for (const key of file.keys) {
        const problem = keyProblem(key);
        if (!problem) {
          usable.add(file.account);
          continue;
        }
        report({
          severity: 'warning',
          location: { path: file.path, line: key.line },
          message: `Line ${key.line} of ${file.path} (${file.account}'s authorized keys) ${problem}. Replace it with an ed25519 key (ssh-keygen -t ed25519) or an RSA key of 3072 bits or more.`,
        });
      }
    }
    if (usable.size > 0) return;
    const command = sshdSetting(facts.sshd, 'AuthorizedKeysCommand');
    if (command && !command.fromDefault && (command.values[0] ?? 'none').toLowerCase() !== 'none') return;
    const looked = `looked in ${patterns.join(' and ') || 'no file (AuthorizedKeysFile none)'} for ${accounts.length ? namesOf(accounts) : 'no account: none has a login shell sshd allows'}`;
    if (!passwords.allowed) {
      report({
        location: { path: facts.sshd.files[0] ?? '/etc/ssh/sshd_config' },
        message: `Password logins are off (${describeDecision(passwords)}) and no account has a usable authorized key (${looked}): nobody can log in to the appliance, and SpotCloud gives no console. Add your public key to ~/.ssh/authorized_keys of a login account.`,
      });
    } else {
      report({
        severity: 'warning',
        location: { path: facts.sshd.files[0] ?? '/etc/ssh/sshd_config' },
        message: `No account has an authorized ssh key (${looked}), so the only way in is a password, which ssh scanners try all day. Add your public key to ~/.ssh/authorized_keys of a login account, then turn password logins off.`,
      });
    }
  },
};
