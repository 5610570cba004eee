// The settings of one section of a systemd unit file, with their lines
// (systemd.syntax(7)), on the logical lines the unit index reads. Pure.
import { logicalLines } from '../../inspect/facts/services/systemd-units.js';

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
  for (const logical of logicalLines(text)) {
    const header = /^\[([^\]]+)\]$/.exec(logical.text);
    if (header) {
      current = header[1]!;
      continue;
    }
    const equals = logical.text.indexOf('=');
    if (current !== section || equals <= 0) continue;
    settings.push({ key: logical.text.slice(0, equals).trim(), value: logical.text.slice(equals + 1).trim(), line: logical.line });
  }
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
