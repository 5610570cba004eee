#!/usr/bin/env node
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { catCommand, lsCommand } from './commands/guest-file-commands.js';
import { inspectCommand } from './commands/inspect-command.js';
import { isSpotlintError } from './errors.js';
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

async function run(work: () => Promise<void>): Promise<void> {
  commandStarted = true;
  try {
    await work();
    process.exitCode = 0;
  } catch (error) {
    // printable(): messages quote names from the image, which must not
    // break the one-line rule or reach the terminal as control codes.
    const message = (error as Error)?.message ?? String(error);
    if (isSpotlintError(error)) {
      process.stderr.write(`spotlint: ${printable(message)}\n`);
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

await yargs(hideBin(process.argv))
  .scriptName('spotlint')
  .usage('$0 <command> IMAGE ...\n\nChecks VM disk images (raw, QCOW2) for the SpotCloud marketplace, read-only, from the image file alone.')
  .command(
    'inspect <image>',
    'show the image format, partitions, filesystems and the root filesystem found',
    (y) => y
      .positional('image', { type: 'string', demandOption: true, describe: 'raw or QCOW2 disk image' })
      .option('json', { type: 'boolean', default: false, describe: 'print JSON instead of a table' }),
    (argv) => run(async () => {
      process.stdout.write(await inspectCommand(argv.image, argv.json));
    }),
  )
  .command(
    'ls <image> [path]',
    'list a directory of the guest (links resolve inside the guest)',
    (y) => y
      .positional('image', { type: 'string', demandOption: true })
      .positional('path', { type: 'string', default: '/' }),
    (argv) => run(async () => {
      process.stdout.write(await lsCommand(argv.image, argv.path));
    }),
  )
  .command(
    'cat <image> <path>',
    'print a file of the guest',
    (y) => y
      .positional('image', { type: 'string', demandOption: true })
      .positional('path', { type: 'string', demandOption: true }),
    (argv) => run(() => catCommand(argv.image, argv.path, process.stdout)),
  )
  .demandCommand(1, 'Give a command: inspect, ls or cat (spotlint --help lists them).')
  .strict()
  .fail((message, error) => {
    if (error) throw error;
    process.stderr.write(`spotlint: ${message}\n`);
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
