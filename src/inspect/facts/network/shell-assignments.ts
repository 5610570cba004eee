// The KEY=value files of Red Hat's and SUSE's ifcfg-*: shell variable
// assignments that the init scripts source, so quoting follows the shell.

export interface ShellAssignment {
  value: string;
  /** 1-based line of the assignment. */
  line: number;
}

const ASSIGNMENT = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$/;

/**
 * Variable -> value; a later assignment wins, as it does when the file is
 * sourced. Values are unquoted the way sh does it ('...' literal, "..." with
 * backslash escapes, unquoted words ending at a blank), and a "#" after a
 * blank starts a comment. Command substitution and expansion are not run:
 * "$VAR" stays as written.
 */
export function parseShellAssignments(text: string): Map<string, ShellAssignment> {
  const variables = new Map<string, ShellAssignment>();
  text.split(/\r?\n/).forEach((raw, index) => {
    const match = ASSIGNMENT.exec(raw.trim());
    if (!match) return;
    variables.set(match[1]!, { value: shellWord(match[2]!), line: index + 1 });
  });
  return variables;
}

/** The first shell word of `text`, quotes removed. */
function shellWord(text: string): string {
  let value = '';
  let position = 0;
  while (position < text.length) {
    const char = text[position]!;
    if (char === ' ' || char === '\t') break;
    if (char === "'") {
      const end = text.indexOf("'", position + 1);
      const stop = end === -1 ? text.length : end;
      value += text.slice(position + 1, stop);
      position = stop + 1;
    } else if (char === '"') {
      position++;
      while (position < text.length && text[position] !== '"') {
        if (text[position] === '\\' && '"\\$`'.includes(text[position + 1] ?? '')) position++;
        value += text[position]!;
        position++;
      }
      position++;
    } else if (char === '\\') {
      value += text[position + 1] ?? '';
      position += 2;
    } else {
      value += char;
      position++;
    }
  }
  return value;
}

/** The shell-style yes of ifcfg files (initscripts and wicked read yes/true/on/1 alike). */
export function isShellYes(value: string | undefined): boolean {
  return value !== undefined && /^(yes|y|true|t|on|1)$/i.test(value.trim());
}

/** The shell-style no of ifcfg files. */
export function isShellNo(value: string | undefined): boolean {
  return value !== undefined && /^(no|n|false|f|off|0)$/i.test(value.trim());
}
