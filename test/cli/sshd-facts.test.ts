// sshd facts read from real ext4 images, with Debian 12's own sshd_config
// (openssh-server's postinst copies /usr/share/openssh/sshd_config there).
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { readSshdFacts } from '../../dist/inspect/facts/read-sshd-facts.js';
import { MAX_SSHD_INCLUDE_DEPTH, sshdSetting } from '../../dist/inspect/facts/sshd-config.js';
import type { SshdFacts } from '../../dist/inspect/facts/guest-facts.js';
import { openGuest, type OpenedGuest } from '../helpers/open-guest.js';
import type { Tree } from '../helpers/build-image.js';

const DEBIAN_SSHD_CONFIG = readFileSync('test/data/distro/debian-12/openssh-server/usr/share/openssh/sshd_config', 'utf8');
const MAIN = '/etc/ssh/sshd_config';

/** The 1-based number of the first line of `text` that starts with `start`. */
function lineOf(text: string, start: string): number {
  const index = text.split('\n').findIndex((line) => line.startsWith(start));
  if (index < 0) throw new Error(`no line starts with ${start}`);
  return index + 1;
}

/** Opens a guest made from `tree`, reads its sshd facts, and closes it. */
async function sshdFactsOf(tree: Tree, check?: (opened: OpenedGuest) => Promise<void>): Promise<SshdFacts> {
  const opened = await openGuest({ 'etc/os-release': 'ID=debian\n', ...tree });
  try {
    await check?.(opened);
    return await readSshdFacts(opened.guest);
  } finally {
    await opened.inspected.close();
  }
}

describe('sshd facts of a Debian 12 guest with no package database', () => {
  const withMatch = `${DEBIAN_SSHD_CONFIG}\nMatch User backup\n\tPasswordAuthentication no\n`;
  let facts: SshdFacts;
  let hasDpkg = true;

  beforeAll(async () => {
    facts = await sshdFactsOf({ 'etc/ssh/sshd_config': withMatch, 'etc/ssh/sshd_config.d/': '' }, async ({ guest }) => {
      hasDpkg = await guest.exists('/var/lib/dpkg');
    });
  });

  it('reads the facts from the file alone, without an openssh-server package record', () => {
    expect(hasDpkg).toBe(false);
    expect(facts.present).toBe(true);
    expect(facts.files).toEqual([MAIN]);
    expect(facts.problems).toEqual([]);
  });

  it('gives Debian\'s real answers: keyboard-interactive off, PAM and X11 forwarding on', () => {
    expect(sshdSetting(facts, 'KbdInteractiveAuthentication')).toEqual({
      values: ['no'],
      source: { path: MAIN, line: lineOf(withMatch, 'KbdInteractiveAuthentication') },
      fromDefault: false,
    });
    expect(sshdSetting(facts, 'usepam')?.values).toEqual(['yes']);
    expect(sshdSetting(facts, 'X11FORWARDING')?.values).toEqual(['yes']);
    expect(sshdSetting(facts, 'Subsystem')?.values).toEqual(['sftp /usr/lib/openssh/sftp-server']);
  });

  it('leaves the global PasswordAuthentication at the default when only a Match block sets it', () => {
    expect(sshdSetting(facts, 'PasswordAuthentication')).toEqual({ values: ['yes'], fromDefault: true });
    expect(facts.matchBlocks).toEqual([
      {
        criteria: 'User backup',
        source: { path: MAIN, line: lineOf(withMatch, 'Match User backup') },
        settings: {
          passwordauthentication: { values: ['no'], source: { path: MAIN, line: lineOf(withMatch, 'Match User backup') + 1 }, fromDefault: false },
        },
      },
    ]);
  });

  it('fills a keyword no line sets from the compiled-in default', () => {
    expect(sshdSetting(facts, 'PermitRootLogin')).toEqual({ values: ['prohibit-password'], fromDefault: true });
    expect(sshdSetting(facts, 'MaxAuthTries')).toEqual({ values: ['6'], fromDefault: true });
  });
});

describe('sshd facts with drop-ins in sshd_config.d', () => {
  let facts: SshdFacts;
  const d = '/etc/ssh/sshd_config.d';

  beforeAll(async () => {
    facts = await sshdFactsOf({
      'etc/ssh/sshd_config': DEBIAN_SSHD_CONFIG,
      // Written in reverse order: only sorting puts 10- first.
      'etc/ssh/sshd_config.d/50-cloud-init.conf': 'PasswordAuthentication yes\r\nChallengeResponseAuthentication yes\r\n',
      'etc/ssh/sshd_config.d/10-hardening.conf': 'PasswordAuthentication=no\nPermitRootLogin = no\nBanner "/etc/issue.net"\n',
      'etc/ssh/sshd_config.d/README': 'PermitRootLogin yes\n',
      'etc/ssh/sshd_config.d/.disabled.conf': 'PermitRootLogin yes\n',
      'etc/ssh/sshd_config.d/99-link.conf': { symlink: '/etc/ssh/extra/x11.conf' },
      'etc/ssh/extra/x11.conf': 'X11Forwarding no\n',
    });
  });

  it('reads the glob\'s files in sorted order, after the main file, skipping what the glob does not match', () => {
    expect(facts.files).toEqual([MAIN, `${d}/10-hardening.conf`, `${d}/50-cloud-init.conf`, `${d}/99-link.conf`]);
    expect(facts.problems).toEqual([]);
  });

  it('keeps the first value across included files and the main file', () => {
    expect(sshdSetting(facts, 'PasswordAuthentication')).toEqual({ values: ['no'], source: { path: `${d}/10-hardening.conf`, line: 1 }, fromDefault: false });
    expect(sshdSetting(facts, 'PermitRootLogin')?.values).toEqual(['no']);
    expect(sshdSetting(facts, 'Banner')?.values).toEqual(['/etc/issue.net']);
    // The drop-ins come before Debian's own KbdInteractiveAuthentication no and X11Forwarding yes.
    expect(sshdSetting(facts, 'KbdInteractiveAuthentication')).toEqual({ values: ['yes'], source: { path: `${d}/50-cloud-init.conf`, line: 2 }, fromDefault: false });
    expect(sshdSetting(facts, 'X11Forwarding')?.source).toEqual({ path: `${d}/99-link.conf`, line: 1 });
    expect(sshdSetting(facts, 'UsePAM')?.source?.path).toBe(MAIN);
  });
});

describe('sshd facts with Include inside Match and an Include loop', () => {
  let facts: SshdFacts;

  beforeAll(async () => {
    facts = await sshdFactsOf({
      // Hand-written: no package ships a looping or Match-nested Include.
      'etc/ssh/sshd_config': 'Include loop.conf\nPermitRootLogin no\nMatch User backup\n\tInclude backup.d/*.conf\n\tX11Forwarding yes\n',
      'etc/ssh/loop.conf': 'MaxAuthTries 3\nInclude /etc/ssh/loop.conf\n',
      'etc/ssh/backup.d/a.conf': 'PermitTTY no\nPasswordAuthentication no\n',
    });
  });

  it('bounds the loop at sshd\'s depth and reports that sshd refuses it', () => {
    expect(facts.files).toEqual([MAIN, '/etc/ssh/loop.conf', '/etc/ssh/backup.d/a.conf']);
    expect(facts.problems).toEqual([
      { path: '/etc/ssh/loop.conf', message: expect.stringContaining(`Include nested more than ${MAX_SSHD_INCLUDE_DEPTH} deep`) },
    ]);
    expect(sshdSetting(facts, 'MaxAuthTries')?.values).toEqual(['3']);
    expect(sshdSetting(facts, 'PermitRootLogin')?.values).toEqual(['no']);
  });

  it('applies the included file inside the Match block only', () => {
    expect(sshdSetting(facts, 'PasswordAuthentication')?.fromDefault).toBe(true);
    expect(sshdSetting(facts, 'PermitTTY')).toEqual({ values: ['yes'], fromDefault: true });
    expect(facts.matchBlocks).toHaveLength(1);
    const block = facts.matchBlocks[0]!;
    expect(block.criteria).toBe('User backup');
    expect(block.settings).toEqual({
      permittty: { values: ['no'], source: { path: '/etc/ssh/backup.d/a.conf', line: 1 }, fromDefault: false },
      passwordauthentication: { values: ['no'], source: { path: '/etc/ssh/backup.d/a.conf', line: 2 }, fromDefault: false },
      x11forwarding: { values: ['yes'], source: { path: MAIN, line: 5 }, fromDefault: false },
    });
  });
});

describe('sshd facts without a readable sshd_config', () => {
  it('says not present and gives the defaults when the file is missing', async () => {
    const facts = await sshdFactsOf({ 'etc/ssh/ssh_config': 'Host *\n' });
    expect(facts.present).toBe(false);
    expect(facts.files).toEqual([]);
    expect(facts.problems).toEqual([]);
    expect(sshdSetting(facts, 'PasswordAuthentication')).toEqual({ values: ['yes'], fromDefault: true });
    expect(Object.values(facts.settings).every((setting) => setting.fromDefault)).toBe(true);
  });

  it('reports a problem and claims no setting when the file cannot be read', async () => {
    const facts = await sshdFactsOf({ 'etc/ssh/sshd_config/': '' });
    expect(facts.present).toBe(true);
    expect(facts.settings).toEqual({});
    expect(facts.problems).toEqual([{ path: MAIN, message: expect.stringContaining('is a directory') }]);
  });
});
