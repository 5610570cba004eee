// Debian 12 as the installer leaves it: merged /usr, systemd, openssh-server,
// cron, rsyslog, chrony and ifupdown, assembled from the packages' real files
// and the links their maintainer scripts make. Hand-written files say so.
import type { Tree } from '../build-image.js';
import { addToGroups, basePasswdGroups, basePasswdUsers, DEBIAN_ROOT_HASH, DEBIAN_USER_HASH, writeAccounts, type GroupAccount, type UserAccount } from './accounts.js';
import { distroFile, installPackage, packageVersion } from './distro-file.js';
import { debian12Package, dpkgStatus } from './dpkg-status.js';
import { DEFAULT_ROOT_UUID, fhsDirectories, MACHINE_ID, mergedUsrLinks, SWAP_UUID, type GuestStyleOptions } from './layout.js';
import { addHostKeys, sshKeyPair } from './ssh-keys.js';
import { systemdEnable } from './systemd-enable.js';
import { readTreeText } from './tree-paths.js';
import { addSysvLinks } from './sysv-links.js';

export const DEBIAN_HOSTNAME = 'appliance';
export const DEBIAN_USER = 'appliance';
/** Debian 12 names a QEMU/VirtualBox e1000 NIC enp0s3 (predictable interface names). */
export const DEBIAN_INTERFACE = 'enp0s3';

/** The packages the Debian 12 style carries, by the name ORIGIN.tsv gives. */
export const DEBIAN_PACKAGES = ['base-files', 'base-passwd', 'dash', 'systemd', 'udev', 'dbus', 'openssh-server', 'openssh-client',
  'cron', 'rsyslog', 'chrony', 'ifupdown', 'isc-dhcp-client', 'login'] as const;

/** Services the postinsts enable with `deb-systemd-helper enable` (systemd's own: getty@, remote-fs.target, systemd-pstore). */
const ENABLED_UNITS = ['ssh.service', 'cron.service', 'rsyslog.service', 'chrony.service', 'networking.service',
  'getty@.service', 'remote-fs.target', 'systemd-pstore.service'];
/** Scripts whose postinst runs `update-rc.d <name> defaults`; without insserv every link is numbered 01. */
const INIT_SCRIPTS = ['ssh', 'cron', 'chrony', 'networking', 'dbus', 'udev'];

/** Hand-written: the installer (netcfg) writes /etc/network/interfaces; no package ships it. */
function installerInterfaces(iface: string): string {
  return `# This file describes the network interfaces available on your system
# and how to activate them. For more information, see interfaces(5).

source /etc/network/interfaces.d/*

# The loopback network interface
auto lo
iface lo inet loopback

# The primary network interface
allow-hotplug ${iface}
iface ${iface} inet dhcp
`;
}

/** Hand-written: the installer (partman) writes /etc/fstab. */
function installerFstab(rootUuid: string): string {
  return `# /etc/fstab: static file system information.
#
# Use 'blkid' to print the universally unique identifier for a
# device; this may be used with UUID= as a more robust way to name devices
# that works even if disks are added and removed. See fstab(5).
#
# systemd generates mount units based on this file, see systemd.mount(5).
# Please run 'systemctl daemon-reload' after making changes here.
#
# <file system> <mount point>   <type>  <options>       <dump>  <pass>
# / was on /dev/sda1 during installation
UUID=${rootUuid} /               ext4    errors=remount-ro 0       1
# swap was on /dev/sda5 during installation
UUID=${SWAP_UUID} none            swap    sw              0       0
`;
}

/** Hand-written: netcfg writes /etc/hosts with the 127.0.1.1 line for the hostname. */
function installerHosts(hostname: string): string {
  return `127.0.0.1\tlocalhost
127.0.1.1\t${hostname}

# The following lines are desirable for IPv6 capable hosts
::1     localhost ip6-localhost ip6-loopback
ff02::1 ip6-allnodes
ff02::2 ip6-allrouters
`;
}

/** The Debian 12 kernel the well-built guest's grub.cfg boots (disk-images.ts puts its placeholder files in /boot). */
const DEBIAN_KERNEL = '6.1.0-13-amd64';

/**
 * Hand-written: grub2-common's /etc/default/grub is not in test/data. Debian
 * 12's default text, with GRUB_CMDLINE_LINUX set as an appliance builder
 * sets it to keep the kernel's eth0 naming.
 */
function applianceGrubDefaults(cmdlineLinux: string): string {
  return `# If you change this file, run 'update-grub' afterwards to update
# /boot/grub/grub.cfg.
# For full documentation of the options in this file, see:
#   info -f grub -n 'Simple configuration'

GRUB_DEFAULT=0
GRUB_TIMEOUT=5
GRUB_DISTRIBUTOR=\`lsb_release -i -s 2> /dev/null || echo Debian\`
GRUB_CMDLINE_LINUX_DEFAULT="quiet"
GRUB_CMDLINE_LINUX="${cmdlineLinux}"

# If your computer has multiple operating systems installed, then you
# probably want to run os-prober. However, if your computer is a host
# for guest OSes installed via LVM or raw disk devices, running
# os-prober can cause damage to those guest OSes as it mounts
# filesystems to look for things.
#GRUB_DISABLE_OS_PROBER=false

# Uncomment to enable BadRAM filtering, modify to suit your needs
# This works with Linux (no patch required) and with any kernel that obtains
# the memory map information from GRUB (GNU Mach, kernel of FreeBSD ...)
#GRUB_BADRAM="0x01234567,0xfefefefe,0x89abcdef,0xefefefef"

# Uncomment to disable graphical terminal (grub-pc only)
#GRUB_TERMINAL=console

# The resolution used on graphical terminal
# note that you can use only modes which your graphic card supports via VBE
# you can see them in real GRUB with the command \`vbeinfo'
#GRUB_GFXMODE=640x480

# Uncomment if you don't want GRUB to pass "root=UUID=xxx" parameter to Linux
#GRUB_DISABLE_LINUX_UUID=true

# Uncomment to disable generation of recovery mode menu entries
#GRUB_DISABLE_RECOVERY="true"

# Uncomment to get a beep at grub start
#GRUB_INIT_TUNE="480 440 1"
`;
}

/**
 * Hand-written in the shape grub-mkconfig gives /boot/grub/grub.cfg on a
 * BIOS Debian 12 with its root (and /boot) in partition 1 of an MBR disk:
 * 00_header's settings, 10_linux's default entry and its "Advanced
 * options" submenu with the recovery entry (which takes GRUB_CMDLINE_LINUX
 * but not GRUB_CMDLINE_LINUX_DEFAULT). Cut to what a boot reads.
 */
function applianceGrubCfg(rootUuid: string, cmdlineLinux: string): string {
  const search = `search --no-floppy --fs-uuid --set=root --hint-bios=hd0,msdos1 --hint-efi=hd0,msdos1 --hint-baremetal=ahci0,msdos1  ${rootUuid}`;
  const entryBody = (indent: string, args: string) => `${indent}load_video
${indent}insmod gzio
${indent}if [ x$grub_platform = xxen ]; then insmod xzio; insmod lzopio; fi
${indent}insmod part_msdos
${indent}insmod ext2
${indent}set root='hd0,msdos1'
${indent}if [ x$feature_platform_search_hint = xy ]; then
${indent}  ${search}
${indent}else
${indent}  search --no-floppy --fs-uuid --set=root ${rootUuid}
${indent}fi
${indent}echo	'Loading Linux ${DEBIAN_KERNEL} ...'
${indent}linux	/boot/vmlinuz-${DEBIAN_KERNEL} root=UUID=${rootUuid} ro ${args}
${indent}echo	'Loading initial ramdisk ...'
${indent}initrd	/boot/initrd.img-${DEBIAN_KERNEL}
`;
  return `#
# DO NOT EDIT THIS FILE
#
# It is automatically generated by grub-mkconfig using templates
# from /etc/grub.d and settings from /etc/default/grub
#

### BEGIN /etc/grub.d/00_header ###
if [ -s $prefix/grubenv ]; then
  set have_grubenv=true
  load_env
fi
if [ "\${next_entry}" ] ; then
   set default="\${next_entry}"
   set next_entry=
   save_env next_entry
   set boot_once=true
else
   set default="0"
fi

if [ x"\${feature_menuentry_id}" = xy ]; then
  menuentry_id_option="--id"
else
  menuentry_id_option=""
fi

export menuentry_id_option

function load_video {
  if [ x$feature_all_video_module = xy ]; then
    insmod all_video
  else
    insmod efi_gop
    insmod efi_uga
    insmod ieee1275_fb
    insmod vbe
    insmod vga
    insmod video_bochs
    insmod video_cirrus
  fi
}

terminal_output gfxterm
set timeout=5
### END /etc/grub.d/00_header ###

### BEGIN /etc/grub.d/10_linux ###
function gfxmode {
	set gfxpayload="\${1}"
}
set linux_gfx_mode=
export linux_gfx_mode
menuentry 'Debian GNU/Linux' --class debian --class gnu-linux --class gnu --class os $menuentry_id_option 'gnulinux-simple-${rootUuid}' {
${entryBody('\t', `${cmdlineLinux} quiet`)}}
submenu 'Advanced options for Debian GNU/Linux' $menuentry_id_option 'gnulinux-advanced-${rootUuid}' {
	menuentry 'Debian GNU/Linux, with Linux ${DEBIAN_KERNEL}' --class debian --class gnu-linux --class gnu --class os $menuentry_id_option 'gnulinux-${DEBIAN_KERNEL}-advanced-${rootUuid}' {
${entryBody('\t\t', `${cmdlineLinux} quiet`)}	}
	menuentry 'Debian GNU/Linux, with Linux ${DEBIAN_KERNEL} (recovery mode)' --class debian --class gnu-linux --class gnu --class os $menuentry_id_option 'gnulinux-${DEBIAN_KERNEL}-recovery-${rootUuid}' {
${entryBody('\t\t', `single ${cmdlineLinux}`)}	}
}

### END /etc/grub.d/10_linux ###
`;
}

function debianAccounts(tree: Tree, rootHash: string, userHash: string): void {
  const users: UserAccount[] = basePasswdUsers().map((u) => ({ ...u, hash: u.name === 'root' ? rootHash : u.hash }));
  const groups: GroupAccount[] = basePasswdGroups();
  // Hand-written: accounts the postinsts add with adduser --system (uids as a
  // Debian 12 install allocates them) and systemd-sysusers.
  groups.push(
    { name: 'systemd-journal', gid: 999, members: [] },
    { name: 'systemd-network', gid: 998, members: [] },
    { name: 'crontab', gid: 101, members: [] },
    { name: 'messagebus', gid: 102, members: [] },
    { name: '_chrony', gid: 103, members: [] },
  );
  users.push(
    { name: 'systemd-network', uid: 998, gid: 998, gecos: 'systemd Network Management', home: '/', shell: '/usr/sbin/nologin', hash: '!*' },
    { name: 'messagebus', uid: 100, gid: 102, gecos: '', home: '/nonexistent', shell: '/usr/sbin/nologin', hash: '*' },
    { name: 'sshd', uid: 101, gid: 65534, gecos: '', home: '/run/sshd', shell: '/usr/sbin/nologin', hash: '*' },
    { name: '_chrony', uid: 102, gid: 103, gecos: 'Chrony daemon,,,', home: '/var/lib/chrony', shell: '/usr/sbin/nologin', hash: '*' },
  );
  // Hand-written: the installer's first user, with its own group, in the groups user-setup adds it to.
  groups.push({ name: DEBIAN_USER, gid: 1000, members: [] });
  addToGroups(groups, DEBIAN_USER, ['cdrom', 'floppy', 'audio', 'dip', 'video', 'plugdev', 'users']);
  users.push({ name: DEBIAN_USER, uid: 1000, gid: 1000, gecos: 'Appliance,,,', home: `/home/${DEBIAN_USER}`, shell: '/bin/bash', hash: userHash });
  writeAccounts(tree, users, groups);
}

/**
 * Debian 12 "as installed", with the traces an install and some use leave:
 * host keys, a machine-id, password hashes, shell histories. Keys carry no
 * leading slash. Tests change entries, then make an image with
 * makeGuestImage (install-like modes and owners) or makeExtImage.
 */
export function debianSystemdGuest(options: GuestStyleOptions = {}): Tree {
  const hostname = options.hostname ?? DEBIAN_HOSTNAME;
  const tree: Tree = {};
  mergedUsrLinks(tree);
  fhsDirectories(tree);
  for (const pkg of DEBIAN_PACKAGES) installPackage(tree, pkg, { mergedUsr: true });

  // /bin/sh is dash (dash's postinst diverts and links it).
  tree['usr/bin/sh'] = { symlink: 'dash' };
  // Stand-in: bash is not in test/data; the real dash ELF takes its place so /bin/bash is an amd64 program.
  tree['usr/bin/bash'] = distroFile('dash', 'bin/dash');
  // systemd-sysv's link; the systemd binary itself is an empty placeholder (only the link matters here).
  tree['usr/sbin/init'] = { symlink: '../lib/systemd/systemd' };
  tree['usr/lib/systemd/systemd'] = '';

  // openssh-server's postinst copies the packaged default into place, then runs ssh-keygen -A.
  tree['etc/ssh/sshd_config'] = distroFile('openssh-server', 'usr/share/openssh/sshd_config');
  tree['etc/ssh/sshd_config.d/'] = '';
  addHostKeys(tree, ['rsa', 'ecdsa', 'ed25519'], hostname);
  // chrony's postinst copies the packaged default into place.
  tree['etc/chrony/chrony.conf'] = distroFile('chrony', 'usr/share/chrony/chrony.conf');

  for (const unit of ENABLED_UNITS) systemdEnable(tree, unit);
  addSysvLinks(tree, INIT_SCRIPTS, 'flat');

  tree['etc/network/interfaces'] = installerInterfaces(DEBIAN_INTERFACE);
  tree['etc/network/interfaces.d/'] = '';
  tree['etc/udev/rules.d/'] = '';
  tree['etc/hostname'] = `${hostname}\n`;
  tree['etc/hosts'] = installerHosts(hostname);
  tree['etc/fstab'] = installerFstab(options.rootUuid ?? DEFAULT_ROOT_UUID);
  // systemd writes it on first boot; dbus's postinst links its own copy to it.
  tree['etc/machine-id'] = `${MACHINE_ID}\n`;
  tree['var/lib/dbus/machine-id'] = { symlink: '/etc/machine-id' };

  debianAccounts(tree, DEBIAN_ROOT_HASH, DEBIAN_USER_HASH);
  tree[`home/${DEBIAN_USER}/`] = '';
  tree[`home/${DEBIAN_USER}/.bash_history`] = 'sudo apt update\nsudo apt install nginx\nsudo systemctl status nginx\ncurl -I http://localhost/\n';
  tree['root/.bash_history'] = 'apt update\napt full-upgrade -y\nvi /etc/ssh/sshd_config\nsystemctl restart ssh\n';

  tree['var/lib/dpkg/status'] = dpkgStatus([
    ...DEBIAN_PACKAGES.map(debian12Package),
    // Hand-written stanza: systemd-sysv (the /sbin/init link) is built from systemd's source, so shares its version.
    { ...debian12Package('systemd'), name: 'systemd-sysv', description: 'system and service manager - SysV compatibility symlinks' },
  ]);
  return tree;
}

/** Hand-written: no package ships it; the appliance guide asks for host keys made at first boot instead of baked in. */
export const SSH_KEYGEN_UNIT = `[Unit]
Description=Regenerate SSH host keys missing from the image
Before=ssh.service

[Service]
Type=oneshot
ExecStart=/usr/bin/ssh-keygen -A

[Install]
WantedBy=multi-user.target
`;

/**
 * The Debian 12 guest prepared for SpotCloud as the appliance guide asks: key
 * logins only, passwords locked, host keys and machine-id left for first
 * boot to make, no shell histories, no persistent-net rules, and the
 * kernel's eth0 naming (net.ifnames=0) with DHCP on eth0, so the card is
 * configured whatever slot a provider's hypervisor puts it in.
 */
export function wellBuiltDebianGuest(options: GuestStyleOptions = {}): Tree {
  const tree = debianSystemdGuest(options);
  // Debian's sshd_config Includes sshd_config.d/*.conf before its own settings, and the first value wins.
  tree['etc/ssh/sshd_config.d/50-appliance.conf'] = '# Key logins only (SpotCloud appliance guide).\nPasswordAuthentication no\n';
  const key = sshKeyPair('ed25519', undefined, 'operator@workstation');
  tree[`home/${DEBIAN_USER}/.ssh/`] = '';
  tree[`home/${DEBIAN_USER}/.ssh/authorized_keys`] = key.publicSsh;
  debianAccounts(tree, '*', '!');
  for (const type of ['rsa', 'ecdsa', 'ed25519']) {
    delete tree[`etc/ssh/ssh_host_${type}_key`];
    delete tree[`etc/ssh/ssh_host_${type}_key.pub`];
  }
  tree['etc/systemd/system/ssh-keygen.service'] = SSH_KEYGEN_UNIT;
  systemdEnable(tree, 'ssh-keygen.service');
  // Empty, not absent: systemd then makes a new id at boot without treating it as a first boot.
  tree['etc/machine-id'] = '';
  delete tree[`home/${DEBIAN_USER}/.bash_history`];
  delete tree['root/.bash_history'];
  delete tree['etc/udev/rules.d/70-persistent-net.rules'];
  // net.ifnames=0 set in /etc/default/grub and update-grub run, then eth0 configured in place of enp0s3.
  const classicNames = 'net.ifnames=0';
  tree['etc/default/grub'] = applianceGrubDefaults(classicNames);
  tree['boot/grub/grub.cfg'] = applianceGrubCfg(options.rootUuid ?? DEFAULT_ROOT_UUID, classicNames);
  tree['etc/network/interfaces'] = installerInterfaces('eth0');

  // apt and unattended-upgrades as a Debian 12 install with automatic updates
  // has them: apt's daily timers enabled by its postinst, the shutdown helper
  // unit by unattended-upgrades' postinst.
  for (const pkg of ['apt', 'unattended-upgrades']) installPackage(tree, pkg, { mergedUsr: true });
  for (const unit of ['apt-daily.timer', 'apt-daily-upgrade.timer', 'unattended-upgrades.service']) systemdEnable(tree, unit);
  // Hand-written as unattended-upgrades' postinst writes it through debconf when
  // "automatically download and install stable updates?" is answered yes (no package ships it).
  tree['etc/apt/apt.conf.d/20auto-upgrades'] = 'APT::Periodic::Update-Package-Lists "1";\nAPT::Periodic::Unattended-Upgrade "1";\n';
  // Hand-written stanzas (dpkg-status.ts has no control data for these); dpkg reads stanzas in any order.
  tree['var/lib/dpkg/status'] = `${readTreeText(tree, 'var/lib/dpkg/status') ?? ''}\n${dpkgStatus([
    { name: 'apt', version: packageVersion('apt'), architecture: 'amd64', description: 'commandline package manager' },
    { name: 'unattended-upgrades', version: packageVersion('unattended-upgrades'), architecture: 'all', description: 'automatic installation of security upgrades' },
  ])}`;

  // Hand-written: no package ships it; the guide asks for a phone-home at boot (curl's program is not in test/data).
  tree['etc/systemd/system/announce-boot.service'] = `[Unit]
Description=Announce this appliance once the network is up
Wants=network-online.target
After=network-online.target

[Service]
Type=oneshot
ExecStart=/usr/bin/curl -fsS --retry 10 --retry-connrefused --data-urlencode host=%H https://jobs.example.com/appliance-ready

[Install]
WantedBy=multi-user.target
`;
  systemdEnable(tree, 'announce-boot.service');
  return tree;
}
