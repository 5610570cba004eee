// Init systems and enabled services, read from real ext4 guests built from
// Debian 12 package files (test/data/distro/debian-12), with the enable links
// made exactly as `systemctl enable`, update-rc.d and rc-update make them.
// Hand-written, because no reachable package ships them: the /sbin/init,
// systemd, openrc and busybox programs (stand-in files: only their names and
// links matter), systemd-sysv's /sbin/init link, Upstart jobs (neither Debian
// 12 nor any package here has Upstart), and the Alpine and Red Hat files.
import { lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findEnabledService } from '../../dist/inspect/facts/services/find-service.js';
import { readServiceFacts } from '../../dist/inspect/facts/services/read-service-facts.js';
import type { EnabledService, ServiceFacts } from '../../dist/inspect/facts/guest-facts.js';
import type { Tree } from '../helpers/build-image.js';
import { openGuest, type OpenedGuest } from '../helpers/open-guest.js';

const DEBIAN = fileURLToPath(new URL('../data/distro/debian-12/', import.meta.url));
const SSH_NAMES = ['ssh', 'sshd', 'openssh', 'dropbear'];

/** A package's files as installed, links kept as links; `merged` moves lib/ under usr/ as a merged-/usr system has it. */
function packageTree(pkg: string, merged = false): Tree {
  const tree: Tree = {};
  const walk = (relative: string): void => {
    const full = join(DEBIAN, pkg, relative);
    for (const entry of readdirSync(full)) {
      const path = relative === '' ? entry : `${relative}/${entry}`;
      const stat = lstatSync(join(full, entry));
      const key = merged && /^(lib|sbin|bin)\//.test(path) ? `usr/${path}` : path;
      if (stat.isSymbolicLink()) tree[key] = { symlink: readlinkSync(join(full, entry)) };
      else if (stat.isDirectory()) walk(path);
      else tree[key] = readFileSync(join(full, entry));
    }
  };
  walk('');
  return tree;
}

const packages = (names: string[], merged = false): Tree => Object.assign({}, ...names.map((name) => packageTree(name, merged)));
const realFile = (pkg: string, path: string): Buffer => readFileSync(join(DEBIAN, pkg, path));
const stand_in = (what: string): string => `#!/bin/sh\n# stand-in for ${what}: spotlint reads its name and links, not its code\n`;
const names = (services: EnabledService[]): string[] => services.map((s) => s.name);
const byName = (facts: ServiceFacts, name: string): EnabledService | undefined => facts.enabled.find((s) => s.name === name);

async function withGuest(tree: Tree): Promise<{ opened: OpenedGuest; facts: ServiceFacts }> {
  const opened = await openGuest(tree, { sizeMiB: 16 });
  return { opened, facts: await readServiceFacts(opened.guest) };
}

describe('systemd (Debian 12, classic /lib layout)', () => {
  let opened: OpenedGuest;
  let facts: ServiceFacts;
  beforeAll(async () => {
    ({ opened, facts } = await withGuest({
      ...packages(['base-files', 'systemd', 'udev', 'dbus', 'openssh-server', 'cron', 'chrony', 'initscripts', 'sysv-rc']),
      'sbin/init': { symlink: '/lib/systemd/systemd' },
      'lib/systemd/systemd': stand_in('systemd'),
      // systemctl set-default multi-user.target
      'etc/systemd/system/default.target': { symlink: '/lib/systemd/system/multi-user.target' },
      // systemctl enable ssh: WantedBy=multi-user.target, Alias=sshd.service
      'etc/systemd/system/multi-user.target.wants/ssh.service': { symlink: '/lib/systemd/system/ssh.service' },
      'etc/systemd/system/sshd.service': { symlink: '/lib/systemd/system/ssh.service' },
      'etc/systemd/system/multi-user.target.wants/cron.service': { symlink: '/lib/systemd/system/cron.service' },
      // systemctl enable getty@tty1 (DefaultInstance=tty1, WantedBy=getty.target)
      'etc/systemd/system/getty.target.wants/getty@tty1.service': { symlink: '/lib/systemd/system/getty@.service' },
      // update-rc.d's links, kept beside the units on Debian 12
      'etc/rc2.d/S01ssh': { symlink: '../init.d/ssh' },
      'etc/rc2.d/S01cron': { symlink: '../init.d/cron' },
      'etc/rc2.d/S01rmnologin': { symlink: '../init.d/rmnologin' },
      'etc/rc5.d/S01bootlogs': { symlink: '../init.d/bootlogs' },
      'etc/rcS.d/S01urandom': { symlink: '../init.d/urandom' },
      // systemctl link /opt/app/app.service && systemctl enable app, plus a drop-in that pulls in a helper
      'opt/app/app.service': '[Unit]\nDescription=An appliance\n[Service]\nExecStart=/opt/app/run\n[Install]\nWantedBy=multi-user.target\n',
      'etc/systemd/system/app.service': { symlink: '/opt/app/app.service' },
      'etc/systemd/system/multi-user.target.wants/app.service': { symlink: '/opt/app/app.service' },
      'etc/systemd/system/app.service.d/helper.conf': '[Unit]\nWants=app-helper.service\n',
      'etc/systemd/system/app-helper.service': '[Service]\nExecStart=/opt/app/helper\n',
      // A link loop, enabled: one problem, nothing enabled, the rest still read.
      'etc/systemd/system/loop-a.service': { symlink: 'loop-b.service' },
      'etc/systemd/system/loop-b.service': { symlink: 'loop-a.service' },
      'etc/systemd/system/multi-user.target.wants/loop-a.service': { symlink: '/etc/systemd/system/loop-a.service' },
      // A bare template in a wants directory names no instance.
      'etc/systemd/system/multi-user.target.wants/getty@.service': { symlink: '/lib/systemd/system/getty@.service' },
    }));
  });
  afterAll(() => opened.inspected.close());

  it('finds systemd by /sbin/init, with the SysV links present beside it, and the /etc default target', () => {
    expect(facts.initSystem).toBe('systemd');
    expect(facts.present).toEqual(['systemd', 'sysv']);
    expect(facts.defaultTarget).toBe('multi-user.target');
  });

  it('reads a unit linked from outside the search path and a drop-in\'s Wants=, and reports each name of a link loop once', () => {
    expect(byName(facts, 'app.service')?.definition).toBe('/opt/app/app.service');
    expect(byName(facts, 'app-helper.service')?.enabledBy).toBe('/etc/systemd/system/app.service.d/helper.conf');
    expect(names(facts.enabled).filter((name) => name.startsWith('loop-') || name === 'getty@.service')).toEqual([]);
    expect(facts.problems.map((p) => p.path).sort()).toEqual(['/etc/systemd/system/loop-a.service', '/etc/systemd/system/loop-b.service']);
    for (const problem of facts.problems) expect(problem.message).toMatch(/more than 40 symbolic links/);
  });

  it('enables ssh.service through its multi-user.target.wants link, and knows it as sshd.service', () => {
    expect(byName(facts, 'ssh.service')).toEqual({
      name: 'ssh.service',
      initSystem: 'systemd',
      enabledBy: '/etc/systemd/system/multi-user.target.wants/ssh.service',
      definition: '/lib/systemd/system/ssh.service',
      aliases: ['sshd.service'],
    });
    expect(findEnabledService(facts, ['sshd'])?.name).toBe('ssh.service');
    expect(findEnabledService(facts, SSH_NAMES)?.name).toBe('ssh.service');
  });

  it('does not enable a unit that is installed but has no links (chrony)', () => {
    expect(byName(facts, 'chrony.service')).toBeUndefined();
    expect(findEnabledService(facts, ['chrony', 'chronyd'])).toBeUndefined();
    expect(byName(facts, 'cron.service')?.enabledBy).toBe('/etc/systemd/system/multi-user.target.wants/cron.service');
  });

  it('enables a template instance, found by the template prefix and by its autovt@ alias', () => {
    const getty = byName(facts, 'getty@tty1.service');
    expect(getty?.definition).toBe('/lib/systemd/system/getty@.service');
    expect(getty?.enabledBy).toBe('/etc/systemd/system/getty.target.wants/getty@tty1.service');
    expect(getty?.aliases).toContain('autovt@tty1.service');
    expect(findEnabledService(facts, ['getty@'])?.name).toBe('getty@tty1.service');
    expect(findEnabledService(facts, ['getty@.service'])?.name).toBe('getty@tty1.service');
  });

  it('follows the packages\' own wants directories through the targets\' Requires=/Wants= lines', () => {
    // multi-user.target Requires basic.target, which Requires sysinit.target and Wants sockets.target.
    expect(byName(facts, 'dbus.service')?.enabledBy).toBe('/lib/systemd/system/multi-user.target.wants/dbus.service');
    expect(byName(facts, 'systemd-udevd.service')?.enabledBy).toBe('/lib/systemd/system/sysinit.target.wants/systemd-udevd.service');
    expect(byName(facts, 'systemd-journald.socket')?.enabledBy).toBe('/lib/systemd/system/sockets.target.wants/systemd-journald.socket');
    expect(byName(facts, 'systemd-logind.service')?.aliases).toContain('dbus-org.freedesktop.login1.service');
    // Reached only from graphical.target, which this guest does not boot into.
    expect(names(facts.enabled)).not.toContain('display-manager.service');
  });

  it('leaves out units packages retire with /dev/null links, and does not call them masked', () => {
    expect(names(facts.enabled)).not.toContain('rc.service');
    expect(facts.masked).toEqual([]);
  });

  it('counts rc2.d scripts only when no unit of the same name exists, as systemd-sysv-generator does', () => {
    const sysv = facts.enabled.filter((s) => s.initSystem === 'sysv');
    // ssh and cron have units; bootlogs is in rc5.d only and graphical.target is not reached; rcS.d is not read by systemd.
    expect(sysv).toEqual([{
      name: 'rmnologin', initSystem: 'sysv', enabledBy: '/etc/rc2.d/S01rmnologin', definition: '/etc/init.d/rmnologin', aliases: ['rmnologin.service'],
    }]);
  });
});

describe('systemd (merged /usr, ssh masked, ssh.socket enabled)', () => {
  let opened: OpenedGuest;
  let facts: ServiceFacts;
  beforeAll(async () => {
    ({ opened, facts } = await withGuest({
      ...packages(['base-files', 'systemd', 'openssh-server', 'initscripts'], true),
      'bin': { symlink: 'usr/bin' },
      'sbin': { symlink: 'usr/sbin' },
      'lib': { symlink: 'usr/lib' },
      'usr/sbin/init': { symlink: '../lib/systemd/systemd' },
      'usr/lib/systemd/systemd': stand_in('systemd'),
      // Enabled before `systemctl mask ssh`, which leaves the wants link and the alias alone.
      'etc/systemd/system/multi-user.target.wants/ssh.service': { symlink: '/lib/systemd/system/ssh.service' },
      'etc/systemd/system/sshd.service': { symlink: '/lib/systemd/system/ssh.service' },
      'etc/systemd/system/ssh.service': { symlink: '/dev/null' },
      // systemctl enable ssh.socket: WantedBy=sockets.target
      'etc/systemd/system/sockets.target.wants/ssh.socket': { symlink: '/lib/systemd/system/ssh.socket' },
      'etc/rc2.d/S01ssh': { symlink: '../init.d/ssh' },
      'etc/rc5.d/S01bootlogs': { symlink: '../init.d/bootlogs' },
    }));
  });
  afterAll(() => opened.inspected.close());

  it('follows /sbin/init through /sbin -> usr/sbin, and takes the packaged default.target (graphical)', () => {
    expect(facts.initSystem).toBe('systemd');
    expect(facts.defaultTarget).toBe('graphical.target');
    expect(facts.problems).toEqual([]);
  });

  it('reports the masked unit and does not enable it, by its name or its alias', () => {
    expect(facts.masked).toEqual(['ssh.service']);
    expect(byName(facts, 'ssh.service')).toBeUndefined();
    expect(facts.enabled.some((s) => s.aliases.includes('sshd.service'))).toBe(false);
  });

  it('enables the socket-activated ssh.socket, which findEnabledService finds for "ssh"', () => {
    expect(byName(facts, 'ssh.socket')).toEqual({
      name: 'ssh.socket',
      initSystem: 'systemd',
      enabledBy: '/etc/systemd/system/sockets.target.wants/ssh.socket',
      definition: '/usr/lib/systemd/system/ssh.socket',
      aliases: [],
    });
    expect(findEnabledService(facts, SSH_NAMES)?.name).toBe('ssh.socket');
  });

  it('lets a masked unit hide the SysV script of its name, and counts rc5.d once graphical.target is reached', () => {
    expect(facts.enabled.filter((s) => s.initSystem === 'sysv').map((s) => s.name)).toEqual(['bootlogs']);
  });
});

describe('SysV init (Debian 12 with sysvinit-core)', () => {
  let opened: OpenedGuest;
  let facts: ServiceFacts;
  beforeAll(async () => {
    ({ opened, facts } = await withGuest({
      ...packages(['base-files', 'sysv-rc', 'initscripts', 'openssh-server', 'cron']),
      'sbin/init': stand_in('sysvinit-core\'s init'),
      // sysvinit-core installs its template as /etc/inittab (initdefault 2).
      'etc/inittab': realFile('sysvinit-core', 'usr/share/sysvinit/inittab'),
      'etc/rc2.d/S01ssh': { symlink: '../init.d/ssh' },
      'etc/rc2.d/K01cron': { symlink: '../init.d/cron' },
      'etc/rc3.d/S01cron': { symlink: '../init.d/cron' },
      'etc/rc2.d/S02removed': { symlink: '../init.d/removed' },
      'etc/rcS.d/S01urandom': { symlink: '../init.d/urandom' },
      // systemctl link /opt/app/app.service && systemctl enable app, plus a drop-in that pulls in a helper
      'opt/app/app.service': '[Unit]\nDescription=An appliance\n[Service]\nExecStart=/opt/app/run\n[Install]\nWantedBy=multi-user.target\n',
      'etc/systemd/system/app.service': { symlink: '/opt/app/app.service' },
      'etc/systemd/system/multi-user.target.wants/app.service': { symlink: '/opt/app/app.service' },
      'etc/systemd/system/app.service.d/helper.conf': '[Unit]\nWants=app-helper.service\n',
      'etc/systemd/system/app-helper.service': '[Service]\nExecStart=/opt/app/helper\n',
      // A link loop, enabled: one problem, nothing enabled, the rest still read.
      'etc/systemd/system/loop-a.service': { symlink: 'loop-b.service' },
      'etc/systemd/system/loop-b.service': { symlink: 'loop-a.service' },
      'etc/systemd/system/multi-user.target.wants/loop-a.service': { symlink: '/etc/systemd/system/loop-a.service' },
      // A bare template in a wants directory names no instance.
      'etc/systemd/system/multi-user.target.wants/getty@.service': { symlink: '/lib/systemd/system/getty@.service' },
    }));
  });
  afterAll(() => opened.inspected.close());

  it('takes SysV for an /sbin/init that is not systemd and an inittab that runs the boot; ssh.service alone is not systemd', () => {
    expect(facts.initSystem).toBe('sysv');
    expect(facts.present).toEqual(['sysv']);
    expect(facts.defaultTarget).toBeUndefined();
    expect(facts.problems).toEqual([]);
  });

  it('enables rcS.d and initdefault (2) start links whose scripts exist, and nothing from rc3.d or K links', () => {
    expect(names(facts.enabled)).toEqual(['ssh', 'urandom']);
    expect(findEnabledService(facts, SSH_NAMES)).toEqual({
      name: 'ssh', initSystem: 'sysv', enabledBy: '/etc/rc2.d/S01ssh', definition: '/etc/init.d/ssh', aliases: [],
    });
    expect(findEnabledService(facts, ['cron'])).toBeUndefined();
  });
});

describe('SysV init (Red Hat layout, no inittab)', () => {
  let opened: OpenedGuest;
  let facts: ServiceFacts;
  beforeAll(async () => {
    ({ opened, facts } = await withGuest({
      'etc/os-release': 'NAME="CentOS Linux"\nID="centos"\nID_LIKE="rhel fedora"\nVERSION_ID="5"\n',
      'etc/redhat-release': 'CentOS release 5.11 (Final)\n',
      'sbin/init': stand_in('sysvinit\'s init'),
      // The Debian script stands in for Red Hat's sshd script: only its path matters.
      'etc/rc.d/init.d/sshd': realFile('openssh-server', 'etc/init.d/ssh'),
      'etc/rc.d/init.d/crond': realFile('cron', 'etc/init.d/cron'),
      'etc/init.d': { symlink: 'rc.d/init.d' },
      'etc/rc.d/rc3.d/S55sshd': { symlink: '../init.d/sshd' },
      'etc/rc.d/rc5.d/S90crond': { symlink: '../init.d/crond' },
      'etc/rc3.d': { symlink: 'rc.d/rc3.d' },
      'etc/rc5.d': { symlink: 'rc.d/rc5.d' },
    }));
  });
  afterAll(() => opened.inspected.close());

  it('boots runlevel 3 on a Red Hat system with no initdefault, reading /etc/rc.d/rcN.d once', () => {
    expect(facts.initSystem).toBe('sysv');
    expect(facts.enabled).toEqual([{
      name: 'sshd', initSystem: 'sysv', enabledBy: '/etc/rc.d/rc3.d/S55sshd', definition: '/etc/rc.d/init.d/sshd', aliases: [],
    }]);
    expect(facts.problems).toEqual([]);
  });
});

describe('Upstart (Ubuntu 14.04 style)', () => {
  let opened: OpenedGuest;
  let facts: ServiceFacts;
  beforeAll(async () => {
    ({ opened, facts } = await withGuest({
      ...packages(['initscripts', 'openssh-server', 'cron']),
      'etc/os-release': 'NAME="Ubuntu"\nVERSION="14.04.6 LTS, Trusty Tahr"\nID=ubuntu\nID_LIKE=debian\nVERSION_ID="14.04"\n',
      'sbin/init': stand_in('upstart\'s init'),
      'etc/init/rc-sysinit.conf': 'description "System V initialisation compatibility"\nstart on (filesystem and static-network-up) or failsafe-boot\nstop on runlevel\nenv DEFAULT_RUNLEVEL=2\ntask\nexec /etc/init.d/rc $DEFAULT_RUNLEVEL\n',
      'etc/init/ssh.conf': 'description "OpenSSH server"\nstart on runlevel [2345]\nstop on runlevel [!2345]\nrespawn\nexec /usr/sbin/sshd -D\n',
      'etc/init/cron.conf': 'description "regular background program processing daemon"\nstart on runlevel [2345]\nstop on runlevel [!2345]\nexec cron\n',
      // echo manual > /etc/init/cron.override
      'etc/init/cron.override': 'manual\n',
      'etc/init/tty1.conf': 'start on stopped rc RUNLEVEL=[2345] and (\n            not-container or\n            container CONTAINER=lxc)\nrespawn\nexec /sbin/getty -8 38400 tty1\n',
      'etc/rc2.d/S20ssh': { symlink: '../init.d/ssh' },
      'etc/rc2.d/S20cron': { symlink: '../init.d/cron' },
      'etc/rc2.d/S99rmnologin': { symlink: '../init.d/rmnologin' },
    }));
  });
  afterAll(() => opened.inspected.close());

  it('takes Upstart for jobs with start on and no inittab', () => {
    expect(facts.initSystem).toBe('upstart');
    expect(facts.present).toEqual(['sysv', 'upstart']);
    expect(facts.problems).toEqual([]);
  });

  it('enables jobs that start on an event, not one overridden to manual', () => {
    expect(facts.enabled.filter((s) => s.initSystem === 'upstart').map((s) => s.name)).toEqual(['rc-sysinit', 'ssh', 'tty1']);
    expect(findEnabledService(facts, SSH_NAMES)).toEqual({
      name: 'ssh', initSystem: 'upstart', enabledBy: '/etc/init/ssh.conf', definition: '/etc/init/ssh.conf', aliases: [],
    });
    expect(findEnabledService(facts, ['cron'])).toBeUndefined();
  });

  it('runs rc2.d scripts through Upstart\'s rc job, except those an Upstart job replaces', () => {
    expect(facts.enabled.filter((s) => s.initSystem === 'sysv').map((s) => s.name)).toEqual(['rmnologin']);
  });
});

describe('OpenRC (Debian 12 with openrc)', () => {
  let opened: OpenedGuest;
  let facts: ServiceFacts;
  beforeAll(async () => {
    ({ opened, facts } = await withGuest({
      ...packages(['base-files', 'openrc', 'initscripts', 'openssh-server', 'cron']),
      'sbin/init': stand_in('sysvinit-core\'s init'),
      'sbin/openrc': stand_in('openrc'),
      // Debian's openrc keeps sysvinit's inittab; its /etc/init.d/rc hands over to openrc.
      'etc/inittab': realFile('sysvinit-core', 'usr/share/sysvinit/inittab'),
      // rc-update add ssh default; rc-update add urandom boot; rc-update add cgroups sysinit
      'etc/runlevels/default/ssh': { symlink: '/etc/init.d/ssh' },
      'etc/runlevels/boot/urandom': { symlink: '/etc/init.d/urandom' },
      'etc/runlevels/sysinit/cgroups': { symlink: '/etc/init.d/cgroups' },
      'etc/init.d/agetty.tty1': { symlink: 'agetty' },
      'etc/runlevels/default/agetty.tty1': { symlink: '/etc/init.d/agetty.tty1' },
      'etc/rc2.d/S01cron': { symlink: '../init.d/cron' },
    }));
  });
  afterAll(() => opened.inspected.close());

  it('takes OpenRC when it is installed with runlevels, although inittab runs /etc/init.d/rc', () => {
    expect(facts.initSystem).toBe('openrc');
    expect(facts.present).toEqual(['sysv', 'openrc']);
    expect(facts.problems).toEqual([]);
  });

  it('enables the sysinit, boot and default runlevels\' services, not the rc2.d links nor the nonetwork runlevel', () => {
    expect(names(facts.enabled)).toEqual(['agetty.tty1', 'cgroups', 'ssh', 'urandom']);
    expect(byName(facts, 'agetty.tty1')?.aliases).toEqual(['agetty']);
    expect(findEnabledService(facts, SSH_NAMES)).toEqual({
      name: 'ssh', initSystem: 'openrc', enabledBy: '/etc/runlevels/default/ssh', definition: '/etc/init.d/ssh', aliases: [],
    });
    expect(findEnabledService(facts, ['cron', 'local'])).toBeUndefined();
  });
});

describe('OpenRC (Alpine style: busybox init)', () => {
  let opened: OpenedGuest;
  let facts: ServiceFacts;
  beforeAll(async () => {
    ({ opened, facts } = await withGuest({
      'etc/os-release': 'NAME="Alpine Linux"\nID=alpine\nVERSION_ID=3.19.1\n',
      'bin/busybox': stand_in('busybox'),
      'sbin/init': { symlink: '/bin/busybox' },
      'etc/inittab': '# /etc/inittab\n::sysinit:/sbin/openrc sysinit\n::sysinit:/sbin/openrc boot\n::wait:/sbin/openrc default\ntty1::respawn:/sbin/getty 38400 tty1\n::shutdown:/sbin/openrc shutdown\n',
      'etc/init.d/sshd': '#!/sbin/openrc-run\ncommand=/usr/sbin/sshd\n',
      'etc/runlevels/default/sshd': { symlink: '/etc/init.d/sshd' },
    }));
  });
  afterAll(() => opened.inspected.close());

  it('takes OpenRC from an inittab that runs openrc, and finds sshd', () => {
    expect(facts.initSystem).toBe('openrc');
    expect(findEnabledService(facts, SSH_NAMES)?.enabledBy).toBe('/etc/runlevels/default/sshd');
    expect(facts.problems).toEqual([]);
  });
});

describe('findEnabledService', () => {
  const service = (name: string, aliases: string[] = []): EnabledService => ({ name, initSystem: 'systemd', enabledBy: `/x/${name}`, aliases });
  const facts = (enabled: EnabledService[]): ServiceFacts => ({ initSystem: 'systemd', present: ['systemd'], enabled, masked: [], problems: [] });

  it('prefers exact names, in the order asked, over template instances', () => {
    const f = facts([service('vncserver@:1.service'), service('sshd.service'), service('ssh.socket')]);
    expect(findEnabledService(f, ['ssh', 'sshd'])?.name).toBe('ssh.socket');
    expect(findEnabledService(f, ['vncserver'])?.name).toBe('vncserver@:1.service');
    expect(findEnabledService(f, ['vnc'])).toBeUndefined();
    expect(findEnabledService(f, ['vncserver@'])?.name).toBe('vncserver@:1.service');
    expect(findEnabledService(f, ['sshd.socket'])?.name).toBe('sshd.service');
  });

  it('finds by alias', () => {
    expect(findEnabledService(facts([service('ssh.service', ['sshd.service'])]), ['sshd'])?.name).toBe('ssh.service');
  });
});
