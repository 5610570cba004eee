// Acceptance test of the guest facts as a user gets them: `spotlint inspect
// IMAGE --json` on an image of each guest style. Every expected value is
// derived from the builders' trees and the real Debian package files, so a
// change to a fixture moves the expectation with it.
import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EnabledService, GuestFacts } from '../../src/inspect/facts/guest-facts.js';
import type { Tree } from '../helpers/build-image.js';
import {
  DEBIAN_INTERFACE,
  DEBIAN_PACKAGES,
  DEBIAN_USER,
  debianSystemdGuest,
  distroText,
  makeGuestImage,
  NIC_MAC,
  packageVersion,
  parseUnitSection,
  readTreeText,
  resolveTreePath,
  rhelNetworkManagerGuest,
  RHEL_INTERFACE,
  sysvLegacyGuest,
  wellBuiltDebianGuest,
  WHEEZY_USER,
} from '../helpers/guest-styles/index.js';
import { runCli, type CliResult } from '../helpers/run-cli.js';

/** Substrings that open a SHA-512 and an MD5 crypt hash: none may reach the JSON. */
const HASH_PREFIXES = ['$6$', '$1$'];

interface StyleRun {
  tree: Tree;
  image: string;
  json: CliResult;
  facts: GuestFacts;
}

/** Builds the style's image once and runs `spotlint inspect IMAGE --json` on it. */
async function inspectStyle(tree: Tree): Promise<StyleRun> {
  const image = makeGuestImage(tree);
  const json = await runCli(['inspect', image, '--json']);
  if (json.code !== 0) throw new Error(`spotlint inspect --json exited ${json.code}: ${json.stderr}`);
  return { tree, image, json, facts: (JSON.parse(json.stdout) as { facts: GuestFacts }).facts };
}

function removeImage(run: StyleRun | undefined): void {
  if (run) rmSync(dirname(run.image), { recursive: true, force: true });
}

function treeText(tree: Tree, path: string): string {
  const text = readTreeText(tree, path);
  if (text === undefined) throw new Error(`${path}: not a file in the tree`);
  return text;
}

/** The 1-based number of the first line of `text` matching `pattern`. */
function lineMatching(text: string, pattern: RegExp): number {
  const index = text.split('\n').findIndex((line) => pattern.test(line));
  if (index < 0) throw new Error(`no line matches ${pattern}`);
  return index + 1;
}

/** os-release(5) KEY's value, quotes removed. */
function osReleaseValue(text: string, key: string): string {
  const line = text.split('\n').find((l) => l.startsWith(`${key}=`));
  if (line === undefined) throw new Error(`os-release has no ${key}`);
  return line.slice(key.length + 1).replace(/^"(.*)"$/, '$1');
}

/** A guest path's real location after every link, as the guest resolves it. */
function guestRealPath(tree: Tree, path: string): string {
  return `/${resolveTreePath(tree, path)}`;
}

function enabledNamed(facts: GuestFacts, name: string): EnabledService {
  const service = facts.services.enabled.find((s) => s.name === name);
  if (!service) throw new Error(`${name} is not among the enabled: ${facts.services.enabled.map((s) => s.name).join(', ')}`);
  return service;
}

/** What `systemctl enable` left for a unit whose [Install] says WantedBy=: the .wants link and the unit file it leads to. */
function systemdWantsLink(tree: Tree, unitText: string, linkName: string): { enabledBy: string; definition: string } {
  const wantedBy = parseUnitSection(unitText, 'Install').get('WantedBy')?.[0];
  if (wantedBy === undefined) throw new Error(`${linkName}: no WantedBy= in its [Install]`);
  const enabledBy = `/etc/systemd/system/${wantedBy}.wants/${linkName}`;
  const link = tree[enabledBy.slice(1)];
  if (typeof link !== 'object' || Buffer.isBuffer(link)) throw new Error(`${enabledBy}: not a link in the tree`);
  return { enabledBy, definition: guestRealPath(tree, enabledBy) };
}

function accountNamed(facts: GuestFacts, name: string) {
  const account = facts.accounts.accounts.find((a) => a.name === name);
  if (!account) throw new Error(`no account ${name}`);
  return account;
}

/** The /etc/shadow line of `user` in the tree. */
function shadowLine(tree: Tree, user: string): number {
  return lineMatching(treeText(tree, 'etc/shadow'), new RegExp(`^${user}:`));
}

function expectNoPasswordHash(run: StyleRun): void {
  for (const prefix of HASH_PREFIXES) expect(run.json.stdout.includes(prefix), `--json output contains "${prefix}"`).toBe(false);
  const hashes = treeText(run.tree, 'etc/shadow').split('\n').map((line) => line.split(':')[1] ?? '').filter((hash) => hash.startsWith('$'));
  for (const hash of hashes) expect(run.json.stdout).not.toContain(hash);
}

describe('guest facts of Debian 12 with systemd and ifupdown', () => {
  let run: StyleRun;
  beforeAll(async () => {
    run = await inspectStyle(debianSystemdGuest());
  });
  afterAll(() => removeImage(run));

  it('names the OS from base-files os-release and the architecture from /bin/sh (dash)', () => {
    const osRelease = distroText('base-files', 'etc/os-release');
    expect(run.facts.os).toMatchObject({
      family: 'linux',
      id: 'debian',
      version: '12',
      prettyName: osReleaseValue(osRelease, 'PRETTY_NAME'),
      source: '/etc/os-release',
      architecture: 'x86_64',
      architectureSource: guestRealPath(run.tree, 'bin/sh'),
    });
    expect(run.facts.os.architectureSource).toBe('/usr/bin/dash');
  });

  it('boots systemd to the target default.target leads to, with the postinsts\' services enabled', () => {
    const { services } = run.facts;
    expect(services.initSystem).toBe('systemd');
    // update-rc.d links are there too: a Debian image carries both.
    expect(services.present).toEqual(expect.arrayContaining(['systemd', 'sysv']));
    // The builder leaves /etc/systemd/system/default.target alone, so systemd's packaged link decides.
    expect(run.tree['etc/systemd/system/default.target']).toBeUndefined();
    const defaultLink = run.tree[resolveTreePath(run.tree, 'lib/systemd/system/default.target', false)];
    expect(defaultLink).toEqual({ symlink: expect.any(String) });
    expect(services.defaultTarget).toBe((defaultLink as { symlink: string }).symlink.split('/').pop());

    const ssh = enabledNamed(run.facts, 'ssh.service');
    const sshUnit = distroText('openssh-server', 'lib/systemd/system/ssh.service');
    expect(ssh).toMatchObject({ initSystem: 'systemd', ...systemdWantsLink(run.tree, sshUnit, 'ssh.service') });
    expect(ssh.aliases).toEqual(parseUnitSection(sshUnit, 'Install').get('Alias'));
    expect(ssh.aliases).toContain('sshd.service');
    expect(ssh.definition).toBe('/usr/lib/systemd/system/ssh.service');

    for (const [name, pkg] of [['cron.service', 'cron'], ['chrony.service', 'chrony'], ['networking.service', 'ifupdown']] as const) {
      const unit = distroText(pkg, `lib/systemd/system/${name}`);
      expect(enabledNamed(run.facts, name), name).toMatchObject({ initSystem: 'systemd', ...systemdWantsLink(run.tree, unit, name) });
    }
    // getty@.service has DefaultInstance=tty1: enabling the template links the tty1 instance.
    const getty = distroText('systemd', 'lib/systemd/system/getty@.service');
    const instance = parseUnitSection(getty, 'Install').get('DefaultInstance')?.[0];
    const gettyName = `getty@${instance}.service`;
    expect(enabledNamed(run.facts, gettyName)).toMatchObject({
      initSystem: 'systemd',
      enabledBy: systemdWantsLink(run.tree, getty, gettyName).enabledBy,
      definition: guestRealPath(run.tree, 'lib/systemd/system/getty@.service'),
    });
    expect(services.masked).toEqual([]);
    expect(services.problems).toEqual([]);
  });

  it('lists the dpkg packages with the versions ORIGIN.tsv gives', () => {
    const { packages } = run.facts;
    expect(packages.manager).toBe('dpkg');
    expect(packages.source).toBe('/var/lib/dpkg/status');
    expect(packages.problems).toEqual([]);
    const expected = [...DEBIAN_PACKAGES, 'systemd-sysv'].map((name) => ({ name, version: packageVersion(name === 'systemd-sysv' ? 'systemd' : name) }));
    expect([...packages.packages].sort((a, b) => a.name.localeCompare(b.name))).toEqual(expected.sort((a, b) => a.name.localeCompare(b.name)));
    expect(packages.packages).toContainEqual({ name: 'openssh-server', version: packageVersion('openssh-server') });
  });

  it('finds root and the installer user as logins with SHA-512 hashes, and system accounts without a login shell', () => {
    const { accounts } = run.facts;
    expect(accounts.problems).toEqual([]);
    for (const name of ['root', DEBIAN_USER]) {
      expect(accountNamed(run.facts, name), name).toMatchObject({
        loginShell: true,
        shell: '/bin/bash',
        password: { kind: 'hash', scheme: 'sha512', source: { path: '/etc/shadow', line: shadowLine(run.tree, name) } },
        source: { path: '/etc/passwd', line: lineMatching(treeText(run.tree, 'etc/passwd'), new RegExp(`^${name}:`)) },
      });
    }
    expect(accountNamed(run.facts, DEBIAN_USER)).toMatchObject({ uid: 1000, gid: 1000, home: `/home/${DEBIAN_USER}` });
    expect(accountNamed(run.facts, 'sshd')).toMatchObject({ uid: 101, shell: '/usr/sbin/nologin', loginShell: false, password: { kind: 'locked' } });
    expect(accounts.accounts.filter((a) => a.loginShell).map((a) => a.name)).toEqual(['root', DEBIAN_USER]);
  });

  it('reads the installer\'s ifupdown interface: enp0s3 by DHCP at boot (allow-hotplug)', () => {
    const { network } = run.facts;
    expect(network.stacks).toEqual(['ifupdown']);
    expect(network.problems).toEqual([]);
    const interfaces = treeText(run.tree, 'etc/network/interfaces');
    const nic = network.interfaces.find((n) => n.interface === DEBIAN_INTERFACE);
    expect(nic).toMatchObject({
      stack: 'ifupdown',
      method: 'dhcp',
      atBoot: true,
      hotplug: true,
      source: { path: '/etc/network/interfaces', line: lineMatching(interfaces, new RegExp(`^iface ${DEBIAN_INTERFACE} inet dhcp`)) },
    });
    expect(nic?.macPin).toBeUndefined();
  });

  it('reads Debian\'s packaged sshd_config: password logins by default, keyboard-interactive off, PAM on', () => {
    const { sshd } = run.facts;
    const config = distroText('openssh-server', 'usr/share/openssh/sshd_config');
    expect(sshd.present).toBe(true);
    expect(sshd.problems).toEqual([]);
    // Its Include of sshd_config.d/*.conf matches nothing in an empty folder.
    expect(sshd.files).toEqual(['/etc/ssh/sshd_config']);
    expect(sshd.settings.passwordauthentication).toEqual({ values: ['yes'], fromDefault: true });
    expect(sshd.settings.kbdinteractiveauthentication).toEqual({
      values: ['no'],
      fromDefault: false,
      source: { path: '/etc/ssh/sshd_config', line: lineMatching(config, /^KbdInteractiveAuthentication\s+no\b/) },
    });
    expect(sshd.settings.usepam).toEqual({
      values: ['yes'],
      fromDefault: false,
      source: { path: '/etc/ssh/sshd_config', line: lineMatching(config, /^UsePAM\s+yes\b/) },
    });
    expect(sshd.matchBlocks).toEqual([]);
  });

  it('keeps password hashes out of the JSON', () => expectNoPasswordHash(run));

  it('shows every fact section in the human `spotlint inspect`', async () => {
    const human = await runCli(['inspect', run.image]);
    expect(human.code).toBe(0);
    expect(human.stderr).toBe('');
    const lines = human.stdout.split('\n');
    for (const start of ['OS:', 'Init system:', 'At boot', 'Packages:', 'Logins', 'Network:', 'sshd:']) {
      expect(lines.some((line) => line.startsWith(start)), `a line beginning "${start}"`).toBe(true);
    }
    expect(lines.find((line) => line.startsWith('OS:'))).toContain(run.facts.os.prettyName);
    expect(lines.find((line) => line.startsWith('At boot'))).toContain('ssh.service (sshd.service)');
    for (const prefix of HASH_PREFIXES) expect(human.stdout).not.toContain(prefix);
  });
});

describe('guest facts of the well-built Debian 12', () => {
  let run: StyleRun;
  beforeAll(async () => {
    run = await inspectStyle(wellBuiltDebianGuest());
  });
  afterAll(() => removeImage(run));

  it('reads the drop-in that turns password logins off, ahead of the main file', () => {
    const { sshd } = run.facts;
    const dropIn = '/etc/ssh/sshd_config.d/50-appliance.conf';
    expect(sshd.files).toEqual(['/etc/ssh/sshd_config', dropIn]);
    expect(sshd.settings.passwordauthentication).toEqual({
      values: ['no'],
      fromDefault: false,
      source: { path: dropIn, line: lineMatching(treeText(run.tree, dropIn), /^PasswordAuthentication\s+no\b/) },
    });
    expect(sshd.problems).toEqual([]);
  });

  it('enables the first-boot host key unit from /etc/systemd/system', () => {
    const keygen = enabledNamed(run.facts, 'ssh-keygen.service');
    expect(keygen).toMatchObject({
      initSystem: 'systemd',
      ...systemdWantsLink(run.tree, treeText(run.tree, 'etc/systemd/system/ssh-keygen.service'), 'ssh-keygen.service'),
      definition: '/etc/systemd/system/ssh-keygen.service',
    });
    expect(enabledNamed(run.facts, 'ssh.service').aliases).toContain('sshd.service');
  });

  it('sees every password locked', () => {
    const { accounts } = run.facts;
    expect(accounts.accounts.length).toBe(treeText(run.tree, 'etc/passwd').trim().split('\n').length);
    for (const account of accounts.accounts) expect(account.password.kind, account.name).toBe('locked');
    expect(accountNamed(run.facts, 'root').loginShell).toBe(true);
    expect(accountNamed(run.facts, DEBIAN_USER).loginShell).toBe(true);
  });

  it('keeps password hashes out of the JSON', () => expectNoPasswordHash(run));
});

describe('guest facts of Rocky Linux 9 with NetworkManager', () => {
  let run: StyleRun;
  beforeAll(async () => {
    run = await inspectStyle(rhelNetworkManagerGuest());
  });
  afterAll(() => removeImage(run));

  it('names Rocky 9.3, like RHEL, from os-release', () => {
    const osRelease = treeText(run.tree, 'etc/os-release');
    expect(run.facts.os).toMatchObject({
      family: 'linux',
      id: 'rocky',
      version: '9.3',
      prettyName: osReleaseValue(osRelease, 'PRETTY_NAME'),
      architecture: 'x86_64',
      architectureSource: guestRealPath(run.tree, 'bin/sh'),
    });
    expect(run.facts.os.idLike).toContain('rhel');
    expect(run.facts.os.idLike).toEqual(osReleaseValue(osRelease, 'ID_LIKE').split(' '));
  });

  it('boots systemd to multi-user.target with sshd, NetworkManager, chronyd and the key generators', () => {
    const { services } = run.facts;
    expect(services.initSystem).toBe('systemd');
    expect(services.present).toEqual(['systemd']);
    expect(run.tree['etc/systemd/system/default.target']).toEqual({ symlink: '/usr/lib/systemd/system/multi-user.target' });
    expect(services.defaultTarget).toBe('multi-user.target');
    for (const name of ['sshd.service', 'NetworkManager.service', 'chronyd.service']) {
      const unit = treeText(run.tree, `usr/lib/systemd/system/${name}`);
      expect(enabledNamed(run.facts, name), name).toMatchObject({
        initSystem: 'systemd',
        ...systemdWantsLink(run.tree, unit, name),
        definition: `/usr/lib/systemd/system/${name}`,
      });
    }
    expect(enabledNamed(run.facts, 'NetworkManager.service').aliases).toContain('dbus-org.freedesktop.NetworkManager.service');
    // sshd.service Wants= sshd-keygen.target, which Wants= one instance per key type.
    const keygenTarget = treeText(run.tree, 'usr/lib/systemd/system/sshd-keygen.target');
    const instances = parseUnitSection(keygenTarget, 'Unit').get('Wants') ?? [];
    expect(instances.length).toBeGreaterThan(0);
    const enabledKeygens = services.enabled.filter((s) => /^sshd-keygen@.+\.service$/.test(s.name));
    expect(enabledKeygens.map((s) => s.name).sort()).toEqual([...instances].sort());
    for (const keygen of enabledKeygens) expect(keygen.definition).toBe('/usr/lib/systemd/system/sshd-keygen@.service');
    expect(services.problems).toEqual([]);
  });

  it('says the RPM database is there but lists no packages', () => {
    const { packages } = run.facts;
    expect(packages.manager).toBe('rpm');
    expect(packages.source).toBe('/var/lib/rpm/rpmdb.sqlite');
    expect(packages.packages).toEqual([]);
    expect(packages.note).toEqual(expect.any(String));
    expect(packages.note?.length).toBeGreaterThan(0);
  });

  it('finds root\'s SHA-512 hash and no other login', () => {
    expect(accountNamed(run.facts, 'root')).toMatchObject({
      loginShell: true,
      password: { kind: 'hash', scheme: 'sha512', source: { path: '/etc/shadow', line: shadowLine(run.tree, 'root') } },
    });
    expect(run.facts.accounts.accounts.filter((a) => a.loginShell).map((a) => a.name)).toEqual(['root']);
    expect(accountNamed(run.facts, 'sshd').loginShell).toBe(false);
  });

  it('reads both the keyfile and the ifcfg file, each pinned to the build machine\'s MAC', () => {
    const { network } = run.facts;
    expect([...network.stacks].sort()).toEqual(['ifcfg-rhel', 'networkmanager']);
    expect(network.problems).toEqual([]);
    const ifcfgPath = '/etc/sysconfig/network-scripts/ifcfg-eth0';
    const ifcfg = network.interfaces.find((n) => n.stack === 'ifcfg-rhel');
    expect(ifcfg).toMatchObject({
      interface: 'eth0',
      method: 'dhcp',
      atBoot: true,
      macPin: { mac: NIC_MAC, source: { path: ifcfgPath, line: lineMatching(treeText(run.tree, ifcfgPath), /^HWADDR=/) } },
    });
    expect(ifcfg?.source.path).toBe(ifcfgPath);
    const keyfilePath = `/etc/NetworkManager/system-connections/${RHEL_INTERFACE}.nmconnection`;
    const keyfile = network.interfaces.find((n) => n.stack === 'networkmanager');
    expect(keyfile).toMatchObject({
      interface: RHEL_INTERFACE,
      method: 'dhcp',
      atBoot: true,
      macPin: { mac: NIC_MAC, source: { path: keyfilePath, line: lineMatching(treeText(run.tree, keyfilePath), /^mac-address=/) } },
    });
    expect(keyfile?.source.path).toBe(keyfilePath);
  });

  it('reads sshd_config with 50-redhat.conf included: root may log in', () => {
    const { sshd } = run.facts;
    const redhat = '/etc/ssh/sshd_config.d/50-redhat.conf';
    expect(sshd.present).toBe(true);
    expect(sshd.files).toEqual(['/etc/ssh/sshd_config', redhat]);
    expect(sshd.settings.permitrootlogin).toEqual({
      values: ['yes'],
      fromDefault: false,
      source: { path: '/etc/ssh/sshd_config', line: lineMatching(treeText(run.tree, 'etc/ssh/sshd_config'), /^PermitRootLogin\s+yes\b/) },
    });
    expect(sshd.settings.usepam).toMatchObject({ values: ['yes'], source: { path: redhat, line: lineMatching(treeText(run.tree, redhat), /^UsePAM\s+yes\b/) } });
    expect(sshd.settings.passwordauthentication).toEqual({ values: ['yes'], fromDefault: true });
    expect(sshd.problems).toEqual([]);
  });

  it('keeps password hashes out of the JSON', () => expectNoPasswordHash(run));
});

describe('guest facts of the SysV-init Debian 7', () => {
  let run: StyleRun;
  beforeAll(async () => {
    run = await inspectStyle(sysvLegacyGuest());
  });
  afterAll(() => removeImage(run));

  it('names Debian 7 (wheezy) from its os-release', () => {
    const osRelease = treeText(run.tree, 'etc/os-release');
    expect(run.facts.os).toMatchObject({
      family: 'linux',
      id: 'debian',
      version: '7',
      prettyName: osReleaseValue(osRelease, 'PRETTY_NAME'),
      architecture: 'x86_64',
      architectureSource: guestRealPath(run.tree, 'bin/sh'),
    });
    expect(run.facts.os.prettyName).toContain('wheezy');
  });

  it('boots SysV init, ssh started by its runlevel 2 link', () => {
    const { services } = run.facts;
    expect(services.initSystem).toBe('sysv');
    expect(services.present).not.toContain('systemd');
    expect(services.defaultTarget).toBeUndefined();
    const sshLinks = Object.keys(run.tree).filter((key) => /^etc\/rc2\.d\/S\d\dssh$/.test(key));
    expect(sshLinks).toHaveLength(1);
    const ssh = enabledNamed(run.facts, 'ssh');
    expect(ssh).toMatchObject({ initSystem: 'sysv', enabledBy: `/${sshLinks[0]}`, definition: '/etc/init.d/ssh' });
    expect(ssh.enabledBy).toMatch(/^\/etc\/rc2\.d\/S\d\dssh$/);
    for (const service of services.enabled) expect(service.initSystem, service.name).toBe('sysv');
    expect(services.problems).toEqual([]);
  });

  it('finds root\'s MD5-crypt password', () => {
    expect(accountNamed(run.facts, 'root')).toMatchObject({
      loginShell: true,
      password: { kind: 'hash', scheme: 'md5', source: { path: '/etc/shadow', line: shadowLine(run.tree, 'root') } },
    });
    expect(accountNamed(run.facts, WHEEZY_USER).password).toMatchObject({ kind: 'hash', scheme: 'md5' });
  });

  it('reads the ifupdown interface eth0 by DHCP at boot', () => {
    const { network } = run.facts;
    expect(network.stacks).toEqual(['ifupdown']);
    const interfaces = treeText(run.tree, 'etc/network/interfaces');
    expect(network.interfaces.find((n) => n.interface === 'eth0')).toMatchObject({
      stack: 'ifupdown',
      method: 'dhcp',
      atBoot: true,
      source: { path: '/etc/network/interfaces', line: lineMatching(interfaces, /^iface eth0 inet dhcp/) },
    });
  });

  it('keeps password hashes out of the JSON', () => expectNoPasswordHash(run));
});
