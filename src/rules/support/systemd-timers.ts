// systemd timers the guest starts at boot. The services facts list only
// .service and .socket units, so the timers are read here: the links in the
// *.wants/ folders of the targets every boot reaches, resolved through the
// same unit index the facts use (masks and aliases included).
import type { FactProblem } from '../../inspect/facts/guest-facts.js';
import { readGuestText, tryGuest } from '../../inspect/facts/read-guest-text.js';
import { UnitIndex, type ResolvedUnit } from '../../inspect/facts/services/systemd-unit-index.js';
import type { GuestTree } from '../../inspect/guest/guest-tree.js';
import { lastUnitSetting } from './unit-settings.js';

/** Targets that every multi-user boot reaches (timers.target through basic.target's Wants=). */
const BOOT_TARGETS = ['timers.target', 'sysinit.target', 'basic.target', 'multi-user.target'];
/** Timer links read per folder; a desktop install has a dozen. */
export const MAX_TIMER_LINKS_PER_FOLDER = 1024;

export interface TimerUnit {
  name: string;
  /** The *.wants link that starts it at boot; absent for a timer that is only installed. */
  enabledBy?: string;
  definition?: string;
  /** The /dev/null link that masks it: systemd then starts nothing however it is linked. */
  maskedBy?: string;
  /** The unit it activates: Unit= of [Timer], else the service of the same name. */
  service: string;
  serviceDefinition?: string;
  serviceMaskedBy?: string;
}

export class SystemdTimers {
  private constructor(
    private readonly guest: GuestTree,
    private readonly index: UnitIndex,
    private readonly problems: FactProblem[],
    /** Timers linked from a boot target's wants folders, masked ones included. */
    readonly linked: TimerUnit[],
  ) {}

  /** Reads the unit folders and the timer links of the boot targets (and of `defaultTarget`). */
  static async read(guest: GuestTree, defaultTarget: string | undefined, problems: FactProblem[]): Promise<SystemdTimers> {
    const index = await UnitIndex.read(guest, problems);
    const timers = new SystemdTimers(guest, index, problems, []);
    const targets = [...new Set([...BOOT_TARGETS, ...(defaultTarget ? [defaultTarget] : [])])];
    const seen = new Set<string>();
    for (const target of targets) {
      for (const dir of index.dependencyDirectories(target)) {
        const listing = await tryGuest(dir, problems, () => guest.list(dir));
        if (!listing) continue;
        for (const name of listing.names.slice(0, MAX_TIMER_LINKS_PER_FOLDER)) {
          if (!name.endsWith('.timer') || seen.has(name)) continue;
          const timer = await timers.describe(name, `${listing.canonical}/${name}`);
          if (!timer) continue;
          seen.add(name);
          timers.linked.push(timer);
        }
      }
    }
    return timers;
  }

  /** Timers that will run: linked from a boot target, neither they nor their services masked. */
  get enabled(): TimerUnit[] {
    return this.linked.filter((timer) => !timer.maskedBy && !timer.serviceMaskedBy);
  }

  /** A timer by name, whether or not it is linked; undefined when the image has no such unit. */
  async find(name: string): Promise<TimerUnit | undefined> {
    return this.linked.find((timer) => timer.name === name) ?? (await this.describe(name, undefined));
  }

  private async describe(name: string, enabledBy: string | undefined): Promise<TimerUnit | undefined> {
    const unit = await this.index.lookup(name);
    if (!unit) return undefined;
    const text = unit.definition ? await readGuestText(this.guest, unit.definition, this.problems) : undefined;
    const service = (text !== undefined ? lastUnitSetting(text, 'Timer', 'Unit')?.value : undefined) || name.replace(/\.timer$/, '.service');
    const serviceUnit: ResolvedUnit | undefined = await this.index.lookup(service);
    const timer: TimerUnit = { name, service };
    if (enabledBy) timer.enabledBy = enabledBy;
    if (unit.definition) timer.definition = unit.definition;
    if (unit.maskedBy) timer.maskedBy = unit.maskedBy;
    if (serviceUnit?.definition) timer.serviceDefinition = serviceUnit.definition;
    if (serviceUnit?.maskedBy) timer.serviceMaskedBy = serviceUnit.maskedBy;
    return timer;
  }
}
