// The access rules on real ext4 guests built from Debian 12's own files
// (test/helpers/guest-styles), through the CLI's JSON report: for each rule,
// a guest that triggers it and one that does not.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir, type Tree } from '../helpers/build-image.js';
import { DEBIAN_ROOT_HASH, setShadowHash } from '../helpers/guest-styles/accounts.js';
import { DEBIAN_USER, debianSystemdGuest, wellBuiltDebianGuest } from '../helpers/guest-styles/debian-systemd.js';
import { makeGuestImage } from '../helpers/guest-styles/guest-image.js';
import { sshKeyPair } from '../helpers/guest-styles/ssh-keys.js';
import { installPackage } from '../helpers/guest-styles/distro-file.js';
import { systemdEnable } from '../helpers/guest-styles/systemd-enable.js';
import { byRule, lintGuest, lintImage } from '../helpers/lint-guest.js';

const lint = lintGuest;
const HOME = `home/${DEBIAN_USER}`;

function withoutSsh(tree: Tree): Tree {
  delete tree['etc/systemd/system/multi-user.target.wants/ssh.service'];
  delete tree['etc/systemd/system/sshd.service'];
  return tree;
}

function sshPasswordsOn(tree: Tree): Tree {
  delete tree['etc/ssh/sshd_config.d/50-appliance.conf'];
  return tree;
}

describe('remote-access', () => {
  it('is an error when sshd is installed but not enabled, and says how to enable it', async () => {
    const tree = wellBuiltDebianGuest();
    delete tree['etc/systemd/system/multi-user.target.wants/ssh.service'];
    delete tree['etc/systemd/system/sshd.service'];
    const [finding, ...rest] = byRule(await lint(tree), 'remote-access');
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({ severity: 'error', location: { path: '/lib/systemd/system/ssh.service' } });
    expect(finding!.message).toContain('An ssh server is installed (/lib/systemd/system/ssh.service) but not enabled at boot (systemd;');
    expect(finding!.message).toContain('systemctl enable ssh');
  });

  it('names a masked ssh unit', async () => {
    const tree = wellBuiltDebianGuest();
    delete tree['etc/systemd/system/multi-user.target.wants/ssh.service'];
    delete tree['etc/systemd/system/sshd.service'];
    tree['etc/systemd/system/ssh.service'] = { symlink: '/dev/null' };
    const [finding] = byRule(await lint(tree), 'remote-access');
    expect(finding!.message).toMatch(/^ssh\.service is masked \(linked to \/dev\/null\)/);
  });

  it('is satisfied by a socket-activated sshd or by a remote desktop server', async () => {
    const socket = withoutSsh(wellBuiltDebianGuest());
    socket['etc/systemd/system/sockets.target.wants/ssh.socket'] = { symlink: '/lib/systemd/system/ssh.socket' };
    expect(byRule(await lint(socket), 'remote-access')).toEqual([]);
    const xrdp = withoutSsh(wellBuiltDebianGuest());
    installPackage(xrdp, 'xrdp', { mergedUsr: true });
    systemdEnable(xrdp, 'xrdp.service');
    expect(byRule(await lint(xrdp), 'remote-access')).toEqual([]);
  });

  it('is an error when the sshd configuration has a line sshd refuses to start with', async () => {
    const tree = wellBuiltDebianGuest();
    tree['etc/ssh/sshd_config.d/60-broken.conf'] = '# half-edited\nPasswordAuthentication\n';
    const [finding, ...rest] = byRule(await lint(tree), 'remote-access');
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({ severity: 'error', location: { path: '/etc/ssh/sshd_config.d/60-broken.conf' } });
    expect(finding!.message).toContain('line 2');
  });

  it('reports /etc/ssh/sshd_not_to_be_run, which keeps an enabled sshd from starting', async () => {
    const tree = wellBuiltDebianGuest();
    tree['etc/ssh/sshd_not_to_be_run'] = '';
    const [finding] = byRule(await lint(tree), 'remote-access');
    expect(finding).toMatchObject({ severity: 'error', location: { path: '/etc/ssh/sshd_not_to_be_run' } });
  });
});

describe('ssh-password-auth', () => {
  it('warns when OpenSSH\'s default leaves password logins on (Debian\'s sshd_config does not set it)', async () => {
    const [finding, ...rest] = byRule(await lint(sshPasswordsOn(wellBuiltDebianGuest())), 'ssh-password-auth');
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({ severity: 'warning', location: { path: '/etc/ssh/sshd_config' } });
    expect(finding!.message).toContain('PasswordAuthentication yes (OpenSSH\'s built-in default');
  });

  it('points at the line that turns them on, and at a Match block that turns them back on', async () => {
    const tree = wellBuiltDebianGuest();
    tree['etc/ssh/sshd_config.d/50-appliance.conf'] = 'PasswordAuthentication no\nMatch User backup\n  PasswordAuthentication yes\n';
    const [match] = byRule(await lint(tree), 'ssh-password-auth');
    expect(match).toMatchObject({ severity: 'warning', location: { path: '/etc/ssh/sshd_config.d/50-appliance.conf', line: 3 } });
    expect(match!.message).toContain('"Match User backup"');
    const on = wellBuiltDebianGuest();
    on['etc/ssh/sshd_config.d/50-appliance.conf'] = '# set by hand\nPasswordAuthentication yes\n';
    expect(byRule(await lint(on), 'ssh-password-auth')[0]).toMatchObject({ location: { path: '/etc/ssh/sshd_config.d/50-appliance.conf', line: 2 } });
  });
});

describe('password logins where Match blocks, PAM and AuthenticationMethods decide', () => {
  it('counts keyboard-interactive only through PAM, and AuthenticationMethods only when a list is passwords alone', async () => {
    const cases: [string, boolean][] = [
      ['PasswordAuthentication no\nMatch User backup\n  KbdInteractiveAuthentication yes\n', true],
      ['PasswordAuthentication no\nUsePAM no\nMatch User backup\n  KbdInteractiveAuthentication yes\n', false],
      ['PasswordAuthentication yes\nAuthenticationMethods publickey,password\n', false],
      ['PasswordAuthentication yes\nAuthenticationMethods hostbased\n', false],
      ['PasswordAuthentication yes\nAuthenticationMethods publickey password\n', true],
    ];
    for (const [config, warned] of cases) {
      const tree = wellBuiltDebianGuest();
      tree['etc/ssh/sshd_config.d/50-appliance.conf'] = config;
      expect([config, byRule(await lint(tree), 'ssh-password-auth').length > 0]).toEqual([config, warned]);
    }
  });
});

describe('ssh-root-login', () => {
  it('warns on PermitRootLogin yes when root has a password and passwords are accepted', async () => {
    const tree = sshPasswordsOn(debianSystemdGuest());
    tree['etc/ssh/sshd_config.d/60-root.conf'] = 'PermitRootLogin yes\n';
    const [finding] = byRule(await lint(tree), 'ssh-root-login');
    expect(finding).toMatchObject({ severity: 'warning', location: { path: '/etc/ssh/sshd_config.d/60-root.conf', line: 1 } });
  });

  it('is quiet when password logins are off, or root\'s password is locked', async () => {
    const keysOnly = wellBuiltDebianGuest();
    keysOnly['etc/ssh/sshd_config.d/60-root.conf'] = 'PermitRootLogin yes\n';
    setShadowHash(keysOnly, 'root', DEBIAN_ROOT_HASH);
    expect(byRule(await lint(keysOnly), 'ssh-root-login')).toEqual([]);
    const locked = sshPasswordsOn(wellBuiltDebianGuest());
    locked['etc/ssh/sshd_config.d/60-root.conf'] = 'PermitRootLogin yes\n';
    expect(byRule(await lint(locked), 'ssh-root-login')).toEqual([]);
  });

  it('judges each Match block with its own settings layered over the global ones', async () => {
    const scopedRoot = wellBuiltDebianGuest();
    setShadowHash(scopedRoot, 'root', DEBIAN_ROOT_HASH);
    scopedRoot['etc/ssh/sshd_config.d/60-root.conf'] = 'Match Address 10.0.0.0/8\n  PermitRootLogin yes\n';
    expect(byRule(await lint(scopedRoot), 'ssh-root-login')).toEqual([]);
    const scopedPasswords = wellBuiltDebianGuest();
    setShadowHash(scopedPasswords, 'root', DEBIAN_ROOT_HASH);
    scopedPasswords['etc/ssh/sshd_config.d/60-root.conf'] = 'PermitRootLogin yes\nMatch Address 10.0.0.0/8\n  PasswordAuthentication yes\n';
    const [finding] = byRule(await lint(scopedPasswords), 'ssh-root-login');
    expect(finding).toMatchObject({ severity: 'warning', location: { path: '/etc/ssh/sshd_config.d/60-root.conf', line: 1 } });
    expect(finding!.message).toContain('"Match Address 10.0.0.0/8"');
  });
});

describe('ssh-authorized-keys', () => {
  it('is an error when password logins are off and nobody has a key', async () => {
    const tree = wellBuiltDebianGuest();
    delete tree[`${HOME}/.ssh/authorized_keys`];
    const [finding] = byRule(await lint(tree), 'ssh-authorized-keys');
    expect(finding).toMatchObject({ severity: 'error', location: { path: '/etc/ssh/sshd_config' } });
    expect(finding!.message).toContain('nobody can log in');
  });

  it('is a warning when passwords are the only way in', async () => {
    const tree = sshPasswordsOn(wellBuiltDebianGuest());
    delete tree[`${HOME}/.ssh/authorized_keys`];
    expect(byRule(await lint(tree), 'ssh-authorized-keys')).toMatchObject([{ severity: 'warning' }]);
  });

  it('follows AuthorizedKeysFile, and warns about short RSA keys and lines that are not keys', async () => {
    const tree = wellBuiltDebianGuest();
    delete tree[`${HOME}/.ssh/authorized_keys`];
    tree['etc/ssh/sshd_config.d/40-keys.conf'] = 'AuthorizedKeysFile /etc/ssh/keys/%u\n';
    tree[`etc/ssh/keys/${DEBIAN_USER}`] = `${sshKeyPair('rsa', 1024).publicSsh}not a key at all\n${sshKeyPair('ed25519').publicSsh}`;
    const findings = byRule(await lint(tree), 'ssh-authorized-keys');
    expect(findings.map((f) => [f.severity, f.location.path, f.location.line])).toEqual([
      ['warning', `/etc/ssh/keys/${DEBIAN_USER}`, 1],
      ['warning', `/etc/ssh/keys/${DEBIAN_USER}`, 2],
    ]);
    expect(findings[0]!.message).toContain('1024-bit RSA key');
  });
});

describe('ssh-authorized-keys: who sshd really lets in', () => {
  it('counts a weak but accepted RSA key as a way in, with a warning', async () => {
    const tree = wellBuiltDebianGuest();
    tree[`${HOME}/.ssh/authorized_keys`] = sshKeyPair('rsa', 1024).publicSsh;
    expect(byRule(await lint(tree), 'ssh-authorized-keys').map((f) => f.severity)).toEqual(['warning']);
  });

  it('knows sshd without PAM refuses "!"-locked accounts, keys and all', async () => {
    const tree = wellBuiltDebianGuest();
    tree['etc/ssh/sshd_config.d/50-appliance.conf'] = 'PasswordAuthentication no\nUsePAM no\n';
    const findings = byRule(await lint(tree), 'ssh-authorized-keys');
    expect(findings.map((f) => f.severity)).toEqual(['error', 'warning']);
    expect(findings[1]!.message).toContain(`usermod -p '*' ${DEBIAN_USER}`);
  });

  it('ignores an authorized_keys file others can write to, as StrictModes does', async () => {
    const image = makeGuestImage(wellBuiltDebianGuest());
    execFileSync('debugfs', ['-w', '-R', `set_inode_field /${HOME}/.ssh/authorized_keys mode 0100666`, image], { stdio: 'pipe' });
    const findings = byRule(await lintImage(image), 'ssh-authorized-keys');
    expect(findings.map((f) => f.severity)).toEqual(['error', 'warning']);
    expect(findings[1]!.message).toContain('writable by its group and others (mode 0666)');
  });
});

describe('empty-password and weak-password-hash', () => {
  it('report an empty password field and an MD5-crypt hash on login accounts only', async () => {
    const tree = wellBuiltDebianGuest();
    setShadowHash(tree, DEBIAN_USER, '');
    setShadowHash(tree, 'root', '$1$ls0YRPwy$KwHBqEgtYboQZeeg2kM8./');
    setShadowHash(tree, 'daemon', ''); // nologin shell: cannot log in, not reported
    const findings = await lint(tree);
    expect(byRule(findings, 'empty-password')).toMatchObject([{ severity: 'error', location: { path: '/etc/shadow' } }]);
    expect(byRule(findings, 'empty-password')[0]!.message).toMatch(new RegExp(`^${DEBIAN_USER} \\(uid 1000`));
    expect(byRule(findings, 'weak-password-hash')).toMatchObject([{ severity: 'warning', location: { path: '/etc/shadow', line: 1 } }]);
    expect(byRule(findings, 'weak-password-hash')[0]!.message).toContain('MD5-crypt');
  });
});

describe('guessable-password', () => {
  it('guesses a common password and an account name, and says which accounts it could not check', async () => {
    const tree = wellBuiltDebianGuest();
    setShadowHash(tree, 'root', execFileSync('openssl', ['passwd', '-6', '-salt', 'Rk9vzX2qLmT4aB1c', 'password'], { encoding: 'utf8' }).trim());
    setShadowHash(tree, DEBIAN_USER, execFileSync('openssl', ['passwd', '-1', '-salt', 'abcdefgh', DEBIAN_USER], { encoding: 'utf8' }).trim());
    const findings = byRule(await lint(tree, []), 'guessable-password');
    expect(findings.map((f) => f.message)).toEqual([
      'root\'s password (/etc/shadow line 1) is "password", one of the most common passwords: an ssh scanner would guess it. Set a long random password (passwd root), or lock it (passwd -l root) and log in with a key.',
      `${DEBIAN_USER}'s password (/etc/shadow line ${findings[1]!.location.line}) is its own account name: an ssh scanner would guess it. Set a long random password (passwd ${DEBIAN_USER}), or lock it (passwd -l ${DEBIAN_USER}) and log in with a key.`,
    ]);
    const yescrypt = wellBuiltDebianGuest();
    setShadowHash(yescrypt, 'root', '$y$j9T$F5Jx5fExrKuPp53xLKQ..1$X3DX6M94c7o.9agCG9G317fhZg9SqC.5i5rd.RhAtQ7');
    expect(byRule(await lint(yescrypt, []), 'guessable-password')).toMatchObject([{ severity: 'info', location: { path: '/etc/shadow', line: 1 } }]);
  });

  it('does not report a strong SHA-512 password', async () => {
    const tree = wellBuiltDebianGuest();
    setShadowHash(tree, 'root', DEBIAN_ROOT_HASH);
    expect(byRule(await lint(tree, ['--config', writeGuessConfig(50)]), 'guessable-password')).toEqual([]);
  });
});

function writeGuessConfig(maxCandidates: number): string {
  const path = join(tempDir('guess-config'), 'spotlint.config.json');
  writeFileSync(path, JSON.stringify({ rules: { 'guessable-password': ['error', { maxCandidates }] } }));
  return path;
}

describe('ssh-host-keys', () => {
  it('warns about baked-in host keys and says whether the image makes new ones at boot', async () => {
    const regenerates = wellBuiltDebianGuest();
    regenerates['etc/ssh/ssh_host_ed25519_key'] = sshKeyPair('ed25519').privateOpenssh;
    const [withUnit] = byRule(await lint(regenerates), 'ssh-host-keys');
    expect(withUnit).toMatchObject({ severity: 'warning', location: { path: '/etc/ssh/ssh_host_ed25519_key' } });
    expect(withUnit!.message).toContain('The image makes new keys at boot when they are missing (ssh-keygen.service');
    expect(withUnit!.fix).toContain('remove /etc/ssh/ssh_host_ed25519_key');
    const [asInstalled] = byRule(await lint(debianSystemdGuest()), 'ssh-host-keys');
    expect(asInstalled!.message).toContain('/etc/ssh/ssh_host_ecdsa_key, /etc/ssh/ssh_host_ed25519_key, /etc/ssh/ssh_host_rsa_key');
    expect(asInstalled!.message).toContain('Nothing in the image makes new keys at boot');
    expect(asInstalled!.fix).toBeUndefined();
  });
});

describe('machine-id', () => {
  it('warns about a populated /etc/machine-id and a D-Bus copy, not about an empty one', async () => {
    const tree = wellBuiltDebianGuest();
    tree['etc/machine-id'] = '4f2b0d6c5a8e4e1b9c7d3a2f1e0b9c8d\n';
    tree['var/lib/dbus/machine-id'] = '4f2b0d6c5a8e4e1b9c7d3a2f1e0b9c8d\n';
    const findings = byRule(await lint(tree), 'machine-id');
    expect(findings.map((f) => f.location.path)).toEqual(['/etc/machine-id', '/var/lib/dbus/machine-id']);
    expect(findings[1]!.message).toContain('a copy of /etc/machine-id');
    const uninitialized = wellBuiltDebianGuest();
    uninitialized['etc/machine-id'] = 'uninitialized\n';
    expect(byRule(await lint(uninitialized), 'machine-id')).toEqual([]);
  });
});

describe('leftover-secrets', () => {
  it('finds private keys, histories and Docker logins in home folders, not empty histories or credsStore configs', async () => {
    const tree = wellBuiltDebianGuest();
    tree['root/.bash_history'] = 'mysql -uroot -phunter2\n';
    tree[`${HOME}/.zsh_history`] = '';
    tree[`${HOME}/.ssh/id_ed25519`] = sshKeyPair('ed25519').privateOpenssh;
    tree[`${HOME}/.ssh/id_ed25519.pub`] = sshKeyPair('ed25519').publicSsh;
    tree[`${HOME}/.docker/config.json`] = JSON.stringify({ auths: { 'registry.example.com': { auth: 'dXNlcjpwYXNz' } } });
    tree['root/.docker/config.json'] = JSON.stringify({ auths: { 'registry.example.com': {} }, credsStore: 'pass' });
    const findings = byRule(await lint(tree), 'leftover-secrets');
    expect(findings.map((f) => f.location.path)).toEqual([
      `/${HOME}/.docker/config.json`,
      `/${HOME}/.ssh/id_ed25519`,
      '/root/.bash_history',
    ]);
    expect(findings.every((f) => f.severity === 'warning')).toBe(true);
    expect(findings[2]!.fix).toBe('remove /root/.bash_history');
  });
});
