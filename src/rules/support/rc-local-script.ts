// What an rc.local file holds, from its text alone. Pure.

export interface RcLocalScript {
  /** The first line that does something (not blank, not a comment, not boilerplate a distribution ships). */
  firstCommand?: { line: number; text: string };
  /** The program of the #! line ("/bin/sh" for "#!/bin/sh -e"); absent without one. */
  interpreter?: string;
}

/**
 * Lines distributions ship in an otherwise empty rc.local: Debian's and
 * Ubuntu's bare `exit 0`, and the `touch /var/lock/subsys/local` of RHEL,
 * CentOS, Fedora, Rocky and Alma (initscripts' lock file, which only tells
 * the SysV shutdown that "local" ran). Neither is startup work an operator
 * would miss.
 */
const BOILERPLATE_LINES = [/^exit(\s+0)?\s*;?$/, /^touch\s+\/var\/lock\/subsys\/local\s*;?$/];

export function describeRcLocal(text: string): RcLocalScript {
  const lines = text.split('\n');
  const result: RcLocalScript = {};
  const shebang = /^#!\s*(\S+)/.exec(lines[0] ?? '');
  if (shebang) result.interpreter = shebang[1]!;
  for (let index = 0; index < lines.length; index++) {
    const trimmed = lines[index]!.trim();
    if (trimmed === '' || trimmed.startsWith('#') || BOILERPLATE_LINES.some((pattern) => pattern.test(trimmed))) continue;
    result.firstCommand = { line: index + 1, text: trimmed };
    break;
  }
  return result;
}
