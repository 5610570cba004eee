// Lints an image the way a user does (the built CLI, JSON report, no config
// file from elsewhere) and returns its findings, for rule tests.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { tempDir, type Tree } from './build-image.js';
import { makeGuestImage } from './guest-styles/guest-image.js';
import { runCli } from './run-cli.js';

export interface JsonFinding {
  ruleId: string;
  severity: string;
  message: string;
  location: { partition?: number | null; path?: string; line?: number };
  fix?: string;
}

let emptyConfig: string | undefined;

/** Guessing passwords costs seconds per account, so tests leave it off unless they pass their own arguments. */
export const WITHOUT_GUESSING = ['--disable', 'guessable-password'];

/** The findings of `spotlint IMAGE --format json`; the run must succeed and print nothing on stderr. */
export async function lintImage(image: string, args: string[] = WITHOUT_GUESSING): Promise<JsonFinding[]> {
  if (!emptyConfig) {
    emptyConfig = join(tempDir('lint-config'), 'spotlint.config.json');
    writeFileSync(emptyConfig, '{}');
  }
  const result = await runCli(['--config', emptyConfig, image, '--format', 'json', '--fail-on', 'none', ...args]);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout).images[0].findings as JsonFinding[];
}

/** The findings for a guest made from `tree` (a bare ext4 filesystem with install-like modes and owners). */
export function lintGuest(tree: Tree, args: string[] = WITHOUT_GUESSING): Promise<JsonFinding[]> {
  return lintImage(makeGuestImage(tree), args);
}

export const byRule = (findings: JsonFinding[], rule: string): JsonFinding[] => findings.filter((f) => f.ruleId === rule);
