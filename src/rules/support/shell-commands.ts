// The simple commands of a line of shell, roughly as sh would split them:
// enough to tell which program a cron job, an rc.local line or a unit's
// ExecStart= runs, not a shell parser. Pure: text in, commands out.

export interface SimpleCommand {
  /** The program's base name ("apt-get" for /usr/bin/apt-get). */
  name: string;
  /** The program as written (a path or a name). */
  program: string;
  args: string[];
}

/** Words that run the command after them (and shell keywords that come before a command). */
const PREFIX_WORDS = new Set([
  'sudo', 'env', 'nohup', 'nice', 'ionice', 'exec', 'command', 'chronic', 'setsid', 'time', 'builtin',
  'then', 'do', 'else', 'if', 'elif', 'while', 'until', '!', '{', '(',
]);
/** Prefixes that take a value before the command (timeout 300 apt-get ...; nice -n 10 ...). */
const PREFIX_WITH_ARGUMENT = new Set(['timeout']);
/** Options of those prefixes that take the next word as their value (sudo -u root, nice -n 10, timeout -s KILL). */
const OPTIONS_WITH_VALUE = new Set(['-u', '-g', '-n', '-c', '-p', '-s', '-k']);
/** Programs that run the script or `-c` string they are given as shell (busybox runs it through its own sh applet). */
export const SHELL_PROGRAMS: ReadonlySet<string> = new Set(['sh', 'bash', 'dash', 'ash', 'ksh', 'zsh', 'busybox']);
/** A `sh -c "..."` inside a `sh -c "..."` is rare; deeper nesting is not followed. */
export const MAX_SHELL_NESTING = 4;

/** Splits on whitespace, keeping quoted runs together and dropping the quotes. */
export function shellWords(text: string): string[] {
  const words: string[] = [];
  const pattern = /"([^"]*)"?|'([^']*)'?|((?:[^\s"']+|"[^"]*"|'[^']*')+)/g;
  for (let match = pattern.exec(text); match; match = pattern.exec(text)) {
    words.push((match[1] ?? match[2] ?? match[3]!).replace(/["']/g, ''));
  }
  return words;
}

function baseName(word: string): string {
  return word.slice(word.lastIndexOf('/') + 1);
}

/** The commands of one segment's words, following `sh -c "..."` into its string. */
function commandsOfWords(words: string[], depth: number): SimpleCommand[] {
  let i = 0;
  while (i < words.length) {
    const word = words[i]!;
    if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(word)) {
      i++;
      continue;
    }
    if (!PREFIX_WORDS.has(word) && !PREFIX_WITH_ARGUMENT.has(word)) break;
    i++;
    while (i < words.length && words[i]!.startsWith('-')) i += OPTIONS_WITH_VALUE.has(words[i]!) ? 2 : 1;
    if (PREFIX_WITH_ARGUMENT.has(word)) i++;
  }
  // A stray quote left by the split on operators is no program.
  if (i >= words.length || words[i] === '') return [];
  const program = words[i]!;
  const args = words.slice(i + 1);
  const name = baseName(program);
  const command: SimpleCommand = { name, program, args };
  const dashC = args.indexOf('-c');
  if (SHELL_PROGRAMS.has(name) && dashC >= 0 && args[dashC + 1] !== undefined && depth < MAX_SHELL_NESTING) {
    return [command, ...simpleCommandsAt(args[dashC + 1]!, depth + 1)];
  }
  return [command];
}

function simpleCommandsAt(text: string, depth: number): SimpleCommand[] {
  const commands: SimpleCommand[] = [];
  // Control operators separate commands; redirections such as 2>&1 split harmlessly.
  for (const segment of text.split(/;|&&|\|\||\||&|\n|`|\$\(|\)/)) {
    commands.push(...commandsOfWords(shellWords(segment.trim()), depth));
  }
  return commands;
}

/** The simple commands of a line (or a `sh -c` string): "a && b | c; d" gives a, b, c and d. */
export function simpleCommands(text: string): SimpleCommand[] {
  return simpleCommandsAt(text, 0);
}

/** Lines of a shell script that hold commands, with their 1-based numbers: comments, blank lines and the #! line left out. */
export function scriptCommandLines(text: string): Array<{ line: number; text: string }> {
  const lines: Array<{ line: number; text: string }> = [];
  text.split('\n').forEach((raw, index) => {
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    lines.push({ line: index + 1, text: trimmed });
  });
  return lines;
}
