#!/usr/bin/env node
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { catCommand, lsCommand } from './commands/guest-file-commands.js';
import { inspectCommand } from './commands/inspect-command.js';
import { lintCommand, LINT_FORMATS, type LintFormat } from './commands/lint-cli.js';
import { FAIL_ON_VALUES, type FailOn } from './report/lint-report.js';
import { explainCommand, rulesCommand } from './commands/rules-command.js';
import { undoCommand, type FixArguments } from './commands/fix-command.js';
import { isSpotlintError, SpotlintError } from './errors.js';
import { printable } from './report/printable.js';

// Until a command has finished, the exit code says "unusable": a run cut
// short (a worker that never answered, an emptied event loop) never exits 0.
process.exitCode = 2;
let finished = false;
process.on('exit', () => {
  if (!finished) process.stderr.write('spotlint: stopped before finishing; the result is incomplete\n');
});
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  finished = true;
  // `spotlint cat IMAGE FILE | head` closes the pipe early: not an error.
  if (error.code === 'EPIPE') process.exit(0);
  // A full disk or a broken output: what was asked for was not delivered.
  process.stderr.write(`spotlint: cannot write the output: ${error.code ?? error.message}\n`);
  process.exit(2);
});

let commandStarted = false;

/** A repeated single-value option: the last one wins, as in most tools. */
function lastValue<T>(value: T | T[]): T {
  return Array.isArray(value) ? value[value.length - 1]! : value;
}

/** A repeatable option, given once or many times. */
function allValues(value: string | string[]): string[] {
  return [value].flat();
}

/** A command's verdict other than success, e.g. 1 for findings at or above --fail-on. */
class ExitCode extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

async function run(work: () => Promise<void>): Promise<void> {
  commandStarted = true;
  try {
    await work();
    process.exitCode = 0;
  } catch (error) {
    if (error instanceof ExitCode) {
      process.exitCode = error.code;
      return;
    }
    // printable(): messages quote names from the image, which must not
    // break the one-line rule or reach the terminal as control codes.
    const message = (error as Error)?.message ?? String(error);
    if (isSpotlintError(error)) {
      process.stderr.write(`spotlint: ${printable(message)}\n`);
      for (const detail of error.details) process.stderr.write(`  ${printable(detail)}\n`);
    } else if (typeof (error as NodeJS.ErrnoException)?.code === 'string' && /^E[A-Z]+$/.test((error as NodeJS.ErrnoException).code!)) {
      process.stderr.write(`spotlint: I/O error: ${printable(message.split('\n')[0]!)}\n`);
    } else {
      process.stderr.write(`spotlint: internal error: ${printable(message.split('\n')[0]!)}\n`);
      if (process.env.SPOTLINT_DEBUG) process.stderr.write(`${(error as Error)?.stack}\n`);
    }
    process.exitCode = 2;
  } finally {
    finished = true;
  }
}

/** The fix options of the lint command, when any asks for a fix. */
function fixArguments(argv: { fix: boolean; fixUnsafe: boolean; fixDryRun: boolean; fixOutput?: unknown; undo?: unknown }): FixArguments | undefined {
  if (!argv.fix && !argv.fixUnsafe && !argv.fixDryRun) {
    if (argv.fixOutput !== undefined || argv.undo !== undefined) throw new SpotlintError('--fix-output and --undo go with --fix (or --fix-unsafe, --fix-dry-run)');
    return undefined;
  }
  return { unsafe: argv.fixUnsafe, dryRun: argv.fixDryRun, output: argv.fixOutput as string | undefined, undo: argv.undo as string | undefined };
}

await yargs(hideBin(process.argv))
  .scriptName('spotlint')
  .usage('$0 IMAGE... [options]\n$0 <command> ...\n\nChecks VM disk images (raw, QCOW2) for the SpotCloud marketplace, read-only, from the image file alone.')
  .command(
    '$0 <images..>',
    'check images against the SpotCloud appliance guidelines',
    (y) => y
      .positional('images', { type: 'string', array: true, demandOption: true, describe: 'raw or QCOW2 disk images' })
      .option('format', { alias: 'f', choices: LINT_FORMATS, default: 'table' as const, coerce: lastValue, describe: 'report format' })
      .option('output', { alias: 'o', type: 'string', requiresArg: true, coerce: lastValue, describe: 'write the report to FILE (whole or not at all)' })
      .option('fail-on', { choices: FAIL_ON_VALUES, coerce: lastValue, describe: 'exit 1 when a finding is at or above this severity [default: error, or failOn in the config]' })
      .option('rule', { type: 'string', requiresArg: true, coerce: allValues, default: [] as string[], describe: 'enable a rule, or set its severity: --rule ID or --rule ID=SEVERITY (repeatable)' })
      .option('disable', { type: 'string', requiresArg: true, coerce: allValues, default: [] as string[], describe: 'turn a rule off (repeatable)' })
      .option('config', { alias: 'c', type: 'string', requiresArg: true, coerce: lastValue, describe: 'config file (default: spotlint.config.json here or in a parent folder)' })
      .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'table: show errors only' })
      .option('color', { type: 'boolean', describe: 'colour the table (default: on a terminal, unless NO_COLOR is set)' })
      .option('scan', { type: 'boolean', default: true, describe: 'read the free blocks to measure how much is not zero (--no-scan: metadata only)' })
      .option('progress', { type: 'boolean', describe: 'show the free-space scan\'s progress on stderr (default: on a terminal, unless --quiet)' })
      .option('fix', { type: 'boolean', default: false, describe: 'repair what is safe to repair (raw images), then check the result; an undo journal is kept' })
      .option('fix-unsafe', { type: 'boolean', default: false, describe: 'with --fix: also the unsafe fixes (ssh host keys, shell histories)' })
      .option('fix-dry-run', { type: 'boolean', default: false, describe: 'say exactly what --fix would change, and write nothing' })
      .option('fix-output', { type: 'string', requiresArg: true, coerce: lastValue, describe: 'with --fix: write the fixed image to FILE and leave the image untouched' })
      .option('undo', { type: 'string', requiresArg: true, coerce: lastValue, describe: 'with --fix: the undo journal (default IMAGE.spotlint-undo)' })
      .example('$0 d0.img', 'check one image, print a table')
      .example('$0 d0.img --fix', 'repair in place (undo: spotlint undo d0.img), then check again')
      .example('$0 d0.img hd1.qcow2 --format sarif -o spotlint.sarif', 'SARIF for code scanning, for two disks')
      .example('$0 --fail-on warning --disable filesystem-clean d0.img', 'a stricter CI gate without one rule'),
    (argv) => run(async () => {
      const code = await lintCommand({
        images: argv.images,
        format: argv.format as LintFormat,
        output: argv.output as string | undefined,
        failOn: argv.failOn as FailOn | undefined,
        rules: argv.rule,
        disable: argv.disable,
        config: argv.config as string | undefined,
        quiet: argv.quiet,
        color: argv.color,
        scan: argv.scan,
        progress: argv.progress,
        fix: fixArguments(argv),
      });
      if (code !== 0) throw new ExitCode(code);
    }),
  )
  .command(
    'fix <images..>',
    'repair what is safe to repair, then check the result (the same as IMAGE --fix)',
    (y) => y
      .positional('images', { type: 'string', array: true, demandOption: true, describe: 'raw disk images' })
      .option('unsafe', { type: 'boolean', default: false, describe: 'also the unsafe fixes (ssh host keys, shell histories)' })
      .option('dry-run', { type: 'boolean', default: false, describe: 'say exactly what would change, and write nothing' })
      .option('output', { alias: 'o', type: 'string', requiresArg: true, coerce: lastValue, describe: 'write the fixed image to FILE and leave the image untouched' })
      .option('undo', { type: 'string', requiresArg: true, coerce: lastValue, describe: 'the undo journal (default IMAGE.spotlint-undo)' })
      .option('config', { alias: 'c', type: 'string', requiresArg: true, coerce: lastValue, describe: 'config file' })
      .option('fail-on', { choices: FAIL_ON_VALUES, coerce: lastValue, describe: 'exit 1 when a finding left after fixing is at or above this severity' })
      .example('$0 fix d0.img --dry-run', 'what would change')
      .example('$0 fix d0.img -o d0-fixed.img', 'a fixed copy'),
    (argv) => run(async () => {
      const code = await lintCommand({
        images: argv.images, format: 'table', failOn: argv.failOn as FailOn | undefined, rules: [], disable: [],
        config: argv.config as string | undefined, quiet: false, scan: true,
        fix: { unsafe: argv.unsafe, dryRun: argv.dryRun, output: argv.output as string | undefined, undo: argv.undo as string | undefined },
      });
      if (code !== 0) throw new ExitCode(code);
    }),
  )
  .command(
    'undo <image>',
    'put back what spotlint --fix changed in an image, from its undo journal',
    (y) => y
      .positional('image', { type: 'string', demandOption: true })
      .option('undo', { type: 'string', requiresArg: true, coerce: lastValue, describe: 'the undo journal (default IMAGE.spotlint-undo)' })
      .example('$0 undo d0.img', 'restore d0.img as it was before the fix'),
    (argv) => run(async () => {
      process.stdout.write(await undoCommand(argv.image, argv.undo as string | undefined));
    }),
  )
  .command(
    'package [images..]',
    'check the images, then build the XVM2 package SpotCloud accepts (description.xml, manifest.txt, one gzip member per disk)',
    (y) => y
      .positional('images', { type: 'string', array: true, default: [] as string[], describe: 'raw or QCOW2 disk images, the boot disk first (at most 4) [default: asked on a terminal]' })
      .option('name', { type: 'string', requiresArg: true, coerce: lastValue, describe: 'package name shown in the marketplace [default: asked on a terminal, else the first image\'s name]' })
      .option('output', { alias: 'o', type: 'string', requiresArg: true, coerce: lastValue, describe: 'the package file [default: NAME.xvm2 here]' })
      .option('pae', { type: 'boolean', describe: 'describe the machine with PAE (--no-pae: without) [default: yes]' })
      .option('acpi', { type: 'boolean', describe: 'with ACPI (--no-acpi: without) [default: yes]' })
      .option('apic', { type: 'boolean', describe: 'with APIC (--no-apic: without) [default: yes]' })
      .option('yes', { alias: 'y', type: 'boolean', default: false, describe: 'take the defaults; ask nothing' })
      .option('level', { type: 'number', requiresArg: true, coerce: lastValue, default: 1, describe: 'gzip level, 1 (fastest, as the reference packager) to 9 (smallest)' })
      .option('jobs', { alias: 'j', type: 'number', requiresArg: true, coerce: lastValue, describe: 'compression threads [default: one per core]' })
      .option('fail-on', { choices: FAIL_ON_VALUES, coerce: lastValue, describe: 'refuse to package when a finding is at or above this severity [default: error, or failOn in the config]' })
      .option('force', { type: 'boolean', default: false, describe: 'package even when the check finds problems at or above --fail-on' })
      .option('fix', { type: 'boolean', default: false, describe: 'apply the safe fixes first (raw images; undo: spotlint undo IMAGE)' })
      .option('overwrite', { type: 'boolean', default: false, describe: 'replace the package file if it exists' })
      .option('config', { alias: 'c', type: 'string', requiresArg: true, coerce: lastValue, describe: 'config file' })
      .option('disable', { type: 'string', requiresArg: true, coerce: allValues, default: [] as string[], describe: 'turn a rule off (repeatable)' })
      .option('scan', { type: 'boolean', default: true, describe: 'measure free space that is not zero (--no-scan: metadata only)' })
      .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'no progress; the check shows errors only' })
      .option('progress', { type: 'boolean', describe: 'show progress on stderr [default: a bar on a terminal, unless --quiet]' })
      .example('$0 package d0.img --name "LAMP on Debian 12" --yes', 'check, then write LAMP-on-Debian-12.xvm2')
      .example('$0 package d0.img --fix -o web.xvm2', 'strip MAC-bound udev rules and zero free space, then package'),
    (argv) => run(async () => {
      const { packageCommand } = await import('./commands/package-command.js');
      const code = await packageCommand({
        images: argv.images,
        name: argv.name as string | undefined,
        output: argv.output as string | undefined,
        features: { pae: argv.pae, acpi: argv.acpi, apic: argv.apic },
        yes: argv.yes,
        level: argv.level as number,
        jobs: argv.jobs as number | undefined,
        failOn: argv.failOn as FailOn | undefined,
        force: argv.force,
        fix: argv.fix,
        overwrite: argv.overwrite,
        config: argv.config as string | undefined,
        disable: argv.disable,
        scan: argv.scan,
        quiet: argv.quiet,
        progress: argv.progress,
      });
      if (code !== 0) throw new ExitCode(code);
    }),
  )
  .command(
    'verify <package>',
    'check an XVM2 package: safe member names, description.xml, every disk\'s gzip, size and MD5 against manifest.txt',
    (y) => y
      .positional('package', { type: 'string', demandOption: true, describe: 'an .xvm2 file' })
      .option('lint', { type: 'boolean', default: false, describe: 'also check each disk against the guidelines (from a temporary uncompressed copy)' })
      .option('fail-on', { choices: FAIL_ON_VALUES, coerce: lastValue, describe: 'with --lint: exit 1 when a finding is at or above this severity [default: error]' })
      .option('config', { alias: 'c', type: 'string', requiresArg: true, coerce: lastValue, describe: 'config file (with --lint)' })
      .option('max-disk-size', { type: 'number', requiresArg: true, coerce: lastValue, describe: 'refuse disks larger than this many bytes uncompressed [default: 256 GiB]' })
      .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'with --lint: the check shows errors only' })
      .example('$0 verify web.xvm2', 'is this package sound?')
      .example('$0 verify web.xvm2 --lint', 'and are its disks fit for SpotCloud?'),
    (argv) => run(async () => {
      const { verifyCommand } = await import('./commands/verify-command.js');
      const code = await verifyCommand({
        package: argv.package,
        lint: argv.lint,
        failOn: argv.failOn as FailOn | undefined,
        config: argv.config as string | undefined,
        maxDiskSize: argv.maxDiskSize as number | undefined,
        quiet: argv.quiet,
      });
      if (code !== 0) throw new ExitCode(code);
    }),
  )
  .command(
    'rules',
    'list every rule: id, default severity, whether it can be fixed, title',
    (y) => y
      .option('json', { type: 'boolean', default: false, describe: 'print JSON, with guideline, rationale and options' })
      .example('$0 rules', 'the rule catalog as a table'),
    (argv) => run(async () => {
      process.stdout.write(rulesCommand(argv.json));
    }),
  )
  .command(
    'explain <rule>',
    'explain a rule: the guideline, why it matters, what is checked, options, how to fix',
    (y) => y
      .positional('rule', { type: 'string', demandOption: true })
      .example('$0 explain persistent-net-rules', 'why renamed interfaces break SpotCloud appliances'),
    (argv) => run(async () => {
      process.stdout.write(explainCommand(argv.rule));
    }),
  )
  .command(
    'inspect <image>',
    'show the image format, partitions, filesystems and the root filesystem found',
    (y) => y
      .positional('image', { type: 'string', demandOption: true, describe: 'raw or QCOW2 disk image' })
      .option('json', { type: 'boolean', default: false, describe: 'print JSON instead of a table' })
      .option('scan', { type: 'boolean', default: true, describe: 'measure how much free space is not zero (--no-scan: metadata only)' })
      .option('progress', { type: 'boolean', describe: 'show the free-space scan\'s progress on stderr (default: on a terminal)' })
      .example('$0 inspect d0.img', 'partitions, filesystems and the root found')
      .example('$0 inspect d0.img --json | jq .mounts', 'where fstab attaches each filesystem'),
    (argv) => run(async () => {
      process.stdout.write(await inspectCommand({ image: argv.image, json: argv.json, scan: argv.scan, progress: argv.progress }));
    }),
  )
  .command(
    'ls <image> [path]',
    'list a directory of the guest (links resolve inside the guest)',
    (y) => y
      .positional('image', { type: 'string', demandOption: true })
      .positional('path', { type: 'string', default: '/' })
      .example('$0 ls d0.img /etc/udev/rules.d', 'list a guest directory'),
    (argv) => run(async () => {
      process.stdout.write(await lsCommand(argv.image, argv.path));
    }),
  )
  .command(
    'cat <image> <path>',
    'print a file of the guest',
    (y) => y
      .positional('image', { type: 'string', demandOption: true })
      .positional('path', { type: 'string', demandOption: true })
      .example('$0 cat d0.img /etc/fstab', 'print a guest file'),
    (argv) => run(() => catCommand(argv.image, argv.path, process.stdout)),
  )
  .strict()
  .fail((message, error) => {
    // Command handlers catch their own errors (run()); what arrives here is
    // yargs rejecting the arguments, sometimes as a message, sometimes as an error.
    const nothingGiven = hideBin(process.argv).length === 0;
    const why = nothingGiven ? 'give one or more disk images to check, or a command (spotlint --help lists them)' : message ?? error?.message;
    process.stderr.write(`spotlint: ${printable(String(why).split('\n')[0]!)}\n`);
    finished = true;
    process.exit(2);
  })
  .help()
  .version()
  // yargs would exit by itself after --help and --version; finishing here
  // keeps one place that decides the exit code.
  .exitProcess(false)
  .parseAsync();

if (!commandStarted) {
  // --help or --version was printed.
  finished = true;
  process.exitCode = 0;
}
