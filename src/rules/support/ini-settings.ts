// INI files as Python's ConfigParser and libdnf read them, as a dialect of
// the network facts' section parser: dnf-automatic's automatic.conf and
// yum-cron.conf. Pure.
import { parseIniSections, type IniDialect } from '../../inspect/facts/network/ini-sections.js';

/** "#" and ";" comment lines, "key = value" or "key: value", no backslash continuation. */
export const CONFIG_PARSER_DIALECT: IniDialect = { commentStarts: '#;', lineContinuation: false, keyValueSeparators: '=:' };

export interface IniSetting {
  value: string;
  /** 1-based line. */
  line: number;
}

/** The value `key` (case-blind, as ConfigParser lowercases keys) has in `section` (the last assignment wins); undefined when unset. */
export function iniSetting(text: string, section: string, key: string): IniSetting | undefined {
  const wanted = key.toLowerCase();
  let found: IniSetting | undefined;
  for (const current of parseIniSections(text, CONFIG_PARSER_DIALECT)) {
    if (current.name !== section) continue;
    for (const entry of current.entries) if (entry.key.toLowerCase() === wanted) found = { value: entry.value, line: entry.line };
  }
  return found;
}

/** The booleans ConfigParser and libdnf accept; undefined for anything else. */
export function iniBoolean(value: string | undefined): boolean | undefined {
  const v = (value ?? '').trim().toLowerCase();
  if (['1', 'yes', 'true', 'on'].includes(v)) return true;
  if (['0', 'no', 'false', 'off'].includes(v)) return false;
  return undefined;
}
