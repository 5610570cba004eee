class JsonSyntaxStop {
  constructor(readonly offset: number, readonly problem: string) {}
}

/**
 * Where text that JSON.parse rejected first goes wrong. V8 gives no position
 * for some errors (an unquoted word, a comment) and never a line:column on
 * Node 20, so we scan for it ourselves.
 */
export function findJsonSyntaxError(text: string): { offset: number; problem: string } | undefined {
  let pos = 0;
  const fail = (problem: string): never => {
    throw new JsonSyntaxStop(pos, problem);
  };
  const skipWhitespace = (): void => {
    while (pos < text.length && ' \t\n\r'.includes(text[pos]!)) pos++;
  };
  const match = (pattern: RegExp): string | undefined => {
    pattern.lastIndex = pos;
    const found = pattern.exec(text)?.[0];
    if (found !== undefined) pos += found.length;
    return found;
  };
  const scanString = (): void => {
    pos++;
    for (;;) {
      const c = text[pos];
      if (c === undefined) fail('unterminated string');
      else if (c === '"') return void pos++;
      else if (c === '\\') {
        pos++;
        if (match(/["\\/bfnrt]|u[0-9a-fA-F]{4}/y) === undefined) fail('bad escape sequence in a string');
      } else if (c < ' ') fail('control character in a string (write it as an escape, e.g. \\n)');
      else pos++;
    }
  };
  const scanValue = (depth: number): void => {
    if (depth > 256) fail('nested more than 256 levels deep');
    skipWhitespace();
    const c = text[pos];
    if (c === undefined) fail('unexpected end of file');
    else if (c === '{' || c === '[') scanContainer(c, depth);
    else if (c === '"') scanString();
    else if (c === '-' || (c >= '0' && c <= '9')) {
      if (match(/-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y) === undefined) fail('malformed number');
    } else if (c === '\'') fail('strings need double quotes, not single quotes');
    else if (c === '/') fail('comments are not allowed in JSON');
    else {
      const word = match(/[A-Za-z_$][\w$-]*/y);
      if (word === undefined) fail(`unexpected character ${JSON.stringify(c)}`);
      else if (!['true', 'false', 'null'].includes(word)) {
        pos -= word.length;
        fail(`unexpected word ${JSON.stringify(word)} (strings need double quotes)`);
      }
    }
  };
  const scanContainer = (open: '{' | '[', depth: number): void => {
    const close = open === '{' ? '}' : ']';
    pos++;
    skipWhitespace();
    if (text[pos] === close) return void pos++;
    for (;;) {
      if (open === '{') {
        skipWhitespace();
        if (text[pos] === '}') fail('trailing comma before "}"');
        if (text[pos] === '/') fail('comments are not allowed in JSON');
        if (text[pos] !== '"') fail('expected a property name in double quotes');
        scanString();
        skipWhitespace();
        if (text[pos] !== ':') fail('expected ":" after the property name');
        pos++;
      } else {
        skipWhitespace();
        if (text[pos] === ']') fail('trailing comma before "]"');
      }
      scanValue(depth + 1);
      skipWhitespace();
      if (text[pos] === close) return void pos++;
      if (text[pos] !== ',') fail(`expected "," or "${close}"`);
      pos++;
    }
  };
  try {
    if (text.trim() === '') fail('the file is empty; write {} for all defaults');
    scanValue(0);
    skipWhitespace();
    if (pos < text.length) fail('unexpected text after the end of the JSON value');
    return undefined;
  } catch (error) {
    if (error instanceof JsonSyntaxStop) return { offset: error.offset, problem: error.problem };
    throw error;
  }
}
