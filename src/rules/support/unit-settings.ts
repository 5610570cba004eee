// The settings of one section of a systemd unit file, with their lines
// (systemd.syntax(7): "#"/";" comments, "\" continues a line). Pure.

export interface UnitSetting {
  key: string;
  value: string;
  /** 1-based line where the setting starts. */
  line: number;
}

/** The Exec lines that run when a service starts (ExecStop= and ExecReload= do not run at boot). */
const START_COMMAND_KEYS = new Set(['ExecStartPre', 'ExecStart', 'ExecStartPost', 'ExecCondition']);

/** Every key=value of `section`, in order. */
export function unitSettings(text: string, section: string): UnitSetting[] {
  const settings: UnitSetting[] = [];
  let current = '';
  let pending: { text: string; line: number } | undefined;
  const lines = text.split(/\r?\n/);
  const finish = (logical: { text: string; line: number }): void => {
    const header = /^\[([^\]]+)\]$/.exec(logical.text);
    if (header) {
      current = header[1]!;
      return;
    }
    const equals = logical.text.indexOf('=');
    if (current !== section || equals <= 0) return;
    settings.push({ key: logical.text.slice(0, equals).trim(), value: logical.text.slice(equals + 1).trim(), line: logical.line });
  };
  lines.forEach((raw, index) => {
    const trimmed = raw.trim();
    const comment = trimmed.startsWith('#') || trimmed.startsWith(';');
    if (pending === undefined && (trimmed === '' || comment)) return;
    if (pending !== undefined && comment) return;
    const continued = trimmed.endsWith('\\');
    const body = continued ? trimmed.slice(0, -1) : trimmed;
    pending = pending === undefined ? { text: body, line: index + 1 } : { text: `${pending.text} ${body}`, line: pending.line };
    if (!continued) {
      finish(pending);
      pending = undefined;
    }
  });
  if (pending !== undefined) finish(pending);
  return settings;
}

/**
 * The commands a service runs as it starts, prefixes (-, @, :, +, !) taken
 * off the program. An empty assignment resets the list, as systemd reads it.
 */
export function serviceStartCommands(text: string): UnitSetting[] {
  const commands: UnitSetting[] = [];
  for (const setting of unitSettings(text, 'Service')) {
    if (!START_COMMAND_KEYS.has(setting.key)) continue;
    if (setting.value === '') {
      for (let i = commands.length - 1; i >= 0; i--) if (commands[i]!.key === setting.key) commands.splice(i, 1);
      continue;
    }
    commands.push({ ...setting, value: setting.value.replace(/^[-@:+!]+/, '') });
  }
  return commands;
}

/** The last value a section gives a key (later assignments override). */
export function lastUnitSetting(text: string, section: string, key: string): UnitSetting | undefined {
  return unitSettings(text, section).filter((setting) => setting.key === key).pop();
}
