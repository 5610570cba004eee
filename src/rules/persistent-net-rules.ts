import { NO_OPTIONS, type Rule } from './rule.js';

const RULES_FILES = ['/etc/udev/rules.d/70-persistent-net.rules', '/etc/udev/70-persistent-net.rules'];
/** A udev rule that pins an interface name to a MAC address. */
const MAC_BOUND = /ATTRS?\{address\}\s*==\s*"([0-9a-fA-F:*?]+)"/;
const NAME = /NAME\s*:?=\s*"([^"]+)"/;

export const persistentNetRules: Rule = {
  id: 'persistent-net-rules',
  title: 'No network interface names pinned to MAC addresses by udev',
  defaultSeverity: 'error',
  guideline: 'Are you using a Debian or Ubuntu derived distribution? If so, your ethernet interface has probably been renumbered. You can solve this by setting up an eth1 entry under the OS with DHCP configuration, or you can remove the OS\'s ability to change by removing the `/etc/udev/70-persistent-net-rules` file when designing the VM.',
  rationale: 'udev remembers the MAC address of the network card the VM had when it was built and keeps the name eth0 for it. The provider\'s VM has another MAC, so its card becomes eth1, which the network configuration does not bring up: the appliance never gets an address and SpotCloud shows "Detecting" for ever.',
  checks: 'The persistent net rules file (/etc/udev/rules.d/70-persistent-net.rules, and the older /etc/udev/70-persistent-net.rules) for rules that match ATTR{address} and set NAME.',
  howToFix: 'Delete the MAC-bound lines (or the whole file when nothing else is in it) before exporting the VM; on Debian/Ubuntu also stop the generator from writing it again (ln -s /dev/null /etc/udev/rules.d/75-persistent-net-generator.rules).',
  fixable: 'safe',
  ...NO_OPTIONS,
  async check({ guest, report }) {
    if (!guest) return;
    for (const path of RULES_FILES) {
      if (!(await guest.exists(path))) continue;
      const lines = (await guest.readText(path)).split('\n');
      lines.forEach((text, index) => {
        if (text.trimStart().startsWith('#')) return;
        const mac = MAC_BOUND.exec(text);
        const name = NAME.exec(text);
        if (!mac || !name) return;
        report({
          location: { path, line: index + 1 },
          message: `${path} line ${index + 1} gives the interface with MAC ${mac[1]} the name "${name[1]}". The provider's VM has a different MAC, so its card gets another name, the network is not configured and the appliance never gets an address. Remove this rule before exporting.`,
          fix: `remove line ${index + 1} of ${path}`,
        });
      });
    }
  },
};
