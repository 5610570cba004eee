import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { EnabledService, GuestFacts } from '../../src/inspect/facts/guest-facts.js';
import { cloudPhoneHome } from '../../src/rules/support/cloud-config.js';
import { anacronRuns, CRON_DAEMONS } from '../../src/rules/support/cron-jobs.js';
import { iniBoolean, iniSetting } from '../../src/rules/support/ini-settings.js';
import { describeRcLocal } from '../../src/rules/support/rc-local-script.js';
import { lastUnitSetting, serviceStartCommands } from '../../src/rules/support/unit-settings.js';
import { disableCommand, listNames, unneededEntry } from '../../src/rules/support/unneeded-services.js';
import { RHEL_RC_LOCAL } from '../helpers/guest-styles/rhel-networkmanager.js';

const DISTRO = new URL('../data/distro/debian-12/', import.meta.url);
const distro = (path: string) => readFileSync(new URL(path, DISTRO), 'utf8');

describe('serviceStartCommands', () => {
  it('reads the start commands of a real unit, prefixes off', () => {
    const commands = serviceStartCommands(distro('apt/lib/systemd/system/apt-daily.service'));
    expect(commands.map((c) => [c.key, c.value])).toEqual([
      ['ExecStartPre', '/usr/lib/apt/apt-helper wait-online'],
      ['ExecStart', '/usr/lib/apt/apt.systemd.daily update'],
    ]);
    expect(commands[1]!.line).toBe(distro('apt/lib/systemd/system/apt-daily.service').split('\n').findIndex((l) => l.startsWith('ExecStart=')) + 1);
  });

  it('joins continued lines, skips other sections, and lets an empty assignment reset the list', () => {
    const text = '[Unit]\nExecStart=/not/service\n[Service]\nExecStart=/bin/a \\\n  --flag\nExecStart=\nExecStart=-/bin/b\nExecStop=/bin/c\n';
    expect(serviceStartCommands(text)).toEqual([{ key: 'ExecStart', value: '/bin/b', line: 7 }]);
  });

  it('gives a continued setting the line it starts on, comment lines inside the continuation skipped', () => {
    const text = '[Service]\n# note\nExecStart=/bin/sh -c \\\n# inside\n  "echo one; \\\n  echo two"\nExecStartPost=/bin/true\n';
    expect(serviceStartCommands(text)).toEqual([
      { key: 'ExecStart', value: '/bin/sh -c  "echo one;  echo two"', line: 3 },
      { key: 'ExecStartPost', value: '/bin/true', line: 7 },
    ]);
  });

  it('finds the Unit= of a timer (the last one wins)', () => {
    expect(lastUnitSetting('[Timer]\nUnit=a.service\nUnit=b.service\n', 'Timer', 'Unit')?.value).toBe('b.service');
    expect(lastUnitSetting(distro('apt/lib/systemd/system/apt-daily.timer'), 'Timer', 'Unit')).toBeUndefined();
  });
});

describe('iniSetting', () => {
  it('reads a key of a section, case-blind, = or :, last wins', () => {
    const text = '[commands]\n# apply_updates = yes\nAPPLY_UPDATES = no\n[emitters]\napply_updates = yes\n[commands]\napply_updates: True\n';
    expect(iniSetting(text, 'commands', 'apply_updates')).toEqual({ value: 'True', line: 7 });
    expect(iniSetting(text, 'base', 'apply_updates')).toBeUndefined();
    expect([iniBoolean('True'), iniBoolean('0'), iniBoolean('maybe')]).toEqual([true, false, undefined]);
  });

  it('reads as ConfigParser does: ";" comments, the first of "=" and ":" ends the key, no backslash continuation, lines without either ignored', () => {
    const text = '[commands]\n; apply_updates = yes\nurl: http://mirror:8080/x = y\napply_updates = no \\\napply_updates\n';
    expect(iniSetting(text, 'commands', 'url')).toEqual({ value: 'http://mirror:8080/x = y', line: 3 });
    expect(iniSetting(text, 'commands', 'apply_updates')).toEqual({ value: 'no \\', line: 4 });
  });
});

describe('cloudPhoneHome', () => {
  const cloudCfg = { path: '/etc/cloud/cloud.cfg', text: distro('cloud-init/etc/cloud/cloud.cfg') };

  it('sees that Debian\'s cloud.cfg lists the module but sets no url', () => {
    expect(cloudPhoneHome([cloudCfg])).toEqual({ moduleListed: true, brokenFiles: [] });
  });

  it('takes phone_home from a cloud.cfg.d file, with its line, and a later module list that drops the module', () => {
    const drop = { path: '/etc/cloud/cloud.cfg.d/99-ph.cfg', text: '# announce\nphone_home:\n  url: https://jobs.example.com/$INSTANCE_ID/\n' };
    expect(cloudPhoneHome([cloudCfg, drop])).toEqual({ url: 'https://jobs.example.com/$INSTANCE_ID/', source: { path: drop.path, line: 2 }, moduleListed: true, brokenFiles: [] });
    const without = { path: '/etc/cloud/cloud.cfg.d/99-final.cfg', text: 'cloud_final_modules:\n - [scripts-user, always]\n' };
    expect(cloudPhoneHome([cloudCfg, drop, without]).moduleListed).toBe(false);
  });

  it('names files that are not YAML mappings, and survives alias bombs', () => {
    const bomb = 'a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n';
    const result = cloudPhoneHome([{ path: '/x.cfg', text: 'key: [unclosed\n' }, { path: '/y.cfg', text: '- a list\n' }, { path: '/bomb.cfg', text: bomb }]);
    expect(result.brokenFiles).toEqual(['/x.cfg', '/y.cfg', '/bomb.cfg']);
  });
});

describe('describeRcLocal', () => {
  it('finds the first command and the interpreter', () => {
    expect(describeRcLocal('#!/bin/sh -e\n#\n# rc.local\n\n/usr/local/bin/worker &\nexit 0\n')).toEqual({ interpreter: '/bin/sh', firstCommand: { line: 5, text: '/usr/local/bin/worker &' } });
    expect(describeRcLocal('#!/bin/sh -e\n# nothing here\nexit 0\n')).toEqual({ interpreter: '/bin/sh' });
  });

  it('takes RHEL\'s stock rc.local (only touch /var/lock/subsys/local) as holding no commands', () => {
    expect(describeRcLocal(RHEL_RC_LOCAL)).toEqual({ interpreter: '/bin/bash' });
    expect(describeRcLocal('touch /var/lock/subsys/local\n')).toEqual({});
    const added = `${RHEL_RC_LOCAL}/usr/local/bin/worker\n`;
    expect(describeRcLocal(added).firstCommand).toEqual({ line: added.split('\n').length - 1, text: '/usr/local/bin/worker' });
    expect(describeRcLocal('#!/bin/bash\ntouch /var/lock/subsys/local2\n').firstCommand?.line).toBe(2);
  });
});

describe('cron daemons', () => {
  it('does not count anacron as a cron daemon; anacron runs only cron.daily, weekly and monthly', () => {
    expect(CRON_DAEMONS).not.toContain('anacron');
    expect(CRON_DAEMONS).toEqual(expect.arrayContaining(['cron', 'crond', 'busybox-crond', 'fcron', 'dcron']));
    expect(['/etc/cron.daily/apt-compat', '/etc/cron.weekly/x', '/etc/cron.monthly/y'].map(anacronRuns)).toEqual([true, true, true]);
    expect(['/etc/cron.hourly/x', '/etc/cron.d/x', '/etc/crontab', '/etc/cron.dailyx/y', '/etc/periodic/daily/x'].map(anacronRuns)).toEqual([false, false, false, false, false]);
  });
});

describe('unneeded services', () => {
  const service = (name: string, aliases: string[], initSystem: EnabledService['initSystem'] = 'systemd', enabledBy = `/etc/systemd/system/multi-user.target.wants/${name}`): EnabledService =>
    ({ name, initSystem, enabledBy, aliases });
  const facts = (id: string, initSystem: GuestFacts['services']['initSystem']) => ({ os: { id, idLike: [] }, services: { initSystem }, packages: { manager: 'none', packages: [] } }) as unknown as GuestFacts;

  it('matches by name or alias, sockets and instances included, and leaves systemd\'s own units alone', () => {
    expect(unneededEntry(service('gdm3.service', ['display-manager.service']))?.what).toBe('a graphical login manager');
    expect(unneededEntry(service('avahi-daemon.socket', []))?.what).toMatch(/^Avahi/);
    expect(unneededEntry(service('telnet@0-10.0.0.1:23-10.0.0.2:5000.service', []))?.what).toMatch(/telnet/);
    expect(unneededEntry(service('ModemManager.service', ['dbus-org.freedesktop.ModemManager1.service']))?.what).toBe('ModemManager');
    for (const own of ['systemd-journald.service', 'getty@tty1.service', 'systemd-timesyncd.service', 'ssh.service', 'cron.service']) expect(unneededEntry(service(own, [])), own).toBeUndefined();
  });

  it('matches user lists by base name or exact unit', () => {
    expect(listNames(['cups'], service('cups.socket', []))).toBe('cups');
    expect(listNames(['cups.service'], service('cups.socket', []))).toBeUndefined();
  });

  it('says how to disable a service on each init system', () => {
    expect(disableCommand(service('cups.service', []), facts('debian', 'systemd'))).toBe('systemctl disable --now cups.service');
    expect(disableCommand(service('xinetd', [], 'sysv', '/etc/rc2.d/S01xinetd'), facts('debian', 'sysv'))).toBe('update-rc.d xinetd disable');
    expect(disableCommand(service('xinetd', [], 'sysv', '/etc/rc3.d/S56xinetd'), facts('centos', 'sysv'))).toBe('chkconfig xinetd off');
    expect(disableCommand(service('avahi-daemon', [], 'openrc', '/etc/runlevels/default/avahi-daemon'), facts('alpine', 'openrc'))).toBe('rc-update del avahi-daemon default');
    expect(disableCommand(service('cups', [], 'upstart', '/etc/init/cups.conf'), facts('ubuntu', 'upstart'))).toBe('echo manual > /etc/init/cups.override');
  });
});
