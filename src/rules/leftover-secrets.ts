import type { FactProblem } from '../inspect/facts/guest-facts.js';
import { readGuestText, tryGuest } from '../inspect/facts/read-guest-text.js';
import type { GuestTree } from '../inspect/guest/guest-tree.js';
import { NO_OPTIONS, type FindingInput, type Rule } from './rule.js';
import { describePrivateKey, MAX_PRIVATE_KEY_TEXT } from './support/private-key-file.js';
import { reportProblems } from './support/report-problems.js';

/** Home folders looked at, at most: every account's, deduplicated. */
const MAX_HOMES = 500;
/** Files looked at in one ~/.ssh; a real one holds a handful. */
const MAX_SSH_DIRECTORY_FILES = 200;
/** Files ssh itself keeps in ~/.ssh that are never private keys. */
const NOT_KEYS = /\.pub$|^known_hosts|^authorized_keys|^config$|^environment$/;

/** Shell and REPL histories: what was typed while the appliance was built, passwords on command lines included. */
const HISTORIES = [
  '.bash_history', '.zsh_history', '.sh_history', '.ash_history', '.histfile', '.history', '.local/share/fish/fish_history',
  '.python_history', '.mysql_history', '.psql_history', '.sqlite_history', '.node_repl_history', '.rediscli_history',
];

/** Credential files of cloud and developer tools, with what makes one hold a secret. */
const CREDENTIALS: { path: string; what: string; holdsSecret?: (text: string) => boolean }[] = [
  { path: '.aws/credentials', what: 'AWS access keys', holdsSecret: (t) => /aws_secret_access_key|aws_session_token/i.test(t) },
  { path: '.config/gcloud/credentials.db', what: 'Google Cloud SDK credentials' },
  { path: '.config/gcloud/application_default_credentials.json', what: 'Google Cloud application default credentials' },
  { path: '.config/gcloud/legacy_credentials', what: 'Google Cloud SDK credentials' },
  { path: '.docker/config.json', what: 'Docker registry logins', holdsSecret: dockerConfigHasAuths },
  { path: '.azure/accessTokens.json', what: 'Azure CLI tokens' },
  { path: '.azure/msal_token_cache.json', what: 'Azure CLI tokens' },
  { path: '.kube/config', what: 'Kubernetes credentials', holdsSecret: (t) => /\b(token|client-key-data|password)\s*:/.test(t) },
  { path: '.git-credentials', what: 'git passwords or tokens' },
  { path: '.netrc', what: 'login passwords for remote hosts', holdsSecret: (t) => /\bpassword\s+\S/.test(t) },
  { path: '.pgpass', what: 'PostgreSQL passwords' },
];

/** A Docker config.json holds a secret when one of its auths has an auth or identitytoken value (credsStore configs do not). */
function dockerConfigHasAuths(text: string): boolean {
  try {
    const auths = (JSON.parse(text) as { auths?: Record<string, { auth?: string; identitytoken?: string }> }).auths ?? {};
    return Object.values(auths).some((entry) => Boolean(entry?.auth || entry?.identitytoken));
  } catch {
    return false;
  }
}

function join(home: string, relative: string): string {
  return `${home.replace(/\/+$/, '')}/${relative}`;
}

async function nonEmptyFile(guest: GuestTree, path: string, problems: FactProblem[]): Promise<boolean> {
  const stat = await tryGuest(path, problems, () => guest.stat(path));
  return stat !== undefined && stat.kind === 'file' && stat.size > 0;
}

/**
 * Every regular file directly in an ssh folder that holds a private key,
 * whatever its name (deploy_key, github, backup.pem ...), not only id_*.
 */
async function privateKeysIn(guest: GuestTree, sshDirectory: string, problems: FactProblem[]): Promise<{ path: string; encrypted: boolean }[]> {
  const listing = await tryGuest(sshDirectory, problems, () => guest.list(sshDirectory));
  if (!listing) return [];
  const keys: { path: string; encrypted: boolean }[] = [];
  for (const name of listing.names.filter((n) => !NOT_KEYS.test(n)).slice(0, MAX_SSH_DIRECTORY_FILES)) {
    const path = join(sshDirectory, name);
    const stat = await tryGuest(path, problems, () => guest.stat(path));
    // Bigger than any key: an archive or a socket left there is not read, nor reported as unreadable.
    if (stat?.kind !== 'file' || stat.size > MAX_PRIVATE_KEY_TEXT) continue;
    const text = await readGuestText(guest, path, problems, MAX_PRIVATE_KEY_TEXT);
    const key = text === undefined ? undefined : describePrivateKey(text);
    if (key) keys.push({ path, encrypted: key.encrypted });
  }
  return keys;
}

async function checkHome(guest: GuestTree, home: string, owner: string, problems: FactProblem[]): Promise<FindingInput[]> {
  const findings: FindingInput[] = [];
  for (const { path, encrypted } of await privateKeysIn(guest, join(home, '.ssh'), problems)) {
    findings.push({
      location: { path },
      message: `${path} is ${owner}'s ssh private key${encrypted ? ' (passphrase-protected)' : ', not protected by a passphrase'}: everyone with a copy of the image, and every provider that runs it, gets it, and with it whatever servers accept it. Remove it before exporting, and revoke it wherever its .pub is authorized.`,
    });
  }
  for (const relative of HISTORIES) {
    const path = join(home, relative);
    if (!(await nonEmptyFile(guest, path, problems))) continue;
    findings.push({
      location: { path },
      message: `${path} is ${owner}'s shell history: the commands typed while building the appliance, passwords given on command lines included, go to every provider that runs it. Remove it before exporting (and unset HISTFILE while preparing the image).`,
      fix: `remove ${path}`,
      repairs: [{ kind: 'remove', path }],
    });
  }
  for (const credential of CREDENTIALS) {
    const path = join(home, credential.path);
    if (!(await nonEmptyFile(guest, path, problems)) && !(credential.path.endsWith('legacy_credentials') && (await tryGuest(path, problems, () => guest.stat(path))))) continue;
    if (credential.holdsSecret) {
      const text = await readGuestText(guest, path, problems);
      if (text === undefined || !credential.holdsSecret(text)) continue;
    }
    findings.push({
      location: { path },
      message: `${path} holds ${owner}'s ${credential.what}: everyone with a copy of the image gets them. Remove the file before exporting and revoke the credentials it holds.`,
    });
  }
  return findings;
}

export const leftoverSecrets: Rule = {
  id: 'leftover-secrets',
  title: 'No private keys, shell histories or cloud credentials left in home folders',
  defaultSeverity: 'warning',
  guideline: 'Good appliance design calls for using only the software and configuration that is required to solve the problem or to provide the service.',
  rationale: 'The image is uploaded to SpotCloud and copied to providers anywhere in the world. Whatever the builder left in a home folder goes with it: a private key opens the builder\'s other servers, a shell history shows the passwords typed on command lines, and cloud credentials spend the builder\'s money. None of it is needed to run the appliance.',
  checks: `Every account's home folder and /root: ssh private keys (any file directly in .ssh holding an OpenSSH, PEM, PKCS#8 or PuTTY private key; .pub, known_hosts, authorized_keys, config and environment are skipped), said to be passphrase-protected or not, non-empty histories (${HISTORIES.join(', ')}), and credential files (${CREDENTIALS.map((c) => c.path).join(', ')}; Docker's config only when it holds auths, AWS's only when it holds a secret key).`,
  howToFix: 'Delete the files before exporting (rm ~/.bash_history, rm ~/.ssh/id_*, ...), revoke the keys and credentials they held, and clear the history of the shell you run the export from (history -c; unset HISTFILE). As an unsafe fix, spotlint removes histories only: keys and credentials need revoking by you.',
  fixable: 'unsafe',
  ...NO_OPTIONS,
  async check({ facts, guest, report }) {
    if (!guest) return;
    const owners = new Map<string, string>([['/root', 'root']]);
    for (const account of facts.accounts.accounts) {
      if (account.home && account.home.startsWith('/') && !owners.has(account.home)) owners.set(account.home, account.name);
    }
    const problems: FactProblem[] = [];
    for (const [home, owner] of [...owners].slice(0, MAX_HOMES)) {
      const stat = await tryGuest(home, problems, () => guest.stat(home));
      if (stat?.kind !== 'directory') continue;
      for (const finding of await checkHome(guest, home, owner, problems)) report(finding);
    }
    reportProblems(report, problems, 'the search for leftover secrets');
  },
};
