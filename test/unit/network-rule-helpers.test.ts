// The pure helpers of the network rules and the service commands their
// messages give: interface naming on real-shaped GRUB and BLS
// configuration, udev rule and INI continuation lines (with crafted files
// that once took a minute and more), distribution families and the enable
// command per init system.
import { describe, expect, it } from 'vitest';
import type { GuestFacts, KernelCommandLine, NetworkInterfaceConfig } from '../../src/inspect/facts/guest-facts.js';
import { grubDefaultCommandLines, parseGrubCfg, parseGrubDefaults, parseGrubEnvironment } from '../../src/inspect/facts/boot-config-grub.js';
import { parseBlsEntry } from '../../src/inspect/facts/boot-config-bls.js';
import { parseIniSections, SYSTEMD_DIALECT } from '../../src/inspect/facts/network/ini-sections.js';
import { kernelInterfaceNaming, namesPredictableInterface, netIfnames } from '../../src/rules/support/interface-names.js';
import { distroFamily, enableServiceCommand } from '../../src/rules/support/service-commands.js';
import { parseUdevMacNames } from '../../src/rules/support/udev-mac-names.js';

/** Bounds for the crafted inputs: generous, to catch quadratic blowups (seconds to minutes before), not to benchmark. */
const QUADRATIC_BOUND_MS = 5000;

function timed<T>(work: () => T): { value: T; ms: number } {
  const started = performance.now();
  const value = work();
  return { value, ms: performance.now() - started };
}

const config = (fields: Partial<NetworkInterfaceConfig>): NetworkInterfaceConfig =>
  ({ stack: 'ifupdown', method: 'dhcp', source: { path: '/etc/network/interfaces', line: 12 }, ...fields });

// Hand-written in grub-mkconfig's shape (no Debian package ships a grub.cfg).
const grubCfg = (normal: string, recovery: string) => `menuentry 'Debian GNU/Linux' --class debian $menuentry_id_option 'gnulinux-simple' {
\tlinux\t/boot/vmlinuz-6.1.0-13-amd64 root=UUID=3f9c2d64 ro ${normal}
\tinitrd\t/boot/initrd.img-6.1.0-13-amd64
}
submenu 'Advanced options for Debian GNU/Linux' {
\tmenuentry 'Debian GNU/Linux, with Linux 6.1.0-13-amd64 (recovery mode)' {
\t\tlinux\t/boot/vmlinuz-6.1.0-13-amd64 root=UUID=3f9c2d64 ro ${recovery}
\t}
}
`;

describe('interface naming', () => {
  it('counts one predictable name as bound, and not a pattern, a MAC match or the kernel\'s eth0', () => {
    expect(namesPredictableInterface(config({ interface: 'enp0s3' }))).toBe(true);
    expect(namesPredictableInterface(config({ interface: 'ens3' }))).toBe(true);
    expect(namesPredictableInterface(config({ interface: 'wlp2s0' }))).toBe(true);
    expect(namesPredictableInterface(config({ interface: 'eth0' }))).toBe(false);
    expect(namesPredictableInterface(config({ namePattern: 'en*' }))).toBe(false);
    expect(namesPredictableInterface(config({ interface: 'enp0s3', macPin: { mac: '52:54:00:12:34:56', source: { path: '/x' } } }))).toBe(false);
  });

  it('net.ifnames: the last one before "--" decides', () => {
    expect(netIfnames(['ro', 'net.ifnames=0', 'quiet'])).toBe(false);
    expect(netIfnames(['net.ifnames=0', 'net.ifnames=1'])).toBe(true);
    expect(netIfnames(['ro', '--', 'net.ifnames=0'])).toBeUndefined();
    expect(netIfnames(['biosdevname=0'])).toBeUndefined();
  });

  it('needs net.ifnames=0 on every grub.cfg entry, the recovery entry included', () => {
    const all = kernelInterfaceNaming(parseGrubCfg(grubCfg('net.ifnames=0 quiet', 'single net.ifnames=0'), '/boot/grub/grub.cfg'));
    expect(all).toEqual({ classicNames: true, without: [], entries: 2 });
    const some = kernelInterfaceNaming(parseGrubCfg(grubCfg('net.ifnames=0 quiet', 'single'), '/boot/grub/grub.cfg'));
    expect(some.classicNames).toBe(false);
    expect(some.without.map((e) => [e.source.line, e.title])).toEqual([[7, 'Debian GNU/Linux, with Linux 6.1.0-13-amd64 (recovery mode)']]);
  });

  it('expands $kernelopts of BLS entries from grubenv, and falls back to the GRUB defaults with no entry', () => {
    const bls = parseBlsEntry('title Rocky Linux\nversion 4.18.0\nlinux /vmlinuz-4.18.0\noptions $kernelopts\n', '/boot/loader/entries/a.conf');
    const env = parseGrubEnvironment('# GRUB Environment Block\nkernelopts=root=/dev/vda1 ro net.ifnames=0\n', '/boot/grub2/grubenv');
    expect(kernelInterfaceNaming([bls, ...env]).classicNames).toBe(true);
    expect(kernelInterfaceNaming([bls]).classicNames).toBe(false);
    const defaults: KernelCommandLine[] = grubDefaultCommandLines(parseGrubDefaults('GRUB_CMDLINE_LINUX_DEFAULT="quiet"\nGRUB_CMDLINE_LINUX="net.ifnames=0"\n', '/etc/default/grub', {}));
    expect(kernelInterfaceNaming(defaults)).toEqual({ classicNames: true, without: [], entries: 0 });
    expect(kernelInterfaceNaming([]).classicNames).toBe(false);
  });
});

describe('udev MAC names', () => {
  it('gives a continued rule the lines it starts and ends on', () => {
    const text = '# generated\nSUBSYSTEM=="net", ACTION=="add", \\\n  ATTR{address}=="52:54:00:12:34:56", \\\n  NAME="eth0"\nATTR{address}=="52:54:00:aa:bb:cc",NAME="eth1"\n';
    expect(parseUdevMacNames(text)).toEqual([
      { line: 2, endLine: 4, mac: '52:54:00:12:34:56', name: 'eth0' },
      { line: 5, endLine: 5, mac: '52:54:00:aa:bb:cc', name: 'eth1' },
    ]);
  });

  it('skips a pair udev would reject and reads on after the comma', () => {
    expect(parseUdevMacNames('ATTR{address}==52:54:00:12:34:56, ATTR{address}=="52:54:00:12:34:57", BAD KEY, NAME="lan"\n')).toEqual([
      { line: 1, endLine: 1, mac: '52:54:00:12:34:57', name: 'lan' },
    ]);
  });

  it('reads a crafted 600 KB rule of continuation lines, and 256 KB lines made to backtrack, in well under a second', () => {
    const continued = `${' \\\n'.repeat(200 * 1024)}ATTR{address}=="52:54:00:12:34:56", NAME="eth0"\n`;
    const crafted = [continued, `${'a{'.repeat(128 * 1024)}\n`, `${'a="\\"'.repeat(48 * 1024)}\n`, `${'a'.repeat(256 * 1024)}\n`];
    const { value, ms } = timed(() => crafted.map(parseUdevMacNames));
    expect(value[0]).toEqual([{ line: 1, endLine: 200 * 1024 + 1, mac: '52:54:00:12:34:56', name: 'eth0' }]);
    expect(value.slice(1)).toEqual([[], [], []]);
    expect(ms).toBeLessThan(QUADRATIC_BOUND_MS);
  });
});

describe('parseIniSections', () => {
  it('joins systemd continuation lines with a space, at the line the entry starts on', () => {
    expect(parseIniSections('[Match]\nName=en* \\\n  eth*\n[Network]\nDHCP=yes\n', SYSTEMD_DIALECT)).toEqual([
      { name: 'Match', line: 1, entries: [{ key: 'Name', value: 'en*  eth*', line: 2 }] },
      { name: 'Network', line: 4, entries: [{ key: 'DHCP', value: 'yes', line: 5 }] },
    ]);
  });

  it('reads a crafted 600 KB entry of continuation lines in well under a second', () => {
    const text = `[Match]\nName=${'e\\\n'.repeat(200 * 1024)}eth0\n[Network]\nDHCP=yes\n`;
    const { value, ms } = timed(() => parseIniSections(text, SYSTEMD_DIALECT));
    expect(value[0]!.entries[0]!.value.length).toBe(200 * 1024 * 2 + 4);
    expect(value[1]).toMatchObject({ name: 'Network', entries: [{ key: 'DHCP', value: 'yes' }] });
    expect(ms).toBeLessThan(QUADRATIC_BOUND_MS);
  });
});

describe('service commands', () => {
  const facts = (id: string | undefined, initSystem: GuestFacts['services']['initSystem'], manager: GuestFacts['packages']['manager'] = 'none', idLike: string[] = []) =>
    ({ os: { family: 'linux', id, idLike }, services: { initSystem }, packages: { manager, packages: [] } }) as unknown as GuestFacts;

  it('distroFamily: os-release first, then the package manager', () => {
    expect(distroFamily(facts('ubuntu', 'systemd'))).toBe('debian');
    expect(distroFamily(facts('linuxmint', 'systemd', 'none', ['ubuntu', 'debian']))).toBe('debian');
    expect(distroFamily(facts('rocky', 'systemd'))).toBe('redhat');
    expect(distroFamily(facts('opensuse-leap', 'systemd', 'rpm', ['suse', 'opensuse']))).toBe('suse');
    expect(distroFamily(facts('alpine', 'openrc'))).toBe('alpine');
    expect(distroFamily(facts(undefined, 'sysv', 'dpkg'))).toBe('debian');
    expect(distroFamily(facts(undefined, 'sysv', 'rpm'))).toBe('redhat');
    expect(distroFamily(facts('gentoo', 'openrc'))).toBe('other');
  });

  it('enableServiceCommand: by the init system that boots, and on Upstart by what the service is', () => {
    const trusty = facts('ubuntu', 'upstart');
    expect(enableServiceCommand(trusty, 'ntp', '/etc/init.d/ntp')).toBe('update-rc.d ntp defaults');
    expect(enableServiceCommand(trusty, 'ssh', '/etc/init/ssh.conf')).toBe('remove "manual" from /etc/init/ssh.conf and /etc/init/ssh.override');
    expect(enableServiceCommand(trusty, 'ssh')).toBe('remove "manual" from /etc/init/ssh.conf and /etc/init/ssh.override (for a SysV script in /etc/init.d: update-rc.d ssh defaults)');
    // A unit file on a guest Upstart boots tells nothing.
    expect(enableServiceCommand(trusty, 'ssh', '/lib/systemd/system/ssh.service')).toMatch(/^remove "manual"/);
    expect(enableServiceCommand(facts('debian', 'systemd'), 'chrony', '/etc/init.d/chrony')).toBe('systemctl enable chrony');
    expect(enableServiceCommand(facts('centos', 'sysv'), 'ntpd', '/etc/rc.d/init.d/ntpd')).toBe('chkconfig ntpd on');
    expect(enableServiceCommand(facts('alpine', 'openrc'), 'chronyd', '/etc/init.d/chronyd')).toBe('rc-update add chronyd default');
    expect(enableServiceCommand(facts('debian', 'unknown'), 'ntp', '/etc/init.d/ntp')).toBe('update-rc.d ntp defaults');
    expect(enableServiceCommand(facts('debian', 'unknown'), 'ntp')).toBe('systemctl enable ntp (on a SysV system: update-rc.d ntp defaults)');
  });
});
