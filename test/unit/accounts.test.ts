import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readAccountFacts as readAccountFactsBuilt } from '../../dist/inspect/facts/accounts.js';
import { readShadowHashes } from '../../dist/inspect/facts/shadow-hashes.js';
import {
  MAX_LINE_PROBLEMS, buildAccounts, classifyPasswordField, hashScheme, isLoginShell, parsePasswd, parseShadow,
} from '../../src/inspect/facts/accounts.js';
import type { AccountFacts } from '../../src/inspect/facts/guest-facts.js';
import { openGuest, type OpenedGuest } from '../helpers/open-guest.js';

// Debian's /etc/passwd starts as this file; at installation pwconv moves the
// password fields to /etc/shadow and leaves "x" (INSTALLED_PASSWD).
const PASSWD_MASTER = readFileSync('test/data/distro/debian-12/base-passwd/usr/share/base-passwd/passwd.master', 'utf8');
const INSTALLED_PASSWD = PASSWD_MASTER.replace(/^([^:\n]*):\*:/gm, '$1:x:');
const OS_RELEASE = readFileSync('test/data/distro/debian-12/base-files/usr/lib/os-release', 'utf8');

function sha512(password: string, salt: string): string {
  return execFileSync('openssl', ['passwd', '-6', '-salt', salt, password], { encoding: 'utf8' }).trim();
}

describe('parsePasswd', () => {
  it('reads Debian 12 passwd.master', () => {
    const { entries, problems } = parsePasswd(PASSWD_MASTER);
    expect(problems).toEqual([]);
    expect(entries).toHaveLength(PASSWD_MASTER.trim().split('\n').length);
    expect(entries[0]).toEqual({ name: 'root', passwordField: '*', uid: 0, gid: 0, gecos: 'root', home: '/root', shell: '/bin/bash', line: 1 });
    expect(entries.find((e) => e.name === 'nobody')).toMatchObject({ uid: 65534, gid: 65534, home: '/nonexistent', shell: '/usr/sbin/nologin' });
    expect(entries.find((e) => e.name === '_apt')).toMatchObject({ gecos: '', line: 17 });
  });

  it('skips comments, blank lines and NIS entries, and notes malformed lines with their numbers', () => {
    const text = [
      '# comment',
      '',
      'alice:x:1000:1000:Alice,,,:/home/alice:/bin/bash',
      'short:x:1001',
      'bob:x:one:1000::/home/bob:/bin/sh',
      '+@netgroup::::::',
      '-mallory',
      ':x:1002:1002::/home/x:/bin/sh',
      'carol:x:1003:1003::/home/carol:/bin/odd:shell',
      'dave:x:1004:1004::/home/dave:',
    ].join('\n');
    const { entries, problems } = parsePasswd(text);
    expect(entries.map((e) => [e.name, e.line, e.shell])).toEqual([
      ['alice', 3, '/bin/bash'], ['carol', 9, '/bin/odd:shell'], ['dave', 10, ''],
    ]);
    expect(problems).toEqual([
      { path: '/etc/passwd', message: 'line 4: 3 fields where passwd(5) has 7 (name:password:uid:gid:gecos:home:shell); line skipped' },
      { path: '/etc/passwd', message: 'line 5: user id "one" is not a number; line skipped' },
      { path: '/etc/passwd', message: 'line 8: no account name; line skipped' },
    ]);
  });

  it('notes at most MAX_LINE_PROBLEMS malformed lines, then counts the rest', () => {
    const text = Array.from({ length: MAX_LINE_PROBLEMS + 50 }, (_, i) => `bad${i}`).join('\n');
    const { entries, problems } = parsePasswd(text);
    expect(entries).toEqual([]);
    expect(problems).toHaveLength(MAX_LINE_PROBLEMS + 1);
    expect(problems.at(-1)).toEqual({ path: '/etc/passwd', message: '50 more malformed lines skipped' });
  });
});

describe('parseShadow', () => {
  it('takes name and password, also from a line that stops after the password', () => {
    const { entries, problems } = parseShadow('root:*:19000:0:99999:7:::\nalice:$6$x$y\nnopassword\n');
    expect(entries).toEqual([
      { name: 'root', passwordField: '*', line: 1 },
      { name: 'alice', passwordField: '$6$x$y', line: 2 },
    ]);
    expect(problems).toEqual([{ path: '/etc/shadow', message: 'line 3: no name:password pair; line skipped' }]);
  });
});

describe('hashScheme', () => {
  it.each([
    ['$1$saltsalt$qjXMvbEw8oaL.CzflDtaK/', 'md5'],
    ['$5$salt$abc', 'sha256'],
    ['$6$rounds=10000$salt$abc', 'sha512'],
    ['$2a$10$abc', 'bcrypt'],
    ['$2b$10$abc', 'bcrypt'],
    ['$2y$10$abc', 'bcrypt'],
    ['$y$j9T$abc$def', 'yescrypt'],
    ['$gy$j9T$abc$def', 'gost-yescrypt'],
    ['$7$CU..../....abc$def', 'scrypt'],
    ['$md5$abcdefgh$$iExobWJIazoiKIDQnza6r/', 'sun-md5'],
    ['_J9..abcdTZ/33djMPto', 'bsdi-des'],
    ['abJnggxhB/yWI', 'des'],
    ['abJnggxhB/yW', 'unknown'],
    ['abJnggxhB/yW!', 'unknown'],
    ['$9$whatever', 'unknown'],
    ['x', 'unknown'],
  ])('%s is %s', (hash, scheme) => {
    expect(hashScheme(hash)).toBe(scheme);
  });
});

describe('classifyPasswordField', () => {
  it.each([
    ['', { kind: 'empty' }],
    ['!', { kind: 'locked', lockedByExclamation: true }],
    ['*', { kind: 'locked' }],
    ['!!', { kind: 'locked', lockedByExclamation: true }],
    ['!*', { kind: 'locked', lockedByExclamation: true }],
    ['*LK*', { kind: 'locked' }],
    ['!$6$salt$abc', { kind: 'locked', scheme: 'sha512', lockedByExclamation: true }],
    ['!!$y$j9T$abc$def', { kind: 'locked', scheme: 'yescrypt', lockedByExclamation: true }],
    ['*$6$salt$abc', { kind: 'locked' }],
    ['$6$salt$abc', { kind: 'hash', scheme: 'sha512' }],
    ['abJnggxhB/yWI', { kind: 'hash', scheme: 'des' }],
    ['NP', { kind: 'hash', scheme: 'unknown' }],
  ])('%j', (field, expected) => {
    expect(classifyPasswordField(field)).toEqual(expected);
  });
});

describe('isLoginShell', () => {
  it.each([
    ['/bin/bash', true], ['/bin/sh', true], ['', true], ['/usr/bin/zsh', true],
    ['/usr/sbin/nologin', false], ['/sbin/nologin', false], ['/bin/false', false], ['/usr/bin/false', false],
    ['/bin/sync', false], ['/sbin/shutdown', false], ['/sbin/halt', false],
  ])('%j -> %s', (shell, expected) => {
    expect(isLoginShell(shell)).toBe(expected);
  });
});

describe('buildAccounts', () => {
  it('looks "x" up in shadow, uses any other passwd field as it is', () => {
    const passwd = parsePasswd([
      'alice:x:1000:1000::/home/alice:/bin/bash',
      'bob:x:1001:1001::/home/bob:/bin/bash',
      'carol:abJnggxhB/yWI:1002:1002::/home/carol:/bin/sh',
      'dave::1003:1003::/home/dave:/bin/sh',
      'erin:x:1004:1004::/home/erin:/usr/sbin/nologin',
    ].join('\n')).entries;
    const shadow = parseShadow('alice:$6$a$b:19000::::::\nerin:!:19000::::::\nalice:*:1::::::\n').entries;
    const built = buildAccounts(passwd, shadow);
    expect(built.map((b) => [b.account.name, b.account.password, b.account.loginShell])).toEqual([
      ['alice', { kind: 'hash', scheme: 'sha512', source: { path: '/etc/shadow', line: 1 } }, true],
      ['bob', { kind: 'unknown', source: { path: '/etc/passwd', line: 2 } }, true],
      ['carol', { kind: 'hash', scheme: 'des', source: { path: '/etc/passwd', line: 3 } }, true],
      ['dave', { kind: 'empty', source: { path: '/etc/passwd', line: 4 } }, true],
      ['erin', { kind: 'locked', lockedByExclamation: true, source: { path: '/etc/shadow', line: 2 } }, false],
    ]);
    expect(built.map((b) => b.hash)).toEqual([
      { hash: '$6$a$b', source: { path: '/etc/shadow', line: 1 } },
      undefined,
      { hash: 'abJnggxhB/yWI', source: { path: '/etc/passwd', line: 3 } },
      undefined,
      undefined,
    ]);
  });

  it('finds every Debian system account locked, root the only one with a login shell', () => {
    const accounts = buildAccounts(parsePasswd(PASSWD_MASTER).entries, []).map((b) => b.account);
    expect(accounts.every((a) => a.password.kind === 'locked')).toBe(true);
    expect(accounts.filter((a) => a.loginShell).map((a) => a.name)).toEqual(['root']);
  });
});

describe('readAccountFacts and readShadowHashes on a guest', () => {
  let opened: OpenedGuest;
  let facts: AccountFacts;
  const aliceHash = sha512('correct horse', 'saltsalt');
  const lockedHash = `!${sha512('old', 'pepper12')}`;

  beforeAll(async () => {
    // Debian's /etc/shadow is written by the installer, not shipped by a package: these lines are hand-written.
    const shadow = [
      'root:*:19700:0:99999:7:::',
      'daemon:*:19700:0:99999:7:::',
      `alice:${aliceHash}:19700:0:99999:7:::`,
      `bob:${lockedHash}:19700:0:99999:7:::`,
      'carol::19700:0:99999:7:::',
      '',
    ].join('\n');
    opened = await openGuest({
      'etc/os-release': OS_RELEASE,
      'etc/passwd': `${INSTALLED_PASSWD}alice:x:1000:1000:Alice:/home/alice:/bin/bash\nbob:x:1001:1001::/home/bob:/bin/bash\ncarol:x:1002:1002::/home/carol:/bin/bash\ndan:x:1003:1003::/home/dan:/bin/bash\n`,
      'etc/shadow': shadow,
    });
    facts = await readAccountFactsBuilt(opened.guest);
  });
  afterAll(() => opened?.inspected.close());

  it('joins passwd and shadow', () => {
    const byName = new Map(facts.accounts.map((a) => [a.name, a]));
    expect(facts.problems).toEqual([]);
    expect(byName.get('root')?.password).toEqual({ kind: 'locked', source: { path: '/etc/shadow', line: 1 } });
    expect(byName.get('alice')).toMatchObject({ uid: 1000, loginShell: true, password: { kind: 'hash', scheme: 'sha512', source: { path: '/etc/shadow', line: 3 } } });
    expect(byName.get('bob')?.password).toEqual({ kind: 'locked', scheme: 'sha512', lockedByExclamation: true, source: { path: '/etc/shadow', line: 4 } });
    expect(byName.get('carol')?.password).toEqual({ kind: 'empty', source: { path: '/etc/shadow', line: 5 } });
    expect(byName.get('dan')?.password).toEqual({ kind: 'unknown', source: { path: '/etc/passwd', line: 22 } });
    expect(byName.get('daemon')).toMatchObject({ loginShell: false, source: { path: '/etc/passwd', line: 2 } });
    expect(byName.get('sync')?.password).toEqual({ kind: 'unknown', source: { path: '/etc/passwd', line: 5 } });
  });

  it('keeps hashes out of the facts and hands them over separately', async () => {
    expect(JSON.stringify(facts)).not.toContain('$6$');
    const hashes = await readShadowHashes(opened.guest);
    expect([...hashes.entries()]).toEqual([['alice', { hash: aliceHash, source: { path: '/etc/shadow', line: 3 } }]]);
  });

  it('reports a guest without /etc/passwd', async () => {
    const bare = await openGuest({ 'etc/os-release': OS_RELEASE });
    try {
      expect(await readAccountFactsBuilt(bare.guest)).toEqual({
        accounts: [],
        problems: [{ path: '/etc/passwd', message: 'not found: the guest has no local accounts' }],
      });
      expect((await readShadowHashes(bare.guest)).size).toBe(0);
    } finally {
      await bare.inspected.close();
    }
  });
});
