import { ExtError } from '../ext/ext-filesystem.js';
import type { GuestTree } from './guest-tree.js';

const OS_RELEASE_FILES = ['/etc/os-release', '/usr/lib/os-release'];

/** The guest's PRETTY_NAME from os-release (or NAME VERSION), when it has one. */
export async function detectOsName(guest: GuestTree): Promise<string | undefined> {
  for (const path of OS_RELEASE_FILES) {
    let text: string;
    try {
      text = await guest.readText(path, 64 * 1024);
    } catch (error) {
      if (error instanceof ExtError && !error.fatal) continue;
      throw error;
    }
    const fields = parseOsRelease(text);
    const name = fields.PRETTY_NAME ?? [fields.NAME, fields.VERSION].filter(Boolean).join(' ');
    if (name) return name;
  }
  return undefined;
}

/** KEY=value lines, values optionally quoted with shell-style escapes (os-release(5)). */
export function parseOsRelease(text: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const match = /^\s*([A-Z0-9_]+)=(.*)$/.exec(line);
    if (!match) continue;
    let value = match[2]!.trim();
    const quote = value[0];
    if ((quote === '"' || quote === "'") && value.endsWith(quote) && value.length >= 2) {
      value = value.slice(1, -1).replace(/\\(["'$`\\])/g, '$1');
    }
    fields[match[1]!] = value;
  }
  return fields;
}
