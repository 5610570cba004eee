import type { FactProblem } from '../inspect/facts/guest-facts.js';
import { readGuestText, tryGuest } from '../inspect/facts/read-guest-text.js';
import { NO_OPTIONS, type Rule } from './rule.js';

const MACHINE_ID = '/etc/machine-id';
const DBUS_MACHINE_ID = '/var/lib/dbus/machine-id';
/** systemd 247+ writes this into /etc/machine-id to mean "not set yet: first boot". */
const UNINITIALIZED = 'uninitialized';

/** The id in a machine-id file, or undefined when it is empty or says "uninitialized". */
function idIn(text: string | undefined): string | undefined {
  const id = text?.trim();
  return id && id !== UNINITIALIZED ? id : undefined;
}

export const machineId: Rule = {
  id: 'machine-id',
  title: 'No machine id baked into the image',
  defaultSeverity: 'warning',
  guideline: 'Because SpotCloud appliances are transient in nature and limited in duration, it is a good idea to include a phone home capability within your appliances which announces when a new appliance boots and becomes available to execute a job.',
  rationale: 'systemd and D-Bus give each machine an identity from /etc/machine-id. Baked into the image, every instance shares it: DHCP client identifiers derived from it collide (two instances on one network get the same address), journald and monitoring merge the instances, and a phone-home message cannot tell them apart. The guide has no sentence about machine ids; the phone-home advice needs instances that can be told apart.',
  checks: `${MACHINE_ID} holding an id (empty, absent or "${UNINITIALIZED}" means "make one at first boot"), and ${DBUS_MACHINE_ID} when it is a file of its own with an id rather than a link to ${MACHINE_ID}.`,
  howToFix: `Empty the file before exporting: truncate -s 0 ${MACHINE_ID} (keep the file: an empty one tells systemd to generate an id at boot); replace ${DBUS_MACHINE_ID} with a link: ln -sf ${MACHINE_ID} ${DBUS_MACHINE_ID}.`,
  fixable: 'safe',
  ...NO_OPTIONS,
  async check({ guest, report }) {
    if (!guest) return;
    const problems: FactProblem[] = [];
    const id = idIn(await readGuestText(guest, MACHINE_ID, problems, 4096));
    if (id) {
      report({
        location: { path: MACHINE_ID },
        message: `${MACHINE_ID} holds the machine id ${id}: every instance of the appliance will share it, so DHCP client ids derived from it collide and the instances cannot be told apart. Empty the file (truncate -s 0 ${MACHINE_ID}) so systemd makes a new id at each instance's first boot.`,
        fix: `truncate ${MACHINE_ID} to zero bytes`,
      });
    }
    const dbus = await tryGuest(DBUS_MACHINE_ID, problems, () => guest.lstat(DBUS_MACHINE_ID));
    if (dbus?.kind !== 'file') return;
    const dbusId = idIn(await readGuestText(guest, DBUS_MACHINE_ID, problems, 4096));
    if (!dbusId) return;
    const copy = dbusId === id ? `a copy of ${MACHINE_ID}` : 'an id of its own';
    report({
      location: { path: DBUS_MACHINE_ID },
      message: `${DBUS_MACHINE_ID} is a file holding ${copy} (${dbusId}) rather than a link to ${MACHINE_ID}: every instance shares this D-Bus machine id even once ${MACHINE_ID} is regenerated. Replace it with a link: ln -sf ${MACHINE_ID} ${DBUS_MACHINE_ID}.`,
      fix: `replace ${DBUS_MACHINE_ID} with a link to ${MACHINE_ID}`,
    });
  },
};
