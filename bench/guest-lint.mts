// Wall time and peak memory of linting and inspecting whole guests built from
// Debian 12's package files (test/helpers/guest-styles), with and without the
// password guessing, and the cost of one crypt verification per scheme.
// Run after `npm run build` with: npx vite-node bench/guest-lint.mts
// (vite-node comes with vitest; the guest builders are TypeScript).
// Numbers are printed, never asserted.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setShadowHash } from '../test/helpers/guest-styles/accounts.js';
import { debianSystemdGuest, rhelNetworkManagerGuest, sysvLegacyGuest, wellBuiltDebianGuest } from '../test/helpers/guest-styles/index.js';
import { makeGuestImage } from '../test/helpers/guest-styles/guest-image.js';
import { verifyCrypt } from '../dist/rules/passwords/verify-crypt.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const cli = join(root, 'dist', 'cli.js');
const runs = Number(process.env.BENCH_RUNS) || 5;
const haveGnuTime = existsSync('/usr/bin/time');
const config = join(tmpdir(), 'spotlint-bench-config.json');
writeFileSync(config, '{}');

function measure(args: string[]): { seconds: number; rssMiB: number } {
  const started = process.hrtime.bigint();
  const command = haveGnuTime ? ['/usr/bin/time', ['-f', '%M', process.execPath, cli, ...args]] as const : [process.execPath, [cli, ...args]] as const;
  const result = spawnSync(command[0], [...command[1]], { maxBuffer: 64 << 20 });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (result.status !== 0) throw new Error(`spotlint ${args.join(' ')} failed: ${result.stderr}`);
  return { seconds, rssMiB: haveGnuTime ? Number(result.stderr.toString().trim().split('\n').pop()) / 1024 : NaN };
}
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

const strongSha512 = (() => {
  const tree = wellBuiltDebianGuest();
  // Two login accounts with SHA-512 hashes of passwords no list holds: the whole candidate list is tried.
  setShadowHash(tree, 'root', execFileSync('openssl', ['passwd', '-6', 'x7#Lq9!vR2mZ'], { encoding: 'utf8' }).trim());
  setShadowHash(tree, 'appliance', execFileSync('openssl', ['passwd', '-6', 'p4$Wn8@kT1yB'], { encoding: 'utf8' }).trim());
  return tree;
})();

const guests = {
  'Debian 12 as installed': makeGuestImage(debianSystemdGuest()),
  'Debian 12 well built': makeGuestImage(wellBuiltDebianGuest()),
  'Debian 12, 2 SHA-512 logins': makeGuestImage(strongSha512),
  'Rocky 9-like': makeGuestImage(rhelNetworkManagerGuest()),
  'Debian 7 SysV': makeGuestImage(sysvLegacyGuest()),
};

console.log(`node ${process.version}, ${availableParallelism()} cores, ${runs} runs each, median`);
console.log('case'.padEnd(58), 'seconds'.padStart(8), 'peak RSS MiB'.padStart(14));
for (const [name, image] of Object.entries(guests)) {
  const cases: [string, string[]][] = [
    ['inspect --json', ['inspect', image, '--json']],
    ['lint, all rules', [image, '--config', config, '--fail-on', 'none']],
    ['lint, no guessable-password', [image, '--config', config, '--fail-on', 'none', '--disable', 'guessable-password']],
  ];
  for (const [label, args] of cases) {
    measure(args);
    const samples = Array.from({ length: runs }, () => measure(args));
    console.log(`${name}: ${label}`.padEnd(58), median(samples.map((s) => s.seconds)).toFixed(3).padStart(8), median(samples.map((s) => s.rssMiB)).toFixed(1).padStart(14));
  }
}

console.log('\none crypt verification, in this process (ms, median of 20):');
const hashes: Record<string, string> = {
  'sha512 (5000 rounds)': execFileSync('openssl', ['passwd', '-6', 'secret'], { encoding: 'utf8' }).trim(),
  'sha256 (5000 rounds)': execFileSync('openssl', ['passwd', '-5', 'secret'], { encoding: 'utf8' }).trim(),
  md5: execFileSync('openssl', ['passwd', '-1', 'secret'], { encoding: 'utf8' }).trim(),
};
for (const [scheme, hash] of Object.entries(hashes)) {
  const times = Array.from({ length: 20 }, (_, i) => {
    const started = performance.now();
    verifyCrypt(`guess${i}`, hash);
    return performance.now() - started;
  });
  console.log(`  ${scheme.padEnd(22)} ${median(times).toFixed(2)}`);
}
