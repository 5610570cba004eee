// Network facts read from real ext4 guests, through the built code.
import { chmodSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { NetworkFacts } from '../../dist/inspect/facts/guest-facts.js';
import { readNetworkFacts } from '../../dist/inspect/facts/network/read-network-facts.js';
import { tempDir, writeTree, type Tree } from '../helpers/build-image.js';
import { distroText } from '../helpers/guest-styles/distro-file.js';
import { openGuest, openGuestDirectory, type OpenedGuest } from '../helpers/open-guest.js';

const DEBIAN = 'test/data/distro/debian-12';
const debianFile = (path: string) => readFileSync(join(DEBIAN, path), 'utf8');

// What debian-installer writes for a DHCP install: no package ships it.
const DEBIAN_INSTALLER_INTERFACES = `# This file describes the network interfaces available on your system
# and how to activate them. For more information, see interfaces(5).

source /etc/network/interfaces.d/*

# The loopback network interface
auto lo
iface lo inet loopback

# The primary network interface
allow-hotplug eth0
iface eth0 inet dhcp
`;

// As Debian 12's systemd and udev install them in /lib/systemd/network.
const VENDOR_HOST0_NETWORK = distroText('systemd', 'lib/systemd/network/80-container-host0.network');
const VENDOR_VM_VT_NETWORK = distroText('systemd', 'lib/systemd/network/80-vm-vt.network');
const VENDOR_DEFAULT_LINK = distroText('udev', 'lib/systemd/network/99-default.link');

/** Opens the guest, reads its network facts, closes it. */
async function networkFactsOf(open: () => Promise<OpenedGuest>): Promise<NetworkFacts> {
  const opened = await open();
  try {
    return await readNetworkFacts(opened.guest);
  } finally {
    await opened.inspected.close();
  }
}

describe('a Debian guest with ifupdown and includes', () => {
  let facts: NetworkFacts;
  beforeAll(async () => {
    const tree: Tree = {
      'etc/os-release': debianFile('base-files/usr/lib/os-release'),
      'etc/network/interfaces': DEBIAN_INSTALLER_INTERFACES,
      'etc/network/interfaces.d/eth1': 'auto eth1\niface eth1 inet static\n    address 192.0.2.10/24\n\nsource-directory ../more.d\n',
      'etc/network/interfaces.d/loop': 'source /etc/network/interfaces.d/loop\n',
      'etc/network/more.d/eth2': 'auto eth2\niface eth2 inet dhcp\n',
      // Not a run-parts name: source-directory passes over it.
      'etc/network/more.d/eth3.cfg': 'auto eth3\niface eth3 inet dhcp\n',
      'etc/network/more.d/subdir/': '',
      'etc/NetworkManager/NetworkManager.conf': debianFile('network-manager/etc/NetworkManager/NetworkManager.conf'),
      'lib/systemd/network/80-container-host0.network': VENDOR_HOST0_NETWORK,
      'lib/systemd/network/99-default.link': VENDOR_DEFAULT_LINK,
      'etc/udev/rules.d/70-persistent-net.rules': 'SUBSYSTEM=="net", ACTION=="add", ATTR{address}=="52:54:00:12:34:56", NAME="eth0"\n',
    };
    facts = await networkFactsOf(() => openGuest(tree));
  });

  it('finds ifupdown, and NetworkManager by its configuration file, but not networkd by systemd\'s templates', () => {
    expect(facts.stacks).toEqual(['ifupdown', 'networkmanager']);
  });

  it('follows source globs and a relative source-directory, and decides boot across files', () => {
    expect(facts.interfaces).toEqual([
      { stack: 'ifupdown', interface: 'lo', method: 'loopback', atBoot: true, source: { path: '/etc/network/interfaces', line: 8 } },
      { stack: 'ifupdown', interface: 'eth0', method: 'dhcp', atBoot: true, hotplug: true, source: { path: '/etc/network/interfaces', line: 12 } },
      { stack: 'ifupdown', interface: 'eth1', method: 'static', atBoot: true, source: { path: '/etc/network/interfaces.d/eth1', line: 2 } },
      { stack: 'ifupdown', interface: 'eth2', method: 'dhcp', atBoot: true, source: { path: '/etc/network/more.d/eth2', line: 2 } },
    ]);
  });

  it('stops an include loop and says so', () => {
    expect(facts.problems).toEqual([
      { path: '/etc/network/interfaces.d/loop', message: '/etc/network/interfaces.d/loop is included again (an include loop?); it was read once' },
    ]);
  });
});

describe('a Red Hat guest with ifcfg files and a NetworkManager profile', () => {
  let facts: NetworkFacts;
  beforeAll(async () => {
    const directory = tempDir('rhel-network');
    // Written as a RHEL 8 install leaves them; no reachable package ships these.
    writeTree(directory, {
      'etc/os-release': 'NAME="Red Hat Enterprise Linux"\nVERSION="8.9 (Ootpa)"\nID="rhel"\nID_LIKE="fedora"\nVERSION_ID="8.9"\n',
      'etc/sysconfig/network': '# Created by anaconda\n',
      'etc/sysconfig/network-scripts/ifcfg-eth0': 'TYPE=Ethernet\nBOOTPROTO=dhcp\nNAME=eth0\nDEVICE=eth0\nONBOOT=yes\nHWADDR=52:54:00:9A:BC:DE\n',
      'etc/sysconfig/network-scripts/ifcfg-eth0.bak': 'DEVICE=eth0\nONBOOT=yes\nHWADDR=52:54:00:00:00:99\n',
      'etc/sysconfig/network-scripts/ifcfg-lo': 'DEVICE=lo\nIPADDR=127.0.0.1\nNETMASK=255.0.0.0\nNETWORK=127.0.0.0\nONBOOT=yes\nNAME=loopback\n',
      'etc/NetworkManager/NetworkManager.conf': '[main]\n#plugins=keyfile,ifcfg-rh\n',
      'etc/NetworkManager/system-connections/eth1.nmconnection':
        '[connection]\nid=eth1\nuuid=0d4a3a4c-5f0e-4b0a-9d1e-2f7c8e9a1b2c\ntype=ethernet\ninterface-name=eth1\n\n[ethernet]\nmac-address=52:54:00:AB:CD:EF\n\n[ipv4]\nmethod=manual\naddress1=192.0.2.20/24\n\n[ipv6]\nmethod=ignore\n',
      'etc/NetworkManager/system-connections/open.nmconnection': '[connection]\nid=open\ntype=ethernet\n',
    });
    chmodSync(join(directory, 'etc/NetworkManager/system-connections/eth1.nmconnection'), 0o600);
    chmodSync(join(directory, 'etc/NetworkManager/system-connections/open.nmconnection'), 0o644);
    facts = await networkFactsOf(() => openGuestDirectory(directory));
  });

  it('finds both stacks; /etc/sysconfig/network being a file is no SUSE directory', () => {
    expect(facts.stacks).toEqual(['networkmanager', 'ifcfg-rhel']);
  });

  it('pins eth0 on HWADDR and eth1 on mac-address, and passes over the backup', () => {
    const nm = '/etc/NetworkManager/system-connections/eth1.nmconnection';
    const eth0 = '/etc/sysconfig/network-scripts/ifcfg-eth0';
    expect(facts.interfaces).toEqual([
      { stack: 'networkmanager', interface: 'eth1', method: 'static', atBoot: true, macPin: { mac: '52:54:00:ab:cd:ef', source: { path: nm, line: 8 } }, source: { path: nm, line: 1 } },
      { stack: 'ifcfg-rhel', interface: 'eth0', method: 'dhcp', atBoot: true, macPin: { mac: '52:54:00:9a:bc:de', source: { path: eth0, line: 6 } }, source: { path: eth0, line: 4 } },
      { stack: 'ifcfg-rhel', interface: 'lo', method: 'loopback', atBoot: true, source: { path: '/etc/sysconfig/network-scripts/ifcfg-lo', line: 1 } },
    ]);
  });

  it('leaves out a profile others can read, as NetworkManager does, and says why', () => {
    expect(facts.problems).toEqual([
      {
        path: '/etc/NetworkManager/system-connections/open.nmconnection',
        message: '/etc/NetworkManager/system-connections/open.nmconnection: owner uid 0, mode 644; NetworkManager ignores a connection file that is not root\'s with mode 600',
      },
    ]);
  });
});

describe('a guest with netplan and networkd, a .link MAC pin and a mask', () => {
  let facts: NetworkFacts;
  beforeAll(async () => {
    facts = await networkFactsOf(() =>
      openGuest({
        'etc/os-release': 'NAME="Ubuntu"\nVERSION_ID="22.04"\nID=ubuntu\nID_LIKE=debian\n',
        // Shaped like cloud-init's netplan output; hand-written.
        'etc/netplan/50-cloud-init.yaml': 'network:\n  version: 2\n  ethernets:\n    eth0:\n      match:\n        macaddress: "52:54:00:AA:BB:01"\n      set-name: eth0\n      dhcp4: true\n',
        'lib/netplan/50-cloud-init.yaml': 'network:\n  ethernets:\n    hidden0:\n      dhcp4: true\n',
        'lib/netplan/60-extra.yaml': 'network:\n  ethernets:\n    eth1:\n      addresses: [192.0.2.30/24]\n',
        'etc/netplan/99-broken.yaml': 'network:\n  ethernets: [\n',
        'etc/systemd/network/10-wan.link': '[Match]\nMACAddress=52:54:00:aa:bb:02\n\n[Link]\nName=wan0\n',
        'etc/systemd/network/20-wan.network': '[Match]\nName=wan0\n\n[Network]\nDHCP=yes\n',
        'etc/systemd/network/80-container-host0.network': { symlink: '/dev/null' },
        'lib/systemd/network/80-container-host0.network': VENDOR_HOST0_NETWORK,
        'lib/systemd/network/80-vm-vt.network': VENDOR_VM_VT_NETWORK,
        'lib/systemd/network/99-default.link': VENDOR_DEFAULT_LINK,
      }),
    );
  });

  it('finds both stacks', () => {
    expect(facts.stacks).toEqual(['netplan', 'systemd-networkd']);
  });

  it('lets /etc/netplan shadow /lib/netplan by name and reads the MAC match', () => {
    expect(facts.interfaces.filter((c) => c.stack === 'netplan')).toEqual([
      {
        stack: 'netplan', interface: 'eth0', method: 'dhcp', atBoot: true,
        macPin: { mac: '52:54:00:aa:bb:01', source: { path: '/etc/netplan/50-cloud-init.yaml', line: 6 } },
        source: { path: '/etc/netplan/50-cloud-init.yaml', line: 4 },
      },
      { stack: 'netplan', interface: 'eth1', method: 'static', atBoot: true, source: { path: '/lib/netplan/60-extra.yaml', line: 3 } },
    ]);
  });

  it('reports the .link pin, skips the masked template, keeps the unmasked one', () => {
    expect(facts.interfaces.filter((c) => c.stack === 'systemd-networkd')).toEqual([
      {
        stack: 'systemd-networkd', interface: 'wan0', method: 'other',
        macPin: { mac: '52:54:00:aa:bb:02', source: { path: '/etc/systemd/network/10-wan.link', line: 2 } },
        source: { path: '/etc/systemd/network/10-wan.link', line: 1 },
      },
      { stack: 'systemd-networkd', interface: 'wan0', method: 'dhcp', atBoot: true, source: { path: '/etc/systemd/network/20-wan.network', line: 1 } },
      { stack: 'systemd-networkd', namePattern: 'vt-*', method: 'static', atBoot: true, source: { path: '/lib/systemd/network/80-vm-vt.network', line: 17 } },
    ]);
  });

  it('says a broken netplan file stops netplan, with its line', () => {
    expect(facts.problems).toHaveLength(1);
    expect(facts.problems[0]!.path).toBe('/etc/netplan/99-broken.yaml');
    expect(facts.problems[0]!.message).toMatch(/^\/etc\/netplan\/99-broken\.yaml line \d+: .+; netplan generates no configuration at all while a file is broken$/);
  });
});

describe('a SUSE guest with ifcfg files', () => {
  let facts: NetworkFacts;
  beforeAll(async () => {
    // Written as YaST writes them; no reachable package ships these.
    facts = await networkFactsOf(() =>
      openGuest({
        'etc/os-release': 'NAME="openSUSE Leap"\nVERSION_ID="15.5"\nID="opensuse-leap"\nID_LIKE="suse opensuse"\n',
        'etc/sysconfig/network/config': 'NETCONFIG_MODULES_ORDER="dns-resolver dns-bind ntp-runtime"\n',
        'etc/sysconfig/network/ifroute-eth0': 'default 192.0.2.1 - eth0\n',
        'etc/sysconfig/network/ifcfg-eth0': "BOOTPROTO='dhcp'\nSTARTMODE='auto'\nLLADDR='52:54:00:00:00:02'\n",
        'etc/sysconfig/network/ifcfg-lo': "IPADDR='127.0.0.1/8'\nNETMASK='255.0.0.0'\nNETWORK='127.0.0.0'\nBROADCAST='127.255.255.255'\nSTARTMODE='nfsroot'\nBOOTPROTO='static'\nUSERCONTROL='no'\nFIREWALL='no'\n",
      }),
    );
  });

  it('reads each ifcfg file and nothing else in the directory', () => {
    expect(facts).toEqual({
      stacks: ['ifcfg-suse'],
      interfaces: [
        { stack: 'ifcfg-suse', interface: 'eth0', method: 'dhcp', atBoot: true, source: { path: '/etc/sysconfig/network/ifcfg-eth0' } },
        { stack: 'ifcfg-suse', interface: 'lo', method: 'loopback', atBoot: true, source: { path: '/etc/sysconfig/network/ifcfg-lo' } },
      ],
      problems: [],
    });
  });
});
