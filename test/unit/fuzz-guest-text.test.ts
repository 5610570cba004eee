// Property tests: the guest's text files are the guest's to write, so every
// parser must take any text (realistic files mutated, long runs of the
// characters its syntax cares about, arbitrary strings) and return promptly,
// without throwing. Knobs: test/helpers/fuzz.ts.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildAccounts, classifyPasswordField, parsePasswd, parseShadow } from '../../src/inspect/facts/accounts.js';
import { parseAuthorizedKeys } from '../../src/inspect/facts/authorized-keys.js';
import { parseBlsEntry } from '../../src/inspect/facts/boot-config-bls.js';
import { parseGrubLegacyMenu } from '../../src/inspect/facts/boot-config-grub-legacy.js';
import { parseGrubCfg, parseGrubDefaults, parseGrubEnvironment } from '../../src/inspect/facts/boot-config-grub.js';
import { parseSyslinuxCfg } from '../../src/inspect/facts/boot-config-syslinux.js';
import { splitKernelArguments, splitShellWords } from '../../src/inspect/facts/boot-config-words.js';
import { parseIfcfgRhel } from '../../src/inspect/facts/network/ifcfg-rhel.js';
import { parseIfcfgSuse } from '../../src/inspect/facts/network/ifcfg-suse.js';
import { parseIfupdown, parseInterfacesFile } from '../../src/inspect/facts/network/ifupdown.js';
import { parseNetplan, parseNetplanFile } from '../../src/inspect/facts/network/netplan.js';
import { parseNetworkManagerKeyfile } from '../../src/inspect/facts/network/networkmanager-keyfile.js';
import { parseShellAssignments } from '../../src/inspect/facts/network/shell-assignments.js';
import { parseSystemdNetworkd } from '../../src/inspect/facts/network/systemd-networkd.js';
import {
  osReleaseInfo, parseAlpineRelease, parseDebianVersion, parseLsbRelease, parseRedhatRelease, parseSuseRelease,
} from '../../src/inspect/facts/os-release-files.js';
import { parseApkInstalled, parseDpkgStatus } from '../../src/inspect/facts/packages.js';
import { parseInittab } from '../../src/inspect/facts/services/sysv-runlevels.js';
import { expandUnitSpecifiers, logicalLines, parseUnitFile, splitInstance } from '../../src/inspect/facts/services/systemd-units.js';
import { upstartStartCondition } from '../../src/inspect/facts/services/upstart-jobs.js';
import { computeSshdConfig, parseSshdConfig, type SshdConfigSource } from '../../src/inspect/facts/sshd-config.js';
import { classifyFstabSource, parseFstab } from '../../src/inspect/guest/fstab.js';
import { parseOsRelease } from '../../src/inspect/guest/os-name.js';
import { expectValueOrOwnError, fuzzParameters, hostileText } from '../helpers/fuzz.js';

const DISTRO = 'test/data/distro/debian-12';
const real = (path: string) => readFileSync(`${DISTRO}/${path}`, 'utf8');

/** The number of lines a parser may name: "\n" ends a line; a last line without one counts too. */
const lineCount = (text: string) => text.split('\n').length;

const FSTAB = [
  [
    '# /etc/fstab: static file system information.',
    '# <file system> <mount point>   <type>  <options>       <dump>  <pass>',
    'UUID=5c1e0f2a-7b3d-4e9a-8c6b-1d2f3a4b5c6d /               ext4    errors=remount-ro 0       1',
    'UUID=0d3c7a2e-5f61-4b7a-9c1e-2a3b4c5d6e7f /boot           ext4    defaults        0       2',
    '/dev/sda3 none swap sw 0 0',
    'LABEL=data\\040disk /srv/data xfs defaults,nofail 0 2',
    'PARTUUID="1234abcd-02" /home ext4 defaults 0 2',
    '/dev/disk/by-label/My\\x20Disk /mnt auto noauto 0 0',
    '/dev/mapper/loop0p1 /mnt/build ext4 defaults 0 0',
    'tmpfs /tmp tmpfs nosuid,nodev 0 0',
    '/dev/sr0 /media/cdrom0 udf,iso9660 user,noauto 0 0',
    '',
  ].join('\n'),
];

const SSHD = [
  real('openssh-server/usr/share/openssh/sshd_config'),
  [
    'Include /etc/ssh/sshd_config.d/*.conf',
    'Port 2222',
    'PermitRootLogin = prohibit-password',
    '"PasswordAuthentication" no',
    'AuthorizedKeysFile .ssh/authorized_keys "/etc/ssh/keys/%u" # two files',
    'Match User backup Address 10.0.0.0/8',
    '\tPasswordAuthentication yes',
    '\tInclude extra.conf',
    'Match all',
    'X11Forwarding no',
    '',
  ].join('\n'),
];

const PASSWD = [
  real('base-passwd/usr/share/base-passwd/passwd.master'),
  [
    'root:x:0:0:root:/root:/bin/bash',
    'daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin',
    '+nisuser::::::',
    'appliance:x:1000:1000:Appliance User,,,:/home/appliance:/bin/bash',
    'odd:x:4294967295:0::/:/bin/sh:extra:colons',
    '',
  ].join('\n'),
];

const SHADOW = [
  [
    'root:$6$salt$Q0V4y0fWcA4pYk0c0x9hJm0O3wXo0n6kQ0n1Yb9qV8b2s9y6T5c2nE2y9b4hF8eG1dC3aB7iK0lM5nO8pQ1rS.:19000:0:99999:7:::',
    'daemon:*:19000:0:99999:7:::',
    'appliance:!$y$j9T$abc$def:19000:0:99999:7:::',
    'guest::19000::::::',
    'old:ab01FAX.bQRSU:19000::::::',
    '',
  ].join('\n'),
];

const OS_RELEASE = [
  real('base-files/usr/lib/os-release'),
  'NAME="CentOS Linux"\nVERSION="7 (Core)"\nID="centos"\nID_LIKE="rhel fedora"\nPRETTY_NAME=\'CentOS \\"Linux\\" 7\'\n',
  'DISTRIB_ID=Ubuntu\nDISTRIB_RELEASE=22.04\nDISTRIB_DESCRIPTION="Ubuntu 22.04.3 LTS"\n',
  'CentOS Linux release 7.9.2009 (Core)\n',
  'SUSE Linux Enterprise Server 11 (x86_64)\nVERSION = 11\nPATCHLEVEL = 4\n',
  '3.18.4\n',
  'bookworm/sid\n',
];

const INTERFACES = [
  [
    '# interfaces(5) file used by ifup(8) and ifdown(8)',
    'source /etc/network/interfaces.d/*',
    'source-directory interfaces.d',
    '',
    'auto lo',
    'iface lo inet loopback',
    '',
    'allow-hotplug eth0',
    'iface eth0 inet dhcp',
    '    hwaddress ether 52:54:00:12:34:56',
    '',
    'auto ens3 \\',
    '     ens4',
    'iface ens3 inet static',
    '    address 192.0.2.10/24',
    '    gateway 192.0.2.1',
    'iface ens3 inet6 auto',
    '',
  ].join('\n'),
];

const NETPLAN = [
  real('netplan.io/usr/share/doc/netplan/examples/dhcp.yaml'),
  real('netplan.io/usr/share/doc/netplan/examples/bonding.yaml'),
  real('netplan.io/usr/share/doc/netplan/examples/bridge.yaml'),
  [
    'network:',
    '  version: 2',
    '  renderer: networkd',
    '  ethernets:',
    '    id0: &card',
    '      match:',
    '        macaddress: "52:54:00:AB:CD:EF"',
    '        name: en*',
    '      set-name: wan0',
    '      dhcp4: yes',
    '      activation-mode: manual',
    '    id1:',
    '      <<: *card',
    '      addresses: [192.0.2.5/24]',
    '',
  ].join('\n'),
];

const UNITS = [
  real('systemd/lib/systemd/system/getty@.service'),
  real('ifupdown/lib/systemd/system/networking.service'),
  real('network-manager/lib/systemd/system/NetworkManager.service'),
  [
    '[Unit]',
    'Description=Demo %i',
    'Wants=network-online.target "quoted name.service" \\',
    '  other.service',
    '# Requires=commented.service',
    'Requires=%n-helper.service',
    '',
    '[Install]',
    'WantedBy=multi-user.target',
    'Alias=demo.service',
    'Alias=',
    'DefaultInstance=tty1',
    '',
  ].join('\n'),
];

/** Seeds for the smaller parsers, by parser. */
const OTHER_SEEDS = {
  grubCfg: 'set root=(hd0,msdos1)\nmenuentry "Debian" --class debian {\n  linux /vmlinuz root=UUID=5c1e console=ttyS0 "quiet splash"\n  initrd /initrd.img\n}\n',
  grubDefaults: 'GRUB_DEFAULT=0\nGRUB_CMDLINE_LINUX_DEFAULT="quiet"\nGRUB_CMDLINE_LINUX="console=ttyS0 ${EXTRA}"\nexport GRUB_TIMEOUT=5\n',
  grubEnv: '# GRUB Environment Block\nkernelopts=root=/dev/mapper/rhel-root ro crashkernel=auto\n########\n',
  grubLegacy: 'default 0\ntimeout 5\ntitle CentOS (2.6.32)\n\troot (hd0,0)\n\tkernel /vmlinuz-2.6.32 ro root=/dev/sda1 rhgb quiet\n\tinitrd /initramfs.img\n',
  bls: 'title Fedora\nversion 6.5.6\nlinux /vmlinuz-6.5.6\noptions root=UUID=abcd ro $kernelopts\ninitrd /initramfs-6.5.6.img\n',
  syslinux: 'DEFAULT linux\nLABEL linux\n  KERNEL /boot/vmlinuz\n  APPEND root=/dev/sda1 ro quiet\n  INITRD /boot/initrd.img\n',
  ifcfg: 'DEVICE=eth0\nBOOTPROTO="dhcp"\nONBOOT=yes\nHWADDR=52:54:00:12:34:56\nexport IPADDR=\'192.0.2.3\'\nSTARTMODE=auto\n',
  networkd: real('systemd/lib/systemd/network/80-container-host0.network'),
  nmKeyfile: '[connection]\nid=Wired\ntype=ethernet\ninterface-name=eth0\n[ethernet]\nmac-address=52:54:00:12:34:56\n[ipv4]\nmethod=auto\n',
  dpkg: 'Package: openssh-server\nStatus: install ok installed\nVersion: 1:9.2p1-2\nDescription: secure shell\n server part\n\nPackage: gone\nStatus: deinstall ok config-files\n',
  apk: 'P:musl\nV:1.2.4-r2\nA:x86_64\n\nP:openssh\nV:9.3_p2-r0\n',
  inittab: 'id:3:initdefault:\nsi::sysinit:/etc/rc.d/rc.sysinit\nl3:3:wait:/etc/rc.d/rc 3\n1:2345:respawn:/sbin/mingetty tty1\n',
  upstart: 'description "ssh"\nstart on runlevel [2345]\nstop on runlevel [!2345]\nscript\n  exec sshd\nend script\nmanual\n',
  authorizedKeys: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl a@b\ncommand="echo \\"hi\\"",no-pty ssh-rsa AAAAB3NzaC1yc2E= c\n',
};

describe('fuzz: /etc/fstab', () => {
  it('parses any text into entries on lines of the file, each source classified', async () => {
    await fc.assert(fc.asyncProperty(hostileText(FSTAB), async ({ text }) => {
      const entries = await expectValueOrOwnError(() => parseFstab(text));
      for (const entry of entries!) {
        expect(entry.line).toBeGreaterThanOrEqual(1);
        expect(entry.line).toBeLessThanOrEqual(lineCount(text));
        await expectValueOrOwnError(() => classifyFstabSource(entry.spec));
      }
    }), fuzzParameters());
  });
});

describe('fuzz: sshd_config', () => {
  it('parses any text into keyword lines and problems on lines of the file', async () => {
    await fc.assert(fc.asyncProperty(hostileText(SSHD), async ({ text }) => {
      const parsed = await expectValueOrOwnError(() => parseSshdConfig(text, '/etc/ssh/sshd_config'));
      for (const line of parsed!.lines) {
        expect(line.line).toBeLessThanOrEqual(lineCount(text));
        expect(line.args.length).toBeGreaterThan(0);
      }
    }), fuzzParameters());
  });

  it('computes an effective configuration when every included file is hostile too, including itself', async () => {
    await fc.assert(fc.asyncProperty(hostileText(SSHD), hostileText(SSHD), async (main, included) => {
      // Every Include names both files again: the walk must stay bounded.
      const files: Record<string, string> = { '/etc/ssh/sshd_config': main.text, '/etc/ssh/extra.conf': included.text };
      const source: SshdConfigSource = {
        expand: async () => Object.keys(files),
        read: async (path) => files[path],
      };
      await expectValueOrOwnError(() => computeSshdConfig({ path: '/etc/ssh/sshd_config', text: main.text }, source), { limitMs: 5000 });
    }), fuzzParameters(0.25));
  });

  // Found by the property: /[ \t\r\n\f]+$/ took seconds on a line with a long run of blanks inside.
  it('reads a line with 50,000 blanks between keyword and value promptly', async () => {
    const parsed = await expectValueOrOwnError(() => parseSshdConfig(`PermitRootLogin${' '.repeat(50_000)}no\nPort 22${'\t'.repeat(50_000)}\n`, '/etc/ssh/sshd_config'));
    expect(parsed!.lines).toEqual([{ keyword: 'permitrootlogin', args: ['no'], line: 1 }, { keyword: 'port', args: ['22'], line: 2 }]);
  });
});

describe('fuzz: /etc/passwd and /etc/shadow', () => {
  it('parses any text into accounts on lines of the file and joins them', async () => {
    await fc.assert(fc.asyncProperty(hostileText(PASSWD), hostileText(SHADOW), async (passwdText, shadowText) => {
      const passwd = await expectValueOrOwnError(() => parsePasswd(passwdText.text));
      const shadow = await expectValueOrOwnError(() => parseShadow(shadowText.text));
      for (const entry of passwd!.entries) {
        expect(entry.line).toBeLessThanOrEqual(lineCount(passwdText.text));
        expect(Number.isSafeInteger(entry.uid) && entry.uid >= 0).toBe(true);
        await expectValueOrOwnError(() => classifyPasswordField(entry.passwordField));
      }
      for (const entry of shadow!.entries) await expectValueOrOwnError(() => classifyPasswordField(entry.passwordField));
      await expectValueOrOwnError(() => buildAccounts(passwd!.entries, shadow!.entries));
    }), fuzzParameters());
  });
});

describe('fuzz: os-release and the older release files', () => {
  it('parses any text with every release-file parser', async () => {
    await fc.assert(fc.asyncProperty(hostileText(OS_RELEASE), async ({ text }) => {
      const fields = await expectValueOrOwnError(() => parseOsRelease(text));
      await expectValueOrOwnError(() => osReleaseInfo(fields!));
      for (const parse of [parseLsbRelease, parseRedhatRelease, parseSuseRelease, parseAlpineRelease, parseDebianVersion]) {
        await expectValueOrOwnError(() => parse(text));
      }
    }), fuzzParameters());
  });

  // Found by the property: /^(.+?)\s+release\s+(\S+)/ and the SuSE-release patterns took seconds on a long run of blanks.
  it('reads release files with 50,000 blanks, digits or parentheses in a row promptly', async () => {
    const blanks = ' '.repeat(50_000);
    expect(await expectValueOrOwnError(() => parseRedhatRelease(`CentOS${blanks}x`))).toBeUndefined();
    expect(await expectValueOrOwnError(() => parseRedhatRelease(`CentOS Linux${blanks}release 7.9.2009 (Core)`))).toMatchObject({ id: 'centos', name: 'CentOS Linux', version: '7.9.2009' });
    expect(await expectValueOrOwnError(() => parseSuseRelease(`openSUSE 13.1${blanks}x\nVERSION =${blanks}13.1${blanks}x\n`))).toMatchObject({ id: 'opensuse', version: `13.1${blanks}x` });
    expect(await expectValueOrOwnError(() => parseSuseRelease(`openSUSE ${'('.repeat(50_000)}`))).toMatchObject({ id: 'opensuse' });
    expect(await expectValueOrOwnError(() => parseSuseRelease(`openSUSE 1${'1'.repeat(50_000)}x ${blanks}`))).toMatchObject({ id: 'opensuse' });
  });

  it('still reads the SuSE-release title and fields as before', () => {
    expect(parseSuseRelease('openSUSE 13.1 (x86_64)\nVERSION = 13.1\nCODENAME = Bottle\n')).toMatchObject({ id: 'opensuse', name: 'openSUSE', version: '13.1', prettyName: 'openSUSE 13.1 (x86_64)' });
    expect(parseSuseRelease('SUSE Linux Enterprise Server 11 (x86_64)\r\nVERSION = 11\r\nPATCHLEVEL = 4 \r\n')).toMatchObject({ id: 'sles', name: 'SUSE Linux Enterprise Server', version: '11.4', prettyName: 'SUSE Linux Enterprise Server 11 SP4' });
    expect(parseRedhatRelease('Red Hat Enterprise Linux Server release 7.9 (Maipo)')).toMatchObject({ id: 'rhel', name: 'Red Hat Enterprise Linux Server', version: '7.9' });
  });
});

describe('fuzz: ifupdown interfaces', () => {
  it('parses any text into stanzas on lines of the file', async () => {
    await fc.assert(fc.asyncProperty(hostileText(INTERFACES), async ({ text }) => {
      const file = await expectValueOrOwnError(() => parseInterfacesFile(text, '/etc/network/interfaces'));
      for (const item of [...file!.ifaces, ...file!.bootMarks, ...file!.includes]) {
        expect(item.line).toBeLessThanOrEqual(lineCount(text));
      }
      for (const include of file!.includes) expect(include.pattern.startsWith('/')).toBe(true);
      await expectValueOrOwnError(() => parseIfupdown(text, '/etc/network/interfaces'));
    }), fuzzParameters());
  });

  // Found by timing the parser on long runs: joining continuation lines one by one was quadratic.
  it('joins 150,000 continuation lines promptly', async () => {
    const file = await expectValueOrOwnError(() => parseInterfacesFile(`auto \\\n${'\\\n'.repeat(150_000)}eth0\n`, '/etc/network/interfaces'));
    expect(file!.bootMarks).toEqual([{ name: 'eth0', kind: 'auto', line: 1 }]);
  });
});

describe('fuzz: netplan YAML', () => {
  it('parses any text into definitions and errors, never throwing', async () => {
    await fc.assert(fc.asyncProperty(hostileText(NETPLAN), async ({ text }) => {
      const file = await expectValueOrOwnError(() => parseNetplanFile(text, '/etc/netplan/50-cloud-init.yaml'));
      expect(file!.errors.length).toBeLessThanOrEqual(3);
      // A stack overflow inside the yaml package can leave V8 unable to compile a regular expression later: a process abort.
      expect(file!.errors.join('\n')).not.toMatch(/call stack/i);
      await expectValueOrOwnError(() => parseNetplan(text, '/etc/netplan/50-cloud-init.yaml'));
    }), fuzzParameters());
  });

  // Found by the property: nesting past some 800 levels overflowed the yaml
  // package's stack, and the next such file aborted the whole process
  // ("FATAL ERROR: RegExpCompiler Allocation failed").
  it('refuses deep nesting before the yaml package sees it, file after file', async () => {
    for (const text of ['['.repeat(1000), '['.repeat(1000), '{a: '.repeat(1000), '- '.repeat(1000), '? '.repeat(1000), '- '.repeat(1000)]) {
      const file = await expectValueOrOwnError(() => parseNetplanFile(text, '/etc/netplan/deep.yaml'));
      expect(file!.errors).toHaveLength(1);
      expect(file!.errors[0]).toMatch(/^was not parsed: (it opens more than 64 nested \[ or \{ brackets|line 1 is indented more than 200 columns deep)$/);
    }
  });

  // Found by the property: the yaml package parses some 40,000 lines a second, and errors cost more.
  it('does not parse a file larger than netplan files are', async () => {
    const file = await expectValueOrOwnError(() => parseNetplanFile('"'.repeat(60_000), '/etc/netplan/big.yaml'));
    expect(file).toEqual({ definitions: [], errors: ['was not parsed: it is 60000 characters long, more than the 16384 spotlint reads of a netplan file'] });
  });
});

describe('fuzz: systemd unit files', () => {
  it('parses any text into dependencies, and expands specifiers of any value', async () => {
    await fc.assert(fc.asyncProperty(hostileText(UNITS), fc.constantFrom('getty@tty1.service', 'demo.service', '@.socket', 'a-b@%.target', 'x'), async ({ text }, unitName) => {
      const lines = await expectValueOrOwnError(() => logicalLines(text));
      for (const line of lines!) expect(line.line).toBeLessThanOrEqual(lineCount(text.replace(/\r\n/g, '\n')));
      const unit = await expectValueOrOwnError(() => parseUnitFile(text));
      for (const name of [...unit!.pulls, ...unit!.installedBy, ...unit!.alias]) {
        await expectValueOrOwnError(() => expandUnitSpecifiers(name, unitName));
        await expectValueOrOwnError(() => splitInstance(name));
      }
    }), fuzzParameters());
  });
});

describe('fuzz: the other guest text parsers', () => {
  const parsers: Record<keyof typeof OTHER_SEEDS, (text: string) => unknown> = {
    grubCfg: (text) => parseGrubCfg(text, '/boot/grub/grub.cfg'),
    grubDefaults: (text) => parseGrubDefaults(text, '/etc/default/grub'),
    grubEnv: (text) => parseGrubEnvironment(text, '/boot/grub2/grubenv'),
    grubLegacy: (text) => parseGrubLegacyMenu(text, '/boot/grub/menu.lst'),
    bls: (text) => parseBlsEntry(text, '/boot/loader/entries/a.conf'),
    syslinux: (text) => [parseSyslinuxCfg(text, '/boot/syslinux/syslinux.cfg'), splitShellWords(text), splitKernelArguments(text)],
    ifcfg: (text) => [parseIfcfgRhel(text, '/etc/sysconfig/network-scripts/ifcfg-eth0'), parseIfcfgSuse(text, '/etc/sysconfig/network/ifcfg-eth0'), parseShellAssignments(text)],
    networkd: (text) => [parseSystemdNetworkd(text, '/etc/systemd/network/10-a.network'), parseSystemdNetworkd(text, '/etc/systemd/network/10-a.link')],
    nmKeyfile: (text) => parseNetworkManagerKeyfile(text, '/etc/NetworkManager/system-connections/a.nmconnection'),
    dpkg: (text) => parseDpkgStatus(text),
    apk: (text) => parseApkInstalled(text),
    inittab: (text) => parseInittab(text),
    upstart: (text) => upstartStartCondition(text, text.slice(0, 200)),
    authorizedKeys: (text) => parseAuthorizedKeys(text, '/root/.ssh/authorized_keys'),
  };
  for (const [name, parse] of Object.entries(parsers)) {
    it(`${name}: parses any text`, async () => {
      await fc.assert(fc.asyncProperty(hostileText([OTHER_SEEDS[name as keyof typeof OTHER_SEEDS]]), async ({ text }) => {
        await expectValueOrOwnError(() => parse(text));
      }), fuzzParameters(0.5));
    });
  }

  // Found by timing the parser on long runs: /[ \t]+$/ took seconds on a line with a long run of blanks inside.
  it('reads an authorized_keys line with 50,000 blanks inside promptly', async () => {
    const keys = await expectValueOrOwnError(() => parseAuthorizedKeys(`ssh-ed25519${' '.repeat(50_000)}AAAA x${'\t'.repeat(50_000)}\n`, '/root/.ssh/authorized_keys'));
    expect(keys).toHaveLength(1);
    expect(keys![0]).toMatchObject({ line: 1, type: 'ssh-ed25519', comment: 'x' });
  });
});
