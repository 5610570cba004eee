#!/usr/bin/env node
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { catCommand, lsCommand } from './commands/guest-file-commands.js';
import { inspectCommand } from './commands/inspect-command.js';
import { isSpotlintError } from './errors.js';

// Until a command has finished, the exit code says "unusable": a run cut
// short (a worker that never answered, an emptied event loop) never exits 0.
process.exitCode = 2;
let finished = false;
process.on('exit', () => {
  if (!finished) process.stderr.write('spotlint: stopped before finishing; the result is incomplete\n');
});
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  // `spotlint cat IMAGE FILE | head` closes the pipe early: not an error.
  if (error.code === 'EPIPE') {
    finished = true;
    process.exit(0);
  }
});

let commandStarted = false;

async function run(work: () => Promise<void>): Promise<void> {
  commandStarted = true;
  try {
    await work();
    process.exitCode = 0;
  } catch (error) {
    if (isSpotlintError(error)) {
      process.stderr.write(`spotlint: ${error.message}\n`);
    } else {
      const message = (error as Error)?.message ?? String(error);
      process.stderr.write(`spotlint: internal error: ${message.split('\n')[0]}\n`);
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
