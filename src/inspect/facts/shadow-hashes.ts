// Password hashes, for the one rule that tries to guess them. Kept apart
// from the facts because `inspect --json` prints the facts.
import type { GuestTree } from '../guest/guest-tree.js';
import { readAccountDatabase } from './accounts.js';
import type { GuestSource } from './guest-facts.js';

/**
 * Account name -> the hash it logs in with, for accounts whose password is a
 * hash (not locked, empty or missing); the first account of a name wins, as
 * it does for getpwnam. Problems reading the files are the facts' to report.
 */
export async function readShadowHashes(guest: GuestTree): Promise<Map<string, { hash: string; source: GuestSource }>> {
  const { accounts } = await readAccountDatabase(guest);
  const hashes = new Map<string, { hash: string; source: GuestSource }>();
  const seen = new Set<string>();
  for (const { account, hash } of accounts) {
    if (seen.has(account.name)) continue;
    seen.add(account.name);
    if (hash) hashes.set(account.name, hash);
  }
  return hashes;
}
