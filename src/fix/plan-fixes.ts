import { SpotlintError } from '../errors.js';
import type { InspectedImage } from '../inspect/inspect-image.js';
import { volumeName, type Volume } from '../inspect/volumes.js';
import { RULES } from '../rules/registry.js';
import type { Finding } from '../rules/rule.js';
import type { FsEdit } from './fs-edit.js';
import { applyLineRepairs } from './line-edits.js';
import { describeRepair, type Repair } from './repair.js';

export type FixMode = 'safe' | 'unsafe';

type LineRepair = Extract<Repair, { kind: 'remove-lines' | 'replace-line' }>;

/** Everything to change on one ext filesystem. */
export interface FilesystemFixes {
  volume: Volume;
  edits: FsEdit[];
  zeroFreeSpace: boolean;
  /** One line per change, for the user. */
  descriptions: string[];
}

export interface FixPlan {
  filesystems: FilesystemFixes[];
  /** Findings of rules the mode covers whose fix needs a person: said, not done. */
  manual: Finding[];
  /** Findings whose rule's fix is unsafe, left alone without --fix-unsafe. */
  unsafeLeft: Finding[];
}

/** Guest files are read whole to edit them; configuration files are small. */
const MAX_EDITED_FILE_BYTES = 16 * 1024 * 1024;

/** The lines a line repair takes out (and puts in), as a diff shows them, for the user to check. */
function changedLines(content: Buffer, repairs: readonly LineRepair[]): string[] {
  const lines = content.toString('utf8').split('\n');
  const shown: string[] = [];
  for (const repair of [...repairs].sort((a, b) => first(a) - first(b))) {
    if (repair.kind === 'replace-line') {
      shown.push(`    - ${lines[repair.line - 1]?.replace(/\r$/, '') ?? ''}`, `    + ${repair.text}`);
      continue;
    }
    for (const [from, to] of repair.lines) {
      for (let line = from; line <= to; line++) shown.push(`    - ${lines[line - 1]?.replace(/\r$/, '') ?? ''}`);
    }
  }
  return shown;
}

function first(repair: LineRepair): number {
  return repair.kind === 'replace-line' ? repair.line : Math.min(...repair.lines.map(([from]) => from));
}

/**
 * Turns the findings into the changes to make, per filesystem: only rules
 * fixable in this mode, only findings no waiver accepts. Line edits are
 * applied here, to the file as it is now, so the worker only writes content.
 */
export async function planFixes(inspected: InspectedImage, findings: readonly Finding[], mode: FixMode): Promise<FixPlan> {
  const plan: FixPlan = { filesystems: [], manual: [], unsafeLeft: [] };
  const byVolume = new Map<Volume, FilesystemFixes>();
  const forVolume = (volume: Volume) => {
    let entry = byVolume.get(volume);
    if (!entry) byVolume.set(volume, entry = { volume, edits: [], zeroFreeSpace: false, descriptions: [] });
    return entry;
  };
  const volumeOf = (partition: number | null) => {
    const volume = inspected.inspection.volumes.find((v) => v.index === partition);
    if (!volume) throw new SpotlintError(`a fix names ${volumeName({ index: partition })}, which this image does not have`);
    return volume;
  };

  const lineRepairs = new Map<string, { volume: Volume; fsPath: string; repairs: LineRepair[]; descriptions: string[] }>();
  const removed = new Set<string>();
  for (const finding of findings) {
    const rule = RULES.find((r) => r.id === finding.ruleId);
    if (!rule || rule.fixable === 'no' || finding.suppressed) continue;
    // No exact repair: a person's job whatever the mode, so --fix-unsafe is not offered.
    if (!finding.repairs || finding.repairs.length === 0) {
      if (finding.fix !== undefined || finding.severity !== 'info') plan.manual.push(finding);
      continue;
    }
    if (rule.fixable === 'unsafe' && mode === 'safe') {
      plan.unsafeLeft.push(finding);
      continue;
    }
    for (const repair of finding.repairs) {
      if (repair.kind === 'zero-free-space') {
        const entry = forVolume(volumeOf(repair.partition));
        if (!entry.zeroFreeSpace) entry.descriptions.push(describeRepair(repair));
        entry.zeroFreeSpace = true;
        continue;
      }
      const guest = inspected.guest;
      if (!guest) throw new SpotlintError(`cannot fix ${repair.path}: the guest's files could not be read`);
      const followLast = repair.kind !== 'remove' && repair.kind !== 'link';
      const located = await guest.locateFile(repair.path, followLast);
      const volume = volumeOf(located.partition);
      if (repair.kind === 'remove-lines' || repair.kind === 'replace-line') {
        const key = located.canonical;
        const entry = lineRepairs.get(key) ?? { volume, fsPath: located.fsPath, repairs: [], descriptions: [] };
        entry.repairs.push(repair);
        entry.descriptions.push(describeRepair(repair));
        lineRepairs.set(key, entry);
        continue;
      }
      if (removed.has(located.canonical)) continue;
      if (repair.kind === 'remove') removed.add(located.canonical);
      const entry = forVolume(volume);
      entry.descriptions.push(describeRepair(repair));
      entry.edits.push(repair.kind === 'link'
        ? { kind: 'link', path: located.fsPath, target: repair.target }
        : { kind: repair.kind, path: located.fsPath });
    }
  }

  for (const [canonical, { volume, fsPath, repairs, descriptions }] of lineRepairs) {
    if (removed.has(canonical)) continue;
    const current = await inspected.guest!.readFile(canonical, MAX_EDITED_FILE_BYTES);
    const result = applyLineRepairs(current, repairs);
    const entry = forVolume(volume);
    entry.descriptions.push(...descriptions, ...changedLines(current, repairs));
    if (result.kind === 'remove-file') {
      entry.descriptions.push(`${canonical}: remove (nothing but comments is left in it)`);
      entry.edits.push({ kind: 'remove', path: fsPath });
    } else {
      entry.edits.push({ kind: 'write', path: fsPath, content: result.content });
    }
  }
  plan.filesystems = [...byVolume.values()].sort((a, b) => (a.volume.index ?? 0) - (b.volume.index ?? 0));
  return plan;
}
