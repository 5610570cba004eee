// The pure network configuration parsers, one stack at a time, on real
// Debian 12 files where a package ships one and hand-written files (said so
// where they are) where none does.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseIfcfgRhel } from '../../src/inspect/facts/network/ifcfg-rhel.js';
import { isIgnoredIfcfgName } from '../../src/inspect/facts/network/ifcfg-names.js';
import { parseIfcfgSuse } from '../../src/inspect/facts/network/ifcfg-suse.js';
import { ifupdownConfigs, parseIfupdown, parseInterfacesFile } from '../../src/inspect/facts/network/ifupdown.js';
import { normaliseMac } from '../../src/inspect/facts/network/mac-address.js';
import { mergeNetplanDefinitions, netplanConfig, parseNetplan, parseNetplanFile } from '../../src/inspect/facts/network/netplan.js';
import { isIgnoredKeyfileName, parseNetworkManagerKeyfile } from '../../src/inspect/facts/network/networkmanager-keyfile.js';
import { parseShellAssignments } from '../../src/inspect/facts/network/shell-assignments.js';
import { parseSystemdNetworkd } from '../../src/inspect/facts/network/systemd-networkd.js';
import { distroText } from '../helpers/guest-styles/distro-file.js';

const NETPLAN_EXAMPLES = 'test/data/distro/debian-12/netplan.io/usr/share/doc/netplan/examples';
const example = (name: string) => readFileSync(join(NETPLAN_EXAMPLES, name), 'utf8');

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

describe('MAC addresses', () => {
  it('normalise every way the stacks write them', () => {
    expect(normaliseMac('52:54:00:AB:CD:EF')).toBe('52:54:00:ab:cd:ef');
    expect(normaliseMac('0:1b:21:a:b:c')).toBe('00:1b:21:0a:0b:0c');
    expect(normaliseMac('52-54-00-ab-cd-ef')).toBe('52:54:00:ab:cd:ef');
    expect(normaliseMac('0;27;33;10;11;12;')).toBe('00:1b:21:0a:0b:0c');
    expect(normaliseMac('not a mac')).toBeUndefined();
    expect(normaliseMac('52:54:00:ab:cd')).toBeUndefined();
    expect(normaliseMac('0;27;33;10;11;300;')).toBeUndefined();
  });
});

describe('ifupdown', () => {
  it('reads the installer\'s interfaces file: lo at boot, eth0 at boot through hotplug, the include listed', () => {
    const path = '/etc/network/interfaces';
    expect(parseIfupdown(DEBIAN_INSTALLER_INTERFACES, path)).toEqual([
      { stack: 'ifupdown', interface: 'lo', method: 'loopback', atBoot: true, source: { path, line: 8 } },
      { stack: 'ifupdown', interface: 'eth0', method: 'dhcp', atBoot: true, hotplug: true, source: { path, line: 12 } },
    ]);
    expect(parseInterfacesFile(DEBIAN_INSTALLER_INTERFACES, path).includes).toEqual([
      { kind: 'source', pattern: '/etc/network/interfaces.d/*', line: 4 },
    ]);
  });

  it('joins continued lines, ignores comments, and keeps hwaddress from pinning', () => {
    const text = [
      '# auto eth9 is a comment, not a mark',
      'auto \\',
      '  eth1 eth2',
      'iface eth1 inet static',
      '    address 192.0.2.10/24',
      '    hwaddress ether 52:54:00:12:34:56',
      'iface eth1 inet6 auto',
      'iface eth2 inet manual',
      'iface eth3 inet dhcp',
      'allow-ovs eth4',
      'iface eth4 inet dhcp',
      'iface eth9 inet dhcp',
    ].join('\n');
    const configs = parseIfupdown(text, '/etc/network/interfaces');
    expect(configs.map((c) => [c.interface, c.method, c.atBoot, c.source.line])).toEqual([
      ['eth1', 'static', true, 4],
      ['eth1', 'other', true, 7],
      ['eth2', 'manual', true, 8],
      ['eth3', 'dhcp', false, 9],
      ['eth4', 'dhcp', false, 11],
      ['eth9', 'dhcp', false, 12],
    ]);
    expect(configs.some((c) => c.macPin !== undefined || c.hotplug !== undefined)).toBe(false);
  });

  it('resolves relative includes from the including file and decides boot across files', () => {
    const main = parseInterfacesFile('auto eth1\nsource-directory extra\nsource ../other.d/*.cfg\n', '/etc/network/interfaces');
    expect(main.includes).toEqual([
      { kind: 'source-directory', pattern: '/etc/network/extra', line: 2 },
      { kind: 'source', pattern: '/etc/other.d/*.cfg', line: 3 },
    ]);
    const included = parseInterfacesFile('iface eth1 inet dhcp\n', '/etc/network/extra/eth1');
    expect(ifupdownConfigs([main, included])).toEqual([
      { stack: 'ifupdown', interface: 'eth1', method: 'dhcp', atBoot: true, source: { path: '/etc/network/extra/eth1', line: 1 } },
    ]);
  });

  it('lets auto win over allow-hotplug for the same interface', () => {
    const [config] = parseIfupdown('allow-hotplug eth0\nauto eth0\niface eth0 inet dhcp\n', '/etc/network/interfaces');
    expect(config).toMatchObject({ atBoot: true });
    expect(config!.hotplug).toBeUndefined();
  });
});

describe('netplan, on the examples Debian\'s netplan.io ships', () => {
  it('reads dhcp.yaml and static.yaml', () => {
    const dhcp = `${NETPLAN_EXAMPLES}/dhcp.yaml`;
    expect(parseNetplan(example('dhcp.yaml'), dhcp)).toEqual([
      { stack: 'netplan', interface: 'enp3s0', method: 'dhcp', atBoot: true, source: { path: dhcp, line: 5 } },
    ]);
    const [staticConfig] = parseNetplan(example('static.yaml'), '/etc/netplan/static.yaml');
    expect(staticConfig).toEqual({ stack: 'netplan', interface: 'enp3s0', method: 'static', atBoot: true, source: { path: '/etc/netplan/static.yaml', line: 5 } });
  });

  it('reads the MAC match and set-name of vlan.yaml, and its VLANs', () => {
    const path = '/etc/netplan/vlan.yaml';
    expect(parseNetplan(example('vlan.yaml'), path)).toEqual([
      {
        stack: 'netplan', interface: 'mainif', method: 'static', atBoot: true, source: { path, line: 5 },
        macPin: { mac: 'de:ad:be:ef:ca:fe', source: { path, line: 7 } },
      },
      { stack: 'netplan', interface: 'vlan15', method: 'static', atBoot: true, source: { path, line: 17 } },
      { stack: 'netplan', interface: 'vlan10', method: 'static', atBoot: true, source: { path, line: 21 } },
    ]);
  });

  it('keeps a glob match as a pattern (sriov.yaml) and a plain one as the name (loopback_interface.yaml)', () => {
    const vf1 = parseNetplan(example('sriov.yaml'), 'sriov.yaml').find((c) => c.source.line === 11);
    expect(vf1).toEqual({ stack: 'netplan', namePattern: 'enp1s16f[2-3]', method: 'static', atBoot: true, source: { path: 'sriov.yaml', line: 11 } });
    expect(parseNetplan(example('loopback_interface.yaml'), 'lo.yaml')).toEqual([
      { stack: 'netplan', interface: 'lo', method: 'static', atBoot: true, source: { path: 'lo.yaml', line: 5 } },
    ]);
  });

  it('reads YAML 1.1 booleans as netplan does (bonding.yaml "dhcp4: yes", bridge.yaml "dhcp4: no")', () => {
    expect(parseNetplan(example('bonding.yaml'), 'b').map((c) => [c.interface, c.method, c.source.line])).toEqual([
      ['enp3s0', 'other', 5],
      ['enp4s0', 'other', 6],
      ['bond0', 'dhcp', 8],
    ]);
    expect(parseNetplan(example('bridge.yaml'), 'b').map((c) => [c.interface, c.method])).toEqual([
      ['enp3s0', 'other'],
      ['br0', 'dhcp'],
    ]);
    expect(parseNetplan(example('wireless.yaml'), 'w')).toEqual([
      { stack: 'netplan', interface: 'wlp2s0b1', method: 'static', atBoot: true, source: { path: 'w', line: 5 } },
    ]);
    expect(parseNetplan(example('network_manager.yaml'), 'n')).toEqual([]);
  });

  it('parses every shipped example, each definition\'s line naming its id', () => {
    const names = readdirSync(NETPLAN_EXAMPLES).filter((name) => name.endsWith('.yaml'));
    expect(names.length).toBeGreaterThan(20);
    for (const name of names) {
      const text = example(name);
      const lines = text.split('\n');
      const parsed = parseNetplanFile(text, name);
      expect(parsed.errors, name).toEqual([]);
      for (const definition of parsed.definitions) {
        expect(lines[definition.line - 1], `${name}: ${definition.id}`).toMatch(new RegExp(`^\\s+"?${definition.id.replace(/[.[\]]/g, '\\$&')}"?\\s*:`));
      }
    }
  });

  it('reports broken YAML with its line, honours activation-mode, and merges files by id', () => {
    const broken = parseNetplanFile('network:\n  ethernets:\n    eth0: {dhcp4: true\n', 'broken.yaml');
    expect(broken.errors.length).toBeGreaterThan(0);
    expect(broken.errors[0]).toMatch(/^line \d+: /);
    expect(parseNetplan('network:\n  ethernets:\n    eth0:\n      activation-mode: manual\n      dhcp4: true\n', 'a')[0]).toMatchObject({ atBoot: false, method: 'dhcp' });
    const first = parseNetplanFile('network:\n  ethernets:\n    eth0:\n      addresses: [192.0.2.1/24]\n', '/etc/netplan/10-a.yaml').definitions;
    const second = parseNetplanFile('network:\n  ethernets:\n    eth0:\n      dhcp4: on\n      match: {macaddress: "52:54:00:AA:BB:CC"}\n', '/etc/netplan/20-b.yaml').definitions;
    expect(mergeNetplanDefinitions([...first, ...second]).map(netplanConfig)).toEqual([
      {
        stack: 'netplan', method: 'dhcp', atBoot: true, source: { path: '/etc/netplan/10-a.yaml', line: 3 },
        macPin: { mac: '52:54:00:aa:bb:cc', source: { path: '/etc/netplan/20-b.yaml', line: 5 } },
      },
    ]);
  });
});

// As Debian 12's systemd and udev install them in /lib/systemd/network.
const CONTAINER_HOST0_NETWORK = distroText('systemd', 'lib/systemd/network/80-container-host0.network');
const DEFAULT_LINK = distroText('udev', 'lib/systemd/network/99-default.link');
const USB_NET_BY_MAC_LINK = distroText('udev', 'lib/systemd/network/73-usb-net-by-mac.link');

describe('systemd-networkd', () => {
  it('reads a shipped .network file', () => {
    expect(parseSystemdNetworkd(CONTAINER_HOST0_NETWORK, '/lib/systemd/network/80-container-host0.network')).toEqual([
      { stack: 'systemd-networkd', interface: 'host0', method: 'dhcp', atBoot: true, source: { path: '/lib/systemd/network/80-container-host0.network', line: 18 } },
    ]);
  });

  it('turns lists and globs into a pattern, MACAddress= into a pin, [Address] into static', () => {
    const path = '/etc/systemd/network/20-wired.network';
    const text = '[Match]\nName=en* eth*\nMACAddress=52:54:00:AB:CD:EF\n\n[Network]\nDHCP=no\n\n[Address]\nAddress=192.0.2.5/24\n';
    expect(parseSystemdNetworkd(text, path)).toEqual([
      {
        stack: 'systemd-networkd', namePattern: 'en* eth*', method: 'static', atBoot: true, source: { path, line: 1 },
        macPin: { mac: '52:54:00:ab:cd:ef', source: { path, line: 3 } },
      },
    ]);
  });

  it('resets a list on an empty assignment, and reads Unmanaged= and ActivationPolicy=', () => {
    const reset = parseSystemdNetworkd('[Match]\nName=en*\nName=\nName=eth0\n[Network]\nDHCP=ipv4\n', 'x.network')[0]!;
    expect(reset).toMatchObject({ interface: 'eth0', method: 'dhcp', atBoot: true });
    expect(reset.namePattern).toBeUndefined();
    expect(parseSystemdNetworkd('[Match]\nName=eth0\n[Link]\nUnmanaged=yes\n', 'x.network')[0]).toMatchObject({ atBoot: false, method: 'other' });
    expect(parseSystemdNetworkd('[Match]\nName=eth0\n[Link]\nActivationPolicy=manual\n[Network]\nAddress=192.0.2.1/24\n', 'x.network')[0]).toMatchObject({ atBoot: false, method: 'static' });
  });

  it('reports a .link file that names a card by its MAC, and not the default naming policy', () => {
    const path = '/etc/systemd/network/10-wan.link';
    expect(parseSystemdNetworkd('[Match]\nPermanentMACAddress=52:54:00:12:34:56\n\n[Link]\nName=wan0\n', path)).toEqual([
      { stack: 'systemd-networkd', interface: 'wan0', method: 'other', macPin: { mac: '52:54:00:12:34:56', source: { path, line: 2 } }, source: { path, line: 1 } },
    ]);
    expect(parseSystemdNetworkd(DEFAULT_LINK, '/lib/systemd/network/99-default.link')).toEqual([]);
    // NamePolicy=mac names USB cards after whatever MAC they have: no one card is pinned.
    expect(parseSystemdNetworkd(USB_NET_BY_MAC_LINK, '/lib/systemd/network/73-usb-net-by-mac.link')).toEqual([]);
    expect(parseSystemdNetworkd('[Match]\nMACAddress=52:54:00:12:34:56\n\n[Link]\nMTUBytes=9000\n', path)).toEqual([]);
  });
});

// No reachable package ships a connection profile (NetworkManager writes them
// at run time); these are written the way nmcli and the installer write them.
describe('NetworkManager keyfiles', () => {
  it('reads a wired profile bound to a MAC', () => {
    const path = '/etc/NetworkManager/system-connections/Wired connection 1.nmconnection';
    const text = [
      '[connection]',
      'id=Wired connection 1',
      'uuid=4b5c2e1a-7c57-3e5e-9d3a-1c9b7e0d2f11',
      'type=ethernet',
      'autoconnect-priority=-999',
      'timestamp=1700000000',
      '',
      '[ethernet]',
      'mac-address=52:54:00:AB:CD:EF',
      'cloned-mac-address=preserve',
      '',
      '[ipv4]',
      'method=auto',
      '',
      '[ipv6]',
      'addr-gen-mode=stable-privacy',
      'method=auto',
      '',
      '[proxy]',
    ].join('\n');
    expect(parseNetworkManagerKeyfile(text, path)).toEqual([
      { stack: 'networkmanager', method: 'dhcp', atBoot: true, macPin: { mac: '52:54:00:ab:cd:ef', source: { path, line: 9 } }, source: { path, line: 1 } },
    ]);
  });

  it('reads old byte-list MACs, autoconnect=false, manual and disabled methods, and the defaults', () => {
    const legacy = parseNetworkManagerKeyfile('[connection]\nid=eth0\ntype=802-3-ethernet\ninterface-name=eth0\nautoconnect=false\n\n[802-3-ethernet]\nmac-address=0;27;33;10;11;12;\n\n[ipv4]\nmethod=manual\naddress1=192.0.2.4/24\n', 'p')[0];
    expect(legacy).toMatchObject({ interface: 'eth0', atBoot: false, method: 'static', macPin: { mac: '00:1b:21:0a:0b:0c' } });
    expect(parseNetworkManagerKeyfile('[connection]\nid=x\ntype=ethernet\n', 'p')[0]).toMatchObject({ method: 'dhcp', atBoot: true });
    expect(parseNetworkManagerKeyfile('[connection]\nid=x\ntype=ethernet\n[ipv4]\nmethod=disabled\n[ipv6]\nmethod=ignore\n', 'p')[0]).toMatchObject({ method: 'disabled' });
    expect(parseNetworkManagerKeyfile('[connection]\nid=lo\ntype=loopback\ninterface-name=lo\n', 'p')[0]).toMatchObject({ method: 'loopback', interface: 'lo' });
    expect(parseNetworkManagerKeyfile('[wifi]\nssid=x\n', 'p')).toEqual([]);
  });

  it('passes over the files NetworkManager passes over', () => {
    expect(['eth0.nmconnection', 'legacy-profile', 'x.nmconnection~', '.hidden', 'x.rpmsave', 'x.dpkg-old'].filter((n) => !isIgnoredKeyfileName(n))).toEqual([
      'eth0.nmconnection',
      'legacy-profile',
    ]);
  });
});

describe('shell-style ifcfg values', () => {
  it('unquote like sh and stop at a comment', () => {
    const vars = parseShellAssignments(`A="quoted value"\nB='single'  # comment\nC=plain # comment\nD=e\\ f\nexport E="x\\"y"\n# F=no\nA=again\n`);
    expect(Object.fromEntries([...vars].map(([k, v]) => [k, v.value]))).toEqual({ A: 'again', B: 'single', C: 'plain', D: 'e f', E: 'x"y' });
    expect(vars.get('A')!.line).toBe(7);
  });

  it('skip backup and leftover files', () => {
    expect(['ifcfg-eth0', 'ifcfg-eth0.bak', 'ifcfg-eth0~', 'ifcfg-eth0.orig', 'ifcfg-eth0.rpmsave', 'ifcfg-eth0.rpmnew', 'ifroute-eth0', 'ifcfg-lo'].filter((n) => !isIgnoredIfcfgName(n))).toEqual([
      'ifcfg-eth0',
      'ifcfg-lo',
    ]);
  });
});

// Written as RHEL 7's installer (anaconda) writes them; no reachable package ships one.
describe('Red Hat ifcfg', () => {
  it('pins on HWADDR and reads ONBOOT and BOOTPROTO', () => {
    const path = '/etc/sysconfig/network-scripts/ifcfg-eth0';
    const text = 'TYPE=Ethernet\nBOOTPROTO=dhcp\nDEFROUTE=yes\nNAME=eth0\nUUID=5fb06bd0-0bb0-7ffb-45f1-d6edd65f3e03\nDEVICE=eth0\nONBOOT=yes\nHWADDR="52:54:00:9A:BC:DE"\n';
    expect(parseIfcfgRhel(text, path)).toEqual([
      { stack: 'ifcfg-rhel', interface: 'eth0', method: 'dhcp', atBoot: true, macPin: { mac: '52:54:00:9a:bc:de', source: { path, line: 8 } }, source: { path, line: 6 } },
    ]);
  });

  it('takes none with an address as static, MACADDR as no pin, the file name when DEVICE is missing', () => {
    const [config] = parseIfcfgRhel("BOOTPROTO=none\nIPADDR0='192.0.2.7'\nPREFIX0=24\nMACADDR=52:54:00:00:00:01\nONBOOT=no\n", '/etc/sysconfig/network-scripts/ifcfg-ens3');
    expect(config).toEqual({ stack: 'ifcfg-rhel', interface: 'ens3', method: 'static', atBoot: false, source: { path: '/etc/sysconfig/network-scripts/ifcfg-ens3' } });
    expect(parseIfcfgRhel('BOOTPROTO=none\n', 'x/ifcfg-eth1')[0]).toMatchObject({ method: 'manual', atBoot: true });
    expect(parseIfcfgRhel('DEVICE=lo\nIPADDR=127.0.0.1\nNETMASK=255.0.0.0\nONBOOT=yes\nNAME=loopback\n', 'x/ifcfg-lo')[0]).toMatchObject({ interface: 'lo', method: 'loopback', atBoot: true });
  });
});

// Written as YaST writes them; no reachable package ships one.
describe('SUSE ifcfg', () => {
  it('reads STARTMODE and BOOTPROTO; LLADDR does not pin', () => {
    const path = '/etc/sysconfig/network/ifcfg-eth0';
    expect(parseIfcfgSuse("BOOTPROTO='dhcp'\nSTARTMODE='auto'\nLLADDR='52:54:00:00:00:02'\n", path)).toEqual([
      { stack: 'ifcfg-suse', interface: 'eth0', method: 'dhcp', atBoot: true, source: { path } },
    ]);
    expect(parseIfcfgSuse("BOOTPROTO='static'\nIPADDR='192.0.2.9/24'\nSTARTMODE='hotplug'\n", 'x/ifcfg-eth1')[0]).toMatchObject({ method: 'static', atBoot: true, hotplug: true });
    expect(parseIfcfgSuse("BOOTPROTO='none'\nSTARTMODE='manual'\n", 'x/ifcfg-eth2')[0]).toMatchObject({ method: 'manual', atBoot: false });
    const unsaid = parseIfcfgSuse("BOOTPROTO='dhcp4'\n", 'x/ifcfg-eth3')[0]!;
    expect(unsaid.atBoot).toBeUndefined();
    expect(parseIfcfgSuse("IPADDR='127.0.0.1/8'\nSTARTMODE='nfsroot'\nBOOTPROTO='static'\n", 'x/ifcfg-lo')[0]).toMatchObject({ interface: 'lo', method: 'loopback', atBoot: true });
  });

  it('pins the old ifcfg-eth-id-<MAC> files to their MAC', () => {
    const path = '/etc/sysconfig/network/ifcfg-eth-id-00:16:3E:12:34:56';
    expect(parseIfcfgSuse("BOOTPROTO='dhcp'\nSTARTMODE='onboot'\n", path)).toEqual([
      { stack: 'ifcfg-suse', method: 'dhcp', atBoot: true, macPin: { mac: '00:16:3e:12:34:56', source: { path } }, source: { path } },
    ]);
  });
});
