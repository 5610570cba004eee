// The whole-guest fixture styles: each becomes an ext4 image that e2fsck
// passes and spotlint opens, and its key files read back through the guest
// tree as the packages (or the hand-written stand-ins) made them. The pure
// helpers (systemctl enable, insserv ordering, modes) are checked on trees.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sshpk from 'sshpk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inspectImage, type InspectedImage } from '../../dist/inspect/inspect-image.js';
import type { GuestTree } from '../../dist/inspect/guest/guest-tree.js';
import { makeExtImage, tempDir, type Tree } from '../helpers/build-image.js';
import {
  addSysvLinks,
  DEBIAN_PACKAGES,
  DEBIAN_USER,
  debianSystemdGuest,
  DEFAULT_ROOT_UUID,
  distroFile,
  distroText,
  guestFileModes,
  installedPath,
  MACHINE_ID,
  makeGuestImage,
  NIC_MAC,
  packageEntries,
  packageVersion,
  parseUnitSection,
  readTreeText,
  rhelNetworkManagerGuest,
  RHEL_UNIT_DIR,
  sshKeyPair,
  systemdEnable,
  sysvLegacyGuest,
  WEAK_PASSWORD,
  WEAK_PASSWORD_SALT,
  wellBuiltDebianGuest,
} from '../helpers/guest-styles/index.js';

const ELF_MAGIC = Buffer.from([0x7f, 0x45, 0x4c, 0x46]);

function e2fsck(image: string): { status: number | null; output: string } {
  const run = spawnSync('e2fsck', ['-fn', image], { encoding: 'utf8' });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

function hasTool(name: string, probe: string[]): boolean {
  return spawnSync(name, probe, { stdio: 'ignore' }).error === undefined;
}

/** The shadow password field of `user`, read through the guest. */
async function shadowHash(guest: GuestTree, user: string): Promise<string | undefined> {
  const line = (await guest.readText('/etc/shadow')).split('\n').find((l) => l.startsWith(`${user}:`));
  return line?.split(':')[1];
}

async function permissions(guest: GuestTree, path: string): Promise<{ mode: number; uid: number; gid: number }> {
  const stat = await guest.lstat(path);
  return { mode: stat.mode & 0o7777, uid: stat.uid, gid: stat.gid };
}

/** Opens a style's tree the way the tests of other modules will: makeGuestImage, then spotlint's own reader. */
function useGuest(build: () => Tree): { tree: () => Tree; guest: () => GuestTree; image: () => string } {
  let tree: Tree;
  let image: string;
  let inspected: InspectedImage;
  beforeAll(async () => {
    tree = build();
    image = makeGuestImage(tree, { uuid: DEFAULT_ROOT_UUID });
    inspected = await inspectImage(image);
    if (!inspected.guest) throw new Error(`${image}: spotlint found no guest in it`);
  });
  afterAll(() => inspected?.close());
  return { tree: () => tree, guest: () => inspected.guest!, image: () => image };
}

describe.each([
  ['debianSystemdGuest', debianSystemdGuest],
  ['wellBuiltDebianGuest', wellBuiltDebianGuest],
  ['rhelNetworkManagerGuest', rhelNetworkManagerGuest],
  ['sysvLegacyGuest', sysvLegacyGuest],
])('%s', (_name, build) => {
  it('becomes an image e2fsck finds clean, through makeExtImage and through makeGuestImage', () => {
    const tree = build();
    for (const image of [makeExtImage(tree, { sizeMiB: 48 }), makeGuestImage(tree)]) {
      const check = e2fsck(image);
      expect(check.output).not.toMatch(/UNEXPECTED INCONSISTENCY|Fix\? no/);
      expect(check.status).toBe(0);
    }
  });

  it('returns a fresh tree each time', () => {
    const first = build();
    delete first['etc/fstab'];
    expect(build()['etc/fstab']).toBeDefined();
  });
});

describe('debianSystemdGuest through the guest tree', () => {
  const opened = useGuest(debianSystemdGuest);

  it('carries openssh-server\'s packaged sshd_config as the postinst copies it', async () => {
    expect(await opened.guest().readText('/etc/ssh/sshd_config')).toBe(distroText('openssh-server', 'usr/share/openssh/sshd_config'));
    expect(await opened.guest().readText('/etc/pam.d/sshd')).toBe(distroText('openssh-server', 'etc/pam.d/sshd'));
  });

  it('is merged-usr, with /sbin/init at systemd and /bin/sh at the real dash', async () => {
    const guest = opened.guest();
    expect(await guest.readlink('/bin')).toBe('usr/bin');
    expect(await guest.readlink('/lib')).toBe('usr/lib');
    expect(await guest.resolve('/sbin/init')).toBe('/usr/lib/systemd/systemd');
    expect(await guest.resolve('/bin/sh')).toBe('/usr/bin/dash');
    expect(await guest.readFile('/bin/sh')).toEqual(distroFile('dash', 'bin/dash'));
    expect((await guest.readBytes('/bin/sh', 0, 4)).equals(ELF_MAGIC)).toBe(true);
    expect(await guest.resolve('/etc/os-release')).toBe('/usr/lib/os-release');
    expect(await guest.readText('/etc/os-release')).toBe(distroText('base-files', 'usr/lib/os-release'));
    expect(await guest.readText('/etc/debian_version')).toBe(distroText('base-files', 'etc/debian_version'));
  });

  it('enables services with the links systemctl enable makes, and leaves default.target to the vendor link', async () => {
    const guest = opened.guest();
    const wants = '/etc/systemd/system/multi-user.target.wants';
    expect(await guest.readlink(`${wants}/ssh.service`)).toBe('/lib/systemd/system/ssh.service');
    expect(await guest.resolve(`${wants}/ssh.service`)).toBe('/usr/lib/systemd/system/ssh.service');
    expect(await guest.resolve('/etc/systemd/system/sshd.service')).toBe('/usr/lib/systemd/system/ssh.service');
    for (const unit of ['cron', 'rsyslog', 'chrony', 'networking']) {
      expect(await guest.resolve(`${wants}/${unit}.service`)).toBe(`/usr/lib/systemd/system/${unit}.service`);
    }
    expect(await guest.resolve('/etc/systemd/system/network-online.target.wants/networking.service')).toBe('/usr/lib/systemd/system/networking.service');
    expect(await guest.resolve('/etc/systemd/system/chronyd.service')).toBe('/usr/lib/systemd/system/chrony.service');
    expect(await guest.resolve('/etc/systemd/system/getty.target.wants/getty@tty1.service')).toBe('/usr/lib/systemd/system/getty@.service');
    expect(await guest.exists('/etc/systemd/system/default.target')).toBe(false);
    expect(await guest.resolve('/lib/systemd/system/default.target')).toBe('/usr/lib/systemd/system/graphical.target');
    // update-rc.d without insserv numbers every link 01.
    expect(await guest.resolve('/etc/rc2.d/S01ssh')).toBe('/etc/init.d/ssh');
  });

  it('has host keys in OpenSSH format whose public halves match', async () => {
    const guest = opened.guest();
    for (const type of ['rsa', 'ecdsa', 'ed25519']) {
      const privateKey = sshpk.parsePrivateKey(await guest.readText(`/etc/ssh/ssh_host_${type}_key`), 'openssh');
      const publicKey = sshpk.parseKey(await guest.readText(`/etc/ssh/ssh_host_${type}_key.pub`), 'ssh');
      expect(privateKey.toPublic().fingerprint('sha256').toString()).toBe(publicKey.fingerprint('sha256').toString());
      expect(publicKey.comment).toBe('root@appliance');
      expect((await permissions(guest, `/etc/ssh/ssh_host_${type}_key`)).mode).toBe(0o600);
    }
  });

  it.skipIf(!hasTool('ssh-keygen', ['-?']))('has host keys ssh-keygen itself reads', async () => {
    const dir = tempDir('hostkey');
    const keyFile = join(dir, 'key');
    writeFileSync(keyFile, await opened.guest().readText('/etc/ssh/ssh_host_ed25519_key'), { mode: 0o600 });
    const derived = spawnSync('ssh-keygen', ['-y', '-f', keyFile], { encoding: 'utf8' });
    expect(derived.status).toBe(0);
    expect(derived.stdout.split(' ').slice(0, 2)).toEqual((await opened.guest().readText('/etc/ssh/ssh_host_ed25519_key.pub')).split(' ').slice(0, 2));
  });

  it('has install-like accounts, modes and owners', async () => {
    const guest = opened.guest();
    const passwd = await guest.readText('/etc/passwd');
    expect(passwd.startsWith('root:x:0:0:root:/root:/bin/bash\n')).toBe(true);
    expect(passwd).toContain(`${DEBIAN_USER}:x:1000:1000:`);
    expect(await shadowHash(guest, 'root')).toMatch(/^\$6\$/);
    expect(await shadowHash(guest, DEBIAN_USER)).toMatch(/^\$6\$/);
    expect(await shadowHash(guest, 'daemon')).toBe('*');
    expect(await permissions(guest, '/etc/shadow')).toEqual({ mode: 0o640, uid: 0, gid: 42 });
    expect(await permissions(guest, `/home/${DEBIAN_USER}`)).toEqual({ mode: 0o700, uid: 1000, gid: 1000 });
    expect(await permissions(guest, `/home/${DEBIAN_USER}/.bash_history`)).toEqual({ mode: 0o600, uid: 1000, gid: 1000 });
    expect((await permissions(guest, '/etc/init.d/ssh')).mode).toBe(0o755);
    expect((await permissions(guest, '/tmp')).mode).toBe(0o1777);
  });

  it('has the traces an install leaves: machine-id, network, fstab, dpkg status', async () => {
    const guest = opened.guest();
    expect(await guest.readText('/var/lib/dbus/machine-id')).toBe(`${MACHINE_ID}\n`);
    expect(await guest.readText('/etc/network/interfaces')).toMatch(/^allow-hotplug enp0s3\niface enp0s3 inet dhcp$/m);
    expect(await guest.readText('/etc/fstab')).toMatch(new RegExp(`^UUID=${DEFAULT_ROOT_UUID}\\s+/\\s+ext4\\s+errors=remount-ro`, 'm'));
    const status = await guest.readText('/var/lib/dpkg/status');
    for (const pkg of DEBIAN_PACKAGES) {
      expect(status).toContain(`Package: ${pkg}\nStatus: install ok installed\nArchitecture: amd64\nVersion: ${packageVersion(pkg)}\n`);
    }
    expect(await guest.exists('/root/.bash_history')).toBe(true);
  });
});

describe('wellBuiltDebianGuest through the guest tree', () => {
  const opened = useGuest(wellBuiltDebianGuest);

  it('turns password logins off in a drop-in that Debian\'s sshd_config includes first', async () => {
    const guest = opened.guest();
    const main = await guest.readText('/etc/ssh/sshd_config');
    expect(main.split('\n').find((line) => /^\s*[A-Za-z]/.test(line))).toBe('Include /etc/ssh/sshd_config.d/*.conf');
    expect(await guest.glob('/etc/ssh/sshd_config.d/*.conf')).toEqual(['/etc/ssh/sshd_config.d/50-appliance.conf']);
    expect(await guest.readText('/etc/ssh/sshd_config.d/50-appliance.conf')).toMatch(/^PasswordAuthentication no$/m);
    expect(main).not.toMatch(/^PermitRootLogin/m);
  });

  it('authorizes one ed25519 key with modes sshd\'s StrictModes accepts, and locks the passwords', async () => {
    const guest = opened.guest();
    const key = sshpk.parseKey(await guest.readText(`/home/${DEBIAN_USER}/.ssh/authorized_keys`), 'ssh');
    expect(key.type).toBe('ed25519');
    expect(await permissions(guest, `/home/${DEBIAN_USER}/.ssh`)).toEqual({ mode: 0o700, uid: 1000, gid: 1000 });
    expect(await permissions(guest, `/home/${DEBIAN_USER}/.ssh/authorized_keys`)).toEqual({ mode: 0o600, uid: 1000, gid: 1000 });
    expect(await shadowHash(guest, 'root')).toBe('*');
    expect(await shadowHash(guest, DEBIAN_USER)).toBe('!');
  });

  it('leaves host keys, machine-id and histories for first boot, with a unit to make the keys', async () => {
    const guest = opened.guest();
    expect(await guest.glob('/etc/ssh/ssh_host_*')).toEqual([]);
    expect((await guest.stat('/etc/machine-id')).size).toBe(0);
    expect(await guest.exists('/root/.bash_history')).toBe(false);
    expect(await guest.exists(`/home/${DEBIAN_USER}/.bash_history`)).toBe(false);
    expect(await guest.exists('/etc/udev/rules.d/70-persistent-net.rules')).toBe(false);
    expect(await guest.resolve('/etc/systemd/system/multi-user.target.wants/ssh-keygen.service')).toBe('/etc/systemd/system/ssh-keygen.service');
    const unit = parseUnitSection(await guest.readText('/etc/systemd/system/ssh-keygen.service'), 'Service');
    expect(unit.get('ExecStart')).toEqual(['/usr/bin/ssh-keygen', '-A']);
    expect(await guest.resolve('/etc/systemd/system/multi-user.target.wants/chrony.service')).toBe('/usr/lib/systemd/system/chrony.service');
  });
});

describe('rhelNetworkManagerGuest through the guest tree', () => {
  const opened = useGuest(rhelNetworkManagerGuest);

  it('reads as Rocky Linux 9.3', async () => {
    const guest = opened.guest();
    expect(await guest.resolve('/etc/os-release')).toBe('/usr/lib/os-release');
    expect(await guest.readText('/etc/os-release')).toMatch(/^ID="rocky"$/m);
    expect(await guest.readText('/etc/redhat-release')).toBe('Rocky Linux release 9.3 (Blue Onyx)\n');
    expect(await guest.resolve('/bin/sh')).toBe('/usr/bin/bash');
    expect((await guest.readBytes('/bin/sh', 0, 4)).equals(ELF_MAGIC)).toBe(true);
    expect(await guest.resolve('/sbin/init')).toBe('/usr/lib/systemd/systemd');
    expect((await guest.stat('/var/lib/rpm/rpmdb.sqlite')).kind).toBe('file');
  });

  it('enables sshd, NetworkManager (with its Also= units and alias) and chronyd under /usr/lib/systemd/system', async () => {
    const guest = opened.guest();
    const system = '/etc/systemd/system';
    expect(await guest.readlink(`${system}/multi-user.target.wants/sshd.service`)).toBe(`${RHEL_UNIT_DIR}/sshd.service`);
    expect(await guest.resolve(`${system}/multi-user.target.wants/NetworkManager.service`)).toBe(`${RHEL_UNIT_DIR}/NetworkManager.service`);
    expect(await guest.resolve(`${system}/dbus-org.freedesktop.NetworkManager.service`)).toBe(`${RHEL_UNIT_DIR}/NetworkManager.service`);
    expect(await guest.resolve(`${system}/dbus-org.freedesktop.nm-dispatcher.service`)).toBe(`${RHEL_UNIT_DIR}/NetworkManager-dispatcher.service`);
    expect(await guest.resolve(`${system}/network-online.target.wants/NetworkManager-wait-online.service`)).toBe(`${RHEL_UNIT_DIR}/NetworkManager-wait-online.service`);
    expect(await guest.resolve(`${system}/multi-user.target.wants/chronyd.service`)).toBe(`${RHEL_UNIT_DIR}/chronyd.service`);
    expect(await guest.resolve(`${system}/default.target`)).toBe(`${RHEL_UNIT_DIR}/multi-user.target`);
    expect(await guest.readText(`${RHEL_UNIT_DIR}/NetworkManager.service`)).toBe(distroText('network-manager', 'lib/systemd/system/NetworkManager.service'));
    expect(parseUnitSection(await guest.readText(`${RHEL_UNIT_DIR}/sshd.service`), 'Service').get('ExecStart')).toEqual(['/usr/sbin/sshd', '-D', '$OPTIONS']);
    expect(await guest.exists(`${RHEL_UNIT_DIR}/sshd-keygen@.service`)).toBe(true);
  });

  it('has RHEL\'s sshd_config shape with root logins allowed', async () => {
    const guest = opened.guest();
    const main = await guest.readText('/etc/ssh/sshd_config');
    expect(main.split('\n').find((line) => /^\s*[A-Za-z]/.test(line))).toBe('Include /etc/ssh/sshd_config.d/*.conf');
    expect(main).toMatch(/^PermitRootLogin yes$/m);
    expect(await guest.readText('/etc/ssh/sshd_config.d/50-redhat.conf')).toMatch(/^UsePAM yes$/m);
  });

  it('pins the NIC by MAC in both ifcfg and keyfile form, the keyfile only root can read', async () => {
    const guest = opened.guest();
    expect(await guest.readText('/etc/sysconfig/network-scripts/ifcfg-eth0')).toMatch(new RegExp(`^HWADDR=${NIC_MAC}$`, 'm'));
    expect(await guest.readText('/etc/NetworkManager/system-connections/ens3.nmconnection')).toMatch(new RegExp(`^mac-address=${NIC_MAC}$`, 'm'));
    expect(await permissions(guest, '/etc/NetworkManager/system-connections/ens3.nmconnection')).toEqual({ mode: 0o600, uid: 0, gid: 0 });
  });

  it.skipIf(!hasTool('openssl', ['version']))('gives root the guessable password "password"', async () => {
    const guest = opened.guest();
    const expected = spawnSync('openssl', ['passwd', '-6', '-salt', WEAK_PASSWORD_SALT, WEAK_PASSWORD], { encoding: 'utf8' }).stdout.trim();
    expect(await shadowHash(guest, 'root')).toBe(expected);
    // RHEL keeps shadow unreadable to all but root, with no shadow group.
    expect(await permissions(guest, '/etc/shadow')).toEqual({ mode: 0o000, uid: 0, gid: 0 });
  });
});

describe('sysvLegacyGuest through the guest tree', () => {
  const opened = useGuest(sysvLegacyGuest);

  it('boots SysV init from real folders, to the runlevel sysvinit\'s inittab names', async () => {
    const guest = opened.guest();
    expect((await guest.lstat('/bin')).kind).toBe('directory');
    expect((await guest.lstat('/sbin/init')).kind).toBe('file');
    expect(await guest.resolve('/bin/sh')).toBe('/bin/dash');
    expect(await guest.readText('/etc/inittab')).toBe(distroText('sysvinit-core', 'usr/share/sysvinit/inittab'));
    expect(await guest.readText('/etc/inittab')).toMatch(/^id:2:initdefault:$/m);
    expect(await guest.readText('/etc/debian_version')).toBe('7.11\n');
    expect(await guest.readText('/etc/os-release')).toMatch(/^VERSION_ID="7"$/m);
    expect(await guest.exists('/etc/systemd/system')).toBe(false);
  });

  it('orders rc links from the scripts\' LSB headers as insserv does', async () => {
    const guest = opened.guest();
    expect((await guest.list('/etc/rc2.d')).names).toEqual(['S01bootlogs', 'S01rmnologin', 'S01rsyslog', 'S02cron', 'S02ssh', 'S03rc.local']);
    expect(await guest.resolve('/etc/rc2.d/S02ssh')).toBe('/etc/init.d/ssh');
    expect(await guest.readText('/etc/init.d/ssh')).toBe(distroText('openssh-server', 'etc/init.d/ssh'));
    const halt = (await guest.list('/etc/rc0.d')).names;
    expect(halt.at(-1)).toBe('K07halt');
    expect(halt.indexOf('K06umountroot')).toBeGreaterThan(halt.indexOf('K05umountfs'));
    expect((await guest.list('/etc/rcS.d')).names.slice(0, 2)).toEqual(['S01hostname.sh', 'S01mountkernfs.sh']);
    expect(await guest.glob('/etc/rc?.d/*chrony')).toEqual([]);
  });

  it('pins eth0 in 70-persistent-net.rules and gives root an MD5-crypt hash', async () => {
    const guest = opened.guest();
    expect(await guest.readText('/etc/udev/rules.d/70-persistent-net.rules')).toContain(`ATTR{address}=="${NIC_MAC}"`);
    expect(await guest.readText('/etc/network/interfaces')).toMatch(/^iface eth0 inet dhcp$/m);
    expect(await shadowHash(guest, 'root')).toMatch(/^\$1\$[./0-9A-Za-z]{1,8}\$[./0-9A-Za-z]{22}$/);
    expect(await guest.readText('/etc/passwd')).toMatch(/^daemon:x:1:1:daemon:\/usr\/sbin:\/bin\/sh$/m);
  });
});

describe('systemdEnable', () => {
  const unit = (install: string) => `[Unit]\nDescription=test\n\n[Service]\nExecStart=/bin/true\n\n${install}`;

  it('follows DefaultInstance=, Also= and Alias=, naming the unit where systemctl found it', () => {
    const tree: Tree = {
      lib: { symlink: 'usr/lib' },
      'usr/lib/systemd/system/tty@.service': unit('[Install]\nWantedBy=getty.target\nDefaultInstance=tty1\nAlso=helper.service\n'),
      'usr/lib/systemd/system/helper.service': unit('[Install]\nRequiredBy=a.target \\\n  b.target\nAlias=assist.service\n'),
      'etc/systemd/system/local.service': unit('[Install]\nWantedBy=multi-user.target\n'),
    };
    expect(systemdEnable(tree, 'tty@.service')).toEqual([
      '/etc/systemd/system/getty.target.wants/tty@tty1.service',
      '/etc/systemd/system/a.target.requires/helper.service',
      '/etc/systemd/system/b.target.requires/helper.service',
      '/etc/systemd/system/assist.service',
    ]);
    expect(tree['etc/systemd/system/getty.target.wants/tty@tty1.service']).toEqual({ symlink: '/lib/systemd/system/tty@.service' });
    systemdEnable(tree, 'tty@tty2.service');
    expect(tree['etc/systemd/system/getty.target.wants/tty@tty2.service']).toEqual({ symlink: '/lib/systemd/system/tty@.service' });
    systemdEnable(tree, 'local.service', { root: RHEL_UNIT_DIR });
    expect(tree['etc/systemd/system/multi-user.target.wants/local.service']).toEqual({ symlink: '/etc/systemd/system/local.service' });
  });

  it('refuses units it cannot find or that have nothing to install', () => {
    const tree: Tree = { 'usr/lib/systemd/system/static.service': unit('') };
    expect(() => systemdEnable(tree, 'missing.service', { root: RHEL_UNIT_DIR })).toThrow(/missing\.service: no unit file/);
    expect(() => systemdEnable(tree, 'static.service', { root: RHEL_UNIT_DIR })).toThrow(/no \[Install\] section/);
  });

  it('reads an empty assignment as a reset, as systemd does', () => {
    expect(parseUnitSection('[Install]\nWantedBy=a.target\nWantedBy=\nWantedBy=b.target c.target\n', 'Install').get('WantedBy')).toEqual(['b.target', 'c.target']);
  });
});

describe('addSysvLinks', () => {
  it('numbers every link 01 without insserv, as update-rc.d does on Debian 12', () => {
    const tree: Tree = { 'etc/init.d/chrony': distroFile('chrony', 'etc/init.d/chrony') };
    expect(addSysvLinks(tree, ['chrony'], 'flat').sort()).toEqual([
      '/etc/rc0.d/K01chrony', '/etc/rc1.d/K01chrony', '/etc/rc2.d/S01chrony', '/etc/rc3.d/S01chrony',
      '/etc/rc4.d/S01chrony', '/etc/rc5.d/S01chrony', '/etc/rc6.d/K01chrony',
    ]);
  });

  it('refuses a dependency cycle', () => {
    const script = (name: string, needs: string) => `#!/bin/sh\n### BEGIN INIT INFO\n# Provides: ${name}\n# Required-Start: ${needs}\n# Default-Start: 2\n### END INIT INFO\n`;
    const tree: Tree = { 'etc/init.d/a': script('a', 'b'), 'etc/init.d/b': script('b', 'a') };
    expect(() => addSysvLinks(tree, ['a', 'b'], 'insserv')).toThrow(/cycle/);
  });
});

describe('guest file modes', () => {
  it('make executable exactly what the Debian packages ship executable', () => {
    const tree = debianSystemdGuest();
    const modes = guestFileModes(tree);
    for (const pkg of DEBIAN_PACKAGES) {
      for (const entry of packageEntries(pkg)) {
        if (entry.symlink !== undefined) continue;
        const key = installedPath(entry.path, true);
        const mode = modes.get(key)?.mode;
        // A checkout keeps only the executable bit of what the package shipped (git records no other mode bits).
        expect({ key, executable: (mode ?? 0) & 0o111 }).toEqual({ key, executable: entry.mode & 0o111 });
      }
    }
  });

  it('give a user\'s home to the user the tree\'s passwd names', () => {
    const tree = debianSystemdGuest();
    tree['home/other/notes.txt'] = 'x';
    tree['etc/passwd'] = `${readTreeText(tree, 'etc/passwd')}other:x:1001:1001::/home/other:/bin/sh\n`;
    expect(guestFileModes(tree).get('home/other/notes.txt')).toEqual({ mode: 0o644, uid: 1001, gid: 1001 });
  });
});

describe('sshKeyPair', () => {
  it.each([['ed25519', undefined, 256], ['rsa', 2048, 2048], ['ecdsa', 384, 384]] as const)('makes %s keys in OpenSSH formats', (type, bits, size) => {
    const pair = sshKeyPair(type, bits, 'me@here');
    const privateKey = sshpk.parsePrivateKey(pair.privateOpenssh, 'openssh');
    const publicKey = sshpk.parseKey(pair.publicSsh, 'ssh');
    expect(pair.privateOpenssh.startsWith('-----BEGIN OPENSSH PRIVATE KEY-----\n')).toBe(true);
    expect(publicKey.size).toBe(size);
    expect(publicKey.comment).toBe('me@here');
    expect(privateKey.toPublic().fingerprint('sha256').toString()).toBe(publicKey.fingerprint('sha256').toString());
  });
});
