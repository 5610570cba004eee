/**
 * `text` without the characters of `characters` at its end. A loop, not
 * /[ \t]+$/: a regular expression tries that at every blank of a long run
 * not at the end and backtracks to its end each time, which is quadratic
 * (seconds for a guest file with a line of 50,000 blanks).
 */
export function trimTrailing(text: string, characters: string): string {
  let end = text.length;
  while (end > 0 && characters.includes(text[end - 1]!)) end--;
  return text.slice(0, end);
}
