// The repairs the fixable rules attach to their findings, on real ext4
// guests (test/helpers/guest-styles) inspected and checked in-process by the
// built code: the exact changes --fix will make, and for the line edits the
// exact text each file is left with.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../dist/config/load-config.js';
import { applyLineRepairs } from '../../dist/fix/line-edits.js';
import type { Repair } from '../../dist/fix/repair.js';
import { inspectImage, type InspectedImage } from '../../dist/inspect/inspect-image.js';
import { runRules } from '../../dist/rules/engine.js';
import { RULES } from '../../dist/rules/registry.js';
import type { Finding } from '../../dist/rules/rule.js';
import { tempDir, wrapInMbr, type Tree } from '../helpers/build-image.js';
import { leaveGarbage, randomGarbage } from '../helpers/dirty-free-space.js';
import { debianGeneratedNetRulesFor } from '../helpers/fix-fixtures.js';
import {
  DEBIAN_USER, DEFAULT_ROOT_UUID, MACHINE_ID, NIC_MAC, SSH_KEYGEN_UNIT, debianSystemdGuest, makeGuestImage, rhelNetworkManagerGuest,
  sshKeyPair, sysvLegacyGuest, systemdEnable,
} from '../helpers/guest-styles/index.js';

const OTHER_MACHINE_ID = '4f2b0d6c5a8e4e1b9c7d3a2f1e0b9c8d';
const HOME = `/home/${DEBIAN_USER}`;
const mac = (last: number) => `52:54:00:aa:bb:${last.toString(16).padStart(2, '0')}`;

/** As udev's write_net_rules wrote it on Debian 7 for two e1000 cards. */
const GENERATED_RULES = debianGeneratedNetRulesFor([{ mac: mac(1), name: 'eth0' }, { mac: mac(2), name: 'eth1' }]);

/** Hand-written in an editor that writes CRLF, with no final newline: the generator's fallback comment above one rule, a rule of the administrator's own between. */
const HAND_RULES = [
  '# Cards named by the administrator.',
  '# net device (virtio_net)',
  `SUBSYSTEM=="net", ACTION=="add", ATTR{address}=="${mac(3)}", NAME="lan"`,
  'SUBSYSTEM=="net", ACTION=="add", DRIVERS=="?*", ATTR{address}=="?*", NAME="any0"',
  '# The uplink:',
  'SUBSYSTEM=="net", ACTION=="add", \\',
  `  ATTRS{address}=="${mac(4)}", NAME:="wan"`,
].join('\r\n');

const NETPLAN = `network:
  version: 2
  ethernets:
    wired:
      match:
        name: "en*"
        macaddress: "${mac(5)}"
      dhcp4: true
    lan:
      match:
        macaddress: "${mac(6)}"
      set-name: eth0
      dhcp4: true
`;

/** A Debian 12 guest holding one of each MAC binding the rules know, keys that are made again at boot, secrets, and a D-Bus id of its own. */
function debianGuest(): Tree {
  const tree = debianSystemdGuest();
  tree['etc/udev/rules.d/70-persistent-net.rules'] = GENERATED_RULES;
  tree['etc/udev/rules.d/10-names.rules'] = HAND_RULES;
  tree['etc/systemd/network/20-named.network'] = `[Match]\nName=en*\nMACAddress=${mac(7)}\n\n[Network]\nDHCP=yes\n`;
  tree['etc/systemd/network/30-mac.network'] = `# Written by hand.\n[Match]\nMACAddress=${mac(8)}\n\n[Network]\nDHCP=yes\n`;
  // Two MAC lines: removing the one reported would leave the other binding.
  tree['etc/systemd/network/40-two.network'] = `[Match]\nName=eth1\nMACAddress=${mac(9)}\nPermanentMACAddress=${mac(9)}\n\n[Network]\nDHCP=yes\n`;
  tree['etc/systemd/network/10-lan.link'] = `[Match]\nMACAddress=${mac(10)}\n\n[Link]\nName=lan0\n`;
  tree['etc/systemd/network/11-jumbo.link'] = `[Match]\nMACAddress=${mac(11)}\n\n[Link]\nName=jumbo0\nMTUBytes=9000\n`;
  tree['etc/systemd/network/12-shadow.link'] = `[Match]\nMACAddress=${mac(12)}\n\n[Link]\nName=up0\n`;
  tree['usr/lib/systemd/network/12-shadow.link'] = '[Match]\nOriginalName=up*\n\n[Link]\nMTUBytes=1400\n';
  // In /usr/lib, also reached as /lib (merged /usr): one file, nothing hidden.
  tree['usr/lib/systemd/network/13-vendor.link'] = `[Match]\nMACAddress=${mac(13)}\n\n[Link]\nName=mgmt0\n`;
  tree['etc/netplan/01-netcfg.yaml'] = NETPLAN;
  tree['var/lib/dbus/machine-id'] = `${OTHER_MACHINE_ID}\n`;
  tree['etc/systemd/system/ssh-keygen.service'] = SSH_KEYGEN_UNIT;
  systemdEnable(tree, 'ssh-keygen.service');
  delete tree['etc/ssh/ssh_host_ecdsa_key.pub'];
  tree['root/.ssh/id_ed25519'] = sshKeyPair('ed25519').privateOpenssh;
  tree[`${HOME.slice(1)}/.aws/credentials`] = '[default]\naws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = example\n';
  return tree;
}

interface Opened {
  inspected: InspectedImage;
  findings: Finding[];
}

async function openAndCheck(image: string, ruleIds: readonly string[], config = '{}'): Promise<Opened> {
  const configPath = join(tempDir('repairs-config'), 'spotlint.config.json');
  writeFileSync(configPath, config);
  const inspected = await inspectImage(image, { scanFreeSpace: ruleIds.includes('free-space-zeroed') });
  const rules = RULES.filter((rule) => ruleIds.includes(rule.id));
  const { findings } = await runRules(inspected, await loadConfig({ cwd: process.cwd(), configPath }), rules);
  return { inspected, findings };
}

const of = (findings: Finding[], ruleId: string) => findings.filter((f) => f.ruleId === ruleId);
const repairsByPlace = (findings: Finding[]) => findings.map((f) => [f.location.path ?? null, f.location.line ?? null, f.repairs]);

/** The file's text once all the line repairs the findings name for it are applied together, as the fixer does. */
async function fixedText(opened: Opened, path: string): Promise<string | 'removed'> {
  const repairs = opened.findings.flatMap((f) => f.repairs ?? []).filter((r): r is Extract<Repair, { kind: 'remove-lines' | 'replace-line' }> =>
    (r.kind === 'remove-lines' || r.kind === 'replace-line') && r.path === path);
  expect(repairs.length).toBeGreaterThan(0);
  const result = applyLineRepairs(await opened.inspected.guest!.readFile(path), repairs);
  return result.kind === 'remove-file' ? 'removed' : result.content.toString('utf8');
}

describe('repairs on a Debian 12 guest', () => {
  let opened: Opened;
  beforeAll(async () => {
    const filesystem = makeGuestImage(debianGuest(), { uuid: DEFAULT_ROOT_UUID });
    leaveGarbage(filesystem, randomGarbage(300 * 1024));
    const disk = wrapInMbr([{ image: filesystem }]);
    const ids = ['persistent-net-rules', 'mac-pinned-network-config', 'machine-id', 'ssh-host-keys', 'leftover-secrets', 'free-space-zeroed'];
    opened = await openAndCheck(disk, ids, JSON.stringify({ rules: { 'free-space-zeroed': ['warning', { maxNonZeroBytes: 0 }] } }));
  }, 30_000);
  afterAll(() => opened?.inspected.close());

  it('persistent-net-rules: each rule with its generator comment, and the generated file goes once both cards are gone', async () => {
    const findings = of(opened.findings, 'persistent-net-rules');
    const hand = '/etc/udev/rules.d/10-names.rules';
    const generated = '/etc/udev/rules.d/70-persistent-net.rules';
    expect(repairsByPlace(findings)).toEqual([
      [hand, 3, [{ kind: 'remove-lines', path: hand, lines: [[2, 3]], removeFileWhenNothingLeft: true }]],
      [hand, 6, [{ kind: 'remove-lines', path: hand, lines: [[6, 7]], removeFileWhenNothingLeft: true }]],
      [generated, 8, [{ kind: 'remove-lines', path: generated, lines: [[7, 8]], removeFileWhenNothingLeft: true }]],
      [generated, 11, [{ kind: 'remove-lines', path: generated, lines: [[10, 11]], removeFileWhenNothingLeft: true }]],
    ]);
    expect(findings.map((f) => f.fix)).toEqual([
      `remove lines 2-3 of ${hand} (the rule and the generator's comment above it)`,
      `remove lines 6-7 of ${hand}`,
      `remove lines 7-8 of ${generated} (the rule and the generator's comment above it), then the file, which holds only comments once its MAC-bound rules are gone`,
      `remove lines 10-11 of ${generated} (the rule and the generator's comment above it), then the file, which holds only comments once its MAC-bound rules are gone`,
    ]);
    // The administrator's "# The uplink:" stays with the match-all rule; CRLF endings stay.
    expect(await fixedText(opened, hand)).toBe('# Cards named by the administrator.\r\nSUBSYSTEM=="net", ACTION=="add", DRIVERS=="?*", ATTR{address}=="?*", NAME="any0"\r\n# The uplink:\r\n');
    expect(await fixedText(opened, generated)).toBe('removed');
  });

  it('mac-pinned-network-config: one-line edits where they leave the card selected by name, none where a person must restructure', async () => {
    const findings = of(opened.findings, 'mac-pinned-network-config');
    const dir = '/etc/systemd/network';
    expect(repairsByPlace(findings)).toEqual([
      ['/etc/netplan/01-netcfg.yaml', 7, [{ kind: 'remove-lines', path: '/etc/netplan/01-netcfg.yaml', lines: [[7, 7]] }]],
      ['/etc/netplan/01-netcfg.yaml', 11, undefined],
      [`${dir}/10-lan.link`, 2, [{ kind: 'remove', path: `${dir}/10-lan.link` }]],
      [`${dir}/11-jumbo.link`, 2, undefined],
      [`${dir}/12-shadow.link`, 2, [{ kind: 'link', path: `${dir}/12-shadow.link`, target: '/dev/null' }]],
      [`${dir}/20-named.network`, 3, [{ kind: 'remove-lines', path: `${dir}/20-named.network`, lines: [[3, 3]] }]],
      [`${dir}/30-mac.network`, 3, [{ kind: 'replace-line', path: `${dir}/30-mac.network`, line: 3, text: 'Name=en* eth*' }]],
      [`${dir}/40-two.network`, 3, undefined],
      ['/usr/lib/systemd/network/13-vendor.link', 2, [{ kind: 'remove', path: '/usr/lib/systemd/network/13-vendor.link' }]],
    ]);
    expect(findings[3]!.fix).toBe(`move the other settings of ${dir}/11-jumbo.link (MTUBytes=) to a .link file that selects the card another way, then remove ${dir}/11-jumbo.link, which gives the card with that MAC the name jumbo0; configuration that names jumbo0 must then name the card as udev does`);
    expect(findings[4]!.fix).toContain(`replace ${dir}/12-shadow.link with a link to /dev/null (removing it would bring back /usr/lib/systemd/network/12-shadow.link)`);
    expect(findings[1]!.fix).toContain('replace the match: of this definition (its macaddress: is line 11) and its set-name: by naming the definition eth0');
    expect(await fixedText(opened, `${dir}/20-named.network`)).toBe('[Match]\nName=en*\n\n[Network]\nDHCP=yes\n');
    expect(await fixedText(opened, `${dir}/30-mac.network`)).toBe('# Written by hand.\n[Match]\nName=en* eth*\n\n[Network]\nDHCP=yes\n');
    expect(await fixedText(opened, '/etc/netplan/01-netcfg.yaml')).toBe(NETPLAN.replace(`        macaddress: "${mac(5)}"\n`, ''));
  });

  it('machine-id: empties /etc/machine-id under systemd and links the D-Bus copy to it', () => {
    expect(repairsByPlace(of(opened.findings, 'machine-id'))).toEqual([
      ['/etc/machine-id', null, [{ kind: 'truncate', path: '/etc/machine-id' }]],
      ['/var/lib/dbus/machine-id', null, [{ kind: 'link', path: '/var/lib/dbus/machine-id', target: '/etc/machine-id' }]],
    ]);
  });

  it('ssh-host-keys: removes each private key and the .pub files that exist, as ssh-keygen.service makes them again', () => {
    const [finding, ...rest] = of(opened.findings, 'ssh-host-keys');
    expect(rest).toEqual([]);
    const keys = ['ecdsa', 'ed25519', 'rsa'].map((type) => `/etc/ssh/ssh_host_${type}_key`);
    const removed = [keys[0]!, keys[1]!, `${keys[1]}.pub`, keys[2]!, `${keys[2]}.pub`];
    expect(finding!.repairs).toEqual(removed.map((path) => ({ kind: 'remove', path })));
    expect(finding!.fix).toBe(`remove ${keys[0]}, ${keys[1]} and ${keys[1]}.pub, ${keys[2]} and ${keys[2]}.pub`);
  });

  it('leftover-secrets: removes shell histories only; keys and credentials need revoking by a person', () => {
    expect(repairsByPlace(of(opened.findings, 'leftover-secrets'))).toEqual([
      [`${HOME}/.aws/credentials`, null, undefined],
      [`${HOME}/.bash_history`, null, [{ kind: 'remove', path: `${HOME}/.bash_history` }]],
      ['/root/.bash_history', null, [{ kind: 'remove', path: '/root/.bash_history' }]],
      ['/root/.ssh/id_ed25519', null, undefined],
    ]);
  });

  it('free-space-zeroed: zeroes the free blocks of the partition that holds garbage', () => {
    const findings = of(opened.findings, 'free-space-zeroed');
    expect(findings.map((f) => [f.location.partition, f.repairs])).toEqual([[1, [{ kind: 'zero-free-space', partition: 1 }]]]);
  });
});

describe('repairs on the Rocky and SysV guests', () => {
  it('mac-pinned-network-config: the HWADDR= and mac-address= lines go; a repeated HWADDR= and a SUSE file named after the MAC get no repair', async () => {
    const tree = rhelNetworkManagerGuest();
    tree['etc/sysconfig/network-scripts/ifcfg-eth1'] = `DEVICE=eth1\r\nHWADDR=${mac(20)}\r\nBOOTPROTO=dhcp\r\nHWADDR=${mac(20)}\r\n`;
    tree[`etc/sysconfig/network/ifcfg-eth-id-${mac(21)}`] = "BOOTPROTO='dhcp'\nSTARTMODE='auto'\n";
    const opened = await openAndCheck(makeGuestImage(tree), ['mac-pinned-network-config']);
    try {
      const nm = '/etc/NetworkManager/system-connections/ens3.nmconnection';
      const ifcfg = '/etc/sysconfig/network-scripts/ifcfg-eth0';
      expect(repairsByPlace(opened.findings)).toEqual([
        [nm, 9, [{ kind: 'remove-lines', path: nm, lines: [[9, 9]] }]],
        [ifcfg, 4, [{ kind: 'remove-lines', path: ifcfg, lines: [[4, 4]] }]],
        ['/etc/sysconfig/network-scripts/ifcfg-eth1', 4, undefined],
        [`/etc/sysconfig/network/ifcfg-eth-id-${mac(21)}`, null, undefined],
      ]);
      expect(await fixedText(opened, ifcfg)).toBe('DEVICE=eth0\nBOOTPROTO=dhcp\nONBOOT=yes\nTYPE=Ethernet\n');
      const keyfile = (await opened.inspected.guest!.readText(nm)).split('\n');
      expect(await fixedText(opened, nm)).toBe(keyfile.filter((line) => line !== `mac-address=${NIC_MAC}`).join('\n'));
    } finally {
      await opened.inspected.close();
    }
  }, 20_000);

  it('persistent-net-rules and machine-id without systemd: the generated file goes whole; both id files are removed', async () => {
    const tree = sysvLegacyGuest();
    tree['etc/machine-id'] = `${MACHINE_ID}\n`;
    tree['var/lib/dbus/machine-id'] = `${OTHER_MACHINE_ID}\n`;
    const opened = await openAndCheck(makeGuestImage(tree), ['persistent-net-rules', 'machine-id']);
    try {
      const rules = '/etc/udev/rules.d/70-persistent-net.rules';
      expect(repairsByPlace(opened.findings)).toEqual([
        [rules, 8, [{ kind: 'remove-lines', path: rules, lines: [[7, 8]], removeFileWhenNothingLeft: true }]],
        ['/etc/machine-id', null, [{ kind: 'remove', path: '/etc/machine-id' }]],
        ['/var/lib/dbus/machine-id', null, [{ kind: 'remove', path: '/var/lib/dbus/machine-id' }]],
      ]);
      expect(await fixedText(opened, rules)).toBe('removed');
    } finally {
      await opened.inspected.close();
    }
  }, 20_000);
});
