import type { Account, FactProblem, GuestFacts } from '../inspect/facts/guest-facts.js';
import { readAuthorizedKeys, type AuthorizedKey } from '../inspect/facts/authorized-keys.js';
import { tryGuest } from '../inspect/facts/read-guest-text.js';
import type { GuestTree } from '../inspect/guest/guest-tree.js';
import { NO_OPTIONS, type FindingInput, type Rule } from './rule.js';
import { GUIDE_SSH_KEYS } from './support/guidelines.js';
import { describeDecision, hasOpenSshConfig, isYes, loginAccounts, opensshVersion, settingIn, sshdConfigPath, sshPasswordLogins } from './support/ssh-access.js';

/** OpenSSH 9.1 and later refuse RSA keys under 1024 bits; under 2048 is below every current recommendation. */
const REFUSED_RSA_BITS = 1024;
const WEAK_RSA_BITS = 2048;
/** OpenSSH 7.0 stopped accepting DSA keys by default. */
const DSA_REFUSED_SINCE = 7.0;
/** At most this many account names in a message; the rest are counted. */
const MAX_NAMED_ACCOUNTS = 6;

function namesOf(accounts: Account[]): string {
  const named = accounts.slice(0, MAX_NAMED_ACCOUNTS).map((a) => a.name).join(', ');
  return accounts.length > MAX_NAMED_ACCOUNTS ? `${named} and ${accounts.length - MAX_NAMED_ACCOUNTS} more accounts` : named;
}

/** sshd's user patterns: USER or USER@HOST, with * and ? as the only wildcards (match_pattern in OpenSSH). */
function matchesUserPattern(pattern: string, name: string): boolean {
  const user = pattern.split('@')[0]!;
  const regex = new RegExp(`^${user.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
  return regex.test(name);
}

interface Admission {
  admitted: Account[];
  /** Accounts sshd refuses whatever their keys, with why. */
  refused: { account: Account; why: string }[];
}

/** Accounts sshd lets in at all: a login shell, AllowUsers/DenyUsers, PermitRootLogin no, and "!"-locked accounts without PAM. */
function admission(facts: GuestFacts): Admission {
  const allow = settingIn(facts.sshd, 'AllowUsers')?.values ?? [];
  const deny = settingIn(facts.sshd, 'DenyUsers')?.values ?? [];
  const rootLogin = (settingIn(facts.sshd, 'PermitRootLogin')?.values[0] ?? 'prohibit-password').toLowerCase();
  const pam = isYes(settingIn(facts.sshd, 'UsePAM'));
  const result: Admission = { admitted: [], refused: [] };
  for (const account of loginAccounts(facts)) {
    if (account.uid === 0 && rootLogin === 'no') continue;
    if (deny.some((p) => matchesUserPattern(p, account.name))) continue;
    if (allow.length > 0 && !allow.some((p) => matchesUserPattern(p, account.name))) continue;
    if (!pam && account.password.lockedByExclamation) {
      result.refused.push({ account, why: `its password is locked with "!" (${account.password.source.path} line ${account.password.source.line}) and sshd runs without PAM (UsePAM no), so sshd refuses it even with a key; unlock it without a password: usermod -p '*' ${account.name}` });
      continue;
    }
    result.admitted.push(account);
  }
  return result;
}

/** What keeps a key from logging anyone in, or what makes it weak; undefined for a good key. */
function keyVerdict(key: AuthorizedKey, facts: GuestFacts, forcedCommandsOnly: boolean): { usable: boolean; problem: string } | undefined {
  if (key.error) return { usable: false, problem: `is not a key sshd can read (${key.error})` };
  if (forcedCommandsOnly && !/(^|,)\s*command=/i.test(key.options ?? '')) {
    return { usable: false, problem: 'is root\'s key without a command= option, and PermitRootLogin forced-commands-only lets root in only with forced commands' };
  }
  if (key.type === 'ssh-dss') {
    const version = opensshVersion(facts);
    if (version === undefined || version >= DSA_REFUSED_SINCE) {
      return { usable: false, problem: 'is a DSA key, which OpenSSH has refused by default since 7.0 (2015) and removed in 9.8: it will not log anyone in' };
    }
    return { usable: true, problem: `is a DSA key: this image's OpenSSH ${version.toFixed(1)} still takes it, but every OpenSSH since 7.0 refuses it` };
  }
  if (key.type === 'ssh-rsa' && key.bits !== undefined && key.bits < REFUSED_RSA_BITS) {
    return { usable: false, problem: `is a ${key.bits}-bit RSA key, which OpenSSH 9.1 and later refuse outright` };
  }
  if (key.type === 'ssh-rsa' && key.bits !== undefined && key.bits < WEAK_RSA_BITS) {
    return { usable: true, problem: `is a ${key.bits}-bit RSA key, below the ${WEAK_RSA_BITS} bits current guidance asks for` };
  }
  return undefined;
}

/**
 * StrictModes (on by default): sshd ignores an authorized_keys file when it,
 * its folder or the home folder is writable by group or others, or is owned
 * by someone other than the account or root.
 */
async function strictModesProblem(guest: GuestTree, path: string, account: Account, problems: FactProblem[]): Promise<string | undefined> {
  const folder = path.slice(0, path.lastIndexOf('/')) || '/';
  const checked = [path, folder, ...(account.home && account.home !== folder && path.startsWith(`${account.home}/`) ? [account.home] : [])];
  for (const each of checked) {
    const stat = await tryGuest(each, problems, () => guest.stat(each));
    if (!stat) continue;
    if (stat.uid !== account.uid && stat.uid !== 0) return `${each} is owned by uid ${stat.uid}, not by ${account.name} or root`;
    if ((stat.mode & 0o022) !== 0) {
      const who = [(stat.mode & 0o020) ? 'its group' : '', (stat.mode & 0o002) ? 'others' : ''].filter(Boolean).join(' and ');
      return `${each} is writable by ${who} (mode ${(stat.mode & 0o7777).toString(8).padStart(4, '0')})`;
    }
  }
  return undefined;
}

export const sshAuthorizedKeys: Rule = {
  id: 'ssh-authorized-keys',
  title: 'Someone can log in over ssh with a key',
  defaultSeverity: 'error',
  guideline: GUIDE_SSH_KEYS,
  rationale: 'With password logins off and no usable authorized key, the appliance boots fine and nobody can ever get in: SpotCloud has no console. With password logins on and no key, the appliance relies on passwords that scanners try all day. (The guide, written in 2011, names DSA keys; OpenSSH has refused them since 7.0.)',
  checks: 'For every account sshd would let in (login shell; AllowUsers/DenyUsers; root unless PermitRootLogin no; not "!"-locked when UsePAM is off, since sshd then refuses those accounts outright), the files AuthorizedKeysFile names (default .ssh/authorized_keys and .ssh/authorized_keys2 in the home folder; %h, %u and %U expanded), parsed key by key, and their ownership and modes as StrictModes checks them. Error: password logins off (see ssh-password-auth) and no account has a usable key, or PubkeyAuthentication no. Warning: password logins on and no account has a key; DSA keys; RSA keys under 2048 bits (under 1024 they are refused); lines that are not keys; files sshd ignores for their modes. With AuthorizedKeysCommand set, keys may come from elsewhere and their absence is not reported. AllowGroups/DenyGroups are not applied.',
  howToFix: 'Put your public key (ssh-ed25519, or RSA of 3072 bits or more) in /home/USER/.ssh/authorized_keys of a login account (mode 600, the folder 700, both owned by the user), test the login, then turn password logins off.',
  fixable: 'no',
  ...NO_OPTIONS,
  async check({ facts, guest, report }) {
    if (!guest || !hasOpenSshConfig(facts)) return;
    if (facts.accounts.accounts.length === 0) {
      if (facts.accounts.problems.length > 0) {
        report({ severity: 'info', location: { path: '/etc/passwd' }, message: `The guest's accounts could not be read (${facts.accounts.problems[0]!.message}), so ssh-authorized-keys could not check who can log in.` });
      }
      return;
    }
    const passwords = sshPasswordLogins(facts.sshd);
    const pubkey = settingIn(facts.sshd, 'PubkeyAuthentication');
    if ((pubkey?.values[0] ?? 'yes').toLowerCase() === 'no') {
      if (!passwords.allowed) {
        report({
          location: pubkey?.source ? { path: pubkey.source.path, line: pubkey.source.line } : { path: sshdConfigPath(facts) },
          message: `sshd accepts neither keys (PubkeyAuthentication no) nor passwords (${describeDecision(passwords)}): nobody can log in to the appliance, and SpotCloud gives no console. Turn PubkeyAuthentication back on and install a key.`,
        });
      }
      return;
    }
    const patterns = (settingIn(facts.sshd, 'AuthorizedKeysFile')?.values ?? ['.ssh/authorized_keys', '.ssh/authorized_keys2'])
      .filter((pattern) => pattern.toLowerCase() !== 'none');
    const { admitted, refused } = admission(facts);
    const forcedOnly = (settingIn(facts.sshd, 'PermitRootLogin')?.values[0] ?? '').toLowerCase() === 'forced-commands-only';
    const strictModes = (settingIn(facts.sshd, 'StrictModes')?.values[0] ?? 'yes').toLowerCase() !== 'no';
    const problems: FactProblem[] = [];
    const files = await readAuthorizedKeys(guest, admitted, patterns, problems);
    const usable = new Set<string>();
    const findings: FindingInput[] = [];
    for (const file of files) {
      const account = admitted.find((a) => a.name === file.account)!;
      const ignored = strictModes ? await strictModesProblem(guest, file.path, account, problems) : undefined;
      if (ignored) {
        findings.push({ severity: 'warning', location: { path: file.path }, message: `sshd ignores ${file.path} (${account.name}'s authorized keys): ${ignored}, and StrictModes refuses such files. Make it and its folders owned by ${account.name} and not writable by others (chmod 700 ~/.ssh; chmod 600 ~/.ssh/authorized_keys).` });
        continue;
      }
      for (const key of file.keys) {
        const verdict = keyVerdict(key, facts, forcedOnly && account.uid === 0);
        if (!verdict || verdict.usable) usable.add(file.account);
        if (!verdict) continue;
        findings.push({
          severity: 'warning',
          location: { path: file.path, line: key.line },
          message: `Line ${key.line} of ${file.path} (${file.account}'s authorized keys) ${verdict.problem}. Replace it with an ed25519 key (ssh-keygen -t ed25519) or an RSA key of 3072 bits or more.`,
        });
      }
    }
    for (const finding of findings) report(finding);
    for (const problem of problems) {
      report({ severity: 'warning', location: { path: problem.path }, message: `${problem.path} could not be read (${problem.message}), so the keys in it were not counted.` });
    }
    for (const { account, why } of refused) {
      report({ severity: 'warning', location: { path: account.password.source.path, line: account.password.source.line }, message: `${account.name} cannot log in over ssh at all: ${why}.` });
    }
    if (usable.size > 0) return;
    const command = settingIn(facts.sshd, 'AuthorizedKeysCommand');
    if (command && !command.fromDefault && (command.values[0] ?? 'none').toLowerCase() !== 'none') return;
    const looked = `looked in ${patterns.join(' and ') || 'no file (AuthorizedKeysFile none)'} for ${admitted.length ? namesOf(admitted) : 'no account: none has a login shell sshd allows'}`;
    if (!passwords.allowed) {
      report({
        location: { path: sshdConfigPath(facts) },
        message: `Password logins are off (${describeDecision(passwords)}) and no account has a usable authorized key (${looked}): nobody can log in to the appliance, and SpotCloud gives no console. Add your public key to ~/.ssh/authorized_keys of a login account.`,
      });
    } else {
      report({
        severity: 'warning',
        location: { path: sshdConfigPath(facts) },
        message: `No account has a usable authorized ssh key (${looked}), so the only way in is a password, which ssh scanners try all day. Add your public key to ~/.ssh/authorized_keys of a login account, then turn password logins off.`,
      });
    }
  },
};
