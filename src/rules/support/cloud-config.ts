// cloud-init's phone_home module in the image's own configuration
// (/etc/cloud/cloud.cfg, then /etc/cloud/cloud.cfg.d/*.cfg in name order,
// later top-level keys replacing earlier ones). Pure: texts in, a verdict out.
import { isMap, isScalar, LineCounter, parseDocument } from 'yaml';

export interface CloudConfigFile {
  path: string;
  text: string;
}

export interface CloudPhoneHome {
  /** phone_home: url:, when a file sets it. */
  url?: string;
  /** Where the phone_home key is. */
  source?: { path: string; line: number };
  /** Whether a stage's module list names the module (cloud-init runs only listed modules). */
  moduleListed: boolean;
  /** Files cloud-init could not read as YAML. */
  brokenFiles: string[];
}

const STAGE_KEYS = ['cloud_init_modules', 'cloud_config_modules', 'cloud_final_modules'];
const MODULE_NAMES = new Set(['phone-home', 'phone_home', 'cc_phone_home']);
/** Aliases a hostile file can multiply without bound; cloud configs use none. */
const MAX_YAML_ALIASES = 100;

/** A module list entry is a name, or [name, frequency]. */
function moduleName(entry: unknown): string | undefined {
  if (typeof entry === 'string') return entry;
  if (Array.isArray(entry) && typeof entry[0] === 'string') return entry[0];
  return undefined;
}

export function cloudPhoneHome(files: readonly CloudConfigFile[]): CloudPhoneHome {
  const result: CloudPhoneHome = { moduleListed: false, brokenFiles: [] };
  const stages = new Map<string, unknown>();
  for (const file of files) {
    const lineCounter = new LineCounter();
    let top: Record<string, unknown>;
    let document;
    try {
      document = parseDocument(file.text, { lineCounter, prettyErrors: false });
      if (document.errors.length > 0) throw new Error(document.errors[0]!.message);
      const value: unknown = document.toJS({ maxAliasCount: MAX_YAML_ALIASES });
      if (value === null || value === undefined) continue;
      if (typeof value !== 'object' || Array.isArray(value)) throw new Error('not a mapping');
      top = value as Record<string, unknown>;
    } catch {
      result.brokenFiles.push(file.path);
      continue;
    }
    for (const key of STAGE_KEYS) if (key in top) stages.set(key, top[key]);
    if (!('phone_home' in top)) continue;
    const phoneHome = top.phone_home;
    const url = phoneHome && typeof phoneHome === 'object' ? (phoneHome as Record<string, unknown>).url : undefined;
    const pair = isMap(document.contents) ? document.contents.items.find((item) => isScalar(item.key) && item.key.value === 'phone_home') : undefined;
    const offset = pair && isScalar(pair.key) ? pair.key.range?.[0] ?? 0 : 0;
    result.url = typeof url === 'string' && url.trim() !== '' ? url : undefined;
    result.source = { path: file.path, line: lineCounter.linePos(offset).line };
  }
  result.moduleListed = [...stages.values()].some((list) => Array.isArray(list) && list.some((entry) => MODULE_NAMES.has(moduleName(entry) ?? '')));
  return result;
}
