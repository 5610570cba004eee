// Local accounts from /etc/passwd and /etc/shadow, as glibc's files backend
// and pam_unix see them. The password hashes themselves stay out of the
// facts (they are printed by `inspect --json`); shadow-hashes.ts hands them
// to the one rule that needs them.
import type { GuestTree } from '../guest/guest-tree.js';
import type { Account, AccountFacts, AccountPassword, FactProblem, GuestSource, HashScheme } from './guest-facts.js';
import { readGuestText } from './read-guest-text.js';

export const PASSWD_PATH = '/etc/passwd';
export const SHADOW_PATH = '/etc/shadow';
/** Far more lines than any real account database; the rest of a longer file is not read. */
export const MAX_ACCOUNT_LINES = 100_000;
/** Skipped lines noted one by one, per file; the rest are counted in one problem. */
export const MAX_LINE_PROBLEMS = 100;
const PASSWD_FIELDS = 7;
const MAX_ID = 0xffff_ffff;

/** One /etc/passwd line. */
export interface PasswdEntry {
  name: string;
  /** The second field as written: "x" sends the lookup to /etc/shadow. */
  passwordField: string;
  uid: number;
  gid: number;
  gecos: string;
  home: string;
  shell: string;
  line: number;
}

/** One /etc/shadow line (only the fields spotlint uses). */
export interface ShadowEntry {
  name: string;
  passwordField: string;
  line: number;
}

export interface ParsedAccountFile<T> {
  entries: T[];
  problems: FactProblem[];
}

/** An account with the hash it logs in with, when it has one (never part of the facts). */
export interface AccountWithHash {
  account: Account;
  hash?: { hash: string; source: GuestSource };
}

/** Notes skipped lines, the first MAX_LINE_PROBLEMS one by one, so a garbage file cannot flood the report. */
class LineProblems {
  readonly problems: FactProblem[] = [];
  private skipped = 0;

  constructor(private readonly path: string) {}

  skip(message: string): void {
    this.skipped++;
    if (this.skipped <= MAX_LINE_PROBLEMS) this.problems.push({ path: this.path, message });
  }

  finish(totalLines: number): FactProblem[] {
    if (this.skipped > MAX_LINE_PROBLEMS) {
      this.problems.push({ path: this.path, message: `${this.skipped - MAX_LINE_PROBLEMS} more malformed lines skipped` });
    }
    if (totalLines > MAX_ACCOUNT_LINES) {
      this.problems.push({ path: this.path, message: `more than ${MAX_ACCOUNT_LINES} lines; only the first ${MAX_ACCOUNT_LINES} were read` });
    }
    return this.problems;
  }
}

/**
 * The lines glibc's files backend would look at, with their 1-based numbers:
 * blank lines and "#" comments are skipped, and so are NIS compat entries
 * ("+", "+name", "-name"), which name accounts of another database.
 */
function* accountLines(lines: string[]): Generator<{ text: string; line: number }> {
  const count = Math.min(lines.length, MAX_ACCOUNT_LINES);
  for (let index = 0; index < count; index++) {
    const text = lines[index]!;
    const start = text.trimStart();
    if (start === '' || start.startsWith('#') || start.startsWith('+') || start.startsWith('-')) continue;
    yield { text, line: index + 1 };
  }
}

function splitLines(text: string): string[] {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

function parseId(text: string): number | undefined {
  if (!/^\d{1,10}$/.test(text)) return undefined;
  const value = Number(text);
  return value <= MAX_ID ? value : undefined;
}

/** Parses /etc/passwd (passwd(5): name:password:uid:gid:gecos:home:shell). */
export function parsePasswd(text: string, path = PASSWD_PATH): ParsedAccountFile<PasswdEntry> {
  const lines = splitLines(text);
  const problems = new LineProblems(path);
  const entries: PasswdEntry[] = [];
  for (const { text: lineText, line } of accountLines(lines)) {
    const fields = lineText.split(':');
    if (fields.length < PASSWD_FIELDS) {
      problems.skip(`line ${line}: ${fields.length} fields where passwd(5) has ${PASSWD_FIELDS} (name:password:uid:gid:gecos:home:shell); line skipped`);
      continue;
    }
    const [name, passwordField, uidText, gidText, gecos, home] = fields as [string, string, string, string, string, string];
    const uid = parseId(uidText);
    const gid = parseId(gidText);
    if (name === '' || uid === undefined || gid === undefined) {
      const what = name === '' ? 'no account name' : uid === undefined ? `user id "${uidText}" is not a number` : `group id "${gidText}" is not a number`;
      problems.skip(`line ${line}: ${what}; line skipped`);
      continue;
    }
    // glibc takes everything after the sixth colon as the shell.
    const shell = fields.slice(PASSWD_FIELDS - 1).join(':');
    entries.push({ name, passwordField, uid, gid, gecos, home, shell, line });
  }
  return { entries, problems: problems.finish(lines.length) };
}

/**
 * Parses /etc/shadow (shadow(5)). Only the name and password fields matter
 * here; glibc also accepts a line that stops after the password.
 */
export function parseShadow(text: string, path = SHADOW_PATH): ParsedAccountFile<ShadowEntry> {
  const lines = splitLines(text);
  const problems = new LineProblems(path);
  const entries: ShadowEntry[] = [];
  for (const { text: lineText, line } of accountLines(lines)) {
    const fields = lineText.split(':');
    if (fields.length < 2 || fields[0] === '') {
      problems.skip(`line ${line}: no name:password pair; line skipped`);
      continue;
    }
    entries.push({ name: fields[0]!, passwordField: fields[1]!, line });
  }
  return { entries, problems: problems.finish(lines.length) };
}

const DES_HASH = /^[./0-9A-Za-z]{13}$/;

/** The crypt(5) scheme of a hash, from its prefix. */
export function hashScheme(hash: string): HashScheme {
  if (hash.startsWith('$1$')) return 'md5';
  if (hash.startsWith('$5$')) return 'sha256';
  if (hash.startsWith('$6$')) return 'sha512';
  if (/^\$2[aby]\$/.test(hash)) return 'bcrypt';
  if (hash.startsWith('$y$')) return 'yescrypt';
  if (hash.startsWith('$gy$')) return 'gost-yescrypt';
  if (hash.startsWith('$7$')) return 'scrypt';
  if (hash.startsWith('$md5')) return 'sun-md5';
  if (hash.startsWith('_')) return 'bsdi-des';
  if (DES_HASH.test(hash)) return 'des';
  return 'unknown';
}

/**
 * What a password field lets in. Any field starting with "!" or "*" is
 * locked (passwd -l and usermod -L put a "!" before the hash, which keeps
 * its scheme worth reporting); an empty field logs in with no password. The
 * "x" of /etc/passwd is the caller's business: it means "see /etc/shadow".
 */
export function classifyPasswordField(field: string): { kind: AccountPassword['kind']; scheme?: HashScheme; lockedByExclamation?: boolean } {
  if (field === '') return { kind: 'empty' };
  if (field.startsWith('!') || field.startsWith('*')) {
    const lockedHash = field.replace(/^!+/, '');
    const scheme = field.startsWith('!') && lockedHash !== '' ? hashScheme(lockedHash) : 'unknown';
    // sshd without PAM refuses every login, keys included, to an account whose field starts with "!" (passwd -l); "*" only means no password.
    const exclamation = field.startsWith('!') ? { lockedByExclamation: true } : {};
    return scheme === 'unknown' ? { kind: 'locked', ...exclamation } : { kind: 'locked', scheme, ...exclamation };
  }
  return { kind: 'hash', scheme: hashScheme(field) };
}

/**
 * Shells that end the session at once instead of giving a prompt. The
 * /usr/sbin and /usr/bin spellings are the same programs on merged-/usr
 * systems. An empty shell is not here: login(1) then runs /bin/sh (passwd(5)).
 */
const NON_LOGIN_SHELLS = new Set([
  '/bin/false', '/usr/bin/false',
  '/bin/sync', '/usr/bin/sync',
  '/sbin/shutdown', '/usr/sbin/shutdown',
  '/sbin/halt', '/usr/sbin/halt',
]);

export function isLoginShell(shell: string): boolean {
  if (shell === 'nologin' || shell.endsWith('/nologin')) return false;
  return !NON_LOGIN_SHELLS.has(shell);
}

/**
 * Joins passwd and shadow entries the way pam_unix does: a passwd field of
 * "x" is looked up in shadow (the first entry of a name wins, as with
 * getspnam), any other passwd field is used as it is.
 */
export function buildAccounts(passwd: PasswdEntry[], shadow: ShadowEntry[], passwdPath = PASSWD_PATH, shadowPath = SHADOW_PATH): AccountWithHash[] {
  const shadowByName = new Map<string, ShadowEntry>();
  for (const entry of shadow) if (!shadowByName.has(entry.name)) shadowByName.set(entry.name, entry);
  return passwd.map((entry) => {
    const passwdSource: GuestSource = { path: passwdPath, line: entry.line };
    let field: string | undefined = entry.passwordField;
    let fieldSource = passwdSource;
    if (field === 'x') {
      const shadowEntry = shadowByName.get(entry.name);
      field = shadowEntry?.passwordField;
      if (shadowEntry) fieldSource = { path: shadowPath, line: shadowEntry.line };
    }
    const password: AccountPassword = field === undefined
      ? { kind: 'unknown', source: passwdSource }
      : { ...classifyPasswordField(field), source: fieldSource };
    const account: Account = {
      name: entry.name,
      uid: entry.uid,
      gid: entry.gid,
      home: entry.home,
      shell: entry.shell,
      loginShell: isLoginShell(entry.shell),
      password,
      source: passwdSource,
    };
    return field !== undefined && password.kind === 'hash' ? { account, hash: { hash: field, source: fieldSource } } : { account };
  });
}

/** Reads and joins the guest's account files; what could not be read is in `problems`. */
export async function readAccountDatabase(guest: GuestTree): Promise<{ accounts: AccountWithHash[]; problems: FactProblem[] }> {
  const problems: FactProblem[] = [];
  const passwdText = await readGuestText(guest, PASSWD_PATH, problems);
  if (passwdText === undefined) {
    if (!problems.some((p) => p.path === PASSWD_PATH)) problems.push({ path: PASSWD_PATH, message: 'not found: the guest has no local accounts' });
    return { accounts: [], problems };
  }
  const passwd = parsePasswd(passwdText);
  problems.push(...passwd.problems);
  const shadowText = await readGuestText(guest, SHADOW_PATH, problems);
  const shadow = shadowText === undefined ? { entries: [], problems: [] } : parseShadow(shadowText);
  problems.push(...shadow.problems);
  return { accounts: buildAccounts(passwd.entries, shadow.entries), problems };
}

export async function readAccountFacts(guest: GuestTree): Promise<AccountFacts> {
  const { accounts, problems } = await readAccountDatabase(guest);
  return { accounts: accounts.map((a) => a.account), problems };
}
