// INI files as Python's ConfigParser and libdnf read them ([section], key = value
// or key: value, "#" and ";" comments, keys case-blind): dnf-automatic's
// automatic.conf and yum-cron.conf. Pure.

export interface IniSetting {
  value: string;
  /** 1-based line. */
  line: number;
}

/** The value `key` has in `section` (the last assignment wins); undefined when unset. */
export function iniSetting(text: string, section: string, key: string): IniSetting | undefined {
  let current = '';
  let found: IniSetting | undefined;
  text.split('\n').forEach((raw, index) => {
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#') || trimmed.startsWith(';')) return;
    const header = /^\[([^\]]+)\]/.exec(trimmed);
    if (header) {
      current = header[1]!.trim();
      return;
    }
    const match = /^([^=:]+?)\s*[=:]\s*(.*)$/.exec(trimmed);
    if (match && current === section && match[1]!.toLowerCase() === key.toLowerCase()) found = { value: match[2]!, line: index + 1 };
  });
  return found;
}

/** The booleans ConfigParser and libdnf accept; undefined for anything else. */
export function iniBoolean(value: string | undefined): boolean | undefined {
  const v = (value ?? '').trim().toLowerCase();
  if (['1', 'yes', 'true', 'on'].includes(v)) return true;
  if (['0', 'no', 'false', 'off'].includes(v)) return false;
  return undefined;
}
