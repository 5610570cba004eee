// e2fsprogs' own test filesystems (../shared/corpus/e2fsprogs), most of them
// corrupted on purpose, through the built CLI as a user runs it: every image
// bare and behind an MBR. Whatever libext2fs makes of them, spotlint must end
// in time with a report or one clear line, and leave the file as it was.
// How far it agrees with e2fsck -fn is printed, not asserted: spotlint reads
// the superblock's state and what it mounts, not every structure as fsck does.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it, type ExpectStatic } from 'vitest';
import { findConfigFile } from '../../dist/config/load-config.js';
import { tempDir, wrapInMbr } from '../helpers/build-image.js';
import { CLI } from '../helpers/run-cli.js';

const CORPUS = new URL('../../../shared/corpus/e2fsprogs/', import.meta.url);
/** A run still going after this is killed and fails its test. */
const TIME_LIMIT_MS = 60_000;
/** CLI processes at a time: the machine has two cores, and each run has a worker thread too. */
const PARALLEL_RUNS = 2;
/** The rules that say a filesystem is damaged. */
const FILESYSTEM_RULES = new Set(['filesystem-clean', 'filesystem-unreadable']);

interface CorpusImage {
  /** The image's file name, unzipped: f_badtable.img */
  name: string;
  gzipped: URL;
  /** `e2fsck -fn` found nothing to fix (exit 0); a timeout counts as not clean. */
  e2fsckClean: boolean;
}

const IMAGES: CorpusImage[] = readFileSync(new URL('INDEX.tsv', CORPUS), 'utf8').trimEnd().split('\n').slice(1).map((line) => {
  const [file, , , , e2fsck] = line.split('\t');
  return { name: file!.replace(/\.gz$/, ''), gzipped: new URL(file!, CORPUS), e2fsckClean: e2fsck === 'clean' };
});

type Layout = 'bare' | 'mbr';
interface Outcome {
  kind: 'report' | 'clear error';
  /** filesystem-clean or filesystem-unreadable reported, or the image refused. */
  flagged: boolean;
  /** The report found an ext filesystem (readable or not). */
  foundExt: boolean;
}

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

// No config file is in force: the run starts in an empty folder with none above
// it (checked below). `-c` would do too, but compiling the config schema costs
// every run about a third of its CPU time, and there are 174 runs.
const work = tempDir('corpus');
const outcomes = new Map<string, Record<Layout, Outcome> & { ms: number }>();
let startedAt = 0;

/** Each image of a run gets the time limit. */
function timeLimitMs(images: number): number {
  return images * TIME_LIMIT_MS;
}

function runLint(images: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn(process.execPath, [CLI, ...images, '--format', 'json'], { cwd: work, stdio: ['ignore', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeLimitMs(images.length));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout: Buffer.concat(stdout).toString('utf8'), stderr: Buffer.concat(stderr).toString('utf8'), ms: Date.now() - started });
    });
  });
}

/** Runs jobs at most `limit` at a time, in the order they ask. */
function limiter(limit: number): <T>(job: () => Promise<T>) => Promise<T> {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async (job) => {
    if (active < limit) active++;
    else await new Promise<void>((resolve) => waiting.push(resolve));
    try {
      return await job();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else active--;
    }
  };
}
const inTurn = limiter(PARALLEL_RUNS);

function sha256(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

interface JsonReport {
  images: {
    path: string;
    error?: string;
    inspection: { volumes: { filesystem: { type: string }; readError?: { code: string; message: string } }[] } | null;
    rulesRun: string[];
    findings: { ruleId: string; severity: string; message: string; suppressed?: unknown }[];
  }[];
}

type ImageReport = JsonReport['images'][number];

/** What a user must get for each image of a run, asserted; and what the report said of it. */
function checkImage(expect: ExpectStatic, path: string, image: ImageReport): Outcome {
  expect(image.path).toBe(path);
  // A finding saying a rule broke is a crash in disguise.
  expect(image.findings.filter((f) => /bug in spotlint/.test(f.message))).toEqual([]);
  if (image.inspection === null) {
    // Refused with a sentence that names the image (and goes to stderr, below).
    expect(image.error).toMatch(new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: \\S`));
    return { kind: 'clear error', flagged: true, foundExt: false };
  }
  expect(image.rulesRun).toContain('filesystem-unreadable');
  for (const { readError } of image.inspection.volumes) {
    if (!readError) continue;
    // Decoded and explained in words: never a bare name, a raw errno number or a heap pointer.
    expect(readError.code).toMatch(/^[A-Z][A-Z0-9_]+$/);
    expect(['EUNKNOWN', 'EXT2_ET_UNKNOWN']).not.toContain(readError.code);
    expect(readError.message).not.toBe(readError.code);
    expect(readError.message).not.toMatch(/\(-?\d+\)|0x[0-9a-f]{5,}|\d{6,}/);
  }
  return {
    kind: 'report',
    flagged: image.findings.some((f) => FILESYSTEM_RULES.has(f.ruleId)),
    foundExt: image.inspection.volumes.some((v) => /^ext[234]$/.test(v.filesystem.type)),
  };
}

/** A run over several images ends by itself with the report, the exit code it implies, and one stderr line per refused image. */
function checkRun(expect: ExpectStatic, paths: string[], run: Run): ImageReport[] {
  expect(run.signal, `killed (over ${timeLimitMs(paths.length) / 1000} s, or crashed); stderr: ${run.stderr}`).toBeNull();
  expect(run.stderr).not.toMatch(/\n\s+at |internal error|Error:|stopped before finishing/);
  const report = JSON.parse(run.stdout) as JsonReport;
  expect(report.images.map((image) => image.path)).toEqual(paths);
  const refused = report.images.filter((image) => image.inspection === null);
  expect(run.stderr).toBe(refused.map((image) => `spotlint: ${image.error}\n`).join(''));
  // Fail on errors is the default.
  const failing = report.images.some((image) => image.findings.some((f) => f.severity === 'error' && !f.suppressed));
  expect(run.code).toBe(refused.length > 0 ? 2 : failing ? 1 : 0);
  return report.images;
}

beforeAll(async () => {
  expect(IMAGES.length).toBeGreaterThan(100);
  expect(await findConfigFile(work), 'a spotlint.config.json above the temp folder would be in force').toBeUndefined();
  startedAt = Date.now();
});

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
  printFigures();
});

// One run per image lints it bare and in an MBR: a process start costs more
// than linting one of these images, so this halves the file's time, and
// shows that nothing of one image's failure leaks into the next.
describe.concurrent('the e2fsprogs corpus through the CLI: a report or one clear line, in time, the file unchanged', { timeout: 3 * timeLimitMs(2) }, () => {
  for (const image of IMAGES) {
    it(`${image.name}, bare and in an MBR`, async ({ expect }) => {
      const bare = join(work, image.name);
      writeFileSync(bare, gunzipSync(readFileSync(image.gzipped)));
      const mbr = wrapInMbr([{ image: bare }]);
      try {
        const paths = [bare, mbr];
        const before = paths.map(sha256);
        const run = await inTurn(() => runLint(paths));
        const reports = checkRun(expect, paths, run);
        outcomes.set(image.name, { bare: checkImage(expect, bare, reports[0]!), mbr: checkImage(expect, mbr, reports[1]!), ms: run.ms });
        expect(paths.map(sha256), 'an image was changed').toEqual(before);
      } finally {
        rmSync(bare, { force: true });
        rmSync(dirname(mbr), { recursive: true, force: true });
      }
    });
  }
});

function printFigures(): void {
  const names = (images: CorpusImage[]) => (images.length ? ` (${images.map((i) => i.name).join(', ')})` : '');
  const checked = IMAGES.filter((i) => outcomes.has(i.name));
  const slowest = [...checked].sort((a, b) => outcomes.get(b.name)!.ms - outcomes.get(a.name)!.ms)[0];
  const lines = [
    `spotlint on the e2fsprogs corpus: ${checked.length} of ${IMAGES.length} images checked, bare and in an MBR (one run each, ${PARALLEL_RUNS} at a time), in ${((Date.now() - startedAt) / 1000).toFixed(0)} s;`
      + ` slowest run ${slowest?.name} ${((outcomes.get(slowest?.name ?? '')?.ms ?? 0) / 1000).toFixed(1)} s`,
  ];
  const notClean = checked.filter((i) => !i.e2fsckClean);
  const clean = checked.filter((i) => i.e2fsckClean);
  for (const layout of ['bare', 'mbr'] as const) {
    const where = (images: CorpusImage[], test: (o: Outcome) => boolean) => images.filter((i) => test(outcomes.get(i.name)![layout]));
    const refused = where(checked, (o) => o.kind === 'clear error');
    lines.push(
      `  ${layout === 'bare' ? 'bare' : 'in an MBR'}: ${checked.length - refused.length} reports, ${refused.length} clear errors${names(refused)}`,
      `    reports that found no ext filesystem: ${where(checked, (o) => o.kind === 'report' && !o.foundExt).length}${names(where(checked, (o) => o.kind === 'report' && !o.foundExt))}`,
      `    e2fsck -fn not clean: ${where(notClean, (o) => o.flagged).length} of ${notClean.length} flagged (filesystem-clean, filesystem-unreadable, or refused)`,
      `    e2fsck -fn clean: ${where(clean, (o) => o.flagged).length} of ${clean.length} flagged anyway${names(where(clean, (o) => o.flagged))}`,
    );
  }
  console.log(lines.join('\n'));
}
