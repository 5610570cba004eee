// Runs the built CLI the way a user does, and returns what the user sees.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stdoutBytes: Buffer;
  stderr: string;
}

export function runCli(args: string[], env: Record<string, string> = {}): CliResult {
  const result = spawnSync(process.execPath, [CLI, ...args], {
    env: { ...process.env, ...env },
    maxBuffer: 64 * 1024 * 1024,
    timeout: 120_000,
  });
  return {
    code: result.status,
    signal: result.signal,
    stdout: result.stdout.toString('utf8'),
    stdoutBytes: result.stdout,
    stderr: result.stderr.toString('utf8'),
  };
}

/** A user error: exit code 2 and exactly one line on stderr, no stack trace. */
export function expectOneLineError(result: CliResult): string {
  if (result.code !== 2) throw new Error(`expected exit code 2, got ${result.code}: ${result.stderr}`);
  const lines = result.stderr.trimEnd().split('\n');
  if (lines.length !== 1) throw new Error(`expected one stderr line, got:\n${result.stderr}`);
  if (/\n\s+at |Error:/.test(result.stderr)) throw new Error(`stack trace or raw error on stderr:\n${result.stderr}`);
  return lines[0]!;
}
