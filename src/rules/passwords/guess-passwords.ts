// Tries the passwords an ssh scanner tries first against the guest's
// password hashes, on a pool of worker threads (guess-worker.ts).
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { hashScheme } from '../../inspect/facts/accounts.js';
import type { HashScheme } from '../../inspect/facts/guest-facts.js';
import { loadCommonPasswords } from './common-passwords.js';
import type { GuessTask, GuessTaskResult, GuessWorkerData } from './guess-worker.js';
import { VERIFIABLE_SCHEMES, cryptCost } from './verify-crypt.js';

export interface GuessTarget {
  account: string;
  hash: string;
}

export interface GuessOptions {
  /** How many of the common passwords to try per account, most common first (name variants come on top). */
  maxCandidates: number;
  /** Accounts after the first maxAccounts targets are not tried. */
  maxAccounts: number;
}

export interface GuessResult {
  account: string;
  outcome: 'guessed' | 'not-guessed' | 'unsupported' | 'skipped-cap';
  /** The password that matched, when guessed. */
  password?: string;
  candidatesTried: number;
  scheme: HashScheme;
  /** Why fewer candidates were tried than asked for, or why a supported scheme was not tried. */
  note?: string;
}

/**
 * Work per task, in SHA-512-crypt units (~19 ms each): small enough that
 * the pool stays busy to the end and a found password stops its account
 * soon, big enough that messages cost nothing next to the hashing.
 */
export const TASK_COST_UNITS = 16;
/**
 * A hash whose single verification costs more than this (~4 s: SHA-512 at
 * a million rounds, bcrypt above cost 14) is not tried at all: the name
 * variants alone would take minutes.
 */
export const MAX_COST_PER_CANDIDATE = 200;

/** What a scanner tries first for an account: its own name and simple variants, in this order, without repeats. */
export function nameVariants(name: string): string[] {
  const capitalised = name.charAt(0).toUpperCase() + name.slice(1);
  return [...new Set([name, [...name].reverse().join(''), `${name}123`, `${name}1`, `${name}${name}`, capitalised])];
}

/**
 * How many common passwords an account gets: maxCandidates, or fewer for a
 * hash costlier than a default SHA-512 crypt, so that every account costs
 * at most maxCandidates default crypts.
 */
export function commonPasswordShare(maxCandidates: number, cost: number): number {
  return cost <= 1 ? maxCandidates : Math.floor(maxCandidates / cost);
}

/** The candidates for one account, in the order they are tried. */
export function candidatesFor(account: string, commonPasswords: readonly string[], count: number): string[] {
  return [...new Set([...nameVariants(account), ...commonPasswords.slice(0, count)])];
}

function checkOptions(options: GuessOptions): void {
  for (const key of ['maxCandidates', 'maxAccounts'] as const) {
    if (!Number.isInteger(options[key]) || options[key] < 0) throw new RangeError(`guessPasswords: ${key} must be a whole number >= 0, not ${options[key]}`);
  }
}

/**
 * Tries each target's name variants and the first maxCandidates common
 * passwords, in that order, stopping an account at its first match. Results
 * come in the order of `targets`. Hashes no library here verifies are
 * 'unsupported'; targets after the first maxAccounts are 'skipped-cap'.
 */
export async function guessPasswords(targets: GuessTarget[], options: GuessOptions): Promise<GuessResult[]> {
  checkOptions(options);
  const results: GuessResult[] = targets.map((target) => ({
    account: target.account,
    outcome: 'not-guessed',
    candidatesTried: 0,
    scheme: hashScheme(target.hash),
  }));
  const tasks: GuessTask[] = [];
  for (const [index, target] of targets.entries()) {
    const result = results[index]!;
    if (index >= options.maxAccounts) {
      result.outcome = 'skipped-cap';
      continue;
    }
    if (!VERIFIABLE_SCHEMES.has(result.scheme)) {
      result.outcome = 'unsupported';
      continue;
    }
    const cost = cryptCost(target.hash);
    if (cost > MAX_COST_PER_CANDIDATE) {
      result.outcome = 'unsupported';
      result.note = `one try at this ${result.scheme} hash costs about ${Math.round(cost)} times a default SHA-512 crypt; not tried`;
      continue;
    }
    const share = commonPasswordShare(options.maxCandidates, cost);
    if (share < options.maxCandidates) {
      result.note = `a costly ${result.scheme} hash (about ${cost.toFixed(1)} times a default SHA-512 crypt): ${share} of ${options.maxCandidates} common passwords tried`;
    }
    const candidates = candidatesFor(target.account, await loadCommonPasswords(), share);
    const perTask = Math.max(1, Math.floor(TASK_COST_UNITS / cost));
    for (let start = 0; start < candidates.length; start += perTask) {
      tasks.push({ taskId: tasks.length, target: index, hash: target.hash, candidates: candidates.slice(start, start + perTask) });
    }
  }
  if (tasks.length === 0) return results;
  await runOnWorkers(tasks, targets.length, (reply) => {
    const result = results[tasks[reply.taskId]!.target]!;
    result.candidatesTried += reply.tried;
    if (reply.password !== undefined && result.outcome !== 'guessed') {
      result.outcome = 'guessed';
      result.password = reply.password;
    } else if (reply.unsupported && result.outcome === 'not-guessed') {
      result.outcome = 'unsupported';
    }
  });
  return results;
}

/**
 * Runs the tasks on min(cores, tasks) workers, skipping the tasks of an
 * account whose password has been found. Every worker is terminated before
 * this returns or throws.
 */
async function runOnWorkers(tasks: GuessTask[], targetCount: number, onReply: (reply: GuessTaskResult) => void): Promise<void> {
  const stopFlags = new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT * targetCount);
  const stopped = new Int32Array(stopFlags);
  const workerData: GuessWorkerData = { stopFlags };
  const workers: Worker[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      let next = 0;
      let running = 0;
      let settled = false;
      const fail = (error: Error): void => {
        if (settled) return;
        settled = true;
        reject(error);
      };
      const dispatch = (worker: Worker): void => {
        if (settled) return;
        while (next < tasks.length && Atomics.load(stopped, tasks[next]!.target) !== 0) next++;
        if (next < tasks.length) {
          running++;
          worker.postMessage(tasks[next++]);
        } else if (running === 0) {
          settled = true;
          resolve();
        }
      };
      const count = Math.max(1, Math.min(availableParallelism(), tasks.length));
      for (let i = 0; i < count; i++) {
        const worker = new Worker(new URL('./guess-worker.js', import.meta.url), { workerData });
        workers.push(worker);
        worker.on('message', (reply: GuessTaskResult) => {
          running--;
          if (reply.password !== undefined) Atomics.store(stopped, tasks[reply.taskId]!.target, 1);
          try {
            onReply(reply);
          } catch (error) {
            fail(error as Error);
          }
          dispatch(worker);
        });
        worker.on('error', (error) => fail(new Error(`a password-guessing worker failed: ${error.message}`)));
        worker.on('exit', (code) => fail(new Error(`a password-guessing worker stopped unexpectedly (exit code ${code})`)));
      }
      for (const worker of workers) dispatch(worker);
    });
  } finally {
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
}
