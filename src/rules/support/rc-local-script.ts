// What an rc.local file holds, from its text alone. Pure.

export interface RcLocalScript {
  /** The first line that does something (not blank, not a comment, not a bare `exit`/`exit 0`). */
  firstCommand?: { line: number; text: string };
  /** The program of the #! line ("/bin/sh" for "#!/bin/sh -e"); absent without one. */
  interpreter?: string;
}

export function describeRcLocal(text: string): RcLocalScript {
  const lines = text.split('\n');
  const result: RcLocalScript = {};
  const shebang = /^#!\s*(\S+)/.exec(lines[0] ?? '');
  if (shebang) result.interpreter = shebang[1]!;
  for (let index = 0; index < lines.length; index++) {
    const trimmed = lines[index]!.trim();
    if (trimmed === '' || trimmed.startsWith('#') || /^exit(\s+0)?\s*;?$/.test(trimmed)) continue;
    result.firstCommand = { line: index + 1, text: trimmed };
    break;
  }
  return result;
}
