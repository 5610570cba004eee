// The commands a message gives for installing a package and starting a
// service at boot, in the words of the guest's distribution and of the init
// system that would start the service.
import type { GuestFacts, InitSystem } from '../../inspect/facts/guest-facts.js';

export type DistroFamily = 'debian' | 'redhat' | 'suse' | 'alpine' | 'other';

const REDHAT_IDS = ['rhel', 'centos', 'fedora', 'rocky', 'almalinux', 'ol', 'amzn', 'scientific', 'cloudlinux'];

function isSuseId(id: string): boolean {
  return id.includes('suse') || id === 'sles' || id === 'sled';
}

/**
 * The distribution family, by os-release's ID and ID_LIKE, else by the
 * package manager the guest has (a derivative whose os-release names only
 * itself still installs with its parent's tools). SUSE is asked before the
 * rpm fallback, as it uses rpm too.
 */
export function distroFamily(facts: GuestFacts): DistroFamily {
  const ids = [facts.os.id ?? '', ...facts.os.idLike];
  const manager = facts.packages.manager;
  if (ids.some((id) => id === 'debian' || id === 'ubuntu') || manager === 'dpkg') return 'debian';
  if (ids.some(isSuseId)) return 'suse';
  if (ids.includes('alpine') || manager === 'apk') return 'alpine';
  if (ids.some((id) => REDHAT_IDS.includes(id)) || manager === 'rpm') return 'redhat';
  return 'other';
}

/** Where a service's definition lives says which init system reads it; an init.d script serves SysV and OpenRC alike. */
function definitionInitSystem(facts: GuestFacts, definition: string): InitSystem | undefined {
  if (/\.(service|socket|timer)$/.test(definition)) return 'systemd';
  if (/^\/etc\/init\/[^/]+\.conf$/.test(definition)) return 'upstart';
  if (/^\/etc\/(rc\.d\/)?init\.d\//.test(definition)) return facts.services.initSystem === 'openrc' ? 'openrc' : 'sysv';
  return undefined;
}

/**
 * How to start `service` at boot on this guest (a unit, script or job name
 * without ".service"). `definition`, the unit file, init script or Upstart
 * job found for it, decides the command where the guest's init system runs
 * more than one kind: Upstart runs SysV scripts through update-rc.d's links
 * and systemd runs them through systemd-sysv-install. A systemd unit on a
 * guest that does not boot systemd says nothing about how it starts.
 */
export function enableServiceCommand(facts: GuestFacts, service: string, definition?: string): string {
  const boots = facts.services.initSystem;
  const own = definition === undefined ? undefined : definitionInitSystem(facts, definition);
  const sysv = distroFamily(facts) === 'debian' ? `update-rc.d ${service} defaults` : `chkconfig ${service} on`;
  const upstartJob = `remove "manual" from /etc/init/${service}.conf and /etc/init/${service}.override`;
  switch (boots) {
    case 'systemd': return `systemctl enable ${service}`;
    case 'openrc': return `rc-update add ${service} default`;
    case 'upstart':
      if (own === 'sysv') return sysv;
      if (own === 'upstart') return upstartJob;
      return `${upstartJob} (for a SysV script in /etc/init.d: ${sysv})`;
    case 'sysv': return sysv;
    default:
      if (own === 'sysv') return sysv;
      if (own === 'upstart') return upstartJob;
      // Most images today boot systemd; name the SysV way too.
      return `systemctl enable ${service} (on a SysV system: ${sysv})`;
  }
}

/** The package manager's install command, or undefined where the family is not known. */
export function installPackageCommand(facts: GuestFacts, pkg: string): string | undefined {
  switch (distroFamily(facts)) {
    case 'debian': return `apt-get install ${pkg}`;
    case 'redhat': return `dnf install ${pkg}`;
    case 'suse': return `zypper install ${pkg}`;
    case 'alpine': return `apk add ${pkg}`;
    default: return undefined;
  }
}
