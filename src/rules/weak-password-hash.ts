import type { HashScheme } from '../inspect/facts/guest-facts.js';
import { NO_OPTIONS, type Rule } from './rule.js';
import { GUIDE_PASSWORDS } from './support/guidelines.js';
import { loginAccounts, sourceWords } from './support/ssh-access.js';

/** Schemes a stolen /etc/shadow gives up in hours: fast, unsalted or short-salted, or truncating the password. */
const WEAK: Partial<Record<HashScheme, string>> = {
  des: 'traditional DES crypt (13 characters: only the first 8 characters of the password count, and it is cracked in minutes)',
  'bsdi-des': 'BSDi extended DES crypt ("_" prefix)',
  md5: 'MD5-crypt ("$1$"), which a single GPU tests at tens of millions of guesses a second',
  'sun-md5': 'Sun MD5-crypt ("$md5")',
};

export const weakPasswordHash: Rule = {
  id: 'weak-password-hash',
  title: 'Login passwords hashed with a modern scheme',
  defaultSeverity: 'warning',
  guideline: GUIDE_PASSWORDS,
  rationale: 'The image is copied to providers anywhere in the world; whoever holds a copy holds /etc/shadow. DES and MD5 crypt hashes are cracked offline fast enough that even a decent password falls, and the same password then opens every instance.',
  checks: 'The hash scheme of every login account (login shell, password not locked): DES, BSDi DES, MD5-crypt and Sun MD5 are reported; SHA-256/512-crypt, bcrypt, scrypt and yescrypt are not.',
  howToFix: 'Set the password again with passwd on a system whose /etc/login.defs (ENCRYPT_METHOD SHA512 or YESCRYPT) or PAM configuration uses a modern scheme, or lock the password and log in with a key.',
  fixable: 'no',
  ...NO_OPTIONS,
  async check({ facts, guest, report }) {
    if (!guest) return;
    for (const account of loginAccounts(facts)) {
      const { kind, scheme, source } = account.password;
      const why = kind === 'hash' && scheme ? WEAK[scheme] : undefined;
      if (!why) continue;
      report({
        location: { path: source.path, line: source.line },
        message: `${account.name}'s password (${sourceWords(source)}) is hashed with ${why}. Anyone with a copy of the image can crack it offline; set it again with a SHA-512 or yescrypt hash (passwd ${account.name}), or lock it (passwd -l ${account.name}) and use a key.`,
      });
    }
  },
};
