/**
 * Keeps two spotlints from changing one image at once: a lock file next to
 * the image (`d0.img.spotlint-lock`) naming its holder. Node has no flock,
 * and a lock file also tells a person who holds it.
 *
 * A lock left by a process that died (SIGKILL, power loss) is taken over
 * when it names this host and a pid that is no longer alive. A lock from
 * another host (an image on a shared filesystem) cannot be judged and is
 * always refused.
 */
import { randomBytes } from 'node:crypto';
import { open, readFile, rename, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { SpotlintError } from '../errors.js';

export const IMAGE_LOCK_SUFFIX = '.spotlint-lock';
/** Attempts at creating or taking over the lock before giving up: each one lost only to another spotlint racing for it. */
const MAX_ATTEMPTS = 5;
/** A lock just created is empty until its holder writes it: how often, and how long apart, to look again. */
const UNREADABLE_RETRIES = 10;
const UNREADABLE_RETRY_MS = 20;

export interface ImageLock {
  readonly path: string;
  /** Removes the lock if it is still ours; safe to call more than once. */
  release(): Promise<void>;
}

interface LockHolder {
  pid: number;
  host: string;
  /** When the holder took the lock, ISO 8601. */
  started: string;
  /** Tells our own lock from a later one of the same pid. */
  token: string;
}

/** The lock file spotlint uses for `imagePath`. */
export function imageLockPath(imagePath: string): string {
  return imagePath + IMAGE_LOCK_SUFFIX;
}

export async function acquireImageLock(imagePath: string): Promise<ImageLock> {
  const lockPath = imageLockPath(imagePath);
  const ours: LockHolder = { pid: process.pid, host: hostname(), started: new Date().toISOString(), token: randomBytes(8).toString('hex') };
  const text = JSON.stringify(ours) + '\n';
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
    if (await createExclusive(lockPath, text)) return heldLock(lockPath, ours);
    const current = await readHolder(lockPath);
    if (current === 'gone') continue;
    if (current === 'unreadable') {
      throw new SpotlintError(`${imagePath} is locked by ${lockPath}, which does not say who holds it; if no spotlint is changing the image, remove ${lockPath}`);
    }
    if (!isStale(current.holder)) throw refusal(imagePath, lockPath, current.holder);
    if (await takeOver(lockPath, current.text, text, ours)) return heldLock(lockPath, ours);
  }
  throw new SpotlintError(`${imagePath} could not be locked: other processes keep changing ${lockPath}; if no spotlint is changing the image, remove ${lockPath}`);
}

function heldLock(lockPath: string, ours: LockHolder): ImageLock {
  return {
    path: lockPath,
    async release() {
      const current = await readHolder(lockPath, 0);
      if (typeof current === 'object' && isSameHolder(current.holder, ours)) await unlinkIfPresent(lockPath);
    },
  };
}

/** Creates the lock with its content; false when a lock exists already. */
async function createExclusive(lockPath: string, text: string): Promise<boolean> {
  let handle;
  try {
    handle = await open(lockPath, 'wx', 0o644);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw ioError('create the lock', lockPath, error);
  }
  try {
    await handle.writeFile(text);
  } catch (error) {
    await handle.close();
    await unlinkIfPresent(lockPath);
    throw ioError('write the lock', lockPath, error);
  }
  await handle.close();
  return true;
}

/**
 * Replaces a stale lock by ours: a temporary lock renamed over it, only if
 * the lock still holds the stale text. Two spotlints taking over the same
 * stale lock in the same instant could both pass that check; the check
 * after the rename catches all but the closest of such races.
 */
async function takeOver(lockPath: string, staleText: string, text: string, ours: LockHolder): Promise<boolean> {
  const temporary = `${lockPath}.${ours.pid}.${ours.token}.tmp`;
  if (!(await createExclusive(temporary, text))) throw new SpotlintError(`could not take over the stale lock ${lockPath}: ${temporary} exists`);
  try {
    const current = await readFile(lockPath, 'utf8').catch(() => undefined);
    if (current !== staleText) return false;
    await rename(temporary, lockPath);
  } finally {
    await unlinkIfPresent(temporary);
  }
  const now = await readHolder(lockPath, 0);
  return typeof now === 'object' && isSameHolder(now.holder, ours);
}

async function readHolder(lockPath: string, retries = UNREADABLE_RETRIES): Promise<{ holder: LockHolder; text: string } | 'gone' | 'unreadable'> {
  for (let attempt = 0; ; attempt += 1) {
    let text: string;
    try {
      text = await readFile(lockPath, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'gone';
      throw ioError('read the lock', lockPath, error);
    }
    const holder = parseHolder(text);
    if (holder !== undefined) return { holder, text };
    if (attempt >= retries) return 'unreadable';
    await sleep(UNREADABLE_RETRY_MS);
  }
}

function parseHolder(text: string): LockHolder | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const { pid, host, started, token } = value as Record<string, unknown>;
  // A pid of 0 or below would make process.kill signal a process group.
  if (!Number.isSafeInteger(pid) || (pid as number) <= 0 || typeof host !== 'string' || typeof started !== 'string') return undefined;
  return { pid: pid as number, host, started, token: typeof token === 'string' ? token : '' };
}

function isStale(holder: LockHolder): boolean {
  return holder.host === hostname() && !isAlive(holder.pid);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: alive, owned by someone else.
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

function isSameHolder(a: LockHolder, b: LockHolder): boolean {
  return a.pid === b.pid && a.host === b.host && a.token === b.token;
}

function refusal(imagePath: string, lockPath: string, holder: LockHolder): SpotlintError {
  const where = holder.host === hostname() ? '' : ` on ${holder.host}`;
  return new SpotlintError(`${imagePath} is being changed by another spotlint (pid ${holder.pid}${where} since ${holder.started}); if that is wrong, remove ${lockPath}`);
}

async function unlinkIfPresent(path: string): Promise<void> {
  try {
    await unlink(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw ioError('remove', path, error);
  }
}

function ioError(action: string, path: string, error: unknown): SpotlintError {
  return new SpotlintError(`could not ${action} ${path}: ${(error as Error).message}`);
}
