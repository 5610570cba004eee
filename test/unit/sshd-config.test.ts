// sshd_config parsing and the effective configuration, without a guest: the
// files live in a map and Include globs are matched against its keys.
import { readFileSync } from 'node:fs';
import picomatch from 'picomatch';
import { describe, expect, it } from 'vitest';
import {
  MAX_SSHD_CONFIG_FILES,
  MAX_SSHD_INCLUDE_DEPTH,
  computeSshdConfig,
  parseSshdConfig,
  splitSshdArguments,
  sshdIncludePattern,
  sshdSetting,
  type SshdConfigSource,
} from '../../src/inspect/facts/sshd-config.js';

const MAIN = '/etc/ssh/sshd_config';
const DEBIAN_SSHD_CONFIG = readFileSync('test/data/distro/debian-12/openssh-server/usr/share/openssh/sshd_config', 'utf8');

/** A guest made of a map; counts what the walk asks for. */
function memorySource(files: Record<string, string>): SshdConfigSource & { reads: string[]; expansions: string[] } {
  const reads: string[] = [];
  const expansions: string[] = [];
  return {
    reads,
    expansions,
    async expand(pattern) {
      expansions.push(pattern);
      const matches = picomatch(pattern, { dot: false });
      return Object.keys(files).filter((path) => matches(path)).sort();
    },
    async read(path) {
      reads.push(path);
      return files[path];
    },
  };
}

async function effective(files: Record<string, string>) {
  const source = memorySource(files);
  const config = await computeSshdConfig({ path: MAIN, text: files[MAIN]! }, source);
  return { config, source };
}

/** The 1-based number of the first line of `text` that starts with `start`. */
function lineOf(text: string, start: string): number {
  const index = text.split('\n').findIndex((line) => line.startsWith(start));
  if (index < 0) throw new Error(`no line starts with ${start}`);
  return index + 1;
}

describe('parseSshdConfig', () => {
  it('reads keywords in any case, with space, tab or "=" between keyword and value', () => {
    const text = [
      '# a comment',
      '',
      'Port 2222',
      'passwordauthentication=no',
      'PermitRootLogin = yes',
      '\tX11Forwarding\tno   ',
      '   # an indented comment',
      'MaxAuthTries= 3',
      'LoginGraceTime =30',
    ].join('\n');
    const { lines, problems } = parseSshdConfig(text, MAIN);
    expect(problems).toEqual([]);
    expect(lines).toEqual([
      { keyword: 'port', args: ['2222'], line: 3 },
      { keyword: 'passwordauthentication', args: ['no'], line: 4 },
      { keyword: 'permitrootlogin', args: ['yes'], line: 5 },
      { keyword: 'x11forwarding', args: ['no'], line: 6 },
      { keyword: 'maxauthtries', args: ['3'], line: 8 },
      { keyword: 'logingracetime', args: ['30'], line: 9 },
    ]);
  });

  it('unquotes arguments, keeps "#" inside one, and stops at a comment that starts an argument', () => {
    const text = [
      'AuthorizedKeysFile .ssh/authorized_keys "/etc/ssh/keys dir/%u" # the second has a space',
      "Banner '/etc/issue net'",
      'AcceptEnv LANG LC_*#not-a-comment',
      'ForceCommand /bin/echo \\"hi\\" a\\ b',
    ].join('\n');
    const { lines, problems } = parseSshdConfig(text, MAIN);
    expect(problems).toEqual([]);
    expect(lines.map((line) => line.args)).toEqual([
      ['.ssh/authorized_keys', '/etc/ssh/keys dir/%u'],
      ['/etc/issue net'],
      ['LANG', 'LC_*#not-a-comment'],
      ['/bin/echo', '"hi"', 'a b'],
    ]);
  });

  it('tolerates CRLF line ends and a form feed at the end of a line', () => {
    const { lines } = parseSshdConfig('UsePAM yes\r\nPort 22\f\r\n\r\n', MAIN);
    expect(lines).toEqual([
      { keyword: 'usepam', args: ['yes'], line: 1 },
      { keyword: 'port', args: ['22'], line: 2 },
    ]);
  });

  it('reports the lines sshd would refuse to start with, and leaves them out', () => {
    const text = ['PasswordAuthentication', 'Banner "/etc/issue', 'Port # only a comment', 'PubkeyAuthentication yes'].join('\n');
    const { lines, problems } = parseSshdConfig(text, MAIN);
    expect(lines).toEqual([{ keyword: 'pubkeyauthentication', args: ['yes'], line: 4 }]);
    expect(problems).toEqual([
      { path: MAIN, message: 'line 1: no argument after keyword "PasswordAuthentication"; sshd refuses to start with this line' },
      { path: MAIN, message: 'line 2: unbalanced quotes after keyword "Banner"; sshd refuses to start with this line' },
      { path: MAIN, message: 'line 3: no argument after keyword "Port"; sshd refuses to start with this line' },
    ]);
  });

  it('splits arguments like sshd: unknown escapes keep their backslash', () => {
    expect(splitSshdArguments('a\\nb "c d"e')).toEqual(['a\\nb', 'c de']);
    expect(splitSshdArguments('"open')).toBeUndefined();
    expect(splitSshdArguments('')).toEqual([]);
  });

  it('takes relative Include paths from /etc/ssh', () => {
    expect(sshdIncludePattern('sshd_config.d/*.conf')).toBe('/etc/ssh/sshd_config.d/*.conf');
    expect(sshdIncludePattern('/etc/ssh/sshd_config.d/*.conf')).toBe('/etc/ssh/sshd_config.d/*.conf');
  });
});

describe('computeSshdConfig', () => {
  it('gives Debian 12\'s own sshd_config its real effective answers', async () => {
    const { config } = await effective({ [MAIN]: DEBIAN_SSHD_CONFIG });
    expect(config.files).toEqual([MAIN]);
    expect(config.problems).toEqual([]);
    expect(config.matchBlocks).toEqual([]);
    expect(sshdSetting(config, 'KbdInteractiveAuthentication')).toEqual({
      values: ['no'],
      source: { path: MAIN, line: lineOf(DEBIAN_SSHD_CONFIG, 'KbdInteractiveAuthentication no') },
      fromDefault: false,
    });
    expect(sshdSetting(config, 'UsePAM')?.values).toEqual(['yes']);
    expect(sshdSetting(config, 'X11Forwarding')?.values).toEqual(['yes']);
    expect(sshdSetting(config, 'PrintMotd')?.values).toEqual(['no']);
    expect(sshdSetting(config, 'AcceptEnv')?.values).toEqual(['LANG', 'LC_*']);
    expect(sshdSetting(config, 'Subsystem')?.values).toEqual(['sftp /usr/lib/openssh/sftp-server']);
    // Commented out in Debian's file: OpenSSH's compiled-in default applies.
    expect(sshdSetting(config, 'PasswordAuthentication')).toEqual({ values: ['yes'], fromDefault: true });
    expect(sshdSetting(config, 'PermitRootLogin')).toEqual({ values: ['prohibit-password'], fromDefault: true });
    expect(sshdSetting(config, 'AuthorizedKeysFile')?.values).toEqual(['.ssh/authorized_keys', '.ssh/authorized_keys2']);
    expect(sshdSetting(config, 'HostKey')?.values).toEqual(['/etc/ssh/ssh_host_rsa_key', '/etc/ssh/ssh_host_ecdsa_key', '/etc/ssh/ssh_host_ed25519_key']);
    expect(sshdSetting(config, 'Port')).toEqual({ values: ['22'], fromDefault: true });
    expect(sshdSetting(config, 'Ciphers')).toBeUndefined();
  });

  it('reads Include globs in sorted order, and the first value wins across included files and the main file', async () => {
    const { config } = await effective({
      [MAIN]: `${DEBIAN_SSHD_CONFIG}\nPasswordAuthentication yes\n`,
      // Listed out of order on purpose: sshd sorts what the glob matches.
      '/etc/ssh/sshd_config.d/50-cloud-init.conf': 'PasswordAuthentication yes\nPermitRootLogin no\n',
      '/etc/ssh/sshd_config.d/10-hardening.conf': 'PasswordAuthentication no\nX11Forwarding no\n',
      '/etc/ssh/sshd_config.d/README': 'PermitRootLogin yes\n',
      '/etc/ssh/sshd_config.d/.hidden.conf': 'PermitRootLogin yes\n',
    });
    expect(config.files).toEqual([MAIN, '/etc/ssh/sshd_config.d/10-hardening.conf', '/etc/ssh/sshd_config.d/50-cloud-init.conf']);
    expect(sshdSetting(config, 'PasswordAuthentication')).toEqual({
      values: ['no'],
      source: { path: '/etc/ssh/sshd_config.d/10-hardening.conf', line: 1 },
      fromDefault: false,
    });
    // The include comes before the main file's own X11Forwarding yes.
    expect(sshdSetting(config, 'X11Forwarding')?.source).toEqual({ path: '/etc/ssh/sshd_config.d/10-hardening.conf', line: 2 });
    expect(sshdSetting(config, 'PermitRootLogin')?.source).toEqual({ path: '/etc/ssh/sshd_config.d/50-cloud-init.conf', line: 2 });
    expect(sshdSetting(config, 'UsePAM')?.source?.path).toBe(MAIN);
  });

  it('ignores an Include that matches nothing, as sshd does', async () => {
    const { config } = await effective({ [MAIN]: 'Include /etc/ssh/sshd_config.d/*.conf missing.conf\nPermitRootLogin no\n' });
    expect(config.files).toEqual([MAIN]);
    expect(config.problems).toEqual([]);
    expect(sshdSetting(config, 'PermitRootLogin')?.values).toEqual(['no']);
  });

  it('keeps a Match block\'s settings out of the global answer', async () => {
    const text = `${DEBIAN_SSHD_CONFIG}\nMatch User backup\n\tPasswordAuthentication no\n\tPermitRootLogin   no\n`;
    const { config } = await effective({ [MAIN]: text });
    expect(sshdSetting(config, 'PasswordAuthentication')).toEqual({ values: ['yes'], fromDefault: true });
    expect(sshdSetting(config, 'PermitRootLogin')).toEqual({ values: ['prohibit-password'], fromDefault: true });
    expect(config.matchBlocks).toEqual([
      {
        criteria: 'User backup',
        source: { path: MAIN, line: lineOf(text, 'Match User backup') },
        settings: {
          passwordauthentication: { values: ['no'], source: { path: MAIN, line: lineOf(text, 'Match User backup') + 1 }, fromDefault: false },
          permitrootlogin: { values: ['no'], source: { path: MAIN, line: lineOf(text, 'Match User backup') + 2 }, fromDefault: false },
        },
      },
    ]);
  });

  it('ends a Match block at the end of the included file that opened it', async () => {
    const { config } = await effective({
      [MAIN]: 'Include /etc/ssh/sshd_config.d/*.conf\nPermitRootLogin no\n',
      '/etc/ssh/sshd_config.d/a.conf': 'Match Address 10.0.0.0/8\nPermitRootLogin yes\n',
    });
    expect(sshdSetting(config, 'PermitRootLogin')).toEqual({ values: ['no'], source: { path: MAIN, line: 2 }, fromDefault: false });
    expect(config.matchBlocks.map((block) => [block.criteria, block.settings.permitrootlogin?.values])).toEqual([['Address 10.0.0.0/8', ['yes']]]);
  });

  it('applies an Include inside a Match block inside that block, nested Match blocks ANDed with it', async () => {
    const { config } = await effective({
      [MAIN]: 'Match User backup\n  Include backup.d/*.conf\n  X11Forwarding = yes\n',
      '/etc/ssh/backup.d/a.conf': 'PasswordAuthentication no\nMatch Address 10.0.0.0/8\nAllowTcpForwarding no\n',
    });
    expect(config.files).toEqual([MAIN, '/etc/ssh/backup.d/a.conf']);
    expect(sshdSetting(config, 'PasswordAuthentication')?.fromDefault).toBe(true);
    expect(sshdSetting(config, 'X11Forwarding')?.fromDefault).toBe(true);
    const [backup, nested] = config.matchBlocks;
    expect(backup?.criteria).toBe('User backup');
    expect(Object.keys(backup!.settings)).toEqual(['passwordauthentication', 'x11forwarding']);
    expect(backup?.settings.passwordauthentication?.source).toEqual({ path: '/etc/ssh/backup.d/a.conf', line: 1 });
    expect(backup?.settings.x11forwarding?.source).toEqual({ path: MAIN, line: 3 });
    expect(nested?.criteria).toBe('User backup Address 10.0.0.0/8');
    expect(nested?.settings.allowtcpforwarding?.values).toEqual(['no']);
  });

  it('applies "Match all" lines globally (sshd does at startup), behind the values set before', async () => {
    const text = 'PermitRootLogin no\nMatch User admin\n PasswordAuthentication yes\nMatch all\n PasswordAuthentication no\n PermitRootLogin yes\n';
    const { config } = await effective({ [MAIN]: text });
    expect(sshdSetting(config, 'PasswordAuthentication')).toEqual({ values: ['no'], source: { path: MAIN, line: 5 }, fromDefault: false });
    expect(sshdSetting(config, 'PermitRootLogin')?.source).toEqual({ path: MAIN, line: 1 });
    expect(config.matchBlocks.map((block) => block.criteria)).toEqual(['User admin', 'all']);
    expect(config.matchBlocks[1]?.settings.permitrootlogin?.values).toEqual(['yes']);
  });

  it('reports a Match line sshd cannot parse', async () => {
    const { config } = await effective({ [MAIN]: 'Match all User x\nPermitRootLogin yes\nMatch User\nPermitRootLogin yes\n' });
    expect(config.problems.map((problem) => problem.message)).toEqual([
      'line 1: "Match all User x" is not a valid Match condition; sshd refuses to start with this line',
      'line 3: "Match User" is not a valid Match condition; sshd refuses to start with this line',
    ]);
    expect(sshdSetting(config, 'PermitRootLogin')?.fromDefault).toBe(true);
  });

  it('reads a file included twice twice, as sshd does, but reports its problems once', async () => {
    const { config } = await effective({
      [MAIN]: 'Include twice.conf\nInclude twice.conf\n',
      '/etc/ssh/twice.conf': 'AllowUsers alice\nBanner\nMatch User\n',
    });
    expect(config.files).toEqual([MAIN, '/etc/ssh/twice.conf']);
    expect(sshdSetting(config, 'AllowUsers')?.values).toEqual(['alice', 'alice']);
    expect(config.problems.map((problem) => `${problem.path} ${problem.message.split(':')[0]}`)).toEqual([
      '/etc/ssh/twice.conf line 2',
      '/etc/ssh/twice.conf line 3',
    ]);
  });

  it('stops an Include loop at sshd\'s depth and says sshd refuses it', async () => {
    const { config, source } = await effective({
      [MAIN]: 'Include loop.conf\nPermitRootLogin no\n',
      '/etc/ssh/loop.conf': 'MaxAuthTries 3\nInclude /etc/ssh/loop.conf\n',
    });
    expect(source.reads.length).toBe(MAX_SSHD_INCLUDE_DEPTH);
    expect(config.files).toEqual([MAIN, '/etc/ssh/loop.conf']);
    expect(config.problems).toEqual([
      {
        path: '/etc/ssh/loop.conf',
        message: `line 2: Include nested more than ${MAX_SSHD_INCLUDE_DEPTH} deep (an Include loop?); sshd refuses to start ("Too many recursive configuration includes")`,
      },
    ]);
    expect(sshdSetting(config, 'MaxAuthTries')?.values).toEqual(['3']);
    expect(sshdSetting(config, 'PermitRootLogin')?.values).toEqual(['no']);
  });

  it('bounds a loop that grows (a glob that includes itself twice) by the number of files', async () => {
    const { source, config } = await effective({
      [MAIN]: 'Include /etc/ssh/d/*.conf\n',
      '/etc/ssh/d/a.conf': 'Include /etc/ssh/d/*.conf\n',
      '/etc/ssh/d/b.conf': 'Include /etc/ssh/d/*.conf\n',
    });
    expect(source.reads.length).toBeLessThanOrEqual(MAX_SSHD_CONFIG_FILES);
    // Depth first, as sshd reads: the first branch reaches the depth limit before the file count runs out.
    expect(config.problems.map((problem) => problem.message)).toEqual([
      expect.stringContaining(`Include nested more than ${MAX_SSHD_INCLUDE_DEPTH} deep`),
      `line 1: more than ${MAX_SSHD_CONFIG_FILES} included files; spotlint read no further includes (an Include loop?)`,
    ]);
  });

  it('maps ChallengeResponseAuthentication onto KbdInteractiveAuthentication, first value winning across both names', async () => {
    const { config } = await effective({ [MAIN]: 'ChallengeResponseAuthentication no\nKbdInteractiveAuthentication yes\n' });
    expect(sshdSetting(config, 'KbdInteractiveAuthentication')).toEqual({ values: ['no'], source: { path: MAIN, line: 1 }, fromDefault: false });
    expect(sshdSetting(config, 'challengeresponseauthentication')?.values).toEqual(['no']);
    expect(config.settings.challengeresponseauthentication).toBeUndefined();
  });

  it('reads choice words as sshd does: any case, synonyms merged', async () => {
    const { config } = await effective({
      [MAIN]: 'PermitRootLogin without-password\nPasswordAuthentication NO\nPermitUserEnvironment Yes\nAllowTcpForwarding all\n',
    });
    expect(sshdSetting(config, 'PermitRootLogin')?.values).toEqual(['prohibit-password']);
    expect(sshdSetting(config, 'PasswordAuthentication')?.values).toEqual(['no']);
    // sshd compares this one case-sensitively: "Yes" is a pattern list.
    expect(sshdSetting(config, 'PermitUserEnvironment')?.values).toEqual(['Yes']);
    expect(sshdSetting(config, 'AllowTcpForwarding')?.values).toEqual(['yes']);
  });

  it('collects the keywords sshd accumulates, and keeps every file of the first AuthorizedKeysFile line', async () => {
    const { config } = await effective({
      [MAIN]: [
        'Port 22',
        'AllowUsers alice bob',
        'Port 2222',
        'AllowUsers carol',
        'HostKey /etc/ssh/ssh_host_ed25519_key',
        'AuthorizedKeysFile .ssh/authorized_keys /etc/ssh/keys/%u',
        'AuthorizedKeysFile .ssh/other',
        'Subsystem sftp internal-sftp -l INFO',
        'DenyGroups nossh',
      ].join('\n'),
    });
    expect(sshdSetting(config, 'Port')).toEqual({ values: ['22', '2222'], source: { path: MAIN, line: 1 }, fromDefault: false });
    expect(sshdSetting(config, 'AllowUsers')?.values).toEqual(['alice', 'bob', 'carol']);
    expect(sshdSetting(config, 'HostKey')?.values).toEqual(['/etc/ssh/ssh_host_ed25519_key']);
    expect(sshdSetting(config, 'AuthorizedKeysFile')?.values).toEqual(['.ssh/authorized_keys', '/etc/ssh/keys/%u']);
    expect(sshdSetting(config, 'Subsystem')?.values).toEqual(['sftp internal-sftp -l INFO']);
    expect(sshdSetting(config, 'DenyGroups')?.values).toEqual(['nossh']);
  });

  it('fills a keyword no line sets from OpenSSH\'s compiled-in default, with no source', async () => {
    const { config } = await effective({ [MAIN]: '# nothing set\n' });
    for (const [keyword, values] of [
      ['passwordauthentication', ['yes']],
      ['kbdinteractiveauthentication', ['yes']],
      ['permitrootlogin', ['prohibit-password']],
      ['pubkeyauthentication', ['yes']],
      ['permitemptypasswords', ['no']],
      ['usepam', ['no']],
      ['authenticationmethods', ['any']],
      ['x11forwarding', ['no']],
      ['maxauthtries', ['6']],
      ['permituserenvironment', ['no']],
    ] as const) {
      expect(config.settings[keyword]).toEqual({ values, fromDefault: true });
    }
    expect(sshdSetting(config, 'NoSuchKeyword')).toBeUndefined();
    expect(sshdSetting(config, 'constructor')).toBeUndefined();
  });
});
