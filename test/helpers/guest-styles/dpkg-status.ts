// /var/lib/dpkg/status for the Debian styles: one stanza per package whose
// files the fixture carries, in the format dpkg writes (deb-control(5)).
// Architectures and one-line descriptions are written by hand: the extracted
// packages keep only their files, not their control data.
import { packageVersion } from './distro-file.js';

export interface DpkgPackage {
  name: string;
  version: string;
  architecture: 'amd64' | 'all';
  description: string;
}

/** Control data of the Debian 12 packages the fixtures use, versions from ORIGIN.tsv. */
const DEBIAN_12_CONTROL: Record<string, Omit<DpkgPackage, 'name' | 'version'>> = {
  'base-files': { architecture: 'amd64', description: 'Debian base system miscellaneous files' },
  'base-passwd': { architecture: 'amd64', description: 'Debian base system master password and group files' },
  dash: { architecture: 'amd64', description: 'POSIX-compliant shell' },
  systemd: { architecture: 'amd64', description: 'system and service manager' },
  udev: { architecture: 'amd64', description: '/dev/ and hotplug management daemon' },
  dbus: { architecture: 'amd64', description: 'simple interprocess messaging system (system message bus)' },
  'openssh-server': { architecture: 'amd64', description: 'secure shell (SSH) server, for secure access from remote machines' },
  'openssh-client': { architecture: 'amd64', description: 'secure shell (SSH) client, for secure access to remote machines' },
  cron: { architecture: 'amd64', description: 'process scheduling daemon' },
  rsyslog: { architecture: 'amd64', description: 'reliable system and kernel logging daemon' },
  chrony: { architecture: 'amd64', description: 'Versatile implementation of the Network Time Protocol' },
  ifupdown: { architecture: 'amd64', description: 'high level tools to configure network interfaces' },
  'isc-dhcp-client': { architecture: 'amd64', description: 'DHCP client for automatically obtaining an IP address' },
  login: { architecture: 'amd64', description: 'system login tools' },
};

/** A Debian 12 package as the fixtures' files came from it. */
export function debian12Package(name: string): DpkgPackage {
  const control = DEBIAN_12_CONTROL[name];
  if (!control) throw new Error(`${name}: no control data written for it in dpkg-status.ts`);
  return { name, version: packageVersion(name), ...control };
}

/** The status file text: installed packages, sorted by name as dpkg keeps them. */
export function dpkgStatus(packages: readonly DpkgPackage[]): string {
  return [...packages]
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((p) =>
      [
        `Package: ${p.name}`,
        'Status: install ok installed',
        `Architecture: ${p.architecture}`,
        `Version: ${p.version}`,
        `Description: ${p.description}`,
      ].join('\n'),
    )
    .join('\n\n')
    .concat('\n');
}
