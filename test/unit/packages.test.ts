// No package ships /var/lib/dpkg/status or /lib/apk/db/installed (dpkg and
// apk write them), so these inputs are written by hand in the layout the
// tools write, with Debian 12 versions from test/data/distro/debian-12/ORIGIN.tsv.
import { describe, expect, it } from 'vitest';
import { parseApkInstalled, parseDpkgStatus } from '../../src/inspect/facts/packages.js';

const DPKG_STATUS_TEXT = `Package: base-files
Essential: yes
Status: install ok installed
Priority: required
Section: admin
Installed-Size: 340
Maintainer: Santiago Vila <sanvila@debian.org>
Architecture: amd64
Multi-Arch: foreign
Version: 12.4+deb12u15
Replaces: base, dpkg (<= 1.15.0), miscutils
Provides: base
Pre-Depends: awk
Breaks: debian-security-support (<< 2019.04.25), initscripts (<< 2.88dsf-13.3), sendmail (<< 8.15.2-6)
Conffiles:
 /etc/debian_version a8e8a8d3b6e8ff8f1b1e3b27a6e4f2d6
 /etc/host.conf 4eb63731c9f5e30903ac4fc07a7fe3d6
Description: Debian base system miscellaneous files
 This package contains the basic filesystem hierarchy of a Debian system, and
 several important miscellaneous files, such as /etc/debian_version,
 /etc/host.conf, /etc/issue, /etc/motd, /etc/profile, and others,
 and the text of several common licenses in use on Debian systems.
Homepage: https://tracker.debian.org/pkg/base-files

Package: dash
Essential: yes
Status: install ok installed
Priority: required
Section: shells
Installed-Size: 191
Maintainer: Debian Shell Maintainers <pkg-shells@lists.alioth.debian.org>
Architecture: amd64
Multi-Arch: foreign
Version: 0.5.12-2
Depends: debianutils (>= 5.6-0.1), dpkg (>= 1.19.1)
Pre-Depends: libc6 (>= 2.34)
Description: POSIX-compliant shell
 The Debian Almquist Shell (dash) is a POSIX-compliant shell derived
 from ash.
 .
 Since it executes scripts faster than bash, and has fewer library
 dependencies (making it more robust against software or hardware
 failures), it is used as the default system shell on Debian systems.
 .
 Package: not-a-package
 Status: install ok installed
 Version: 0.0
Homepage: http://gondor.apana.org.au/~herbert/dash/

Package: openssh-server
Status: hold ok installed
Priority: optional
Section: net
Installed-Size: 1880
Maintainer: Debian OpenSSH Maintainers <debian-ssh@lists.debian.org>
Architecture: amd64
Multi-Arch: foreign
Source: openssh
Version: 1:9.2p1-2+deb12u10
Description: secure shell (SSH) server, for secure access from remote machines
 This is the portable version of OpenSSH, a free implementation of
 the Secure Shell protocol as specified by the IETF secsh working
 group.

Package: rsyslog
Status: deinstall ok config-files
Priority: important
Section: admin
Installed-Size: 2076
Maintainer: Michael Biebl <biebl@debian.org>
Architecture: amd64
Version: 8.2302.0-1+deb12u2
Config-Version: 8.2302.0-1+deb12u2
Conffiles:
 /etc/rsyslog.conf 3b8d7aa4bc2dee8ea8bd1a88b4e3b66b
Description: reliable system and kernel logging daemon
 Rsyslog is a multi-threaded implementation of syslogd.

Package: ntpsec
Status: purge ok not-installed
Priority: optional
Section: net
Architecture: amd64

Package: chrony
Status: install reinstreq half-installed
Priority: optional
Section: net
Architecture: amd64
Version: 4.3-2+deb12u3
Description: Versatile implementation of the Network Time Protocol
 It consists of a pair of programs.

Package: cron
Status: deinstall ok installed
Priority: important
Section: admin
Architecture: amd64
Version: 3.0pl1-162
Description: process scheduling daemon
 The cron daemon is a background process.
`;

describe('parseDpkgStatus', () => {
  it('lists installed packages (install, hold, deinstall pending) with their versions, epoch kept', () => {
    expect(parseDpkgStatus(DPKG_STATUS_TEXT)).toEqual({
      packages: [
        { name: 'base-files', version: '12.4+deb12u15' },
        { name: 'dash', version: '0.5.12-2' },
        { name: 'openssh-server', version: '1:9.2p1-2+deb12u10' },
        { name: 'cron', version: '3.0pl1-162' },
      ],
      truncated: false,
    });
  });

  it('leaves out config-files, not-installed and half-installed packages', () => {
    const names = parseDpkgStatus(DPKG_STATUS_TEXT).packages.map((p) => p.name);
    expect(names).not.toContain('rsyslog');
    expect(names).not.toContain('ntpsec');
    expect(names).not.toContain('chrony');
  });

  it('never takes a Description continuation line for a field', () => {
    expect(parseDpkgStatus(DPKG_STATUS_TEXT).packages.map((p) => p.name)).not.toContain('not-a-package');
  });

  it('reads CRLF line ends, whitespace-only separators and field names in any case', () => {
    const text = 'package: a\r\nstatus: install ok installed\r\nversion: 1.0\r\n \t\r\nPackage: b\r\nStatus: install ok installed\r\nVersion: 2.0\r\n';
    expect(parseDpkgStatus(text).packages).toEqual([{ name: 'a', version: '1.0' }, { name: 'b', version: '2.0' }]);
  });

  it('stops at the package cap and says so', () => {
    const stanza = (i: number) => `Package: p${i}\nStatus: install ok installed\nVersion: ${i}\n`;
    const text = Array.from({ length: 5 }, (_, i) => stanza(i)).join('\n');
    expect(parseDpkgStatus(text, 3)).toEqual({
      packages: [{ name: 'p0', version: '0' }, { name: 'p1', version: '1' }, { name: 'p2', version: '2' }],
      truncated: true,
    });
    expect(parseDpkgStatus(text, 5).truncated).toBe(false);
  });

  it('gives nothing for an empty file', () => {
    expect(parseDpkgStatus('')).toEqual({ packages: [], truncated: false });
  });
});

const APK_INSTALLED_TEXT = `C:Q1ntEgDUMqYeQ5FkXSVEfCPwmDkrs=
P:musl
V:1.2.4-r2
A:x86_64
S:383152
I:622592
T:the musl c library (libc) implementation
U:https://musl.libc.org/
L:MIT
o:musl
m:Timo Teräs <timo.teras@iki.fi>
t:1695050453
c:e3e9b9c5a6cd1ec8e9dcf1d1e0b1d9f1f1b1c1d1
p:so:libc.musl-x86_64.so.1=1
F:lib
R:ld-musl-x86_64.so.1
a:0:0:755
Z:Q1o1Cj3gQ3VmRk0v4a0J1x1Hc0QLM=
R:libc.musl-x86_64.so.1
a:0:0:777
Z:Q17yJ3JFNypA4mxhJJr0ou6CzsJVI=

C:Q1Tk+T+z8eP0u9lX0VI5u8yJ4+i0s=
P:busybox
V:1.36.1-r5
A:x86_64
S:507831
I:962560
T:Size optimized toolbox of many common UNIX utilities
U:https://busybox.net/
L:GPL-2.0-only
o:busybox
m:Sören Tempel <soeren+alpine@soeren-tempel.net>
t:1699026706
c:a2bc4e8d2e1c7d5d28c9d0d0f0c0c4b2a3f7e8a1
D:so:libc.musl-x86_64.so.1
p:/bin/sh cmd:busybox=1.36.1-r5 cmd:sh=1.36.1-r5
r:busybox-initscripts
F:bin
R:busybox
a:0:0:755
Z:Q1NzQW0sTpDQ7Bsb29Dx+Aa2kAVRo=
R:sh

C:Q1A2Ba3Qp4zO7o2T1xKqFYmd6Zg5w=
P:alpine-baselayout-data
V:3.4.3-r1
A:x86_64
T:Alpine base dir structure and init scripts
`;

describe('parseApkInstalled', () => {
  it('lists P: and V: of every paragraph, never the lower-case p: (provides)', () => {
    expect(parseApkInstalled(APK_INSTALLED_TEXT)).toEqual({
      packages: [
        { name: 'musl', version: '1.2.4-r2' },
        { name: 'busybox', version: '1.36.1-r5' },
        { name: 'alpine-baselayout-data', version: '3.4.3-r1' },
      ],
      truncated: false,
    });
  });

  it('stops at the package cap and says so', () => {
    expect(parseApkInstalled(APK_INSTALLED_TEXT, 2)).toEqual({
      packages: [{ name: 'musl', version: '1.2.4-r2' }, { name: 'busybox', version: '1.36.1-r5' }],
      truncated: true,
    });
  });

  it('skips a paragraph with no P: line', () => {
    expect(parseApkInstalled('C:Q1abc=\nV:1.0\n\nP:zlib\nV:1.3-r2\n').packages).toEqual([{ name: 'zlib', version: '1.3-r2' }]);
  });
});
