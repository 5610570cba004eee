// The service rules (minimal-services, auto-updates, phone-home, rc-local) on
// real ext4 guests built from Debian 12's own files (test/helpers/guest-styles),
// through the CLI's JSON report: for each rule, guests that trigger it and
// guests that do not.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { GuestFacts } from '../../src/inspect/facts/guest-facts.js';
import { tempDir, type Tree } from '../helpers/build-image.js';
import {
  addSysvLinks,
  debianSystemdGuest,
  distroText,
  installPackage,
  makeGuestImage,
  rhelNetworkManagerGuest,
  RHEL_UNIT_DIR,
  readTreeText,
  sysvLegacyGuest,
  systemdEnable,
  wellBuiltDebianGuest,
} from '../helpers/guest-styles/index.js';
import { byRule, lintGuest, lintImage, WITHOUT_GUESSING, type JsonFinding } from '../helpers/lint-guest.js';
import { runCli } from '../helpers/run-cli.js';

const SYSTEM = '/etc/systemd/system';

/** Sets inode modes (file type bits included, e.g. 0o100644) in an image made by makeGuestImage. */
function setModes(image: string, modes: Record<string, number>): string {
  const script = join(tempDir('debugfs'), 'modes.debugfs');
  writeFileSync(script, Object.entries(modes).map(([path, mode]) => `set_inode_field ${path} mode 0${mode.toString(8)}\n`).join(''));
  const run = spawnSync('debugfs', ['-w', '-f', script, image], { encoding: 'utf8' });
  const complaints = (run.stderr ?? '').split('\n').filter((line) => line.trim() !== '' && !line.startsWith('debugfs '));
  if (run.status !== 0 || complaints.length > 0) throw new Error(`debugfs could not set modes: ${complaints.join('; ')}`);
  return image;
}

/** Findings with a config file that sets one rule's options. */
async function lintWithOptions(tree: Tree, rule: string, options: object): Promise<JsonFinding[]> {
  const config = join(tempDir('service-config'), 'spotlint.config.json');
  writeFileSync(config, JSON.stringify({ rules: { [rule]: ['warning', options] } }));
  const result = await runCli(['--config', config, makeGuestImage(tree), '--format', 'json', '--fail-on', 'none', ...WITHOUT_GUESSING]);
  expect(result.stderr).toBe('');
  return JSON.parse(result.stdout).images[0].findings as JsonFinding[];
}

async function inspectFacts(image: string): Promise<GuestFacts> {
  const inspected = await runCli(['inspect', image, '--json']);
  expect(inspected.code).toBe(0);
  return (JSON.parse(inspected.stdout) as { facts: GuestFacts }).facts;
}

const warnings = (findings: JsonFinding[], rule: string) => byRule(findings, rule).filter((f) => f.severity !== 'info');

/** A Debian 12 desktop-ish guest: Avahi, CUPS and LightDM enabled as their postinsts enable them. */
function desktopGuest(): Tree {
  const tree = wellBuiltDebianGuest();
  for (const pkg of ['avahi-daemon', 'cups-daemon', 'lightdm']) installPackage(tree, pkg, { mergedUsr: true });
  for (const unit of ['avahi-daemon.service', 'cups.service', 'lightdm.service']) systemdEnable(tree, unit);
  return tree;
}

describe('minimal-services', () => {
  it('warns for each desktop service at what enables it (EnabledService.enabledBy), sockets included, with the systemctl command', async () => {
    const image = makeGuestImage(desktopGuest());
    const findings = warnings(await lintImage(image), 'minimal-services');
    const facts = await inspectFacts(image);
    const flagged = findings.map((f) => f.message.split(',')[0]!).sort();
    expect(flagged).toEqual(['avahi-daemon.service', 'avahi-daemon.socket', 'cups.service', 'cups.socket', 'lightdm.service']);
    for (const finding of findings) {
      const name = finding.message.split(',')[0]!;
      const service = facts.services.enabled.find((s) => s.name === name)!;
      expect(finding.location.path, name).toBe(service.enabledBy);
      expect(finding.message).toContain(`Disable it with systemctl disable --now ${name} or remove its package`);
    }
    const message = (name: string) => findings.find((f) => f.message.startsWith(`${name},`))!.message;
    expect(message('avahi-daemon.service')).toContain(`(enabled by ${SYSTEM}/multi-user.target.wants/avahi-daemon.service)`);
    expect(message('cups.socket')).toContain('the CUPS print server');
    // LightDM is display-manager.service, which graphical.target wants.
    expect(message('lightdm.service')).toMatch(/a graphical login manager, starts at boot \(pulled in by \/usr\/lib\/systemd\/system\/graphical\.target\)/);
  });

  it('takes the allow option (by base name or exact unit) and the deny option', async () => {
    const findings = await lintWithOptions(desktopGuest(), 'minimal-services', { allow: ['avahi-daemon', 'cups.socket', 'lightdm'], deny: ['rsyslog'] });
    const names = warnings(findings, 'minimal-services').map((f) => f.message.split(/[ ,]/)[0]).sort();
    expect(names).toEqual(['cups.service', 'rsyslog.service']);
    expect(warnings(findings, 'minimal-services').find((f) => f.message.startsWith('rsyslog'))!.message).toContain('the deny option lists rsyslog');
  });

  it('warns for xinetd started by a SysV rc link, with update-rc.d', async () => {
    const tree = sysvLegacyGuest();
    installPackage(tree, 'xinetd', { mergedUsr: false, under: 'etc' });
    const links = addSysvLinks(tree, ['xinetd'], 'insserv');
    const [finding, ...rest] = warnings(await lintGuest(tree), 'minimal-services');
    expect(rest).toEqual([]);
    expect(links).toContain(finding!.location.path);
    expect(finding!.location.path).toMatch(/^\/etc\/rc2\.d\/S\d\dxinetd$/);
    expect(finding!.message).toContain('inetd super-server');
    expect(finding!.message).toContain('update-rc.d xinetd disable');
  });

  it('passes the well-built guest, with one info counting its services and packages', async () => {
    const tree = wellBuiltDebianGuest();
    const image = makeGuestImage(tree);
    const findings = byRule(await lintImage(image), 'minimal-services');
    const facts = await inspectFacts(image);
    const packages = (readTreeText(tree, 'var/lib/dpkg/status')!.match(/^Package: /gm) ?? []).length;
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ severity: 'info', location: { path: '/var/lib/dpkg/status' } });
    expect(findings[0]!.message).toMatch(new RegExp(`^${facts.services.enabled.length} services start at boot \\(systemd\\): `));
    expect(findings[0]!.message).toContain(`${packages} packages are installed`);
  });
});

describe('auto-updates', () => {
  it('is satisfied by unattended-upgrades with 20auto-upgrades and apt\'s timers enabled (the well-built guest)', async () => {
    expect(byRule(await lintGuest(wellBuiltDebianGuest()), 'auto-updates')).toEqual([]);
  });

  it('warns at the line that switches unattended-upgrade off, also when a later file overrides 20auto-upgrades', async () => {
    const off = wellBuiltDebianGuest();
    off['etc/apt/apt.conf.d/20auto-upgrades'] = 'APT::Periodic::Update-Package-Lists "1";\nAPT::Periodic::Unattended-Upgrade "0";\n';
    const [finding, ...rest] = byRule(await lintGuest(off), 'auto-updates');
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({ severity: 'warning', location: { path: '/etc/apt/apt.conf.d/20auto-upgrades', line: 2 } });
    expect(finding!.message).toMatch(/^unattended-upgrades is installed but will not install updates: APT::Periodic::Unattended-Upgrade is "0"/);
    expect(finding!.message).toContain('dpkg-reconfigure -plow unattended-upgrades');

    const overridden = wellBuiltDebianGuest();
    overridden['etc/apt/apt.conf.d/99local'] = '// set by hand\nAPT { Periodic { Unattended-Upgrade "0"; }; };\n';
    // apt ignores names with an extension other than .conf.
    overridden['etc/apt/apt.conf.d/99zzz.bak'] = 'APT::Periodic::Unattended-Upgrade "1";\n';
    expect(byRule(await lintGuest(overridden), 'auto-updates')[0]).toMatchObject({ location: { path: '/etc/apt/apt.conf.d/99local', line: 2 } });
  });

  it('warns when apt-daily-upgrade.timer is not enabled or is masked', async () => {
    const unlinked = wellBuiltDebianGuest();
    delete unlinked['etc/systemd/system/timers.target.wants/apt-daily-upgrade.timer'];
    const [finding] = byRule(await lintGuest(unlinked), 'auto-updates');
    expect(finding!.message).toContain('apt-daily-upgrade.timer is not enabled');
    expect(finding!.location.path).toMatch(/\/lib\/systemd\/system\/apt-daily-upgrade\.timer$/);

    const masked = wellBuiltDebianGuest();
    masked['etc/systemd/system/apt-daily.timer'] = { symlink: '/dev/null' };
    expect(byRule(await lintGuest(masked), 'auto-updates')[0]!.message).toContain('apt-daily.timer is masked');
  });

  it('warns when nothing updates the guest, naming unattended-upgrades', async () => {
    const [finding, ...rest] = byRule(await lintGuest(debianSystemdGuest()), 'auto-updates');
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({ severity: 'warning', location: { path: '/etc/apt/apt.conf.d' } });
    expect(finding!.message).toMatch(/^No automatic updates are set up: unattended-upgrades is not installed/);
  });

  it('accepts a cron job that upgrades, and warns when run-parts would skip the script', async () => {
    const crond = debianSystemdGuest();
    crond['etc/cron.d/upgrade'] = 'SHELL=/bin/sh\n# nightly\n17 4 * * * root apt-get -qq update && DEBIAN_FRONTEND=noninteractive apt-get -qy dist-upgrade\n';
    expect(byRule(await lintGuest(crond), 'auto-updates')).toEqual([]);

    const script = '#!/bin/sh\nset -e\napt-get update -q\napt-get -y upgrade\n';
    const daily = debianSystemdGuest();
    daily['etc/cron.daily/upgrade'] = script;
    expect(byRule(await lintImage(setModes(makeGuestImage(daily), { '/etc/cron.daily/upgrade': 0o100755 })), 'auto-updates')).toEqual([]);
    // makeGuestImage leaves cron.daily scripts 0644, as a hand-copied file would be.
    const [notExecutable] = byRule(await lintGuest(daily), 'auto-updates');
    expect(notExecutable).toMatchObject({ location: { path: '/etc/cron.daily/upgrade', line: 4 } });
    expect(notExecutable!.message).toContain('it is not executable (mode 0644), so run-parts skips it');

    const dotted = debianSystemdGuest();
    dotted['etc/cron.daily/upgrade.sh'] = script;
    const image = setModes(makeGuestImage(dotted), { '/etc/cron.daily/upgrade.sh': 0o100755 });
    expect(byRule(await lintImage(image), 'auto-updates')[0]!.message).toContain('its name upgrade.sh has characters other than letters');
  });

  it('accepts an enabled timer of its own whose service upgrades, but not one that is only installed', async () => {
    const tree = debianSystemdGuest();
    // Hand-written: an administrator's own timer and service.
    tree['etc/systemd/system/nightly-upgrade.timer'] = '[Unit]\nDescription=Nightly upgrade\n\n[Timer]\nOnCalendar=03:30\nPersistent=true\n\n[Install]\nWantedBy=timers.target\n';
    tree['etc/systemd/system/nightly-upgrade.service'] = '[Unit]\nDescription=Nightly upgrade\n\n[Service]\nType=oneshot\nExecStart=/bin/sh -c \'apt-get -q update && apt-get -qy full-upgrade\'\n';
    expect(byRule(await lintGuest(tree), 'auto-updates')).toHaveLength(1);
    systemdEnable(tree, 'nightly-upgrade.timer');
    expect(byRule(await lintGuest(tree), 'auto-updates')).toEqual([]);
  });

  it('on SysV Debian, needs apt\'s cron.daily script executable', async () => {
    const tree = sysvLegacyGuest();
    installPackage(tree, 'apt', { mergedUsr: false, under: 'etc' });
    installPackage(tree, 'unattended-upgrades', { mergedUsr: false, under: 'etc' });
    tree['usr/bin/unattended-upgrade'] = '#!/usr/bin/python3\n';
    tree['etc/apt/apt.conf.d/20auto-upgrades'] = 'APT::Periodic::Update-Package-Lists "1";\nAPT::Periodic::Unattended-Upgrade "1";\n';
    const [finding] = byRule(await lintGuest(tree), 'auto-updates');
    expect(finding!.message).toContain('/etc/cron.daily/apt-compat is not executable');
    const image = setModes(makeGuestImage(tree), { '/etc/cron.daily/apt-compat': 0o100755 });
    expect(byRule(await lintImage(image), 'auto-updates')).toEqual([]);
  });

  describe('on Rocky Linux 9', () => {
    // Hand-written: dnf-automatic is not a Debian package; these follow its upstream units.
    const timer = (name: string, service: string) => `[Unit]\nDescription=${name}\n\n[Timer]\nOnCalendar=*-*-* 6:00\nRandomizedDelaySec=60m\nPersistent=true\nUnit=${service}\n\n[Install]\nWantedBy=timers.target\n`;
    const service = (args: string) => `[Unit]\nDescription=dnf automatic\nAfter=network-online.target\n\n[Service]\nType=oneshot\nNice=19\nExecStart=/usr/bin/dnf-automatic /etc/dnf/automatic.conf --timer${args}\n`;
    function withDnfAutomatic(applyUpdates: string | undefined, timerName = 'dnf-automatic.timer'): Tree {
      const tree = rhelNetworkManagerGuest();
      tree['usr/lib/systemd/system/dnf-automatic.timer'] = timer('dnf-automatic timer', 'dnf-automatic.service');
      tree['usr/lib/systemd/system/dnf-automatic.service'] = service('');
      tree['usr/lib/systemd/system/dnf-automatic-install.timer'] = timer('dnf-automatic-install timer', 'dnf-automatic-install.service');
      tree['usr/lib/systemd/system/dnf-automatic-install.service'] = service(' --installupdates');
      if (applyUpdates !== undefined) tree['etc/dnf/automatic.conf'] = `[commands]\nupgrade_type = default\ndownload_updates = yes\napply_updates = ${applyUpdates}\n\n[emitters]\nemit_via = stdio\n`;
      systemdEnable(tree, timerName, { root: RHEL_UNIT_DIR });
      return tree;
    }

    it('warns that dnf-automatic.timer only downloads while apply_updates = no', async () => {
      const [finding, ...rest] = byRule(await lintGuest(withDnfAutomatic('no')), 'auto-updates');
      expect(rest).toEqual([]);
      expect(finding).toMatchObject({ severity: 'warning', location: { path: '/etc/dnf/automatic.conf', line: 4 } });
      expect(finding!.message).toContain('only downloads updates');
    });

    it('is satisfied by apply_updates = yes or by dnf-automatic-install.timer', async () => {
      expect(byRule(await lintGuest(withDnfAutomatic('yes')), 'auto-updates')).toEqual([]);
      expect(byRule(await lintGuest(withDnfAutomatic(undefined, 'dnf-automatic-install.timer')), 'auto-updates')).toEqual([]);
    });

    it('warns when nothing updates it, naming dnf-automatic', async () => {
      const [finding] = byRule(await lintGuest(rhelNetworkManagerGuest()), 'auto-updates');
      expect(finding!.message).toMatch(/^No automatic updates are set up: neither dnf-automatic nor yum-cron/);
    });
  });
});

describe('phone-home', () => {
  it('is an info finding when nothing calls out at boot', async () => {
    const [finding, ...rest] = byRule(await lintGuest(debianSystemdGuest()), 'phone-home');
    expect(rest).toEqual([]);
    expect(finding!.severity).toBe('info');
    expect(finding!.message).toMatch(/^Nothing announces the appliance when it boots/);
  });

  it('is satisfied by an enabled unit that runs curl (the well-built guest)', async () => {
    expect(byRule(await lintGuest(wellBuiltDebianGuest()), 'phone-home')).toEqual([]);
  });

  it('follows rc.local into the script it runs, and reads cron @reboot jobs', async () => {
    const viaScript = debianSystemdGuest();
    viaScript['etc/rc.local'] = '#!/bin/sh -e\n/usr/local/sbin/announce &\nexit 0\n';
    viaScript['usr/local/sbin/announce'] = '#!/bin/sh\n# tell the job server\nwget -q -O- "https://jobs.example.com/ready?host=$(hostname)"\n';
    expect(byRule(await lintGuest(viaScript), 'phone-home')).toEqual([]);

    const reboot = debianSystemdGuest();
    reboot['var/spool/cron/crontabs/root'] = '# m h dom mon dow command\n@reboot sleep 30 && curl -fsS https://jobs.example.com/ready\n';
    expect(byRule(await lintGuest(reboot), 'phone-home')).toEqual([]);
  });

  it('accepts cloud-init\'s phone_home only when cloud-final runs at boot', async () => {
    const tree = debianSystemdGuest();
    installPackage(tree, 'cloud-init', { mergedUsr: true });
    tree['etc/cloud/cloud.cfg.d/99-phone-home.cfg'] = 'phone_home:\n  url: https://jobs.example.com/$INSTANCE_ID/\n  post: [instance_id, hostname]\n';
    const [notRunning] = byRule(await lintGuest(tree), 'phone-home');
    expect(notRunning!.message).toContain('cloud-init\'s phone_home is set (/etc/cloud/cloud.cfg.d/99-phone-home.cfg line 1) but cloud-init\'s final stage (cloud-final) does not start at boot');
    expect(distroText('cloud-init', 'etc/cloud/cloud.cfg')).toMatch(/^ - phone-home$/m);
    systemdEnable(tree, 'cloud-final.service');
    expect(byRule(await lintGuest(tree), 'phone-home')).toEqual([]);
  });
});

describe('rc-local', () => {
  const WORK = '#!/bin/sh -e\n# start the worker\n/usr/local/bin/start-worker --daemon\nexit 0\n';

  it('passes an executable rc.local with a #! line, and one with only comments and exit 0 whatever its mode', async () => {
    const executable = wellBuiltDebianGuest();
    executable['etc/rc.local'] = WORK;
    expect(byRule(await lintGuest(executable), 'rc-local')).toEqual([]);
    const empty = wellBuiltDebianGuest();
    empty['etc/rc.local'] = '#!/bin/sh -e\n#\n# rc.local\n#\nexit 0\n';
    expect(byRule(await lintImage(setModes(makeGuestImage(empty), { '/etc/rc.local': 0o100644 })), 'rc-local')).toEqual([]);
  });

  it('warns when rc.local with commands is not executable, at its first command', async () => {
    const tree = wellBuiltDebianGuest();
    tree['etc/rc.local'] = WORK;
    const [finding, ...rest] = byRule(await lintImage(setModes(makeGuestImage(tree), { '/etc/rc.local': 0o100644 })), 'rc-local');
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({ severity: 'warning', location: { path: '/etc/rc.local', line: 3 } });
    expect(finding!.message).toContain('it is not executable (mode 0644), and systemd-rc-local-generator adds rc-local.service to the boot only for an executable file');
  });

  it('warns when rc.local lacks its #! line, or names an interpreter the image lacks', async () => {
    const bare = wellBuiltDebianGuest();
    bare['etc/rc.local'] = '/usr/local/bin/start-worker --daemon\n';
    expect(byRule(await lintGuest(bare), 'rc-local')[0]!.message).toContain('it has no #! first line');
    const python = wellBuiltDebianGuest();
    python['etc/rc.local'] = '#!/usr/bin/python3\nimport worker\n';
    expect(byRule(await lintGuest(python), 'rc-local')[0]!.message).toContain('its #! line names /usr/bin/python3, which is not in the image');
  });

  it('warns when rc-local.service is masked', async () => {
    const tree = wellBuiltDebianGuest();
    tree['etc/rc.local'] = WORK;
    tree['etc/systemd/system/rc-local.service'] = { symlink: '/dev/null' };
    expect(byRule(await lintGuest(tree), 'rc-local')[0]!.message).toContain('rc-local.service is masked');
  });

  it('checks RHEL\'s /etc/rc.d/rc.local once through the /etc/rc.local link', async () => {
    const tree = rhelNetworkManagerGuest();
    tree['etc/rc.d/rc.local'] = WORK;
    tree['etc/rc.local'] = { symlink: 'rc.d/rc.local' };
    // RHEL's rc-local.service runs /etc/rc.d/rc.local (the Debian unit in the style runs /etc/rc.local, the link to it).
    tree[`${RHEL_UNIT_DIR.slice(1)}/rc-local.service`] = '[Unit]\nConditionFileIsExecutable=/etc/rc.d/rc.local\n\n[Service]\nType=forking\nExecStart=/etc/rc.d/rc.local start\n';
    const [finding, ...rest] = byRule(await lintGuest(tree), 'rc-local');
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({ location: { path: '/etc/rc.d/rc.local', line: 3 } });
    expect(finding!.message).toContain('not executable');
    const image = setModes(makeGuestImage(tree), { '/etc/rc.d/rc.local': 0o100755 });
    expect(byRule(await lintImage(image), 'rc-local')).toEqual([]);
  });
});
