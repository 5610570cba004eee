import type { FactProblem, ServiceFacts } from '../inspect/facts/guest-facts.js';
import { readGuestText, tryGuest } from '../inspect/facts/read-guest-text.js';
import type { GuestTree } from '../inspect/guest/guest-tree.js';
import { NO_OPTIONS, type FindingInput, type Rule } from './rule.js';
import { reportProblems } from './support/report-problems.js';

const MACHINE_ID = '/etc/machine-id';
const DBUS_MACHINE_ID = '/var/lib/dbus/machine-id';
/** systemd 247+ writes this into /etc/machine-id to mean "not set yet: first boot". */
const UNINITIALIZED = 'uninitialized';

/** The id in a machine-id file, or undefined when it is empty or says "uninitialized". */
function idIn(text: string | undefined): string | undefined {
  const id = text?.trim();
  return id && id !== UNINITIALIZED ? id : undefined;
}

const INIT_NAMES = { sysv: 'SysV init', upstart: 'Upstart', openrc: 'OpenRC', unknown: 'an init system other than systemd' } as const;

/**
 * Whether systemd boots the guest, and so makes /etc/machine-id at boot when
 * it is empty or missing. Without systemd nothing does: D-Bus's init script
 * (dbus-uuidgen --ensure) keeps its own id in /var/lib/dbus/machine-id,
 * falling back to /etc/machine-id only to read it.
 */
function bootsWithSystemd(services: ServiceFacts): boolean {
  return services.initSystem === 'systemd' || (services.initSystem === 'unknown' && services.present.includes('systemd'));
}

export const machineId: Rule = {
  id: 'machine-id',
  title: 'No machine id baked into the image',
  defaultSeverity: 'warning',
  guideline: 'Because SpotCloud appliances are transient in nature and limited in duration, it is a good idea to include a phone home capability within your appliances which announces when a new appliance boots and becomes available to execute a job.',
  rationale: 'systemd and D-Bus give each machine an identity from /etc/machine-id (D-Bus also from /var/lib/dbus/machine-id). Baked into the image, every instance shares it: DHCP client identifiers derived from it collide (two instances on one network get the same address), journald and monitoring merge the instances, and a phone-home message cannot tell them apart. The guide has no sentence about machine ids; the phone-home advice needs instances that can be told apart.',
  checks: `${MACHINE_ID} holding an id (empty, absent or "${UNINITIALIZED}" means "make one at first boot"), and ${DBUS_MACHINE_ID} when it is a file of its own with an id rather than a link to ${MACHINE_ID}. The advice follows the init system: systemd makes ${MACHINE_ID} at boot; SysV init, Upstart and OpenRC do not, and D-Bus's init script makes ${DBUS_MACHINE_ID} instead.`,
  howToFix: `With systemd: empty the file before exporting, truncate -s 0 ${MACHINE_ID} (keep the file: an empty one tells systemd to generate an id at boot), and replace ${DBUS_MACHINE_ID} with a link: ln -sf ${MACHINE_ID} ${DBUS_MACHINE_ID}. Without systemd: remove both files (rm ${MACHINE_ID} ${DBUS_MACHINE_ID}); D-Bus's init script makes a new id at boot (dbus-uuidgen --ensure).`,
  fixable: 'safe',
  ...NO_OPTIONS,
  async check({ facts, guest, report }) {
    if (!guest) return;
    const problems: FactProblem[] = [];
    const systemd = bootsWithSystemd(facts.services);
    const initName = systemd ? 'systemd' : INIT_NAMES[facts.services.initSystem as keyof typeof INIT_NAMES];
    const machineIdFile = await tryGuest(MACHINE_ID, problems, () => guest.stat(MACHINE_ID));
    const id = machineIdFile ? idIn(await readGuestText(guest, MACHINE_ID, problems, 4096)) : undefined;
    // Through a link, emptying or removing "the file" could mean either end: that is left to a person.
    const ownFile = machineIdFile !== undefined && (await tryGuest(MACHINE_ID, problems, () => guest.lstat(MACHINE_ID)))?.kind === 'file';
    if (id && systemd) {
      report({
        location: { path: MACHINE_ID },
        message: `${MACHINE_ID} holds the machine id ${id}: every instance of the appliance will share it, so DHCP client ids derived from it collide and the instances cannot be told apart. Empty the file (truncate -s 0 ${MACHINE_ID}) so systemd makes a new id at each instance's first boot.`,
        fix: `truncate ${MACHINE_ID} to zero bytes`,
        ...(ownFile ? { repairs: [{ kind: 'truncate', path: MACHINE_ID }] } : {}),
      });
    } else if (id) {
      report({
        location: { path: MACHINE_ID },
        message: `${MACHINE_ID} holds the machine id ${id}: every instance of the appliance will share it, so the software that reads it (D-Bus, DHCP clients, monitoring agents) cannot tell the instances apart. The guest boots with ${initName}, which never makes a new one, so remove the file (rm ${MACHINE_ID}): D-Bus's init script then makes a new id of its own at boot (dbus-uuidgen --ensure).`,
        fix: `remove ${MACHINE_ID}`,
        ...(ownFile ? { repairs: [{ kind: 'remove', path: MACHINE_ID }] } : {}),
      });
    }
    await checkDbusMachineId(guest, { id, systemd, machineIdExists: machineIdFile !== undefined, machineIdIsFile: ownFile }, problems, report);
    reportProblems(report, problems, 'the machine id check');
  },
};

interface MachineIdState {
  /** The id in /etc/machine-id, if it holds one. */
  id: string | undefined;
  systemd: boolean;
  machineIdExists: boolean;
  /** A file of its own, not a link (which could lead back to the D-Bus file). */
  machineIdIsFile: boolean;
}

/** D-Bus reads its own file first: a copy there outlives a regenerated /etc/machine-id. */
async function checkDbusMachineId(guest: GuestTree, state: MachineIdState, problems: FactProblem[], report: (finding: FindingInput) => void): Promise<void> {
  const dbus = await tryGuest(DBUS_MACHINE_ID, problems, () => guest.lstat(DBUS_MACHINE_ID));
  if (dbus?.kind !== 'file') return;
  const dbusId = idIn(await readGuestText(guest, DBUS_MACHINE_ID, problems, 4096));
  if (!dbusId) return;
  const copy = dbusId === state.id ? `a copy of ${MACHINE_ID}` : 'an id of its own';
  const shared = `${DBUS_MACHINE_ID} is a file holding ${copy} (${dbusId}) rather than a link to ${MACHINE_ID}: every instance shares this D-Bus machine id`;
  if (state.systemd && state.machineIdExists) {
    report({
      location: { path: DBUS_MACHINE_ID },
      message: `${shared} even once ${MACHINE_ID} is regenerated. Replace it with a link: ln -sf ${MACHINE_ID} ${DBUS_MACHINE_ID}.`,
      fix: `replace ${DBUS_MACHINE_ID} with a link to ${MACHINE_ID}`,
      ...(state.machineIdIsFile ? { repairs: [{ kind: 'link', path: DBUS_MACHINE_ID, target: MACHINE_ID }] } : {}),
    });
    return;
  }
  const why = state.machineIdExists ? '' : ` There is no ${MACHINE_ID} to link it to.`;
  const after = state.systemd
    ? `D-Bus then reads ${MACHINE_ID}, which systemd makes at boot.`
    : 'D-Bus\'s init script makes a new one at boot (dbus-uuidgen --ensure).';
  report({
    location: { path: DBUS_MACHINE_ID },
    message: `${shared}.${why} Remove it before exporting (rm ${DBUS_MACHINE_ID}): ${after}`,
    fix: `remove ${DBUS_MACHINE_ID}`,
    repairs: [{ kind: 'remove', path: DBUS_MACHINE_ID }],
  });
}
