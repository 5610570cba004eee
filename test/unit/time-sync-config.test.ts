// The time-source parsers on the configuration files Debian 12's packages
// ship (test/data/distro/debian-12), and on hand-made variants of them.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseChronyConfig } from '../../src/rules/support/chrony-config.js';
import { clockCommandIn } from '../../src/rules/support/clock-commands.js';
import { parseNtpConfig, parseOpenntpdConfig } from '../../src/rules/support/ntp-config.js';
import { documentedFallbackServers, parseTimesyncdConfig, timesyncdServers } from '../../src/rules/support/timesyncd-config.js';

const DEBIAN = 'test/data/distro/debian-12';
const debianFile = (path: string) => readFileSync(join(DEBIAN, path), 'utf8');

describe('parseChronyConfig', () => {
  it('reads Debian\'s chrony.conf: one pool, a confdir and two sourcedirs', () => {
    const config = parseChronyConfig(debianFile('chrony/usr/share/chrony/chrony.conf'));
    expect(config.sources).toEqual([{ directive: 'pool', value: '2.debian.pool.ntp.org iburst', line: 8 }]);
    expect(config.confdirs).toEqual([{ directories: ['/etc/chrony/conf.d'], line: 5 }]);
    expect(config.sourcedirs).toEqual([
      { directories: ['/run/chrony-dhcp'], line: 11 },
      { directories: ['/etc/chrony/sources.d'], line: 14 },
    ]);
    expect(config.includes).toEqual([]);
  });

  it('takes server, peer and refclock lines, all four comment characters, and include globs', () => {
    const config = parseChronyConfig('! old\n% older\n; other\nServer ntp.example.org iburst\npeer 192.0.2.1\nrefclock PHC /dev/ptp0 poll 2\ninclude /etc/chrony/extra/*.conf\nserver\n');
    expect(config.sources.map((s) => [s.directive, s.line])).toEqual([['server', 4], ['peer', 5], ['refclock', 6]]);
    expect(config.includes).toEqual([{ pattern: '/etc/chrony/extra/*.conf', line: 7 }]);
  });

  it('reads only source directives in a sourcedir file', () => {
    const config = parseChronyConfig('server a.example\nconfdir /etc/other\ninclude /etc/x\n', true);
    expect(config.sources).toHaveLength(1);
    expect(config.confdirs).toEqual([]);
    expect(config.includes).toEqual([]);
  });
});

describe('parseNtpConfig and parseOpenntpdConfig', () => {
  it('reads NTPsec\'s Debian ntp.conf: four pools, the commented servers left out', () => {
    const config = parseNtpConfig(debianFile('ntpsec/etc/ntpsec/ntp.conf'));
    expect(config.sources.map((s) => `${s.directive} ${s.value}`)).toEqual([
      'pool 0.debian.pool.ntp.org iburst', 'pool 1.debian.pool.ntp.org iburst', 'pool 2.debian.pool.ntp.org iburst', 'pool 3.debian.pool.ntp.org iburst',
    ]);
  });

  it('does not count the local clock driver, and lists includefile', () => {
    const config = parseNtpConfig('server 127.127.1.0 # local clock\nfudge 127.127.1.0 stratum 10\nrefclock local\nincludefile /etc/ntp/extra.conf\nserver 127.127.28.0\n');
    expect(config.sources.map((s) => s.value)).toEqual(['127.127.28.0']);
    expect(config.includes).toEqual([{ path: '/etc/ntp/extra.conf', line: 4 }]);
  });

  it('finds nothing in NTPsec\'s file once its pool lines are gone', () => {
    const stripped = debianFile('ntpsec/etc/ntpsec/ntp.conf').replace(/^pool .*$/gm, '');
    expect(parseNtpConfig(stripped).sources).toEqual([]);
  });

  it('reads OpenNTPD\'s Debian ntpd.conf: four "servers" lines; constraints alone are no source', () => {
    expect(parseOpenntpdConfig(debianFile('openntpd/etc/openntpd/ntpd.conf')).sources.map((s) => s.value)).toEqual([
      '0.debian.pool.ntp.org', '1.debian.pool.ntp.org', '2.debian.pool.ntp.org', '3.debian.pool.ntp.org',
    ]);
    expect(parseOpenntpdConfig('constraints from "https://www.google.com"\nsensor *\n').sources.map((s) => s.directive)).toEqual(['sensor']);
  });
});

describe('timesyncd', () => {
  const packaged = debianFile('systemd-timesyncd/etc/systemd/timesyncd.conf');

  it('Debian\'s packaged file sets nothing and documents the compiled-in debian.pool.ntp.org fallback', () => {
    expect(parseTimesyncdConfig(packaged, '/etc/systemd/timesyncd.conf')).toEqual([]);
    expect(timesyncdServers([])).toEqual({ ntp: [] });
    expect(documentedFallbackServers(packaged)).toEqual(['0.debian.pool.ntp.org', '1.debian.pool.ntp.org', '2.debian.pool.ntp.org', '3.debian.pool.ntp.org']);
  });

  it('lists grow with each assignment, an empty one clears them, and an empty FallbackNTP= replaces the compiled-in list', () => {
    const assignments = [
      ...parseTimesyncdConfig('[Time]\nNTP=a.example b.example\nFallbackNTP=c.example\n', '/etc/systemd/timesyncd.conf'),
      ...parseTimesyncdConfig('[Time]\nNTP=\nFallbackNTP=\n', '/etc/systemd/timesyncd.conf.d/50-none.conf'),
    ];
    expect(timesyncdServers(assignments)).toMatchObject({ ntp: [], fallback: [] });
    const added = timesyncdServers([...assignments, ...parseTimesyncdConfig('[Time]\nNTP=d.example\n', '/etc/systemd/timesyncd.conf.d/60-mine.conf')]);
    expect(added.ntp).toEqual(['d.example']);
    expect(added.lastSet).toMatchObject({ path: '/etc/systemd/timesyncd.conf.d/60-mine.conf', line: 2 });
  });

  it('ignores keys outside [Time], and a file without the commented line documents nothing', () => {
    expect(parseTimesyncdConfig('[Other]\nNTP=a.example\n', '/x')).toEqual([]);
    expect(documentedFallbackServers('[Time]\nNTP=a.example\n')).toBeUndefined();
    expect(documentedFallbackServers('[Time]\n#FallbackNTP=\n')).toEqual([]);
  });
});

describe('clock setting commands', () => {
  it('knows the one-shot clock setters by their own options', () => {
    for (const [line, command] of [
      ['/usr/sbin/ntpdate -s pool.ntp.org', '/usr/sbin/ntpdate -s pool.ntp.org'],
      ['sntp -S pool.ntp.org', 'sntp -S pool.ntp.org'],
      ['chronyd -q "pool pool.ntp.org iburst"', 'chronyd -q pool pool.ntp.org iburst'],
      ['ntpd -gq', 'ntpd -gq'],
      ['rdate -s time.example', 'rdate -s time.example'],
      ['sleep 5; ntpdate-debian', 'ntpdate-debian'],
      ['busybox ntpd -q -n -p pool.ntp.org', 'busybox ntpd -q -n -p pool.ntp.org'],
      ['htpdate -s www.example.org || true', 'htpdate -s www.example.org'],
      ['sh -c "/usr/sbin/ntpdate -b pool.ntp.org >/dev/null"', '/usr/sbin/ntpdate -b pool.ntp.org >/dev/null'],
    ]) {
      expect(clockCommandIn(line!), line).toBe(command);
    }
  });

  it('leaves out look-alikes and the query-only forms', () => {
    for (const line of ['chronyd', 'chronyd -Q "pool pool.ntp.org"', 'ntpdatelog', 'echo ntpd -q', 'systemctl restart ntpd', 'ntpdate -q pool.ntp.org',
      'sntp pool.ntp.org', 'rdate -p time.example', 'htpdate www.example.org', 'ntpd -g -u ntp:ntp']) {
      expect(clockCommandIn(line), line).toBeUndefined();
    }
  });

  // A generous bound, not a benchmark: the old whole-line pattern took 12 s
  // on such a line; anything quadratic takes far longer than this.
  it('reads a crafted 256 KB line in well under a second', () => {
    const long = `chronyd ${'-x '.repeat(256 * 1024 / 3)}`;
    const started = performance.now();
    expect(clockCommandIn(long)).toBeUndefined();
    expect(clockCommandIn(`${'a'.repeat(256 * 1024)} ; ntpdate pool.ntp.org`)).toBe('ntpdate pool.ntp.org');
    expect(performance.now() - started).toBeLessThan(5000);
  });
});
