import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  expandUnitSpecifiers,
  instanceOf,
  isTemplate,
  parseUnitFile,
  splitInstance,
  splitUnitWords,
  templateOf,
  unitType,
} from '../../src/inspect/facts/services/systemd-units.js';

const DEBIAN = new URL('../data/distro/debian-12/', import.meta.url);
const unitFile = (pkg: string, name: string) => readFileSync(new URL(`${pkg}/lib/systemd/system/${name}`, DEBIAN), 'utf8');

describe('parseUnitFile on Debian 12 units', () => {
  it('reads WantedBy= and Alias= from openssh-server\'s ssh.service, and no pulls', () => {
    expect(parseUnitFile(unitFile('openssh-server', 'ssh.service'))).toEqual({ pulls: [], alias: ['sshd.service'], installedBy: ['multi-user.target'] });
  });

  it('reads chrony\'s Wants= (After=/Conflicts= do not pull) and its Alias= before WantedBy=', () => {
    const chrony = parseUnitFile(unitFile('chrony', 'chrony.service'));
    expect(chrony.pulls).toEqual(['time-sync.target']);
    expect(chrony.alias).toEqual(['chronyd.service']);
    expect(chrony.installedBy).toEqual(['multi-user.target']);
  });

  it('accumulates Requires= and every Wants= line of basic.target, comment lines skipped', () => {
    expect(parseUnitFile(unitFile('systemd', 'basic.target')).pulls).toEqual([
      'sysinit.target', 'sockets.target', 'timers.target', 'paths.target', 'slices.target', 'tmp.mount',
    ]);
  });

  it('reads the target chain graphical -> multi-user -> basic', () => {
    expect(parseUnitFile(unitFile('systemd', 'graphical.target')).pulls).toEqual(['multi-user.target', 'display-manager.service']);
    expect(parseUnitFile(unitFile('systemd', 'multi-user.target')).pulls).toEqual(['basic.target']);
  });

  it('reads DefaultInstance= of getty@.service, and BindsTo= of serial-getty@.service', () => {
    expect(parseUnitFile(unitFile('systemd', 'getty@.service')).defaultInstance).toBe('tty1');
    expect(parseUnitFile(unitFile('systemd', 'serial-getty@.service')).pulls).toContain('dev-%i.device');
  });

  it('reads user@.service\'s Requires= with a specifier', () => {
    expect(parseUnitFile(unitFile('systemd', 'user@.service')).pulls).toContain('user-runtime-dir@%i.service');
  });
});

describe('parseUnitFile syntax', () => {
  it('joins backslash continuations, skipping comment lines inside them, and ignores keys of other sections', () => {
    const text = [
      '[Unit]',
      'Wants=a.service \\',
      '# a comment inside the continuation',
      '  b.service',
      '; another comment style',
      'Requires = c.socket',
      'After=d.service',
      '[Service]',
      'Wants=not-a-unit-setting.service',
      '[Install]',
      'WantedBy=multi-user.target',
    ].join('\n');
    expect(parseUnitFile(text)).toEqual({ pulls: ['a.service', 'b.service', 'c.socket'], alias: [], installedBy: ['multi-user.target'] });
  });

  it('resets an [Install] list on an empty assignment, but not a [Unit] dependency', () => {
    const text = '[Unit]\nWants=a.service\nWants=\n[Install]\nAlias=old.service\nAlias=\nAlias=new.service\n';
    const parsed = parseUnitFile(text);
    expect(parsed.pulls).toEqual(['a.service']);
    expect(parsed.alias).toEqual(['new.service']);
  });

  it('splits quoted words', () => {
    expect(splitUnitWords('a.service "b c.service" \'d.service\'')).toEqual(['a.service', 'b c.service', 'd.service']);
  });

  it('takes CRLF line ends', () => {
    expect(parseUnitFile('[Unit]\r\nWants=a.service\r\n').pulls).toEqual(['a.service']);
  });
});

describe('unit names', () => {
  it('knows unit types and not other suffixes', () => {
    expect(unitType('ssh.socket')).toBe('socket');
    expect(unitType('multi-user.target')).toBe('target');
    expect(unitType('README')).toBeUndefined();
    expect(unitType('debian.conf')).toBeUndefined();
  });

  it('splits templates and instances', () => {
    expect(splitInstance('getty@tty1.service')).toEqual({ prefix: 'getty', instance: 'tty1', type: 'service' });
    expect(isTemplate('getty@.service')).toBe(true);
    expect(isTemplate('getty@tty1.service')).toBe(false);
    expect(templateOf('getty@tty1.service')).toBe('getty@.service');
    expect(templateOf('getty@.service')).toBeUndefined();
    expect(templateOf('ssh.service')).toBeUndefined();
    expect(instanceOf('getty@.service', 'ttyS0')).toBe('getty@ttyS0.service');
    expect(instanceOf('getty@tty1.service', 'ttyS0')).toBeUndefined();
  });

  it('expands the unit-name specifiers and drops values with others', () => {
    expect(expandUnitSpecifiers('user-runtime-dir@%i.service', 'user@1000.service')).toBe('user-runtime-dir@1000.service');
    expect(expandUnitSpecifiers('%p-helper.service', 'foo-bar@x.service')).toBe('foo-bar-helper.service');
    expect(expandUnitSpecifiers('%N.socket', 'ssh.service')).toBe('ssh.socket');
    expect(expandUnitSpecifiers('100%%.service', 'a.service')).toBe('100%.service');
    expect(expandUnitSpecifiers('host-%H.service', 'a.service')).toBeUndefined();
  });
});
