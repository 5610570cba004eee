/** Pure helpers for paths inside the guest: always absolute, always normalised. */

/** Splits a guest path into its components, dropping empty ones and ".". */
export function pathComponents(path: string): string[] {
  return path.split('/').filter((part) => part !== '' && part !== '.');
}

export function joinComponents(components: readonly string[]): string {
  return `/${components.join('/')}`;
}

/** Normalises without touching the filesystem: ".." never climbs above "/". */
export function normaliseGuestPath(path: string): string {
  const out: string[] = [];
  for (const part of pathComponents(path)) {
    if (part === '..') out.pop();
    else out.push(part);
  }
  return joinComponents(out);
}

/** Whether `path` is `prefix` or lies below it (both normalised). */
export function isWithin(path: string, prefix: string): boolean {
  return prefix === '/' || path === prefix || path.startsWith(`${prefix}/`);
}
