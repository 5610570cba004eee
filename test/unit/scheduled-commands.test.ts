import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { debianRunPartsName, parseCrontab } from '../../src/rules/support/crontab-lines.js';
import { scriptCommandLines, shellWords, simpleCommands } from '../../src/rules/support/shell-commands.js';
import { isUpgradeCommand, upgradeCommandIn } from '../../src/rules/support/update-commands.js';

const DISTRO = new URL('../data/distro/debian-12/', import.meta.url);
const names = (text: string) => simpleCommands(text).map((c) => c.name);

describe('simpleCommands', () => {
  it('splits on control operators and skips environment settings and wrappers', () => {
    expect(names('apt-get -qq update && DEBIAN_FRONTEND=noninteractive apt-get -qy dist-upgrade >/dev/null 2>&1')).toEqual(['apt-get', 'apt-get', '1']);
    expect(simpleCommands('sudo -u root nice -n 10 timeout -s KILL 600 /usr/bin/dnf -y upgrade')[0]).toEqual({ name: 'dnf', program: '/usr/bin/dnf', args: ['-y', 'upgrade'] });
    expect(names('if [ -x /usr/bin/curl ]; then curl -s http://x; fi')).toEqual(['[', 'curl', 'fi']);
  });

  it('follows sh -c strings and $(...) substitutions', () => {
    expect(names('/bin/sh -c "sleep 5; wget -q -O- https://jobs.example.com/up"')).toEqual(['sh', 'sleep', 'wget']);
    expect(names('echo "host=$(hostname)" | nc jobs.example.com 9000')).toEqual(['echo', 'hostname', 'nc']);
  });

  it('keeps quoted words together', () => {
    expect(shellWords('curl --data "a b" \'c d\' e"f g"')).toEqual(['curl', '--data', 'a b', 'c d', 'ef g']);
  });
});

describe('scriptCommandLines', () => {
  it('leaves out the #! line, comments and blank lines, keeping line numbers', () => {
    expect(scriptCommandLines('#!/bin/sh\n\n# daily\nset -e\n  apt-get update\n')).toEqual([{ line: 4, text: 'set -e' }, { line: 5, text: 'apt-get update' }]);
  });
});

describe('parseCrontab', () => {
  it('reads the system format with its user field, and @ schedules, skipping environment lines', () => {
    const text = 'SHELL=/bin/sh\nPATH=/usr/bin\n# m h dom mon dow user command\n17 *\t* * *\troot    cd / && run-parts --report /etc/cron.hourly\n@reboot root /usr/local/bin/announce  --now\n* * *\n';
    expect(parseCrontab(text, true)).toEqual([
      { line: 4, schedule: '17 * * * *', user: 'root', command: 'cd / && run-parts --report /etc/cron.hourly' },
      { line: 5, schedule: '@reboot', user: 'root', command: '/usr/local/bin/announce  --now' },
    ]);
  });

  it('reads a user crontab without a user field', () => {
    expect(parseCrontab('@daily apk upgrade -U\n0 3 * * 0 /sbin/reboot\n@bogus x\n', false)).toEqual([
      { line: 1, schedule: '@daily', command: 'apk upgrade -U' },
      { line: 2, schedule: '0 3 * * 0', command: '/sbin/reboot' },
    ]);
  });

  it('finds no jobs in the real cron package\'s /etc/crontab-less defaults', () => {
    expect(parseCrontab(readFileSync(new URL('cron/etc/default/cron', DISTRO), 'utf8'), true)).toEqual([]);
  });
});

describe('debianRunPartsName', () => {
  it('accepts only letters, digits, _ and -', () => {
    expect(['apt-compat', 'logrotate', '0anacron', 'man_db'].every(debianRunPartsName)).toBe(true);
    expect(['update.sh', 'x~', 'a b', 'apt-compat.dpkg-old'].some(debianRunPartsName)).toBe(false);
  });
});

describe('upgrade commands', () => {
  it('recognises the package managers\' unattended upgrades', () => {
    for (const line of [
      'apt-get -y upgrade', 'apt full-upgrade -y', 'aptitude safe-upgrade -y', '/usr/bin/unattended-upgrade -v', 'yum -y update',
      'yum update -y --security', 'dnf -qy upgrade', 'dnf --assumeyes upgrade', 'apk upgrade --available', 'zypper --non-interactive patch', 'zypper up',
    ]) expect(upgradeCommandIn(line), line).toBeDefined();
  });

  it('does not take installs, refreshes, or a yum/dnf upgrade that would wait for an answer', () => {
    for (const line of [
      'apt-get update', 'apt-get install unattended-upgrades', 'apt-get install php-upgrade', 'yum update', 'dnf upgrade',
      'apk update', 'zypper refresh', 'echo upgrade', 'exec /usr/lib/apt/apt.systemd.daily',
      // yum-cron 3.2's DOWNLOAD_ONLY=yes branch: fetches updates, installs none.
      '/usr/bin/yum $YUM_PARAMETER -e 0 -d 0 -y --downloadonly update',
    ]) expect(upgradeCommandIn(line), line).toBeUndefined();
  });

  it('reports the command as written', () => {
    expect(upgradeCommandIn('apt-get -qq update && apt-get -qy dist-upgrade')).toBe('apt-get -qy dist-upgrade');
    expect(isUpgradeCommand({ name: 'unattended-upgrades', program: 'unattended-upgrades', args: [] })).toBe(true);
  });

  it('sees no upgrade in apt\'s own cron.daily script, which only hands over to apt.systemd.daily', () => {
    const text = readFileSync(new URL('apt/etc/cron.daily/apt-compat', DISTRO), 'utf8');
    expect(scriptCommandLines(text).filter((line) => upgradeCommandIn(line.text))).toEqual([]);
  });
});
