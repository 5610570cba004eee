// A Rocky Linux 9 (RHEL 9) guest: systemd, sshd with RHEL's key-generation
// units, NetworkManager with both an ifcfg file and a keyfile, chronyd. No
// RHEL package is in test/data, so RHEL's own files are written by hand,
// following RHEL 9's shape; systemd's targets and NetworkManager's units are
// Debian's real ones placed where RHEL keeps units (/usr/lib/systemd/system).
import type { Tree } from '../build-image.js';
import { WEAK_ROOT_HASH, writeAccounts, type GroupAccount, type UserAccount } from './accounts.js';
import { distroFile, installPackage } from './distro-file.js';
import { DEFAULT_ROOT_UUID, fhsDirectories, MACHINE_ID, mergedUsrLinks, NIC_MAC, type GuestStyleOptions } from './layout.js';
import { addHostKeys } from './ssh-keys.js';
import { RHEL_UNIT_DIR, systemdEnable } from './systemd-enable.js';

export const RHEL_HOSTNAME = 'rocky-appliance';
/** RHEL 9 names a virtio NIC in slot 3 ens3. */
export const RHEL_INTERFACE = 'ens3';
export const NM_CONNECTION_UUID = '5fb06bd0-0bb0-7ffb-45f1-d6edd65f3e03';

const ROCKY_OS_RELEASE = `NAME="Rocky Linux"
VERSION="9.3 (Blue Onyx)"
ID="rocky"
ID_LIKE="rhel centos fedora"
VERSION_ID="9.3"
PLATFORM_ID="platform:el9"
PRETTY_NAME="Rocky Linux 9.3 (Blue Onyx)"
ANSI_COLOR="0;32"
LOGO="fedora-logo-icon"
CPE_NAME="cpe:/o:rocky:rocky:9::baseos"
HOME_URL="https://rockylinux.org/"
BUG_REPORT_URL="https://bugs.rockylinux.org/"
SUPPORT_END="2032-05-31"
ROCKY_SUPPORT_PRODUCT="Rocky-Linux-9"
ROCKY_SUPPORT_PRODUCT_VERSION="9.3"
REDHAT_SUPPORT_PRODUCT="Rocky Linux"
REDHAT_SUPPORT_PRODUCT_VERSION="9.3"
`;

/** RHEL 9's openssh-server unit: $OPTIONS from /etc/sysconfig/sshd, host keys via sshd-keygen.target. */
const SSHD_SERVICE = `[Unit]
Description=OpenSSH server daemon
Documentation=man:sshd(8) man:sshd_config(5)
After=network.target sshd-keygen.target
Wants=sshd-keygen.target

[Service]
Type=notify
EnvironmentFile=-/etc/sysconfig/sshd
ExecStart=/usr/sbin/sshd -D $OPTIONS
ExecReload=/bin/kill -HUP $MAINPID
KillMode=process
Restart=on-failure
RestartSec=42s

[Install]
WantedBy=multi-user.target
`;

/** One instance per key type; it runs only while that host key is missing or empty. */
const SSHD_KEYGEN_TEMPLATE = `[Unit]
Description=OpenSSH %i Server Key Generation
ConditionFileNotEmpty=|!/etc/ssh/ssh_host_%i_key

[Service]
Type=oneshot
EnvironmentFile=-/etc/sysconfig/sshd
ExecStart=/usr/libexec/openssh/sshd-keygen %i

[Install]
WantedBy=sshd-keygen.target
`;

const SSHD_KEYGEN_TARGET = `[Unit]
Wants=sshd-keygen@rsa.service
Wants=sshd-keygen@ecdsa.service
Wants=sshd-keygen@ed25519.service
PartOf=sshd.service
`;

/** RHEL's chrony unit is chronyd.service (Debian's is chrony.service with chronyd as an alias). */
const CHRONYD_SERVICE = `[Unit]
Description=NTP client/server
Documentation=man:chronyd(8) man:chrony.conf(5)
After=ntpdate.service sntp.service ntpd.service
Conflicts=ntpd.service systemd-timesyncd.service
ConditionCapability=CAP_SYS_TIME

[Service]
Type=forking
PIDFile=/run/chrony/chronyd.pid
EnvironmentFile=-/etc/sysconfig/chronyd
ExecStart=/usr/sbin/chronyd $OPTIONS
PrivateTmp=yes
ProtectHome=yes
ProtectSystem=full

[Install]
WantedBy=multi-user.target
`;

const CHRONY_CONF = `# Use public servers from the pool.ntp.org project.
pool 2.rocky.pool.ntp.org iburst
sourcedir /run/chrony-dhcp
driftfile /var/lib/chrony/drift
makestep 1.0 3
rtcsync
keyfile /etc/chrony.keys
ntsdumpdir /var/lib/chrony
leapsectz right/UTC
logdir /var/log/chrony
`;

/** RHEL 9's sshd_config: mostly comments, the drop-in folder included first, plus the common appliance mistake. */
const SSHD_CONFIG = `# This is the sshd server system-wide configuration file.  See
# sshd_config(5) for more information.

# To modify the system-wide sshd configuration, create a  *.conf  file under
#  /etc/ssh/sshd_config.d/  which will be automatically included below
Include /etc/ssh/sshd_config.d/*.conf

#Port 22
#ListenAddress 0.0.0.0

# Authentication:

#LoginGraceTime 2m
PermitRootLogin yes
#StrictModes yes
#MaxAuthTries 6

#PubkeyAuthentication yes

# The default is to check both .ssh/authorized_keys and .ssh/authorized_keys2
# but this is overridden so installations will only check .ssh/authorized_keys
AuthorizedKeysFile\t.ssh/authorized_keys

# To disable tunneled clear text passwords, change to no here!
#PasswordAuthentication yes
#PermitEmptyPasswords no

# override default of no subsystems
Subsystem\tsftp\t/usr/libexec/openssh/sftp-server
`;

const SSHD_CONFIG_REDHAT = `# This system is following system-wide crypto policy. The changes to
# crypto properties (Ciphers, MACs, ...) will not have any effect in
# this or following included files.

SyslogFacility AUTHPRIV

ChallengeResponseAuthentication no

GSSAPIAuthentication yes
GSSAPICleanupCredentials no

UsePAM yes

X11Forwarding yes

# It is recommended to use pam_motd in /etc/pam.d/sshd instead of PrintMotd,
# as it is more configurable and versatile than the built-in version.
PrintMotd no
`;

/** Written by the initscripts-era tools (and still read by NetworkManager's ifcfg-rh plugin on RHEL 9). */
const IFCFG_ETH0 = `DEVICE=eth0
BOOTPROTO=dhcp
ONBOOT=yes
HWADDR=${NIC_MAC}
TYPE=Ethernet
`;

/** What anaconda's NetworkManager leaves: a keyfile tied to the install machine's MAC. */
function nmKeyfile(iface: string): string {
  return `[connection]
id=${iface}
uuid=${NM_CONNECTION_UUID}
type=ethernet
autoconnect-priority=-999
interface-name=${iface}

[ethernet]
mac-address=${NIC_MAC}

[ipv4]
method=auto

[ipv6]
addr-gen-mode=eui64
method=auto

[proxy]
`;
}

/**
 * Hand-written (no RHEL package is in test/data): RHEL's stock
 * /etc/rc.d/rc.local, initscripts' file on RHEL 7 and systemd's on 8 and 9,
 * as every RHEL, Rocky and Alma install has it: mode 0644, and nothing but
 * the subsys lock file to touch.
 */
export const RHEL_RC_LOCAL = `#!/bin/bash
# THIS FILE IS ADDED FOR COMPATIBILITY PURPOSES
#
# It is highly advisable to create own systemd services or udev rules
# to run scripts during boot instead of using this file.
#
# In contrast to previous versions due to parallel execution during boot
# this script will NOT be run after all other services.
#
# Please note that you must run 'chmod +x /etc/rc.d/rc.local' to ensure
# that this script will be executed during boot.

touch /var/lock/subsys/local
`;

const NETWORKMANAGER_CONF = `# Configuration file for NetworkManager.
# See "man 5 NetworkManager.conf" for details.

[main]
#plugins=keyfile,ifcfg-rh

[logging]
#level=INFO
`;

function anacondaFstab(rootUuid: string): string {
  return `
#
# /etc/fstab
# Created by anaconda on Tue Nov 14 10:12:31 2023
#
# Accessible filesystems, by reference, are maintained under '/dev/disk/'.
# See man pages fstab(5), findfs(8), mount(8) and/or blkid(8) for more info.
#
# After editing this file, run 'systemctl daemon-reload' to update systemd
# units generated from this file.
#
UUID=${rootUuid} /                       ext4    defaults        1 1
`;
}

/** RHEL's setup package and the postinsts of the packages present (sshd, chrony, dbus): hand-written. */
function rhelAccounts(tree: Tree): void {
  const nologin = '/sbin/nologin';
  const system = (name: string, uid: number, gid: number, gecos: string, home: string, hash = '*'): UserAccount => ({ name, uid, gid, gecos, home, shell: nologin, hash });
  const users: UserAccount[] = [
    { name: 'root', uid: 0, gid: 0, gecos: 'root', home: '/root', shell: '/bin/bash', hash: WEAK_ROOT_HASH },
    system('bin', 1, 1, 'bin', '/bin'),
    system('daemon', 2, 2, 'daemon', '/sbin'),
    system('adm', 3, 4, 'adm', '/var/adm'),
    system('lp', 4, 7, 'lp', '/var/spool/lpd'),
    { name: 'sync', uid: 5, gid: 0, gecos: 'sync', home: '/sbin', shell: '/bin/sync', hash: '*' },
    { name: 'shutdown', uid: 6, gid: 0, gecos: 'shutdown', home: '/sbin', shell: '/sbin/shutdown', hash: '*' },
    { name: 'halt', uid: 7, gid: 0, gecos: 'halt', home: '/sbin', shell: '/sbin/halt', hash: '*' },
    system('mail', 8, 12, 'mail', '/var/spool/mail'),
    system('operator', 11, 0, 'operator', '/root'),
    system('games', 12, 100, 'games', '/usr/games'),
    system('ftp', 14, 50, 'FTP User', '/var/ftp'),
    system('nobody', 65534, 65534, 'Kernel Overflow User', '/'),
    system('dbus', 81, 81, 'System message bus', '/', '!!'),
    system('systemd-coredump', 999, 997, 'systemd Core Dumper', '/', '!!'),
    system('chrony', 998, 996, '', '/var/lib/chrony', '!!'),
    system('sshd', 74, 74, 'Privilege-separated SSH', '/usr/share/empty.sshd', '!!'),
  ];
  const groups: GroupAccount[] = [
    ['root', 0], ['bin', 1], ['daemon', 2], ['sys', 3], ['adm', 4], ['tty', 5], ['disk', 6], ['lp', 7], ['mem', 8], ['kmem', 9],
    ['wheel', 10], ['cdrom', 11], ['mail', 12], ['man', 15], ['dialout', 18], ['floppy', 19], ['games', 20], ['tape', 33],
    ['video', 39], ['ftp', 50], ['lock', 54], ['audio', 63], ['users', 100], ['nobody', 65534], ['utmp', 22], ['input', 999],
    ['systemd-journal', 190], ['dbus', 81], ['systemd-coredump', 997], ['chrony', 996], ['ssh_keys', 995], ['sshd', 74],
  ].map(([name, gid]) => ({ name: name as string, gid: gid as number, members: [] }));
  writeAccounts(tree, users, groups);
}

/**
 * Rocky Linux 9.3 as a hurried appliance builder leaves it: root logs in
 * over ssh with the password "password", host keys and machine-id baked in,
 * the NIC tied to the build machine's MAC twice over.
 */
export function rhelNetworkManagerGuest(options: GuestStyleOptions = {}): Tree {
  const hostname = options.hostname ?? RHEL_HOSTNAME;
  const tree: Tree = {};
  mergedUsrLinks(tree);
  fhsDirectories(tree);
  // Debian's real systemd and NetworkManager units, standing in for RHEL's (same upstream files).
  for (const pkg of ['systemd', 'udev', 'network-manager']) installPackage(tree, pkg, { mergedUsr: true, under: 'lib/systemd/system' });
  installPackage(tree, 'systemd', { mergedUsr: true, under: 'etc/systemd' });

  // Stand-in: the real dash ELF plays bash, which test/data does not hold; RHEL's /bin/sh is bash.
  tree['usr/bin/bash'] = distroFile('dash', 'bin/dash');
  tree['usr/bin/sh'] = { symlink: 'bash' };
  // systemd's own link; the binary is an empty placeholder (only the link matters here).
  tree['usr/sbin/init'] = { symlink: '../lib/systemd/systemd' };
  tree['usr/lib/systemd/systemd'] = '';

  tree['usr/lib/os-release'] = ROCKY_OS_RELEASE;
  tree['etc/os-release'] = { symlink: '../usr/lib/os-release' };
  tree['etc/rocky-release'] = 'Rocky Linux release 9.3 (Blue Onyx)\n';
  tree['etc/redhat-release'] = { symlink: 'rocky-release' };
  tree['etc/system-release'] = { symlink: 'rocky-release' };

  tree['usr/lib/systemd/system/sshd.service'] = SSHD_SERVICE;
  tree['usr/lib/systemd/system/sshd-keygen@.service'] = SSHD_KEYGEN_TEMPLATE;
  tree['usr/lib/systemd/system/sshd-keygen.target'] = SSHD_KEYGEN_TARGET;
  tree['usr/lib/systemd/system/chronyd.service'] = CHRONYD_SERVICE;
  tree['etc/ssh/sshd_config'] = SSHD_CONFIG;
  tree['etc/ssh/sshd_config.d/50-redhat.conf'] = SSHD_CONFIG_REDHAT;
  addHostKeys(tree, ['rsa', 'ecdsa', 'ed25519'], hostname);
  tree['etc/chrony.conf'] = CHRONY_CONF;

  const root = RHEL_UNIT_DIR;
  // RHEL's presets enable these at install; anaconda sets the default target for a server.
  for (const unit of ['sshd.service', 'NetworkManager.service', 'chronyd.service', 'getty@.service', 'remote-fs.target']) systemdEnable(tree, unit, { root });
  // RHEL's NetworkManager.service has Alias=dbus-org.freedesktop.NetworkManager.service in [Install];
  // Debian's (used here) does not, so the link enabling makes is added by hand.
  tree['etc/systemd/system/dbus-org.freedesktop.NetworkManager.service'] = { symlink: `${root}/NetworkManager.service` };
  tree['etc/systemd/system/default.target'] = { symlink: `${root}/multi-user.target` };

  tree['etc/NetworkManager/NetworkManager.conf'] = NETWORKMANAGER_CONF;
  tree[`etc/NetworkManager/system-connections/${RHEL_INTERFACE}.nmconnection`] = nmKeyfile(RHEL_INTERFACE);
  tree['etc/sysconfig/network-scripts/ifcfg-eth0'] = IFCFG_ETH0;
  tree['etc/hostname'] = `${hostname}\n`;
  tree['etc/fstab'] = anacondaFstab(options.rootUuid ?? DEFAULT_ROOT_UUID);
  tree['etc/machine-id'] = `${MACHINE_ID}\n`;
  // 0644 as shipped: etc/rc.d/rc.local is not among file-modes.ts's executable patterns.
  tree['etc/rc.d/rc.local'] = RHEL_RC_LOCAL;
  tree['etc/rc.local'] = { symlink: 'rc.d/rc.local' };
  rhelAccounts(tree);
  tree['root/.bash_history'] = 'dnf -y update\nsystemctl enable --now chronyd\nvi /etc/ssh/sshd_config\nsystemctl restart sshd\n';
  // Placeholder: only the presence of RHEL 9's rpm database matters to the fixtures.
  tree['var/lib/rpm/rpmdb.sqlite'] = '';
  return tree;
}
