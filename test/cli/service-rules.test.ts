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
  DEFAULT_ROOT_UUID,
  distroFile,
  distroText,
  guestFileModes,
  installPackage,
  makeGuestImage,
  rhelNetworkManagerGuest,
  RHEL_UNIT_DIR,
  readTreeText,
  sysvLegacyGuest,
  systemdEnable,
  wellBuiltDebianGuest,
} from '../helpers/guest-styles/index.js';
import { RHEL_RC_LOCAL } from '../helpers/guest-styles/rhel-networkmanager.js';
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

/**
 * A CentOS 6.10-like guest, just enough for the service rules: SysV rc links
 * under /etc/rc.d (runlevel 3 by inittab), crond and yum-cron 3.2. No CentOS
 * package is in test/data, so every file is hand-written after CentOS 6's
 * shape, cut to what the rules read. (CentOS 6 boots through Upstart's rc
 * job, which runs the same rc3.d links; /etc/init is left out here.)
 */
function centos6Guest(options: { yumCronEnabled?: boolean; crondEnabled?: boolean; sysconfig?: string } = {}): Tree {
  const tree: Tree = {};
  for (const dir of ['bin', 'sbin', 'lib', 'usr/bin', 'usr/sbin', 'root', 'tmp', 'var/lock/subsys']) tree[`${dir}/`] = '';
  // Stand-in: the real dash ELF plays bash, CentOS 6's /bin/sh.
  tree['bin/bash'] = distroFile('dash', 'bin/dash');
  tree['bin/sh'] = { symlink: 'bash' };
  // Placeholder: Upstart's /sbin/init; only its presence matters.
  tree['sbin/init'] = '';
  tree['etc/inittab'] = '# inittab is only used by upstart for the default runlevel.\n#\n# ADDING OTHER CONFIGURATION HERE WILL HAVE NO EFFECT ON YOUR SYSTEM.\n#\nid:3:initdefault:\n';
  tree['etc/centos-release'] = 'CentOS release 6.10 (Final)\n';
  tree['etc/redhat-release'] = { symlink: 'centos-release' };
  tree['etc/system-release'] = { symlink: 'centos-release' };
  // An ext4 root by UUID (anaconda's default was LVM, which spotlint does not read).
  tree['etc/fstab'] = `UUID=${DEFAULT_ROOT_UUID} /                       ext4    defaults        1 1\ntmpfs                   /dev/shm                tmpfs   defaults        0 0\nproc                    /proc                   proc    defaults        0 0\n`;
  tree['etc/init.d'] = { symlink: 'rc.d/init.d' };
  tree['etc/rc3.d'] = { symlink: 'rc.d/rc3.d' };
  tree['etc/rc.d/rc3.d/'] = '';
  tree['etc/rc.d/init.d/crond'] = '#!/bin/sh\n#\n# crond          Start/Stop the cron clock daemon.\n#\n# chkconfig: 2345 90 60\n# description: cron is a standard UNIX program that runs user-specified\n#              programs at periodic scheduled times.\n\n. /etc/rc.d/init.d/functions\ncase "$1" in\n  start) daemon /usr/sbin/crond $CRONDARGS ;;\n  stop) killproc crond ;;\nesac\n';
  tree['etc/rc.d/init.d/yum-cron'] = '#!/bin/bash\n#\n# yum-cron           This shell script enables the automatic use of YUM\n#\n# chkconfig:\t- 50 01\n#\n# description:  Enable daily run of yum, a program updater.\n\n. /etc/rc.d/init.d/functions\ntest -f /etc/sysconfig/yum-cron && . /etc/sysconfig/yum-cron\nlockfile=/var/lock/subsys/yum-cron\n\ncase "$1" in\n  start) echo -n $"Enabling nightly yum update: "; touch "$lockfile" && success || failure; echo ;;\n  stop) echo -n $"Disabling nightly yum update: "; rm -f "$lockfile" && success || failure; echo ;;\nesac\n';
  if (options.crondEnabled ?? true) tree['etc/rc.d/rc3.d/S90crond'] = { symlink: '../init.d/crond' };
  if (options.yumCronEnabled ?? true) tree['etc/rc.d/rc3.d/S50yum-cron'] = { symlink: '../init.d/yum-cron' };
  tree['etc/crontab'] = 'SHELL=/bin/bash\nPATH=/sbin:/bin:/usr/sbin:/usr/bin\nMAILTO=root\nHOME=/\n\n# For details see man 4 crontabs\n';
  tree['etc/cron.d/0hourly'] = 'SHELL=/bin/bash\nPATH=/sbin:/bin:/usr/sbin:/usr/bin\nMAILTO=root\nHOME=/\n01 * * * * root run-parts /etc/cron.hourly\n';
  // yum-cron 3.2's daily script, its branches cut to the yum lines: which one runs is the sysconfig file's choice.
  tree['etc/cron.daily/0yum.cron'] = '#!/bin/bash\n\n# Only run if this flag file is set (by /etc/rc.d/init.d/yum-cron)\nif [ ! -f /var/lock/subsys/yum-cron ]; then\n  exit 0\nfi\n\n[ -f /etc/sysconfig/yum-cron ] && source /etc/sysconfig/yum-cron\nif [ "$DOWNLOAD_ONLY" == "yes" ]; then\n  /usr/bin/yum $YUM_PARAMETER -e ${ERROR_LEVEL:-0} -d ${DEBUG_LEVEL:-0} -y --downloadonly update\nelif [ "$CHECK_ONLY" != "yes" ]; then\n  /usr/bin/yum $YUM_PARAMETER -e ${ERROR_LEVEL:-0} -d ${DEBUG_LEVEL:-0} -y update yum\n  /usr/bin/yum $YUM_PARAMETER -e ${ERROR_LEVEL:-0} -d ${DEBUG_LEVEL:-0} -y shell /etc/yum/yum-daily.yum\nfi\n';
  tree['etc/sysconfig/yum-cron'] = options.sysconfig ?? YUM_CRON_32_SYSCONFIG;
  return tree;
}

/** Hand-written: yum-cron 3.2.29's /etc/sysconfig/yum-cron as CentOS 6 ships it, cut to its settings and their comments. */
const YUM_CRON_32_SYSCONFIG = `# Pass any given paramter to yum, as run in all the scripts invoked
# by this package.  Be aware that this is global, and yum is invoked in
# several modes by these scripts for which your own parameter might not
# be appropriate
YUM_PARAMETER=

# Don't install, just check (valid: yes|no)
CHECK_ONLY=no

# Check to see if you can reach the repos before updating (valid: yes|no)
CHECK_FIRST=no

# Don't install, just check and download (valid: yes|no)
# Implies CHECK_ONLY=yes (gotta check first to see what to download)
DOWNLOAD_ONLY=no

# randomwait is used by yum to wait random time
# default is 60 so yum waits random time from 1 to 60 minutes
# the value must not be zero
RANDOMWAIT="60"

# by default MAILTO is unset, so crond mails the output by itself
MAILTO=

# which day should it do cleanup on?  defaults to 0 (Sunday).
CLEANDAY="0"

# set to yes to make the yum-cron service to wait for transactions to complete
SERVICE_WAITS=yes
SERVICE_WAIT_TIME=300
`;

/** A CentOS 6 image with the cron scripts executable, as cronie and yum-cron install them. */
function centos6Image(tree: Tree): string {
  return setModes(makeGuestImage(tree), { '/etc/cron.daily/0yum.cron': 0o100755, '/etc/rc.d/init.d/crond': 0o100755, '/etc/rc.d/init.d/yum-cron': 0o100755 });
}

/** Hand-written: Debian's anacron.service (anacron is not in test/data). */
const ANACRON_SERVICE = '[Unit]\nDescription=Run anacron jobs\nAfter=time-sync.target\nConditionACPower=true\nDocumentation=man:anacron man:anacrontab\n\n[Service]\nEnvironmentFile=/etc/default/anacron\nExecStart=/usr/sbin/anacron -d -q $ANACRON_ARGS\nIgnoreSIGPIPE=false\nKillMode=mixed\nKillSignal=SIGUSR1\n\n[Install]\nWantedBy=multi-user.target\n';

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

  it('does not take anacron for a cron daemon: it runs cron.daily, weekly and monthly, not /etc/cron.d', async () => {
    const tree = debianSystemdGuest();
    delete tree['etc/systemd/system/multi-user.target.wants/cron.service'];
    tree['usr/lib/systemd/system/anacron.service'] = ANACRON_SERVICE;
    systemdEnable(tree, 'anacron.service');
    tree['etc/cron.d/upgrade'] = '17 4 * * * root apt-get -qq update && apt-get -qy dist-upgrade\n';
    const image = makeGuestImage(tree);
    const facts = await inspectFacts(image);
    expect(facts.services.enabled.map((s) => s.name)).toContain('anacron.service');
    expect(facts.services.enabled.map((s) => s.name)).not.toContain('cron.service');
    const [finding, ...rest] = byRule(await lintImage(image), 'auto-updates');
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({ severity: 'warning', location: { path: '/etc/cron.d/upgrade', line: 1 } });
    expect(finding!.message).toContain('no cron daemon starts at boot (looked for cron, crond, cronie, busybox-crond, fcron, dcron; anacron does not run /etc/cron.d)');

    delete tree['etc/cron.d/upgrade'];
    tree['etc/cron.daily/upgrade'] = '#!/bin/sh\napt-get -qq update && apt-get -qy dist-upgrade\n';
    expect(byRule(await lintImage(setModes(makeGuestImage(tree), { '/etc/cron.daily/upgrade': 0o100755 })), 'auto-updates')).toEqual([]);
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

    it('warns that dnf-automatic.timer installs nothing while apply_updates = no', async () => {
      const [finding, ...rest] = byRule(await lintGuest(withDnfAutomatic('no')), 'auto-updates');
      expect(rest).toEqual([]);
      expect(finding).toMatchObject({ severity: 'warning', location: { path: '/etc/dnf/automatic.conf', line: 4 } });
      expect(finding!.message).toContain('dnf-automatic.timer is enabled, but apply_updates = no (/etc/dnf/automatic.conf line 4), so it does not install updates');
    });

    it('states no default for a missing automatic.conf', async () => {
      const [finding] = byRule(await lintGuest(withDnfAutomatic(undefined)), 'auto-updates');
      expect(finding).toMatchObject({ severity: 'warning', location: { path: '/etc/dnf/automatic.conf' } });
      expect(finding!.message).toContain('/etc/dnf/automatic.conf is missing');
      expect(finding!.message).not.toMatch(/default/);
    });

    it('reads dnf5\'s automatic.conf where dnf5 does: its package defaults, then the host\'s file', async () => {
      // Hand-written after dnf5-plugin-automatic: one timer, whose service runs dnf5 automatic.
      const dnf5 = (conf: Record<string, string>): Tree => {
        const tree = rhelNetworkManagerGuest();
        tree['usr/lib/systemd/system/dnf5-automatic.timer'] = timer('dnf5-automatic timer', 'dnf5-automatic.service');
        tree['usr/lib/systemd/system/dnf5-automatic.service'] = '[Unit]\nDescription=dnf5 automatic\n\n[Service]\nType=oneshot\nExecStart=/usr/bin/dnf5 automatic --timer\n';
        tree['usr/share/dnf5/dnf5-plugins/automatic.conf'] = '# This configuration file is managed by the dnf5-plugin-automatic package.\n[commands]\nupgrade_type = default\ndownload_updates = yes\napply_updates = no\n';
        Object.assign(tree, conf);
        systemdEnable(tree, 'dnf5-automatic.timer', { root: RHEL_UNIT_DIR });
        return tree;
      };
      const [defaults] = byRule(await lintGuest(dnf5({})), 'auto-updates');
      expect(defaults).toMatchObject({ location: { path: '/usr/share/dnf5/dnf5-plugins/automatic.conf', line: 5 } });
      expect(defaults!.message).toContain('dnf5-automatic.timer is enabled, but apply_updates = no');
      const override = '[commands]\napply_updates = yes\n';
      expect(byRule(await lintGuest(dnf5({ 'etc/dnf/dnf5-plugins/automatic.conf': override })), 'auto-updates')).toEqual([]);
      expect(byRule(await lintGuest(dnf5({ 'etc/dnf/automatic.conf': override })), 'auto-updates')).toEqual([]);
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

describe('auto-updates on CentOS 6 (yum-cron 3.2, SysV)', () => {
  it('reads the guest as CentOS 6 with SysV init, crond and yum-cron started in runlevel 3', async () => {
    const facts = await inspectFacts(centos6Image(centos6Guest()));
    expect(facts.os).toMatchObject({ id: 'centos', version: '6.10' });
    expect(facts.services.initSystem).toBe('sysv');
    expect(facts.services.enabled.map((s) => [s.name, s.enabledBy])).toEqual([['crond', '/etc/rc.d/rc3.d/S90crond'], ['yum-cron', '/etc/rc.d/rc3.d/S50yum-cron']]);
  });

  it('is satisfied by an enabled yum-cron whose /etc/sysconfig/yum-cron leaves CHECK_ONLY and DOWNLOAD_ONLY at no', async () => {
    expect(byRule(await lintImage(centos6Image(centos6Guest())), 'auto-updates')).toEqual([]);
  });

  it('warns at DOWNLOAD_ONLY=yes or CHECK_ONLY=yes, though 0yum.cron holds yum -y lines', async () => {
    const downloadOnly = centos6Guest({ sysconfig: YUM_CRON_32_SYSCONFIG.replace('DOWNLOAD_ONLY=no', 'DOWNLOAD_ONLY=yes') });
    const [finding, ...rest] = byRule(await lintImage(centos6Image(downloadOnly)), 'auto-updates');
    expect(rest).toEqual([]);
    const line = YUM_CRON_32_SYSCONFIG.split('\n').indexOf('DOWNLOAD_ONLY=no') + 1;
    expect(finding).toMatchObject({ severity: 'warning', location: { path: '/etc/sysconfig/yum-cron', line } });
    expect(finding!.message).toContain(`/etc/sysconfig/yum-cron sets DOWNLOAD_ONLY=yes (line ${line}), so its daily job only downloads updates`);
    expect(finding!.message).not.toContain('yum-cron.conf');

    const checkOnly = centos6Guest({ sysconfig: YUM_CRON_32_SYSCONFIG.replace('CHECK_ONLY=no', 'CHECK_ONLY="yes"') });
    expect(byRule(await lintImage(centos6Image(checkOnly)), 'auto-updates')[0]!.message).toContain('sets CHECK_ONLY=yes');
  });

  it('warns when yum-cron is not enabled, with chkconfig, and when crond does not start', async () => {
    const [off] = byRule(await lintImage(centos6Image(centos6Guest({ yumCronEnabled: false }))), 'auto-updates');
    expect(off).toMatchObject({ location: { path: '/etc/sysconfig/yum-cron' } });
    expect(off!.message).toContain('yum-cron is installed (/etc/sysconfig/yum-cron) but its service is not enabled');
    expect(off!.message).toContain('chkconfig yum-cron on');

    const [noCron] = byRule(await lintImage(centos6Image(centos6Guest({ crondEnabled: false }))), 'auto-updates');
    expect(noCron).toMatchObject({ location: { path: '/etc/rc.d/rc3.d/S50yum-cron' } });
    expect(noCron!.message).toContain('no cron daemon starts at boot');
  });

  it('states no default when neither yum-cron configuration file is there', async () => {
    const tree = centos6Guest();
    delete tree['etc/sysconfig/yum-cron'];
    const [finding] = byRule(await lintImage(centos6Image(tree)), 'auto-updates');
    expect(finding!.message).toContain('neither /etc/yum/yum-cron.conf (yum-cron 3.4, RHEL 7) nor /etc/sysconfig/yum-cron (yum-cron 3.2, RHEL 6) is in the image');
    expect(finding!.message).not.toMatch(/default/);
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

  it('follows rc.local into the script it runs, when executable or given to sh, and reads cron @reboot jobs', async () => {
    const viaScript = debianSystemdGuest();
    viaScript['etc/rc.local'] = '#!/bin/sh -e\n/usr/local/sbin/announce &\nexit 0\n';
    viaScript['usr/local/sbin/announce'] = '#!/bin/sh\n# tell the job server\nwget -q -O- "https://jobs.example.com/ready?host=$(hostname)"\n';
    const image = makeGuestImage(viaScript);
    // makeGuestImage leaves /usr/local/sbin files 0644, as a hand-copied script would be: executing it fails.
    expect(guestFileModes(viaScript).get('usr/local/sbin/announce')?.mode).toBe(0o644);
    expect(byRule(await lintImage(image), 'phone-home')).toHaveLength(1);
    expect(byRule(await lintImage(setModes(image, { '/usr/local/sbin/announce': 0o100755 })), 'phone-home')).toEqual([]);

    const throughSh = debianSystemdGuest();
    throughSh['etc/rc.local'] = '#!/bin/sh -e\nsh /usr/local/sbin/announce &\nexit 0\n';
    throughSh['usr/local/sbin/announce'] = viaScript['usr/local/sbin/announce']!;
    expect(byRule(await lintGuest(throughSh), 'phone-home')).toEqual([]);

    const reboot = debianSystemdGuest();
    reboot['var/spool/cron/crontabs/root'] = '# m h dom mon dow command\n@reboot sleep 30 && curl -fsS https://jobs.example.com/ready\n';
    expect(byRule(await lintGuest(reboot), 'phone-home')).toEqual([]);
  });

  it('does not count an rc.local that is not executable', async () => {
    const tree = debianSystemdGuest();
    tree['etc/rc.local'] = '#!/bin/sh -e\ncurl -fsS https://jobs.example.com/ready &\nexit 0\n';
    const image = makeGuestImage(tree);
    expect(byRule(await lintImage(image), 'phone-home')).toEqual([]);
    const [finding] = byRule(await lintImage(setModes(image, { '/etc/rc.local': 0o100644 })), 'phone-home');
    expect(finding!.message).toMatch(/^Nothing announces the appliance when it boots/);
  });

  it('accepts cloud-init\'s phone_home only when cloud-final runs at boot, noting that cloud-init needs a datasource', async () => {
    const tree = debianSystemdGuest();
    installPackage(tree, 'cloud-init', { mergedUsr: true });
    tree['etc/cloud/cloud.cfg.d/99-phone-home.cfg'] = 'phone_home:\n  url: https://jobs.example.com/$INSTANCE_ID/\n  post: [instance_id, hostname]\n';
    const [notRunning] = byRule(await lintGuest(tree), 'phone-home');
    expect(notRunning!.message).toContain('cloud-init\'s phone_home is set (/etc/cloud/cloud.cfg.d/99-phone-home.cfg line 1) but cloud-init\'s final stage (cloud-final) does not start at boot');
    expect(distroText('cloud-init', 'etc/cloud/cloud.cfg')).toMatch(/^ - phone-home$/m);
    systemdEnable(tree, 'cloud-final.service');
    const [datasource, ...rest] = byRule(await lintGuest(tree), 'phone-home');
    expect(rest).toEqual([]);
    expect(datasource).toMatchObject({ severity: 'info', location: { path: '/etc/cloud/cloud.cfg.d/99-phone-home.cfg', line: 1 } });
    expect(datasource!.message).toContain('cloud-init runs only when it finds a datasource at boot');
    expect(datasource!.message).toContain('a SpotCloud provider may offer none');
    // Hand-written: a NoCloud seed, which ds-identify finds wherever the appliance boots.
    tree['var/lib/cloud/seed/nocloud/meta-data'] = 'instance-id: appliance\n';
    tree['var/lib/cloud/seed/nocloud/user-data'] = '#cloud-config\n';
    expect(byRule(await lintGuest(tree), 'phone-home')).toEqual([]);
  });

  it('advises for the init system that boots: no systemd unit on SysV', async () => {
    const [finding] = byRule(await lintGuest(sysvLegacyGuest()), 'phone-home');
    expect(finding!.message).toMatch(/^Nothing announces the appliance when it boots/);
    expect(finding!.message).toContain('add a line to an executable /etc/rc.local (or an init script of its own)');
    expect(finding!.message).not.toContain('systemd');
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

  it('passes RHEL\'s stock rc.local: mode 0644, only touch /var/lock/subsys/local', async () => {
    const tree = rhelNetworkManagerGuest();
    expect(readTreeText(tree, 'etc/rc.d/rc.local')).toBe(RHEL_RC_LOCAL);
    expect(tree['etc/rc.local']).toEqual({ symlink: 'rc.d/rc.local' });
    expect(guestFileModes(tree).get('etc/rc.d/rc.local')?.mode).toBe(0o644);
    expect(byRule(await lintGuest(tree), 'rc-local')).toEqual([]);
    // A command added after the stock line is startup work again.
    tree['etc/rc.d/rc.local'] = `${RHEL_RC_LOCAL}/usr/local/bin/start-worker\n`;
    const [finding] = byRule(await lintGuest(tree), 'rc-local');
    expect(finding).toMatchObject({ location: { path: '/etc/rc.d/rc.local', line: RHEL_RC_LOCAL.split('\n').length } });
  });

  it('advises what fits the file and the init system', async () => {
    const bash = wellBuiltDebianGuest();
    bash['etc/rc.local'] = '#!/bin/bash\n/usr/local/bin/start-worker --daemon\n';
    const [systemd] = byRule(await lintImage(setModes(makeGuestImage(bash), { '/etc/rc.local': 0o100644 })), 'rc-local');
    expect(systemd!.message).toContain('chmod +x /etc/rc.local, or better move the commands into a systemd unit of their own');
    expect(systemd!.message).not.toContain('#!/bin/sh');

    // SysV runs rc.local from a shell: no #! line is needed there, the execute bit is.
    const sysv = sysvLegacyGuest();
    sysv['etc/rc.local'] = '/usr/local/bin/start-worker --daemon\n';
    const [finding, ...rest] = byRule(await lintImage(setModes(makeGuestImage(sysv), { '/etc/rc.local': 0o100644 })), 'rc-local');
    expect(rest).toEqual([]);
    expect(finding!.message).toContain('it is not executable (mode 0644)');
    expect(finding!.message).not.toContain('#!');
    expect(finding!.message).toContain('chmod +x /etc/rc.local, or better move the commands into an init script of their own');
    expect(finding!.message).not.toContain('systemd');
    expect(byRule(await lintGuest(sysv), 'rc-local')).toEqual([]);
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
