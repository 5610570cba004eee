// Runs the built CLI the way a user does, and returns what the user sees.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stdoutBytes: Buffer;
  stderr: string;
}

/**
 * Runs the CLI in a child process without blocking the test worker: vitest's
 * workers must keep answering their runner while a slow command runs.
 */
export function runCli(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const stdoutBytes = Buffer.concat(stdout);
      resolve({ code, signal, stdout: stdoutBytes.toString('utf8'), stdoutBytes, stderr: Buffer.concat(stderr).toString('utf8') });
    });
  });
}

/** A user error: exit code 2 and exactly one line on stderr, no stack trace. */
export function expectOneLineError(result: CliResult): string {
  if (result.code !== 2) throw new Error(`expected exit code 2, got ${result.code}: ${result.stderr}`);
  const lines = result.stderr.trimEnd().split('\n');
  if (lines.length !== 1) throw new Error(`expected one stderr line, got:\n${result.stderr}`);
  if (/\n\s+at |Error:/.test(result.stderr)) throw new Error(`stack trace or raw error on stderr:\n${result.stderr}`);
  return lines[0]!;
}
