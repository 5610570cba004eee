/**
 * Finds other processes that have the image open for writing (a running
 * VM, a second tool), so `--fix` can refuse instead of writing under them.
 * Linux only, through /proc: each /proc/PID/fd/N is a link to an open file,
 * and /proc/PID/fdinfo/N says how it was opened.
 *
 * Files are compared by device and inode, not by name, so the image is
 * found under any path, symbolic or hard link. Processes we may not look
 * into (other users', unless we are root) are skipped: a VM run by root is
 * invisible to an unprivileged spotlint. Writable memory mappings without
 * an open descriptor are not seen either.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { SpotlintError } from '../errors.js';

/** At most this many open descriptors are looked at, over all processes. */
export const MAX_DESCRIPTORS_EXAMINED = 100_000;
const O_ACCMODE = 0o3;
const O_WRONLY = 0o1;
const O_RDWR = 0o2;

export interface OtherWriter {
  pid: number;
  /** The process's name (/proc/PID/comm), '' when it could not be read. */
  command: string;
}

/**
 * Other processes with the image open for writing, one entry per process.
 * Undefined when that cannot be known: not Linux, no /proc, or more open
 * descriptors than MAX_DESCRIPTORS_EXAMINED with no writer found among them.
 */
export async function findOtherWriters(imagePath: string): Promise<OtherWriter[] | undefined> {
  if (process.platform !== 'linux') return undefined;
  let image;
  try {
    image = await stat(imagePath, { bigint: true });
  } catch (error) {
    throw new SpotlintError(`could not read ${imagePath}: ${(error as Error).message}`);
  }
  let processes: string[];
  try {
    processes = await readdir('/proc');
  } catch {
    return undefined;
  }
  const writers: OtherWriter[] = [];
  let examined = 0;
  for (const name of processes) {
    if (!/^[1-9][0-9]*$/.test(name)) continue;
    const pid = Number(name);
    if (pid === process.pid) continue;
    const descriptors = await readdir(`/proc/${pid}/fd`).catch(() => [] as string[]);
    for (const descriptor of descriptors) {
      if (examined >= MAX_DESCRIPTORS_EXAMINED) return writers.length > 0 ? writers : undefined;
      examined += 1;
      const target = await stat(`/proc/${pid}/fd/${descriptor}`, { bigint: true }).catch(() => undefined);
      if (target === undefined || target.dev !== image.dev || target.ino !== image.ino) continue;
      if (!(await isOpenForWriting(pid, descriptor))) continue;
      writers.push({ pid, command: await commandOf(pid) });
      break;
    }
  }
  return writers;
}

async function isOpenForWriting(pid: number, descriptor: string): Promise<boolean> {
  const fdinfo = await readFile(`/proc/${pid}/fdinfo/${descriptor}`, 'utf8').catch(() => undefined);
  const flags = fdinfo?.match(/^flags:\s*([0-7]+)$/m)?.[1];
  if (flags === undefined) return false;
  const accessMode = parseInt(flags, 8) & O_ACCMODE;
  return accessMode === O_WRONLY || accessMode === O_RDWR;
}

async function commandOf(pid: number): Promise<string> {
  const comm = await readFile(`/proc/${pid}/comm`, 'utf8').catch(() => '');
  return comm.trim();
}
