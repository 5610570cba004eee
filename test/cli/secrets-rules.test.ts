// ssh-host-keys, leftover-secrets, machine-id and guessable-password on real
// ext4 guests built from Debian's own files (test/helpers/guest-styles),
// through the CLI's JSON report: each case is one the rules once got wrong.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir, type Tree } from '../helpers/build-image.js';
import { DEBIAN_ROOT_HASH, DEBIAN_USER_HASH, setShadowHash } from '../helpers/guest-styles/accounts.js';
import { DEBIAN_USER, debianSystemdGuest, wellBuiltDebianGuest } from '../helpers/guest-styles/debian-systemd.js';
import { installPackage } from '../helpers/guest-styles/distro-file.js';
import { sshKeyPair } from '../helpers/guest-styles/ssh-keys.js';
import { sysvLegacyGuest } from '../helpers/guest-styles/sysv-legacy.js';
import { systemdEnable } from '../helpers/guest-styles/systemd-enable.js';
import { readTreeText } from '../helpers/guest-styles/tree-paths.js';
import { byRule, lintGuest, type JsonFinding } from '../helpers/lint-guest.js';

const lint = lintGuest;
const HOME = `home/${DEBIAN_USER}`;
const OTHER_MACHINE_ID = '4f2b0d6c5a8e4e1b9c7d3a2f1e0b9c8d';

/** The well-built guest with a host key left in and nothing that makes new ones. */
function guestWithHostKey(): Tree {
  const tree = wellBuiltDebianGuest();
  delete tree['etc/systemd/system/ssh-keygen.service'];
  delete tree['etc/systemd/system/multi-user.target.wants/ssh-keygen.service'];
  tree['etc/ssh/ssh_host_ed25519_key'] = sshKeyPair('ed25519').privateOpenssh;
  return tree;
}

async function hostKeyFinding(tree: Tree): Promise<JsonFinding> {
  const findings = byRule(await lint(tree), 'ssh-host-keys');
  expect(findings).toHaveLength(1);
  return findings[0]!;
}

/** An rc.local as admins write them (hand-written: no package ships one). */
const rcLocal = (body: string) => `#!/bin/sh -e\n#\n# rc.local: run at the end of each multiuser runlevel.\n\n${body}\nexit 0\n`;

describe('ssh-host-keys', () => {
  it('does not take ssh-keygen -lf (a fingerprint) or a commented-out ssh-keygen -A for key generation', async () => {
    const listing = guestWithHostKey();
    listing['etc/rc.local'] = rcLocal('ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub > /etc/issue.d/fingerprint.issue');
    const listed = await hostKeyFinding(listing);
    expect(listed.message).toContain('Nothing in the image makes new keys at boot');
    expect(listed.fix).toBeUndefined();
    const commented = guestWithHostKey();
    commented['etc/rc.local'] = rcLocal('# ssh-keygen -A');
    commented['etc/systemd/system/ssh.service.d/keys.conf'] = '[Service]\n# ExecStartPre=/usr/bin/ssh-keygen -A\n';
    const silent = await hostKeyFinding(commented);
    expect(silent.message).toContain('Nothing in the image makes new keys at boot');
    expect(silent.fix).toBeUndefined();
  });

  it('counts rc.local only when it is executable', async () => {
    // /etc/rc.d/rc.local (RHEL's place) is not among the paths packages install executable, so it is 0644 here.
    const notExecutable = guestWithHostKey();
    notExecutable['etc/rc.d/rc.local'] = rcLocal('test -f /etc/ssh/ssh_host_ed25519_key || ssh-keygen -A');
    expect((await hostKeyFinding(notExecutable)).message).toContain('Nothing in the image makes new keys at boot');
    const executable = guestWithHostKey();
    executable['etc/rc.local'] = rcLocal('test -f /etc/ssh/ssh_host_ed25519_key || ssh-keygen -A');
    const found = await hostKeyFinding(executable);
    expect(found.message).toContain('The image makes new keys at boot when they are missing (rc.local (/etc/rc.local runs ssh-keygen))');
    // The guest has no .pub beside the key: the fix names only what is there.
    expect(found.fix).toBe('remove /etc/ssh/ssh_host_ed25519_key');
  });

  it('says cloud-init only may make new keys, and offers no fix on its word', async () => {
    const tree = guestWithHostKey();
    installPackage(tree, 'cloud-init', { mergedUsr: true });
    systemdEnable(tree, 'cloud-init.service');
    // cloud-init's generator links cloud-init.target in at boot (under /run); here it is in /etc so the image says so.
    tree['etc/systemd/system/multi-user.target.wants/cloud-init.target'] = { symlink: '/lib/systemd/system/cloud-init.target' };
    const finding = await hostKeyFinding(tree);
    expect(finding.message).toContain('cloud-init (cloud-init.service) is enabled and may make new keys at boot');
    expect(finding.message).not.toContain('so they can be deleted');
    expect(finding.fix).toBeUndefined();
  });
});

describe('leftover-secrets', () => {
  it('says a passphrase-protected key is one, and finds keys whatever their name', async () => {
    const tree = wellBuiltDebianGuest();
    const file = join(tempDir('keygen'), 'id_ed25519');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', 'secret', '-C', 'builder@laptop', '-f', file]);
    tree[`${HOME}/.ssh/id_ed25519`] = readFileSync(file, 'utf8');
    tree[`${HOME}/.ssh/id_ed25519.pub`] = readFileSync(`${file}.pub`, 'utf8');
    tree[`${HOME}/.ssh/deploy_key`] = sshKeyPair('ed25519').privateOpenssh;
    tree[`${HOME}/.ssh/known_hosts`] = 'github.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl\n';
    tree[`${HOME}/.ssh/config`] = 'Host github.com\n  IdentityFile ~/.ssh/deploy_key\n';
    const findings = byRule(await lint(tree), 'leftover-secrets');
    expect(findings.map((f) => f.location.path)).toEqual([`/${HOME}/.ssh/deploy_key`, `/${HOME}/.ssh/id_ed25519`]);
    expect(findings[0]!.message).toContain(`/${HOME}/.ssh/deploy_key is ${DEBIAN_USER}'s ssh private key, not protected by a passphrase`);
    expect(findings[1]!.message).toContain(`/${HOME}/.ssh/id_ed25519 is ${DEBIAN_USER}'s ssh private key (passphrase-protected)`);
  });

  it('reports a file it could not read instead of passing over it', async () => {
    const tree = wellBuiltDebianGuest();
    // Bigger than the 1 MiB spotlint reads of a configuration file.
    tree['root/.aws/credentials'] = `[default]\n${'# padding\n'.repeat(120_000)}aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n`;
    const findings = byRule(await lint(tree), 'leftover-secrets');
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ severity: 'info', location: { path: '/root/.aws/credentials' } });
    expect(findings[0]!.message).toMatch(/^\/root\/\.aws\/credentials could not be read \(.*more than the 1048576 bytes.*\), so the search for leftover secrets did not look at it\.$/);
  });
});

describe('machine-id', () => {
  it('gives advice without systemd on a SysV guest: remove /etc/machine-id', async () => {
    const tree = sysvLegacyGuest();
    tree['etc/machine-id'] = `${OTHER_MACHINE_ID}\n`;
    const [finding, ...rest] = byRule(await lint(tree), 'machine-id');
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({ severity: 'warning', location: { path: '/etc/machine-id' }, fix: 'remove /etc/machine-id' });
    expect(finding!.message).not.toMatch(/systemd/i);
    expect(finding!.message).toContain('SysV init');
  });

  it('says to remove a D-Bus machine-id file when there is no /etc/machine-id to link it to', async () => {
    const sysv = sysvLegacyGuest();
    delete sysv['etc/machine-id'];
    sysv['var/lib/dbus/machine-id'] = `${OTHER_MACHINE_ID}\n`;
    const [finding, ...rest] = byRule(await lint(sysv), 'machine-id');
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({ location: { path: '/var/lib/dbus/machine-id' }, fix: 'remove /var/lib/dbus/machine-id' });
    expect(finding!.message).toContain('There is no /etc/machine-id to link it to.');
    expect(finding!.message).toContain('dbus-uuidgen --ensure');
    expect(finding!.message).not.toContain('ln -sf');

    const systemd = wellBuiltDebianGuest();
    delete systemd['etc/machine-id'];
    systemd['var/lib/dbus/machine-id'] = `${OTHER_MACHINE_ID}\n`;
    const [onSystemd] = byRule(await lint(systemd), 'machine-id');
    expect(onSystemd).toMatchObject({ location: { path: '/var/lib/dbus/machine-id' }, fix: 'remove /var/lib/dbus/machine-id' });
    expect(onSystemd!.message).toContain('D-Bus then reads /etc/machine-id, which systemd makes at boot.');
  });
});

describe('guessable-password', () => {
  it('names the accounts left out by maxAccounts in one finding, each account once', async () => {
    const tree = debianSystemdGuest();
    setShadowHash(tree, 'root', DEBIAN_ROOT_HASH);
    // Hand-written: a second login account, and the first user's passwd line twice (a botched edit).
    const userLine = readTreeText(tree, 'etc/passwd')!.split('\n').find((line) => line.startsWith(`${DEBIAN_USER}:`))!;
    tree['etc/passwd'] = `${readTreeText(tree, 'etc/passwd')}operator:x:1001:1001:Operator,,,:/home/operator:/bin/bash\n${userLine}\n`;
    tree['etc/shadow'] = `${readTreeText(tree, 'etc/shadow')}operator:${DEBIAN_USER_HASH}:19675:0:99999:7:::\n`;
    const configPath = join(tempDir('guess-config'), 'spotlint.config.json');
    writeFileSync(configPath, JSON.stringify({ rules: { 'guessable-password': ['error', { maxCandidates: 2, maxAccounts: 1 }] } }));
    const findings = byRule(await lint(tree, ['--config', configPath]), 'guessable-password');
    expect(findings).toMatchObject([
      {
        severity: 'info',
        location: { path: '/etc/shadow' },
        message: `The passwords of 2 accounts (${DEBIAN_USER}, operator) were not checked against common passwords: option maxAccounts (1) caps how many accounts are checked.`,
      },
    ]);
  });
});
