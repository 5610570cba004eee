import type { GuestFacts } from '../inspect/facts/guest-facts.js';
import type { Rule } from './rule.js';
import { disableCommand, listNames, UNNEEDED_SERVICES, unneededEntry } from './support/unneeded-services.js';

const GUIDE_MINIMAL_SERVICES = 'For security reasons, you should also have the bare minimum set of system services running on your appliances.';

/** What enables a service (a *.wants link, an rc link, a runlevel entry, an Upstart job); anything else is a unit that pulls it in. */
const ENABLING_LINK = /\.(wants|requires|upholds)\/|\/rc[0-9S]\.d\/|\/runlevels\/|^\/etc\/init\//;
/** The summary names this many services, then counts the rest. */
const MAX_LISTED_SERVICES = 20;

export interface MinimalServicesOptions {
  /** Service names the appliance needs after all ("cups", "avahi-daemon.socket"). */
  allow: string[];
  /** More service names to report as not needed. */
  deny: string[];
}

function packageSummary(facts: GuestFacts): string {
  const { packages } = facts;
  switch (packages.manager) {
    case 'dpkg':
    case 'apk':
      return `${packages.packages.length} packages are installed (${packages.source ?? packages.manager})`;
    case 'rpm':
      return 'installed packages were not counted (spotlint does not read the RPM database; rpm -qa | wc -l in the guest counts them)';
    default:
      return 'no package database was found';
  }
}

function serviceList(facts: GuestFacts): string {
  const names = facts.services.enabled.map((service) => service.name);
  const listed = names.slice(0, MAX_LISTED_SERVICES).join(', ');
  return names.length > MAX_LISTED_SERVICES ? `${listed} and ${names.length - MAX_LISTED_SERVICES} more` : listed;
}

export const minimalServices: Rule<MinimalServicesOptions> = {
  id: 'minimal-services',
  title: 'Only the services the appliance needs start at boot',
  defaultSeverity: 'warning',
  guideline: GUIDE_MINIMAL_SERVICES,
  rationale: 'A SpotCloud appliance runs on a provider\'s network anywhere in the world, with an address the internet can reach. Every service that starts at boot is one more thing that listens, takes memory and needs patching; printing, zeroconf, Bluetooth, modems, graphical logins and clear-text remote logins do nothing useful there. The guide also asks for a Just Enough Operating System (JeOS) install: the summary counts services and packages so the image can be trimmed.',
  checks: `The services the guest's init system starts at boot (systemd services and sockets reached from the boot target, SysV rc links of the boot runlevels, Upstart jobs, OpenRC runlevels), by every name and alias, against: ${UNNEEDED_SERVICES.map((entry) => entry.what).join('; ')}; plus the names of the deny option, minus those of the allow option. One warning per enabled service, at the link or file that enables it. Units systemd enables itself (systemd-*, getty@) are never on the list. One info finding per image counts the enabled services and the installed packages (dpkg and apk databases; the RPM database is not read).`,
  howToFix: 'Stop each unneeded service starting at boot with the guest\'s own tool (systemctl disable --now NAME, or systemctl mask NAME; update-rc.d NAME disable or chkconfig NAME off on SysV; rc-update del NAME on OpenRC), or better, remove the package that ships it. On a server, set the boot target to multi-user.target (systemctl set-default multi-user.target) so no display manager is pulled in. If the appliance needs one of them, list it in this rule\'s allow option.',
  fixable: 'no',
  options: {
    type: 'object',
    properties: {
      allow: { type: 'array', items: { type: 'string', minLength: 1 }, uniqueItems: true, description: 'Service names (with or without .service/.socket) the appliance needs, not to be reported (default: none).' },
      deny: { type: 'array', items: { type: 'string', minLength: 1 }, uniqueItems: true, description: 'More service names to report when they start at boot (default: none).' },
    },
    additionalProperties: false,
  },
  defaultOptions: { allow: [], deny: [] },
  async check({ facts, guest, options, report }) {
    if (!guest || facts.os.family !== 'linux') return;
    for (const service of facts.services.enabled) {
      if (listNames(options.allow, service)) continue;
      const entry = unneededEntry(service);
      const denied = listNames(options.deny, service);
      if (!entry && !denied) continue;
      const what = entry ? `${service.name}, ${entry.what},` : service.name;
      const how = ENABLING_LINK.test(service.enabledBy) ? 'enabled by' : 'pulled in by';
      const why = entry ? `a SpotCloud appliance rarely needs it: ${entry.why}` : `the deny option lists ${denied}`;
      report({
        location: { path: service.enabledBy },
        message: `${what} starts at boot (${how} ${service.enabledBy}), and ${why}. Disable it with ${disableCommand(service, facts)} or remove its package; if the appliance needs it, add it to this rule's allow option.`,
      });
    }
    const init = facts.services.initSystem === 'unknown' ? 'an init system spotlint could not identify' : facts.services.initSystem;
    const count = facts.services.enabled.length;
    report({
      severity: 'info',
      location: facts.packages.source ? { path: facts.packages.source } : {},
      message: `${count} services start at boot (${init})${count > 0 ? `: ${serviceList(facts)}` : ''}; ${packageSummary(facts)}. The guide asks for a minimal (JeOS) install: remove what the appliance does not use.`,
    });
  },
};
