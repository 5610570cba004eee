// OS, architecture and package facts read from real ext4 guests, on the
// built code (ext filesystems run in worker threads from dist/).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readOsFacts } from '../../dist/inspect/facts/os-facts.js';
import { readPackageFacts } from '../../dist/inspect/facts/packages.js';
import type { OsFacts, PackageFacts } from '../../dist/inspect/facts/guest-facts.js';
import type { Tree } from '../helpers/build-image.js';
import { openGuest } from '../helpers/open-guest.js';

const DEBIAN = 'test/data/distro/debian-12';
const debianFile = (path: string) => readFileSync(`${DEBIAN}/${path}`);
const FSTAB = 'UUID=0b6f2c2e-8f0e-4d3c-9d7e-2f1c3a4b5c6d / ext4 errors=remount-ro 0 1\n';

/**
 * The start of an ELF executable for an architecture no file in test/data is
 * built for, laid out as elf(5) says; the bytes after the header do not
 * matter to spotlint.
 */
function elfExecutable(bits: 32 | 64, littleEndian: boolean, machine: number): Buffer {
  const file = Buffer.alloc(4096);
  file.set([0x7f, 0x45, 0x4c, 0x46, bits === 64 ? 2 : 1, littleEndian ? 1 : 2, 1], 0);
  if (littleEndian) file.writeUInt16LE(machine, 18);
  else file.writeUInt16BE(machine, 18);
  return file;
}

async function factsOf(tree: Tree): Promise<{ os: OsFacts; packages: PackageFacts }> {
  const opened = await openGuest(tree);
  try {
    return {
      os: await readOsFacts(opened.guest, opened.inspected.inspection.volumes),
      packages: await readPackageFacts(opened.guest),
    };
  } finally {
    await opened.inspected.close();
  }
}

// dpkg writes its status file; no package ships one, so it is written here.
const DPKG_STATUS = `Package: base-files
Essential: yes
Status: install ok installed
Priority: required
Architecture: amd64
Version: 12.4+deb12u15
Description: Debian base system miscellaneous files
 This package contains the basic filesystem hierarchy of a Debian system.

Package: rsyslog
Status: deinstall ok config-files
Architecture: amd64
Version: 8.2302.0-1+deb12u2
Conffiles:
 /etc/rsyslog.conf 3b8d7aa4bc2dee8ea8bd1a88b4e3b66b

Package: dash
Essential: yes
Status: install ok installed
Architecture: amd64
Version: 0.5.12-2
`;

describe('OS and package facts from a guest', () => {
  it('Debian 12: os-release through the link base-files ships, dash for /bin/sh, dpkg status', async () => {
    const facts = await factsOf({
      '/usr/lib/os-release': debianFile('base-files/usr/lib/os-release'),
      '/etc/os-release': { symlink: '../usr/lib/os-release' },
      '/etc/debian_version': debianFile('base-files/etc/debian_version'),
      '/bin/dash': debianFile('dash/bin/dash'),
      '/bin/sh': { symlink: 'dash' },
      '/var/lib/dpkg/status': DPKG_STATUS,
    });
    // debian_version says 12.x, but os-release wins.
    expect(facts.os).toEqual({
      family: 'linux',
      id: 'debian',
      idLike: [],
      name: 'Debian GNU/Linux',
      version: '12',
      prettyName: 'Debian GNU/Linux 12 (bookworm)',
      source: '/etc/os-release',
      architecture: 'x86_64',
      architectureSource: '/bin/dash',
    });
    expect(facts.packages).toEqual({
      manager: 'dpkg',
      source: '/var/lib/dpkg/status',
      packages: [{ name: 'base-files', version: '12.4+deb12u15' }, { name: 'dash', version: '0.5.12-2' }],
      problems: [],
    });
  });

  it('merged /usr: /usr/lib/os-release alone, and /bin/sh resolved through the /bin link', async () => {
    const { os } = await factsOf({
      '/etc/fstab': FSTAB,
      '/usr/lib/os-release': debianFile('base-files/usr/lib/os-release'),
      '/usr/bin/dash': debianFile('dash/bin/dash'),
      '/usr/bin/sh': { symlink: 'dash' },
      '/bin': { symlink: 'usr/bin' },
    });
    expect(os).toMatchObject({ id: 'debian', version: '12', source: '/usr/lib/os-release', architecture: 'x86_64', architectureSource: '/usr/bin/dash' });
  });

  it('CentOS 6: only /etc/redhat-release, an i386 bash, an RPM database detected but not read', async () => {
    const facts = await factsOf({
      '/etc/fstab': FSTAB,
      '/etc/redhat-release': 'CentOS release 6.10 (Final)\n',
      '/bin/bash': elfExecutable(32, true, 3),
      '/bin/sh': { symlink: 'bash' },
      // Stands in for the BerkeleyDB file, which spotlint only looks for.
      '/var/lib/rpm/Packages': Buffer.alloc(8192),
    });
    expect(facts.os).toEqual({
      family: 'linux',
      id: 'centos',
      idLike: ['rhel', 'fedora'],
      name: 'CentOS',
      version: '6.10',
      prettyName: 'CentOS release 6.10 (Final)',
      source: '/etc/redhat-release',
      architecture: 'i386',
      architectureSource: '/bin/bash',
    });
    expect(facts.packages).toMatchObject({ manager: 'rpm', source: '/var/lib/rpm/Packages', packages: [], problems: [] });
    expect(facts.packages.note).toMatch(/not read/);
  });

  it('SLES 11 SP4: SuSE-release; a script /bin/sh passes the question to /sbin/init', async () => {
    const facts = await factsOf({
      '/etc/fstab': FSTAB,
      '/etc/SuSE-release': 'SUSE Linux Enterprise Server 11 (s390x)\nVERSION = 11\nPATCHLEVEL = 4\n',
      '/bin/sh': '#!/bin/false\n',
      '/sbin/init': elfExecutable(64, false, 22),
      '/usr/lib/sysimage/rpm/rpmdb.sqlite': 'SQLite format 3\0',
    });
    expect(facts.os).toMatchObject({
      id: 'sles', version: '11.4', prettyName: 'SUSE Linux Enterprise Server 11 SP4', source: '/etc/SuSE-release',
      architecture: 's390x', architectureSource: '/sbin/init',
    });
    expect(facts.packages).toMatchObject({ manager: 'rpm', source: '/usr/lib/sysimage/rpm/rpmdb.sqlite' });
  });

  it('Alpine: alpine-release, busybox through an absolute link, the apk database', async () => {
    const facts = await factsOf({
      '/etc/fstab': FSTAB,
      '/etc/alpine-release': '3.18.4\n',
      '/bin/busybox': elfExecutable(64, true, 183),
      '/bin/sh': { symlink: '/bin/busybox' },
      '/lib/apk/db/installed': 'C:Q1abc=\nP:musl\nV:1.2.4-r2\nA:aarch64\np:so:libc.musl-aarch64.so.1=1\n\nC:Q1def=\nP:busybox\nV:1.36.1-r5\nA:aarch64\n',
    });
    expect(facts.os).toMatchObject({
      id: 'alpine', name: 'Alpine Linux', version: '3.18.4', source: '/etc/alpine-release',
      architecture: 'aarch64', architectureSource: '/bin/busybox',
    });
    expect(facts.packages).toEqual({
      manager: 'apk',
      source: '/lib/apk/db/installed',
      packages: [{ name: 'musl', version: '1.2.4-r2' }, { name: 'busybox', version: '1.36.1-r5' }],
      problems: [],
    });
  });

  it('Ubuntu 14.04: lsb-release before the Debian codename in debian_version; an unreadable dpkg status is a problem', async () => {
    const facts = await factsOf({
      '/etc/fstab': FSTAB,
      '/etc/lsb-release': 'DISTRIB_ID=Ubuntu\nDISTRIB_RELEASE=14.04\nDISTRIB_CODENAME=trusty\nDISTRIB_DESCRIPTION="Ubuntu 14.04.6 LTS"\n',
      '/etc/debian_version': 'jessie/sid\n',
      '/var/lib/dpkg/status/': '',
    });
    expect(facts.os).toEqual({
      family: 'linux', id: 'ubuntu', idLike: ['debian'], name: 'Ubuntu', version: '14.04', prettyName: 'Ubuntu 14.04.6 LTS', source: '/etc/lsb-release',
    });
    expect(facts.packages).toMatchObject({ manager: 'dpkg', source: '/var/lib/dpkg/status', packages: [] });
    expect(facts.packages.problems).toEqual([{ path: '/var/lib/dpkg/status', message: expect.stringMatching(/directory/) }]);
  });

  it('no release file and no package database: Linux, nothing more', async () => {
    const facts = await factsOf({ '/etc/fstab': FSTAB, '/bin/': '' });
    expect(facts.os).toEqual({ family: 'linux', idLike: [] });
    expect(facts.packages).toEqual({ manager: 'none', packages: [], problems: [] });
  });
});
