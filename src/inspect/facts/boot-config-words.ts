// Word splitting for boot loader configuration (pure): the shell-like
// quoting of GRUB script and /etc/default/grub, and the kernel's own
// splitting of a command line.

export interface SplitWords {
  words: string[];
  /** The text ended inside quotes or after a backslash: the command goes on on the next line. */
  open: boolean;
}

/** Looks a variable up; undefined keeps the reference as written. */
export type ExpandVariable = (name: string) => string | undefined;

const NAME_START = /[A-Za-z_]/;
const NAME_CHAR = /[A-Za-z0-9_]/;

/**
 * Splits one command of GRUB script or POSIX shell into words: blanks
 * separate words, '...' is literal, "..." keeps blanks and honours \ before
 * $ " \ ` and newline, a backslash outside quotes takes the next character
 * as it is, and # starts a comment where a word could start. $NAME and
 * ${NAME} are expanded inside the word by `expand` (never split into more
 * words: spotlint only expands in assignments, where the shell does not split
 * either); command substitutions (`...`, $(...)) stay as written.
 */
export function splitShellWords(text: string, expand?: ExpandVariable): SplitWords {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let index = 0;
  const endWord = () => {
    if (inWord) words.push(word);
    word = '';
    inWord = false;
  };
  /** Reads $NAME, ${NAME} or $(...) at `index` (on the $); returns the text to append. */
  const variable = (): string => {
    const next = text[index + 1];
    if (next === '{') {
      const close = text.indexOf('}', index + 2);
      if (close < 0) {
        const rest = text.slice(index);
        index = text.length;
        return rest;
      }
      const raw = text.slice(index, close + 1);
      const name = text.slice(index + 2, close);
      index = close + 1;
      return (/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) ? expand?.(name) : undefined) ?? raw;
    }
    if (next === '(') return substitution('(', ')');
    if (next !== undefined && NAME_START.test(next)) {
      let end = index + 1;
      while (end < text.length && NAME_CHAR.test(text[end]!)) end++;
      const raw = text.slice(index, end);
      index = end;
      return expand?.(raw.slice(1)) ?? raw;
    }
    index++;
    return '$';
  };
  /** A command substitution kept as written, nested parentheses counted. */
  const substitution = (open: string, close: string): string => {
    let depth = 0;
    let end = index;
    for (; end < text.length; end++) {
      if (text[end] === open) depth++;
      else if (text[end] === close && --depth === 0) break;
    }
    const raw = text.slice(index, end + 1);
    index = end + 1;
    return raw;
  };

  while (index < text.length) {
    const c = text[index]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      endWord();
      index++;
    } else if (c === '#' && !inWord) {
      break;
    } else if (c === '\\') {
      if (index + 1 >= text.length) return { words: [...words, ...(inWord ? [word] : [])], open: true };
      if (text[index + 1] !== '\n') {
        word += text[index + 1];
        inWord = true;
      }
      index += 2;
    } else if (c === "'") {
      const close = text.indexOf("'", index + 1);
      if (close < 0) return { words: [...words, word + text.slice(index + 1)], open: true };
      word += text.slice(index + 1, close);
      inWord = true;
      index = close + 1;
    } else if (c === '"') {
      inWord = true;
      index++;
      let closed = false;
      while (index < text.length) {
        const d = text[index]!;
        if (d === '"') {
          closed = true;
          index++;
          break;
        }
        if (d === '\\' && index + 1 < text.length && '$"\\`\n'.includes(text[index + 1]!)) {
          if (text[index + 1] !== '\n') word += text[index + 1];
          index += 2;
        } else if (d === '$') {
          word += variable();
        } else if (d === '`') {
          const close = text.indexOf('`', index + 1);
          const end = close < 0 ? text.length : close + 1;
          word += text.slice(index, end);
          index = end;
        } else {
          word += d;
          index++;
        }
      }
      if (!closed) return { words: [...words, word], open: true };
    } else if (c === '$') {
      word += variable();
      inWord = true;
    } else if (c === '`') {
      const close = text.indexOf('`', index + 1);
      if (close < 0) return { words: [...words, word + text.slice(index)], open: true };
      word += text.slice(index, close + 1);
      inWord = true;
      index = close + 1;
    } else {
      word += c;
      inWord = true;
      index++;
    }
  }
  endWord();
  return { words, open: false };
}

/**
 * Splits a kernel command line as the kernel does: at blanks, except inside
 * double quotes, which are removed (root="LABEL=my disk" is one argument).
 */
export function splitKernelArguments(text: string): string[] {
  const args: string[] = [];
  let current = '';
  let inArgument = false;
  let quoted = false;
  for (const c of text) {
    if (c === '"') {
      quoted = !quoted;
      inArgument = true;
    } else if (!quoted && (c === ' ' || c === '\t' || c === '\n' || c === '\r')) {
      if (inArgument) args.push(current);
      current = '';
      inArgument = false;
    } else {
      current += c;
      inArgument = true;
    }
  }
  if (inArgument) args.push(current);
  return args;
}

/**
 * The value of root= in kernel arguments: the last one counts (the kernel
 * and initramfs scripts both let a later one win), and nothing after "--",
 * which goes to init, not the kernel.
 */
export function rootArgument(args: readonly string[]): string | undefined {
  let root: string | undefined;
  for (const arg of args) {
    if (arg === '--') break;
    if (arg.startsWith('root=')) root = arg.slice('root='.length);
  }
  return root;
}
