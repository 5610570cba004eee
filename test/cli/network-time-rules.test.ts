// The network and time rules (time-sync, mac-pinned-network-config,
// network-dhcp, persistent-net-rules) on real ext4 guests built from Debian
// 12's own files (test/helpers/guest-styles), through the CLI's JSON report:
// for each rule, guests that trigger it and guests that do not.
import { describe, expect, it } from 'vitest';
import type { Tree } from '../helpers/build-image.js';
import {
  DEBIAN_INTERFACE, NIC_MAC, debianSystemdGuest, distroText, dpkgStatus, installPackage, packageVersion, rhelNetworkManagerGuest,
  systemdEnable, sysvLegacyGuest, wellBuiltDebianGuest,
} from '../helpers/guest-styles/index.js';
import { byRule, lintGuest, type JsonFinding } from '../helpers/lint-guest.js';
import { parseUdevMacNames } from '../../src/rules/support/udev-mac-names.js';
import { networkManagerSettings } from '../../src/rules/support/networkmanager-settings.js';
import { parseNetplanRenderers, resolveNetplanRenderers } from '../../src/rules/support/netplan-renderers.js';

const RULES = ['time-sync', 'mac-pinned-network-config', 'network-dhcp', 'persistent-net-rules'];
const ours = (findings: JsonFinding[]) => findings.filter((f) => RULES.includes(f.ruleId));
const netplanExample = (name: string) => distroText('netplan.io', `usr/share/doc/netplan/examples/${name}`);

/** Every link `systemctl enable UNIT` made, gone: the unit is installed but not enabled. */
function disable(tree: Tree, unit: string): Tree {
  for (const key of Object.keys(tree)) {
    if (key.startsWith('etc/systemd/system/') && (key.endsWith(`/${unit}`) || key === `etc/systemd/system/${unit}`)) delete tree[key];
  }
  return tree;
}

/** The Debian guest without ifupdown at boot: networking.service disabled, only lo left in /etc/network/interfaces. */
function withoutIfupdown(tree: Tree): Tree {
  disable(tree, 'networking.service');
  tree['etc/network/interfaces'] = 'auto lo\niface lo inet loopback\n';
  return tree;
}

/** The Debian guest without chrony at boot (the package stays installed). */
function withoutChrony(tree: Tree): Tree {
  disable(tree, 'chrony.service');
  return disable(tree, 'chronyd.service');
}

/** Adds a package's stanza to the guest's dpkg status (the fixtures' own list has no control data for it). */
function addDpkgStanza(tree: Tree, name: string, description: string): void {
  tree['var/lib/dpkg/status'] = `${tree['var/lib/dpkg/status'] as string}\n${dpkgStatus([{ name, version: packageVersion(name), architecture: 'amd64', description }])}`;
}

function withNetworkManager(tree: Tree): Tree {
  installPackage(tree, 'network-manager', { mergedUsr: true });
  systemdEnable(tree, 'NetworkManager.service');
  return tree;
}

describe('the three guest styles', () => {
  it('the Debian 12 guest as installed: DHCP on enp0s3 only, which a provider\'s VM may not have, is a warning', async () => {
    const [finding, ...rest] = ours(await lintGuest(debianSystemdGuest()));
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({ ruleId: 'network-dhcp', severity: 'warning', location: { path: '/etc/network/interfaces', line: 12 } });
    expect(finding!.message).toMatch(/^DHCP at boot is configured only for enp0s3 \(ifupdown, \/etc\/network\/interfaces line 12\), a name systemd-udevd derives from where the build machine's card sits/);
    expect(finding!.message).toContain('a KVM NIC in slot 3 is ens3');
    expect(finding!.message).toContain('SpotCloud shows "Detecting" (no boot entry was found, and no GRUB default passes net.ifnames=0)');
    expect(finding!.message).toContain('Put net.ifnames=0 on the kernel command line (GRUB_CMDLINE_LINUX in /etc/default/grub, then regenerate grub.cfg) and configure eth0 instead ("allow-hotplug eth0", "iface eth0 inet dhcp")');
  });

  it('the well-built guest (net.ifnames=0 on every grub.cfg entry, DHCP on eth0) passes all four rules', async () => {
    expect(ours(await lintGuest(wellBuiltDebianGuest()))).toEqual([]);
  });

  it('the Rocky guest: chronyd and NetworkManager DHCP pass; its two MAC bindings are reported with what the fix removes', async () => {
    const findings = await lintGuest(rhelNetworkManagerGuest());
    expect(byRule(findings, 'time-sync')).toEqual([]);
    expect(byRule(findings, 'network-dhcp')).toEqual([]);
    const pins = byRule(findings, 'mac-pinned-network-config');
    expect(pins.map((f) => [f.severity, f.location.path, f.location.line])).toEqual([
      ['error', '/etc/NetworkManager/system-connections/ens3.nmconnection', 9],
      ['error', '/etc/sysconfig/network-scripts/ifcfg-eth0', 4],
    ]);
    expect(pins[0]!.message).toContain(`ties the NetworkManager configuration of ens3 to the MAC address ${NIC_MAC} (mac-address=)`);
    expect(pins[0]!.fix).toBe('remove the mac-address= line (line 9) from /etc/NetworkManager/system-connections/ens3.nmconnection');
    expect(pins[1]!.message).toContain(`/etc/sysconfig/network-scripts/ifcfg-eth0 line 4 ties the Red Hat ifcfg configuration of eth0 to the MAC address ${NIC_MAC} (HWADDR=)`);
    expect(pins[1]!.fix).toBe('remove the HWADDR= line (line 4) from /etc/sysconfig/network-scripts/ifcfg-eth0');
  });

  it('the SysV wheezy guest: no time synchronisation, eth0 by DHCP, the NIC pinned by udev', async () => {
    const findings = await lintGuest(sysvLegacyGuest());
    const [time, ...moreTime] = byRule(findings, 'time-sync');
    expect(moreTime).toEqual([]);
    expect(time).toMatchObject({ severity: 'error', location: {} });
    expect(time!.message).toMatch(/^No time synchronisation starts at boot: none of chrony, ntpd \(ntp, NTPsec\), OpenNTPD or systemd-timesyncd is enabled \(by SysV init's boot configuration\)/);
    expect(time!.message).toContain('install one: apt-get install chrony (its package enables chrony at boot)');
    expect(byRule(findings, 'network-dhcp')).toEqual([]);
    expect(byRule(findings, 'mac-pinned-network-config')).toEqual([]);
    const [udev, ...moreUdev] = byRule(findings, 'persistent-net-rules');
    expect(moreUdev).toEqual([]);
    expect(udev).toMatchObject({ severity: 'error', location: { path: '/etc/udev/rules.d/70-persistent-net.rules', line: 8 }, fix: 'remove lines 7-8 of /etc/udev/rules.d/70-persistent-net.rules (the rule and the generator\'s comment above it), then the file, which holds only comments once its MAC-bound rules are gone' });
    expect(udev!.message).toBe(`/etc/udev/rules.d/70-persistent-net.rules line 8 gives the interface with MAC ${NIC_MAC} the name "eth0". The provider's VM has a different MAC, so its card gets another name, the network is not configured and the appliance never gets an address. Remove this rule before exporting.`);
  });
});

describe('time-sync', () => {
  it('names a time daemon that is installed but not enabled, with the command for the guest\'s init system', async () => {
    const [finding, ...rest] = byRule(await lintGuest(withoutChrony(debianSystemdGuest())), 'time-sync');
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({ severity: 'error', location: { path: '/lib/systemd/system/chrony.service' } });
    expect(finding!.message).toContain('chrony is installed (/lib/systemd/system/chrony.service) but not enabled: systemctl enable chrony');
  });

  it('warns when chrony\'s only servers would come from DHCP', async () => {
    const tree = debianSystemdGuest();
    tree['etc/chrony/chrony.conf'] = distroText('chrony', 'usr/share/chrony/chrony.conf').replace(/^pool /m, '#pool ');
    const [finding, ...rest] = byRule(await lintGuest(tree), 'time-sync');
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({ severity: 'warning', location: { path: '/etc/chrony/chrony.conf' } });
    expect(finding!.message).toContain('chrony (chrony.service) is enabled at boot but /etc/chrony/chrony.conf names no server or pool of its own: its only servers would come from sourcedir /run/chrony-dhcp (/etc/chrony/chrony.conf line 11)');
  });

  it('counts a server in a confdir file', async () => {
    const tree = debianSystemdGuest();
    tree['etc/chrony/chrony.conf'] = distroText('chrony', 'usr/share/chrony/chrony.conf').replace(/^pool /m, '#pool ');
    tree['etc/chrony/conf.d/site.conf'] = 'server ntp.example.org iburst\n';
    expect(byRule(await lintGuest(tree), 'time-sync')).toEqual([]);
  });

  describe('a guest with only systemd-timesyncd', () => {
    function timesyncdGuest(): Tree {
      const tree = withoutChrony(debianSystemdGuest());
      installPackage(tree, 'systemd-timesyncd', { mergedUsr: true });
      // Its postinst: deb-systemd-helper enable, a link in sysinit.target.wants.
      systemdEnable(tree, 'systemd-timesyncd.service');
      return tree;
    }

    it('passes with Debian\'s timesyncd.conf, whose NTP= is unset: the compiled-in debian.pool.ntp.org fallback applies', async () => {
      const tree = timesyncdGuest();
      expect(tree['etc/systemd/system/sysinit.target.wants/systemd-timesyncd.service']).toBeDefined();
      expect(byRule(await lintGuest(tree), 'time-sync')).toEqual([]);
    });

    it('warns when a drop-in empties FallbackNTP= and nothing sets NTP=, and passes once NTP= is set', async () => {
      const tree = timesyncdGuest();
      tree['etc/systemd/timesyncd.conf.d/50-no-fallback.conf'] = '[Time]\nFallbackNTP=\n';
      const [finding, ...rest] = byRule(await lintGuest(tree), 'time-sync');
      expect(rest).toEqual([]);
      expect(finding).toMatchObject({ severity: 'warning', location: { path: '/etc/systemd/timesyncd.conf' } });
      expect(finding!.message).toContain('its only servers would come from the NTP servers DHCP offers (/etc/dhcp/dhclient-exit-hooks.d/timesyncd)');
      tree['etc/systemd/timesyncd.conf.d/60-site.conf'] = '[Time]\nNTP=ntp.example.org\n';
      expect(byRule(await lintGuest(tree), 'time-sync')).toEqual([]);
    });
  });

  describe('a guest with NTPsec', () => {
    function ntpsecGuest(config: string): Tree {
      const tree = withoutChrony(debianSystemdGuest());
      installPackage(tree, 'ntpsec', { mergedUsr: true });
      tree['etc/ntpsec/ntp.conf'] = config;
      systemdEnable(tree, 'ntpsec.service');
      return tree;
    }
    const packaged = distroText('ntpsec', 'etc/ntpsec/ntp.conf');

    it('passes with the packaged ntp.conf and its pool lines', async () => {
      expect(byRule(await lintGuest(ntpsecGuest(packaged)), 'time-sync')).toEqual([]);
    });

    it('warns when ntp.conf has no server, pool or peer line', async () => {
      const [finding, ...rest] = byRule(await lintGuest(ntpsecGuest(packaged.replace(/^pool .*$/gm, ''))), 'time-sync');
      expect(rest).toEqual([]);
      expect(finding).toMatchObject({ severity: 'warning', location: { path: '/etc/ntpsec/ntp.conf' } });
      expect(finding!.message).toMatch(/^ntpsec \(ntpsec\.service\) is enabled at boot but \/etc\/ntpsec\/ntp\.conf names no server or pool of its own: its only servers would come from the NTP servers DHCP offers \(\/etc\/dhcp\/dhclient-exit-hooks\.d\/ntpsec\)/);
      expect(finding!.message).toContain('Add "pool pool.ntp.org iburst" to /etc/ntpsec/ntp.conf');
    });
  });

  describe('a guest that runs ntpdate from its ifupdown hook', () => {
    function ntpdateGuest(): Tree {
      const tree = withoutChrony(debianSystemdGuest());
      installPackage(tree, 'ntpsec-ntpdate', { mergedUsr: true });
      // Placeholder: ntpsec-ntpdate's program is not in test/data; the hook only checks that it is there and executable.
      tree['usr/sbin/ntpdate-debian'] = '#!/bin/sh\n';
      return tree;
    }

    it('passes: ifupdown brings enp0s3 up at boot and the hook asks the servers of /etc/default/ntpsec-ntpdate', async () => {
      expect(byRule(await lintGuest(ntpdateGuest()), 'time-sync')).toEqual([]);
    });

    it('does not count the hook when ifupdown does not run at boot, or when ntpdate-debian is gone', async () => {
      const noIfupdown = disable(ntpdateGuest(), 'networking.service');
      expect(byRule(await lintGuest(noIfupdown), 'time-sync').map((f) => f.severity)).toEqual(['error']);
      const noProgram = ntpdateGuest();
      delete noProgram['usr/sbin/ntpdate-debian'];
      expect(byRule(await lintGuest(noProgram), 'time-sync').map((f) => f.severity)).toEqual(['error']);
    });

    it('warns when the hook has no server to ask', async () => {
      const tree = ntpdateGuest();
      tree['etc/default/ntpsec-ntpdate'] = distroText('ntpsec-ntpdate', 'etc/default/ntpsec-ntpdate').replace(/^NTPSERVERS=.*$/m, 'NTPSERVERS=""');
      const [finding, ...rest] = byRule(await lintGuest(tree), 'time-sync');
      expect(rest).toEqual([]);
      expect(finding).toMatchObject({ severity: 'warning', location: { path: '/etc/network/if-up.d/ntpsec-ntpdate' } });
    });
  });

  it('counts an ntpdate in an @reboot line of /etc/cron.d when cron is enabled, but not a query-only one or one cron never runs', async () => {
    const tree = withoutChrony(debianSystemdGuest());
    tree['etc/cron.d/set-clock'] = '@reboot root /usr/sbin/ntpdate -b pool.ntp.org\n';
    expect(byRule(await lintGuest(tree), 'time-sync')).toEqual([]);
    tree['etc/cron.d/set-clock'] = '@reboot root /usr/sbin/ntpdate -q pool.ntp.org\n';
    expect(byRule(await lintGuest(tree), 'time-sync').map((f) => f.severity)).toEqual(['error']);
    disable(tree, 'cron.service');
    tree['etc/cron.d/set-clock'] = '@reboot root /usr/sbin/ntpdate -b pool.ntp.org\n';
    expect(byRule(await lintGuest(tree), 'time-sync').map((f) => f.severity)).toEqual(['error']);
  });

  it('counts a clock setter among the boot commands: an enabled unit\'s ExecStart=, and a script an executable rc.local runs', async () => {
    const unit = withoutChrony(debianSystemdGuest());
    // Hand-written: no package ships such a unit.
    unit['etc/systemd/system/set-clock.service'] = '[Unit]\nDescription=Set the clock once\nWants=network-online.target\nAfter=network-online.target\n\n[Service]\nType=oneshot\nExecStart=/usr/sbin/ntpdate -b pool.ntp.org\n\n[Install]\nWantedBy=multi-user.target\n';
    systemdEnable(unit, 'set-clock.service');
    expect(byRule(await lintGuest(unit), 'time-sync')).toEqual([]);

    const script = withoutChrony(debianSystemdGuest());
    script['etc/rc.local'] = '#!/bin/sh -e\n/usr/sbin/set-clock\nexit 0\n';
    script['usr/sbin/set-clock'] = '#!/bin/sh\n# hand-written\nsntp -S pool.ntp.org || true\n';
    expect(byRule(await lintGuest(script), 'time-sync')).toEqual([]);
  });

  it('does not count an rc.local that is not executable (mode 0644), which nothing runs', async () => {
    const tree = withoutChrony(debianSystemdGuest());
    tree['etc/rc.d/rc.local'] = '#!/bin/sh\nntpdate -b pool.ntp.org\n';
    expect(byRule(await lintGuest(tree), 'time-sync').map((f) => f.severity)).toEqual(['error']);
  });
});

describe('network-dhcp', () => {
  it('is an error when the first interface at boot has a static address, naming its line', async () => {
    const tree = debianSystemdGuest();
    tree['etc/network/interfaces'] = (tree['etc/network/interfaces'] as string).replace(`iface ${DEBIAN_INTERFACE} inet dhcp`, `iface ${DEBIAN_INTERFACE} inet static\n    address 192.0.2.10/24\n    gateway 192.0.2.1`);
    const [finding, ...rest] = byRule(await lintGuest(tree), 'network-dhcp');
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({ severity: 'error', location: { path: '/etc/network/interfaces', line: 12 } });
    expect(finding!.message).toMatch(/^The first interface brought up at boot, enp0s3 \(ifupdown, \/etc\/network\/interfaces line 12\), has a static address/);
  });

  it('is an error when the DHCP interface is not brought up at boot, or ifupdown does not run', async () => {
    const noAuto = debianSystemdGuest();
    noAuto['etc/network/interfaces'] = (noAuto['etc/network/interfaces'] as string).replace(`allow-hotplug ${DEBIAN_INTERFACE}\n`, '');
    const [notAtBoot] = byRule(await lintGuest(noAuto), 'network-dhcp');
    expect(notAtBoot!.message).toContain('/etc/network/interfaces line 11 configures enp0s3 for DHCP but does not bring it up at boot');

    const disabled = disable(debianSystemdGuest(), 'networking.service');
    const [finding, ...rest] = byRule(await lintGuest(disabled), 'network-dhcp');
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({ severity: 'error', location: { path: '/etc/network/interfaces' } });
    expect(finding!.message).toContain('/etc/network/interfaces line 12 (DHCP for enp0s3) is not used, as ifupdown\'s networking service is not enabled at boot (systemctl enable networking)');
  });

  it('warns, from the well-built guest, when net.ifnames=0 leaves eth0 but DHCP names enp0s3, and when an entry lacks it', async () => {
    const classic = wellBuiltDebianGuest();
    classic['etc/network/interfaces'] = (classic['etc/network/interfaces'] as string).replaceAll('eth0', DEBIAN_INTERFACE);
    const [eth0, ...rest] = byRule(await lintGuest(classic), 'network-dhcp');
    expect(rest).toEqual([]);
    expect(eth0).toMatchObject({ severity: 'warning', location: { path: '/etc/network/interfaces', line: 12 } });
    expect(eth0!.message).toContain('but every boot entry passes net.ifnames=0, so the kernel\'s name eth0 stays and no DHCP configuration applies to the card');

    const grubCfg = classic['boot/grub/grub.cfg'] as string;
    classic['boot/grub/grub.cfg'] = grubCfg.replace(/(ro single) net\.ifnames=0/, '$1');
    const [partly] = byRule(await lintGuest(classic), 'network-dhcp');
    expect(partly!.message).toMatch(/SpotCloud shows "Detecting" \(1 of 3 boot entries lack net\.ifnames=0, the first at \/boot\/grub\/grub\.cfg line \d+\)/);
  });

  it('takes a masked naming policy (99-default.link linked to /dev/null) as keeping eth0', async () => {
    const tree = debianSystemdGuest();
    tree['etc/systemd/network/99-default.link'] = { symlink: '/dev/null' };
    const [finding] = byRule(await lintGuest(tree), 'network-dhcp');
    expect(finding!.message).toContain('but /etc/systemd/network/99-default.link masks systemd-udevd\'s naming policy');
    tree['etc/network/interfaces'] = (tree['etc/network/interfaces'] as string).replaceAll(DEBIAN_INTERFACE, 'eth0');
    expect(byRule(await lintGuest(tree), 'network-dhcp')).toEqual([]);
  });

  it('names the stacks the enabled services start, configured or not (systemd-networkd with no .network file)', async () => {
    const tree = withoutIfupdown(debianSystemdGuest());
    systemdEnable(tree, 'systemd-networkd.service');
    const [finding, ...rest] = byRule(await lintGuest(tree), 'network-dhcp');
    expect(rest).toEqual([]);
    expect(finding!.message).toMatch(/^No interface gets its address by DHCP at boot: systemd-networkd runs at boot\./);
    expect(finding!.message).toContain('Add a .network file in /etc/systemd/network with [Match] Name=en* eth* and [Network] DHCP=yes');
  });

  describe('netplan', () => {
    function netplanGuest(example: string, installed = true): Tree {
      const tree = withoutIfupdown(debianSystemdGuest());
      tree['etc/netplan/01-netcfg.yaml'] = netplanExample(example);
      if (installed) addDpkgStanza(tree, 'netplan.io', 'YAML network configuration abstraction for various backends');
      return tree;
    }

    it('warns for netplan\'s DHCP example for networkd (its generator enables systemd-networkd), which names enp3s0, and passes when it matches en*', async () => {
      const [finding, ...rest] = ours(await lintGuest(netplanGuest('dhcp.yaml')));
      expect(rest).toEqual([]);
      expect(finding).toMatchObject({ ruleId: 'network-dhcp', severity: 'warning', location: { path: '/etc/netplan/01-netcfg.yaml', line: 5 } });
      expect(finding!.message).toContain('Match the card by a pattern (match: name: "en*" in the definition, with dhcp4: true)');
      const pattern = netplanGuest('dhcp.yaml');
      pattern['etc/netplan/01-netcfg.yaml'] = 'network:\n  version: 2\n  renderer: networkd\n  ethernets:\n    wired:\n      match:\n        name: "en*"\n      dhcp4: true\n';
      expect(ours(await lintGuest(pattern))).toEqual([]);
    });

    it('is an error for its static example, at the definition\'s line', async () => {
      const [finding] = byRule(await lintGuest(netplanGuest('static.yaml')), 'network-dhcp');
      expect(finding).toMatchObject({ severity: 'error', location: { path: '/etc/netplan/01-netcfg.yaml', line: 5 } });
      expect(finding!.message).toContain('enp3s0 (netplan, /etc/netplan/01-netcfg.yaml line 5), has a static address');
    });

    it('does not count netplan files when netplan is not installed', async () => {
      const [finding] = byRule(await lintGuest(netplanGuest('dhcp.yaml', false)), 'network-dhcp');
      expect(finding!.message).toContain('/etc/netplan/01-netcfg.yaml line 5 (DHCP for enp3s0) is not used, as netplan is not installed');
    });

    it('passes with its NetworkManager example when NetworkManager runs (its default profile DHCPs wired cards)', async () => {
      expect(byRule(await lintGuest(withNetworkManager(netplanGuest('network_manager.yaml'))), 'network-dhcp')).toEqual([]);
    });

    it('reports a match: macaddress: binding with the line the fix removes', async () => {
      const tree = netplanGuest('dhcp.yaml');
      tree['etc/netplan/01-netcfg.yaml'] = `network:\n  version: 2\n  ethernets:\n    lan:\n      match:\n        macaddress: "${NIC_MAC}"\n      set-name: eth0\n      dhcp4: true\n`;
      const [finding, ...rest] = byRule(await lintGuest(tree), 'mac-pinned-network-config');
      expect(rest).toEqual([]);
      // Removing the line alone would leave an empty match: under set-name:, which would rename every card eth0.
      expect(finding).toMatchObject({ location: { path: '/etc/netplan/01-netcfg.yaml', line: 6 }, fix: 'in /etc/netplan/01-netcfg.yaml, replace the match: of this definition (its macaddress: is line 6) and its set-name: by naming the definition eth0, so it applies to that card by name' });
    });
  });

  describe('NetworkManager alone', () => {
    it('passes with no profile at all, and is an error once no-auto-default=* turns the default profile off', async () => {
      const tree = withNetworkManager(withoutIfupdown(debianSystemdGuest()));
      expect(byRule(await lintGuest(tree), 'network-dhcp')).toEqual([]);
      tree['etc/NetworkManager/conf.d/no-default.conf'] = '[main]\nno-auto-default=*\n';
      const [finding] = byRule(await lintGuest(tree), 'network-dhcp');
      expect(finding!.message).toMatch(/^No interface gets its address by DHCP at boot: NetworkManager runs at boot, but NetworkManager's default DHCP profile does not apply: its configuration turns it off \(no-auto-default=\* or unmanaged-devices\)/);
    });

    it('does not count the default profile for the card /etc/network/interfaces names while networking is off (Debian\'s managed=false)', async () => {
      const tree = withNetworkManager(disable(debianSystemdGuest(), 'networking.service'));
      const [finding, ...rest] = byRule(await lintGuest(tree), 'network-dhcp');
      expect(rest).toEqual([]);
      expect(finding!.message).toContain('default DHCP profile does not apply: NetworkManager leaves enp0s3 alone because /etc/network/interfaces names it ([ifupdown] managed=false)');
      expect(finding!.message).toContain('/etc/network/interfaces line 12 (DHCP for enp0s3) is not used, as ifupdown\'s networking service is not enabled, and NetworkManager leaves the interfaces /etc/network/interfaces names alone ([ifupdown] managed=false)');
    });
  });

  describe('systemd-networkd', () => {
    // Hand-written: no package ships an Ethernet .network file for /etc.
    const WIRED_DHCP = '[Match]\nName=en* eth*\n\n[Network]\nDHCP=yes\n';
    function networkdGuest(network: string, enabled = true): Tree {
      const tree = withoutIfupdown(debianSystemdGuest());
      tree['etc/systemd/network/20-wired.network'] = network;
      if (enabled) systemdEnable(tree, 'systemd-networkd.service');
      return tree;
    }

    it('passes with a wildcard DHCP .network and systemd-networkd enabled from its real unit', async () => {
      expect(ours(await lintGuest(networkdGuest(WIRED_DHCP)))).toEqual([]);
    });

    it('is an error when systemd-networkd is not enabled, saying how to enable it', async () => {
      const [finding] = byRule(await lintGuest(networkdGuest(WIRED_DHCP, false)), 'network-dhcp');
      expect(finding!.message).toContain('/etc/systemd/network/20-wired.network line 1 (DHCP for the cards matching en* eth*) is not used, as systemd-networkd is not enabled at boot (systemctl enable systemd-networkd)');
    });

    it('is an error for a static address, and reports a .link file that names a card by MAC', async () => {
      const tree = networkdGuest('[Match]\nName=lan0\n\n[Network]\nAddress=192.0.2.10/24\nGateway=192.0.2.1\n');
      tree['etc/systemd/network/10-lan.link'] = `[Match]\nMACAddress=${NIC_MAC}\n\n[Link]\nName=lan0\n`;
      const findings = await lintGuest(tree);
      expect(byRule(findings, 'network-dhcp')[0]).toMatchObject({ severity: 'error', location: { path: '/etc/systemd/network/20-wired.network', line: 1 } });
      const [pin, ...rest] = byRule(findings, 'mac-pinned-network-config');
      expect(rest).toEqual([]);
      // Removing MACAddress= alone would leave an empty [Match], which names every card lan0.
      expect(pin).toMatchObject({ location: { path: '/etc/systemd/network/10-lan.link', line: 2 }, fix: 'remove /etc/systemd/network/10-lan.link, which exists only to give the card with that MAC the name lan0; configuration that names lan0 must then name the card as udev does' });
    });

    it('keeps Name= when it removes MACAddress= from a .network file, and adds one where MACAddress= is all [Match] has', async () => {
      const named = networkdGuest(`[Match]\nName=en*\nMACAddress=${NIC_MAC}\n\n[Network]\nDHCP=yes\n`);
      expect(byRule(await lintGuest(named), 'mac-pinned-network-config').map((f) => f.fix)).toEqual(['remove the [Match] MAC address line (line 3) from /etc/systemd/network/20-wired.network; its Name= still selects the card']);
      const macOnly = networkdGuest(`[Match]\nMACAddress=${NIC_MAC}\n\n[Network]\nDHCP=yes\n`);
      expect(byRule(await lintGuest(macOnly), 'mac-pinned-network-config').map((f) => f.fix)).toEqual(['replace the [Match] MAC address line (line 2) of /etc/systemd/network/20-wired.network with a Name= line for the card (Name=en* eth* for any Ethernet card), so [Match] does not select every link']);
    });
  });
});

describe('persistent-net-rules', () => {
  it('reads every *.rules file in /etc/udev/rules.d and reports each MAC and name; a mask and a match-all rule pin nothing', async () => {
    const tree = debianSystemdGuest();
    tree['etc/udev/rules.d/10-names.rules'] = [
      '# Hand-written, as administrators write them.',
      'SUBSYSTEM=="net", ACTION=="add", ATTR{address}=="52:54:00:aa:bb:01", NAME="lan"',
      'SUBSYSTEM=="net", ACTION=="add", DRIVERS=="?*", ATTR{address}=="?*", NAME="any0"',
      'SUBSYSTEM=="net", ACTION=="add", \\',
      '  ATTRS{address}=="52:54:00:AA:BB:02", NAME:="wan"',
      '',
    ].join('\n');
    tree['etc/udev/rules.d/75-persistent-net-generator.rules'] = { symlink: '/dev/null' };
    const findings = byRule(await lintGuest(tree), 'persistent-net-rules');
    expect(findings.map((f) => [f.location.path, f.location.line])).toEqual([['/etc/udev/rules.d/10-names.rules', 2], ['/etc/udev/rules.d/10-names.rules', 4]]);
    expect(findings[0]!.message).toContain('gives the interface with MAC 52:54:00:aa:bb:01 the name "lan"');
    expect(findings[1]!.message).toContain('gives the interface with MAC 52:54:00:AA:BB:02 the name "wan"');
    // The continued rule goes whole: line 5 alone would still pin the name.
    expect(findings.map((f) => f.fix)).toEqual(['remove line 2 of /etc/udev/rules.d/10-names.rules', 'remove lines 4-5 of /etc/udev/rules.d/10-names.rules']);
    expect(byRule(await lintGuest(wellBuiltDebianGuest()), 'persistent-net-rules')).toEqual([]);
  });
});

describe('pure helpers of the network rules', () => {
  it('parseUdevMacNames: a NAME match (==) or a MAC mismatch (!=) binds nothing', () => {
    expect(parseUdevMacNames('ATTR{address}=="52:54:00:12:34:56", NAME=="eth0"\nATTR{address}!="52:54:00:12:34:56", NAME="eth0"\n')).toEqual([]);
  });

  it('networkManagerSettings: Debian\'s file keeps ifupdown interfaces unmanaged; later snippets override; Ubuntu\'s unmanaged-devices leaves Ethernet alone', () => {
    const debian = { path: '/etc/NetworkManager/NetworkManager.conf', text: distroText('network-manager', 'etc/NetworkManager/NetworkManager.conf') };
    expect(networkManagerSettings([debian], [])).toEqual({ plugins: ['ifupdown', 'keyfile'], ifupdownManaged: false, noAutoDefault: false, ethernetUnmanaged: false });
    const managed = networkManagerSettings([debian, { path: '/etc/NetworkManager/conf.d/m.conf', text: '[ifupdown]\nmanaged=true\n[main]\nplugins-=ifupdown\n' }], []);
    expect(managed).toMatchObject({ plugins: ['keyfile'], ifupdownManaged: true });
    const ubuntu = { path: '/usr/lib/NetworkManager/conf.d/10-globally-managed-devices.conf', text: '[keyfile]\nunmanaged-devices=*,except:type:wifi,except:type:gsm,except:type:cdma\n' };
    expect(networkManagerSettings([ubuntu], ['ifcfg-rh'])).toMatchObject({ plugins: ['ifcfg-rh'], ethernetUnmanaged: true });
  });

  it('netplan renderers: per definition, per kind, global, later files winning', () => {
    const first = parseNetplanRenderers('network:\n  renderer: NetworkManager\n  ethernets:\n    eth0:\n      dhcp4: true\n    eth1:\n      renderer: networkd\n', '/etc/netplan/01.yaml');
    const second = parseNetplanRenderers('network:\n  bonds:\n    renderer: networkd\n    bond0: {}\n', '/etc/netplan/02.yaml');
    const resolved = resolveNetplanRenderers([first, second]);
    expect(resolved.global).toBe('NetworkManager');
    expect([...resolved.byDefinition]).toEqual([
      ['/etc/netplan/01.yaml:4', 'NetworkManager'],
      ['/etc/netplan/01.yaml:6', 'networkd'],
      ['/etc/netplan/02.yaml:4', 'networkd'],
    ]);
  });
});
