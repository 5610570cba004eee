import { readShadowHashes } from '../inspect/facts/shadow-hashes.js';
import type { Rule } from './rule.js';
import { GUIDE_PASSWORDS } from './support/guidelines.js';
import { guessPasswords } from './passwords/guess-passwords.js';
import { loginAccounts, sourceWords } from './support/ssh-access.js';

interface GuessablePasswordOptions {
  maxCandidates: number;
  maxAccounts: number;
}

/** John the Ripper's list, most common first: data/common-passwords.lst. */
const LIST_SIZE = 3546;
/** Accounts named in the one finding about those left out by maxAccounts; the rest are counted. */
const MAX_SKIPPED_NAMED = 20;

export const guessablePassword: Rule<GuessablePasswordOptions> = {
  id: 'guessable-password',
  title: 'No login password that a scanner would guess',
  defaultSeverity: 'error',
  guideline: GUIDE_PASSWORDS,
  rationale: 'ssh scanners try the account name and the most common passwords against every public address. An appliance on SpotCloud is on a public address at a provider the buyer never sees; a guessable password there is an open door, and every instance of the image has the same one.',
  checks: `Every login account with a password hash is tried against its own name (and simple variants: reversed, doubled, capitalised, with 1 or 123 appended) and the most common passwords of John the Ripper's list (Openwall, ${LIST_SIZE} entries, most common first; the first maxCandidates of them). SHA-512, SHA-256 and MD5 crypt, bcrypt and DES are verified; yescrypt, gost-yescrypt and scrypt hashes cannot be checked by spotlint, which says so for each such account. One SHA-512 hash costs about 20 ms, so the work is spread over all cores and capped: maxCandidates per account and maxAccounts accounts; accounts left out by the cap are reported.`,
  howToFix: 'Set a long random password (passwd NAME), or better, lock the password (passwd -l NAME) and log in with an ssh key.',
  fixable: 'no',
  options: {
    type: 'object',
    properties: {
      maxCandidates: { type: 'integer', minimum: 0, maximum: LIST_SIZE, description: `How many of the ${LIST_SIZE} common passwords to try per account, most common first (default 100: about 2 s of one core per SHA-512 account; ${LIST_SIZE} tries them all).` },
      maxAccounts: { type: 'integer', minimum: 1, maximum: 1000, description: 'How many login accounts to check at most (default 20).' },
    },
    additionalProperties: false,
  },
  defaultOptions: { maxCandidates: 100, maxAccounts: 20 },
  async check({ facts, guest, options, report }) {
    if (!guest) return;
    const hashes = await readShadowHashes(guest);
    const accounts = loginAccounts(facts).filter((account) => account.password.kind === 'hash');
    // A name on two passwd lines logs in with the first's hash (getpwnam), so it is one target, not two.
    const names = [...new Set(accounts.map((account) => account.name))];
    const targets = names.flatMap((name) => {
      const entry = hashes.get(name);
      return entry ? [{ account: name, hash: entry.hash }] : [];
    });
    if (targets.length === 0) return;
    const results = await guessPasswords(targets, options);
    const skipped = results.filter((result) => result.outcome === 'skipped-cap').map((result) => result.account);
    for (const result of results) {
      const account = accounts.find((a) => a.name === result.account)!;
      const location = { path: account.password.source.path, line: account.password.source.line };
      const where = sourceWords(account.password.source);
      switch (result.outcome) {
        case 'guessed': {
          const what = result.password === account.name ? 'its own account name' : `"${result.password}", one of the most common passwords`;
          report({
            location,
            message: `${account.name}'s password (${where}) is ${what}: an ssh scanner would guess it. Set a long random password (passwd ${account.name}), or lock it (passwd -l ${account.name}) and log in with a key.`,
          });
          break;
        }
        case 'unsupported': {
          const why = result.note ?? `it uses ${result.scheme} hashing, which spotlint cannot verify`;
          report({
            severity: 'info',
            location,
            message: `${account.name}'s password (${where}) was not checked against common passwords: ${why}. Make sure it is not guessable, or lock it (passwd -l ${account.name}) and log in with a key.`,
          });
          break;
        }
        case 'skipped-cap':
          // Named together in one finding below: a big passwd file would otherwise bury the rest.
          break;
        default:
          // Fewer candidates than asked for (a costly hash): say so, since a clean result means less.
          if (result.note) report({ severity: 'info', location, message: `${account.name}'s password (${where}) was checked against fewer common passwords than asked: ${result.note}.` });
          break;
      }
    }
    if (skipped.length > 0) {
      const first = accounts.find((a) => a.name === skipped[0])!;
      const more = skipped.length > MAX_SKIPPED_NAMED ? ` and ${skipped.length - MAX_SKIPPED_NAMED} more` : '';
      const listed = `${skipped.slice(0, MAX_SKIPPED_NAMED).join(', ')}${more}`;
      report({
        severity: 'info',
        location: { path: first.password.source.path },
        message: `The passwords of ${skipped.length === 1 ? 'one account' : `${skipped.length} accounts`} (${listed}) were not checked against common passwords: option maxAccounts (${options.maxAccounts}) caps how many accounts are checked.`,
      });
    }
  },
};
