import type { GuestFacts, GuestSource, SshdSetting } from '../inspect/facts/guest-facts.js';
import { printable } from './printable.js';

/** The sshd keywords worth a line in `inspect`: the ones the access rules read. */
const SSHD_KEYWORDS = [
  ['passwordauthentication', 'PasswordAuthentication'],
  ['kbdinteractiveauthentication', 'KbdInteractiveAuthentication'],
  ['usepam', 'UsePAM'],
  ['permitrootlogin', 'PermitRootLogin'],
  ['pubkeyauthentication', 'PubkeyAuthentication'],
  ['authorizedkeysfile', 'AuthorizedKeysFile'],
  ['authenticationmethods', 'AuthenticationMethods'],
] as const;

/** At most this many names on one line of the human view; --json has them all. */
const MAX_LISTED = 40;

export function sourceName(source: GuestSource): string {
  return printable(source.line === undefined ? source.path : `${source.path}:${source.line}`);
}

function listed(names: string[]): string {
  const shown = names.slice(0, MAX_LISTED).map(printable).join(', ');
  return names.length > MAX_LISTED ? `${shown}, and ${names.length - MAX_LISTED} more (see --json)` : shown;
}

function describeOs({ os }: GuestFacts): string {
  const name = os.prettyName ?? ([os.name, os.version].filter(Boolean).join(' ') || (os.family === 'unknown' ? 'unknown' : os.family));
  const id = [os.id, os.version].filter(Boolean).join(' ');
  const from = os.source ? `from ${os.source}` : '';
  const details = [id, from].filter(Boolean).join(', ');
  const arch = os.architecture ? `; ${os.architecture} (ELF header of ${os.architectureSource ?? '?'})` : '';
  return `${printable(name)}${details ? ` (${printable(details)})` : ''}${arch}`;
}

function describeServices({ services }: GuestFacts): string[] {
  const others = services.present.filter((s) => s !== services.initSystem);
  const init = services.initSystem === 'unknown' ? 'unknown (no systemd, SysV, Upstart or OpenRC boot configuration found)' : services.initSystem;
  const lines = [`Init system:  ${init}${others.length ? ` (boot configuration also found for ${others.join(', ')})` : ''}${services.defaultTarget ? `; boots to ${printable(services.defaultTarget)}` : ''}`];
  const names = services.enabled.map((s) => (s.aliases.length ? `${s.name} (${s.aliases.join(', ')})` : s.name));
  lines.push(`At boot (${services.enabled.length}): ${names.length ? listed(names) : 'none found'}`);
  if (services.masked.length) lines.push(`Masked:       ${listed(services.masked)}`);
  return lines;
}

function describePackages({ packages }: GuestFacts): string {
  if (packages.manager === 'none') return 'Packages:     no package database found';
  const source = packages.source ? ` (${printable(packages.source)})` : '';
  if (packages.packages.length === 0 && packages.note) return `Packages:     ${packages.manager}${source}: ${printable(packages.note)}`;
  return `Packages:     ${packages.manager}, ${packages.packages.length} installed${source}`;
}

function describeAccounts({ accounts }: GuestFacts): string {
  const login = accounts.accounts.filter((a) => a.loginShell);
  const described = login.map((a) => {
    const password = a.password.kind === 'hash' ? `${a.password.scheme ?? 'unknown'} hash` : a.password.kind;
    return `${a.name} (uid ${a.uid}, ${printable(a.shell || '/bin/sh')}, password ${password})`;
  });
  return `Logins (${login.length} of ${accounts.accounts.length} accounts): ${described.length ? listed(described) : 'none'}`;
}

function describeNetwork({ network }: GuestFacts): string[] {
  if (network.interfaces.length === 0) return [`Network:      ${network.stacks.length ? `${network.stacks.join(', ')}, no interface configured` : 'no configuration found'}`];
  return network.interfaces.map((n, index) => {
    const name = n.interface ?? (n.namePattern ? `match ${n.namePattern}` : n.macPin ? `MAC ${n.macPin.mac}` : '(any)');
    const boot = n.atBoot === undefined ? '' : n.atBoot ? ', at boot' : ', not at boot';
    const pin = n.macPin ? `, PINNED to MAC ${n.macPin.mac}` : '';
    return `${index === 0 ? 'Network:      ' : '              '}${n.stack}: ${printable(name)} ${n.method}${boot}${pin} (${sourceName(n.source)})`;
  });
}

function describeSetting(keyword: string, setting: SshdSetting | undefined): string {
  if (!setting) return `${keyword} (unset)`;
  const where = setting.fromDefault || !setting.source ? 'OpenSSH default' : sourceName(setting.source);
  return `${keyword} ${printable(setting.values.join(' '))} (${where})`;
}

function describeSshd({ sshd }: GuestFacts): string[] {
  if (!sshd.present) return ['sshd:         no /etc/ssh/sshd_config'];
  const included = sshd.files.length > 1 ? ` + ${sshd.files.length - 1} included (${listed(sshd.files.slice(1))})` : '';
  const lines = [`sshd:         ${printable(sshd.files[0] ?? '/etc/ssh/sshd_config')}${included}`];
  for (const [key, name] of SSHD_KEYWORDS) lines.push(`              ${describeSetting(name, sshd.settings[key])}`);
  for (const block of sshd.matchBlocks) {
    lines.push(`              Match ${printable(block.criteria)} (${sourceName(block.source)}): ${Object.keys(block.settings).length} settings`);
  }
  return lines;
}

function describeBoot({ boot }: GuestFacts): string {
  if (boot.files.length === 0) return 'Boot config:  no GRUB, BLS or SYSLINUX configuration found';
  const roots = new Map<string, number>();
  for (const line of boot.commandLines) if (line.root !== undefined) roots.set(line.root, (roots.get(line.root) ?? 0) + 1);
  const root = roots.size ? `root=${listed([...roots].map(([value, count]) => (count > 1 ? `${value} (${count} lines)` : value)))}` : 'no root=';
  const noUuid = boot.grubDefaults.GRUB_DISABLE_LINUX_UUID;
  const grub = noUuid ? `; GRUB_DISABLE_LINUX_UUID=${printable(noUuid.value)} (${sourceName(noUuid.source)})` : '';
  return `Boot config:  ${listed(boot.files)}: ${boot.commandLines.length} kernel command line${boot.commandLines.length === 1 ? '' : 's'}, ${root}${grub}`;
}

/** The guest facts section of `spotlint inspect`. */
export function renderGuestFacts(facts: GuestFacts): string[] {
  const lines = ['', `OS:           ${describeOs(facts)}`];
  if (facts.os.family !== 'linux') return lines;
  lines.push(...describeServices(facts), describePackages(facts), describeAccounts(facts), ...describeNetwork(facts), ...describeSshd(facts), describeBoot(facts));
  const problems = [facts.services, facts.packages, facts.accounts, facts.network, facts.sshd, facts.boot].flatMap((f) => f.problems);
  for (const problem of problems) lines.push(`Could not read ${printable(problem.path)}: ${printable(problem.message)}`);
  return lines;
}
