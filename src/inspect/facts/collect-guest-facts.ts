import type { GuestTree } from '../guest/guest-tree.js';
import type { Volume } from '../volumes.js';
import { readAccountFacts } from './accounts.js';
import { readBootConfigFacts } from './boot-config.js';
import type { FactProblem, GuestFacts } from './guest-facts.js';
import { readNetworkFacts } from './network/read-network-facts.js';
import { readOsFacts } from './os-facts.js';
import { readPackageFacts } from './packages.js';
import { readSshdFacts } from './read-sshd-facts.js';
import { readServiceFacts } from './services/read-service-facts.js';

/** The facts of a guest with no readable Linux root: only the OS can be named. */
function emptyFacts(os: GuestFacts['os']): GuestFacts {
  return {
    os,
    services: { initSystem: 'unknown', present: [], enabled: [], masked: [], problems: [] },
    packages: { manager: 'none', packages: [], problems: [] },
    accounts: { accounts: [], problems: [] },
    network: { stacks: [], interfaces: [], problems: [] },
    sshd: { present: false, files: [], settings: {}, matchBlocks: [], problems: [] },
    boot: { files: [], commandLines: [], grubDefaults: {}, problems: [] },
  };
}

/**
 * One fact family that fails (a bug, or a filesystem that dies half way)
 * costs only that family: it comes back empty with the reason among its
 * problems, and the other facts and every rule still run. No one file is to
 * blame, so the problem's path names the family in words ("the services
 * facts"), which reads right in inspect's "Could not read <path>: <why>".
 */
async function orEmpty<T extends { problems: FactProblem[] }>(family: string, collect: () => Promise<T>, empty: T): Promise<T> {
  try {
    return await collect();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { ...empty, problems: [...empty.problems, { path: `the ${family} facts`, message }] };
  }
}

/** Reads everything spotlint knows how to tell about the guest, once per image. */
export async function collectGuestFacts(guest: GuestTree | null, volumes: Volume[]): Promise<GuestFacts> {
  const empty = emptyFacts({ family: 'unknown', idLike: [] });
  const os = await orEmpty('OS', async () => ({ ...(await readOsFacts(guest, volumes)), problems: [] }), { ...empty.os, problems: [] });
  const { problems: osProblems, ...osFacts } = os;
  const facts = emptyFacts(osFacts);
  if (!guest) return facts;
  const [services, packages, accounts, network, sshd, boot] = await Promise.all([
    orEmpty('services', () => readServiceFacts(guest), facts.services),
    orEmpty('packages', () => readPackageFacts(guest), facts.packages),
    orEmpty('accounts', () => readAccountFacts(guest), facts.accounts),
    orEmpty('network', () => readNetworkFacts(guest), facts.network),
    orEmpty('sshd', () => readSshdFacts(guest), facts.sshd),
    orEmpty('boot configuration', () => readBootConfigFacts(guest), facts.boot),
  ]);
  // The OS has no problems list of its own: a failure there is the guest's, so show it with the services'.
  return { os: osFacts, services: { ...services, problems: [...osProblems, ...services.problems] }, packages, accounts, network, sshd, boot };
}
