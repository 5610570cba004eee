// The commands a message gives for installing a package and starting a
// service at boot, in the words of the guest's distribution and init system.
import type { GuestFacts } from '../../inspect/facts/guest-facts.js';
import { isDebianLike } from './ssh-access.js';

export type DistroFamily = 'debian' | 'redhat' | 'suse' | 'alpine' | 'other';

export function distroFamily(facts: GuestFacts): DistroFamily {
  const ids = [facts.os.id ?? '', ...facts.os.idLike];
  if (isDebianLike(facts)) return 'debian';
  if (ids.some((id) => ['rhel', 'centos', 'fedora', 'rocky', 'almalinux', 'ol', 'amzn'].includes(id))) return 'redhat';
  if (ids.some((id) => id === 'suse' || id.startsWith('opensuse') || id === 'sles')) return 'suse';
  if (ids.includes('alpine')) return 'alpine';
  return 'other';
}

/** How to start `service` at boot on this guest (a unit or script name without ".service"). */
export function enableServiceCommand(facts: GuestFacts, service: string): string {
  const sysv = distroFamily(facts) === 'debian' ? `update-rc.d ${service} defaults` : `chkconfig ${service} on`;
  switch (facts.services.initSystem) {
    case 'systemd': return `systemctl enable ${service}`;
    case 'openrc': return `rc-update add ${service} default`;
    case 'upstart': return `remove "manual" from /etc/init/${service}.conf and /etc/init/${service}.override`;
    case 'sysv': return sysv;
    default: return `systemctl enable ${service} (on a SysV system: ${sysv})`;
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
