// What the guest is, computed once per image from its files and shared by
// `spotlint inspect`, every rule and the packager's pre-flight. Plain data
// only: `inspect --json` prints it as it is (no password hashes in here).

/** A guest file a fact could not be read from, and why. */
export interface FactProblem {
  /** The guest file; for a whole fact family that failed, its name in words ("the services facts"). */
  path: string;
  message: string;
}

/** A place in a guest file. */
export interface GuestSource {
  path: string;
  /** 1-based line, where the fact comes from one line. */
  line?: number;
}

export interface OsFacts {
  family: 'linux' | 'windows' | 'bsd' | 'unknown';
  /** os-release ID (debian, ubuntu, rhel, centos, fedora, alpine, opensuse-leap, sles ...). */
  id?: string;
  idLike: string[];
  name?: string;
  /** VERSION_ID, or the version the older release files give. */
  version?: string;
  prettyName?: string;
  /** The guest file (or on-disk structure) the answer came from. */
  source?: string;
  /** From the ELF header of /bin/sh or /sbin/init: x86_64, i386, aarch64, arm, ppc64le, s390x, riscv64 ... */
  architecture?: string;
  /** The file whose ELF header gave the architecture, after links. */
  architectureSource?: string;
}

export type InitSystem = 'systemd' | 'sysv' | 'upstart' | 'openrc';

/** A service the guest starts at boot. */
export interface EnabledService {
  /** As its init system names it: "ssh.service", "ssh.socket", "getty@tty1.service"; a SysV or OpenRC script name ("ssh"); an Upstart job ("ssh"). */
  name: string;
  initSystem: InitSystem;
  /** The link or file that starts it at boot (a *.wants link, an rc2.d/S* link, a runlevel link, the Upstart .conf). */
  enabledBy: string;
  /** The unit file, init script or job file that defines it, when found. */
  definition?: string;
  /** Other names it answers to (systemd Alias=, or the names links use). */
  aliases: string[];
}

export interface ServiceFacts {
  /** What boots: the init system /sbin/init leads to, else the one whose boot configuration is present. */
  initSystem: InitSystem | 'unknown';
  /** Every init system with boot configuration in the image (a Debian image can carry both systemd units and SysV links). */
  present: InitSystem[];
  /** systemd: the target reached at boot (default.target's link). */
  defaultTarget?: string;
  enabled: EnabledService[];
  /** systemd units linked to /dev/null in /etc/systemd/system (or /run). */
  masked: string[];
  problems: FactProblem[];
}

export interface InstalledPackage {
  name: string;
  version: string;
}

export interface PackageFacts {
  manager: 'dpkg' | 'apk' | 'rpm' | 'none';
  /** The package database that was read. */
  source?: string;
  /** Installed packages; empty for RPM, whose database is not read (see note). */
  packages: InstalledPackage[];
  note?: string;
  problems: FactProblem[];
}

export type HashScheme =
  | 'des' | 'bsdi-des' | 'md5' | 'sha256' | 'sha512' | 'bcrypt' | 'yescrypt' | 'gost-yescrypt' | 'scrypt' | 'sun-md5' | 'unknown';

export interface AccountPassword {
  /**
   * hash: a password hash that can log in; locked: "!"/"*" or a "!"-prefixed
   * hash (no password login); empty: an empty field (logs in with no
   * password); unknown: "x" in passwd but no shadow entry.
   */
  kind: 'hash' | 'locked' | 'empty' | 'unknown';
  scheme?: HashScheme;
  /** Locked with a leading "!" (passwd -l, adduser -D): sshd without PAM then refuses key logins too. */
  lockedByExclamation?: boolean;
  /** /etc/shadow, or /etc/passwd when the hash is kept there. */
  source: GuestSource;
}

export interface Account {
  name: string;
  uid: number;
  gid: number;
  home: string;
  shell: string;
  /** A shell a person can log in with (not nologin, false, sync, shutdown, halt, or empty for... see accounts.ts). */
  loginShell: boolean;
  password: AccountPassword;
  /** The account's line in /etc/passwd. */
  source: GuestSource;
}

export interface AccountFacts {
  accounts: Account[];
  problems: FactProblem[];
}

export type NetworkStack = 'ifupdown' | 'netplan' | 'systemd-networkd' | 'networkmanager' | 'ifcfg-rhel' | 'ifcfg-suse';

/** One interface (or connection) configured by one network stack. */
export interface NetworkInterfaceConfig {
  stack: NetworkStack;
  /** The interface name it applies to, when it names one ("eth0", "enp0s3"); absent for MAC-matched or wildcard configs. */
  interface?: string;
  /** A match pattern instead of a name (networkd Name=en*, netplan match: name:). */
  namePattern?: string;
  method: 'dhcp' | 'static' | 'manual' | 'loopback' | 'disabled' | 'other';
  /** Brought up at boot: auto/allow-hotplug, ONBOOT=yes, autoconnect, STARTMODE=auto... undefined when the stack does not say. */
  atBoot?: boolean;
  /** Brought up only once udev reports the device (ifupdown allow-hotplug, SUSE STARTMODE=hotplug): atBoot is true, but a card that is not there at boot is not waited for. */
  hotplug?: boolean;
  /** The interface is pinned to a MAC address (HWADDR=, MACADDR match, netplan match: macaddress, NM mac-address=, networkd MACAddress= in [Match]). */
  macPin?: { mac: string; source: GuestSource };
  source: GuestSource;
}

export interface NetworkFacts {
  /** The stacks whose configuration was found. */
  stacks: NetworkStack[];
  interfaces: NetworkInterfaceConfig[];
  problems: FactProblem[];
}

/** One sshd keyword's effective value. */
export interface SshdSetting {
  /** The arguments as written (first value wins; for keywords sshd accumulates, e.g. AuthorizedKeysFile's several files, all its arguments). */
  values: string[];
  /** Where it was set; absent when OpenSSH's compiled-in default applies. */
  source?: GuestSource;
  fromDefault: boolean;
}

export interface SshdMatchBlock {
  /** The Match line's criteria, as written ("User backup", "Address 10.0.0.0/8"). */
  criteria: string;
  source: GuestSource;
  /** Keywords set inside the block (lower-case keys). */
  settings: Record<string, SshdSetting>;
}

export interface SshdFacts {
  /** Whether /etc/ssh/sshd_config exists. */
  present: boolean;
  /** Every file read, main config first, in the order sshd reads them. */
  files: string[];
  /** Global effective settings, lower-case keyword -> setting, defaults filled in for the keywords spotlint's rules use. */
  settings: Record<string, SshdSetting>;
  matchBlocks: SshdMatchBlock[];
  problems: FactProblem[];
}

/** The boot loaders whose configuration spotlint reads. BLS entries are read by GRUB (RHEL's blscfg) and systemd-boot. */
export type BootLoaderName = 'grub2' | 'grub-legacy' | 'bls' | 'syslinux';

/** One kernel command line a boot loader passes, or a default that a generator writes into the entries it makes. */
export interface KernelCommandLine {
  loader: BootLoaderName;
  /**
   * entry: what the loader passes to a kernel (a grub.cfg linux line, a
   * menu.lst kernel line, a BLS options line, a syslinux APPEND; a global
   * APPEND serves every label without its own). template: text a generator
   * copies into the entries it writes (GRUB_CMDLINE_LINUX and
   * GRUB_CMDLINE_LINUX_DEFAULT for grub-mkconfig, menu.lst's "# kopt=" for
   * Debian's update-grub, grubenv's kernelopts for BLS entries that say
   * $kernelopts), so a change there returns with the next kernel update.
   */
  kind: 'entry' | 'template';
  source: GuestSource;
  /** The menu entry it belongs to (a GRUB menuentry or title, a BLS title, a syslinux LABEL); for a template, the setting it is (GRUB_CMDLINE_LINUX, kopt, kernelopts). */
  title?: string;
  /** The kernel image as the loader names it. */
  kernel?: string;
  /** The arguments, split and unquoted as the loader does; variables ($vt_handoff, $kernelopts) as written. */
  arguments: string[];
  /** The value of root= (the last one before "--", as the kernel and initramfs take it); absent when there is none. */
  root?: string;
}

/** A variable of /etc/default/grub (or a drop-in of /etc/default/grub.d) as grub-mkconfig sees it. */
export interface GrubDefaultSetting {
  /** Unquoted, with references to variables set before it expanded. */
  value: string;
  /** The assignment that wins (the last one). */
  source: GuestSource;
}

export interface BootConfigFacts {
  /** The boot loader configuration files found and read, in the order read. */
  files: string[];
  commandLines: KernelCommandLine[];
  /** GRUB_* variables by name. GRUB_DISABLE_LINUX_UUID=true makes grub-mkconfig write root=/dev/... (root=PARTUUID= when GRUB_DISABLE_LINUX_PARTUUID=false). */
  grubDefaults: Record<string, GrubDefaultSetting>;
  problems: FactProblem[];
}

export interface GuestFacts {
  os: OsFacts;
  services: ServiceFacts;
  packages: PackageFacts;
  accounts: AccountFacts;
  network: NetworkFacts;
  sshd: SshdFacts;
  /** Kernel command lines and GRUB defaults from the boot loader configuration. */
  boot: BootConfigFacts;
}
