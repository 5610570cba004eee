import type { GuestTree } from '../inspect/guest/guest-tree.js';
import type { FactProblem, GuestFacts } from '../inspect/facts/guest-facts.js';
import { readGuestText, tryGuest } from '../inspect/facts/read-guest-text.js';
import { findEnabledService } from '../inspect/facts/services/find-service.js';
import { sshdSetting } from '../inspect/facts/sshd-config.js';
import { NO_OPTIONS, type FindingInput, type Rule } from './rule.js';
import { GUIDE_REMOTE_ACCESS } from './support/guidelines.js';
import { reportProblems } from './support/report-problems.js';
import { enabledSshService, hasOpenSshConfig } from './support/ssh-access.js';

/** Unit files and init scripts are small; reading more of them than this is not looking for ssh-keygen any more. */
const MAX_DEFINITIONS_READ = 300;
const MAX_DEFINITION_BYTES = 256 * 1024;
/** HostKey values looked at: sshd loads a handful of keys; a longer list is a broken config, not more keys. */
const MAX_NAMED_HOST_KEYS = 64;
/** Run at boot only when executable: systemd's rc-local generator and SysV's rc.local script both check. */
const RC_LOCAL_PATHS = ['/etc/rc.local', '/etc/rc.d/rc.local'];
/** ssh-keygen's options that take an argument (OpenSSH's getopt string, older moduli options included), so a value is not read as options. */
const KEYGEN_ARGUMENT_OPTIONS = new Set('abCDEFfGIJjMmNnOPRrsTtVWwYZz');
/** ssh-keygen operations on an existing key or known_hosts (-l fingerprint, -y print, -F find, -R remove, -p/-c change...): with -f they make nothing. */
const KEYGEN_NON_GENERATING = ['l', 'y', 'F', 'R', 'B', 'e', 'i', 'p', 'c', 'L', 'Q', 'H', 'D', 'k', 's', 'Y', 'K'];
const HOST_KEY_PREFIX = '/etc/ssh/ssh_host_';

/** The words of each command on `line` that runs `program`, up to the end of that command (; & | ) or a backquote). */
function commandsRunning(line: string, program: string): string[][] {
  const commands: string[][] = [];
  for (const match of line.matchAll(new RegExp(`(?<![\\w.-])${program}(?=[\\s"'\`;&|)]|$)`, 'g'))) {
    const rest = line.slice(match.index + match[0].length).split(/[;&|)`]/, 1)[0] ?? '';
    commands.push(rest.split(/\s+/).filter((word) => word !== '').map((word) => word.replace(/["']/g, '')));
  }
  return commands;
}

/** Whether ssh-keygen's arguments make host keys: -A, or -f naming a host key without an option that only reads or edits one. */
function keygenMakesHostKeys(words: string[]): boolean {
  const options = new Map<string, string>();
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    if (!/^-[A-Za-z]/.test(word)) continue;
    for (let j = 1; j < word.length; j++) {
      const letter = word[j]!;
      if (KEYGEN_ARGUMENT_OPTIONS.has(letter)) {
        options.set(letter, j + 1 < word.length ? word.slice(j + 1) : (words[++i] ?? ''));
        break;
      }
      options.set(letter, '');
    }
  }
  if (options.has('A')) return true;
  return (options.get('f') ?? '').startsWith(HOST_KEY_PREFIX) && !KEYGEN_NON_GENERATING.some((letter) => options.has(letter));
}

/**
 * The command in a unit file or shell script that makes host keys
 * (ssh-keygen -A, ssh-keygen -f /etc/ssh/ssh_host_..., dpkg-reconfigure
 * openssh-server), or undefined. Comment lines (# in both, ; in unit files)
 * do not count; backslash-continued lines are read as one.
 */
export function hostKeyCommand(text: string): string | undefined {
  for (const line of text.replace(/\\\r?\n/g, ' ').split('\n')) {
    if (/^\s*[#;]/.test(line)) continue;
    if (commandsRunning(line, 'ssh-keygen').some(keygenMakesHostKeys)) return 'ssh-keygen';
    if (commandsRunning(line, 'dpkg-reconfigure').some((words) => words.includes('openssh-server'))) return 'dpkg-reconfigure openssh-server';
  }
  return undefined;
}

interface Regeneration {
  /** What makes the keys, in words. */
  what: string;
  /** False for cloud-init, which makes keys only for an instance it sees as new and only where it finds a datasource. */
  certain: boolean;
}

async function isExecutableFile(guest: GuestTree, path: string, problems: FactProblem[]): Promise<boolean> {
  const stat = await tryGuest(path, problems, () => guest.stat(path));
  return stat?.kind === 'file' && (stat.mode & 0o111) !== 0;
}

/** What regenerates missing host keys at boot, or undefined when nothing does. */
async function keyRegeneration(guest: GuestTree, facts: GuestFacts, problems: FactProblem[]): Promise<Regeneration | undefined> {
  const keygen = findEnabledService(facts.services, ['sshd-keygen', 'sshd-keygen@', 'ssh-keygen', 'regenerate-ssh-host-keys']);
  if (keygen) return { what: `${keygen.name} (${keygen.enabledBy})`, certain: true };
  const candidates = facts.services.enabled.flatMap((s) => (s.definition ? [{ name: s.name, path: s.definition }] : []));
  const ssh = enabledSshService(facts);
  if (ssh?.initSystem === 'systemd') {
    for (const path of await guest.glob(`/etc/systemd/system/${ssh.name}.d/*.conf`)) candidates.push({ name: `${ssh.name} drop-in`, path });
  }
  for (const path of RC_LOCAL_PATHS) candidates.push({ name: 'rc.local', path });
  for (const { name, path } of candidates.slice(0, MAX_DEFINITIONS_READ)) {
    if (RC_LOCAL_PATHS.includes(path) && !(await isExecutableFile(guest, path, problems))) continue;
    const text = await readGuestText(guest, path, problems, MAX_DEFINITION_BYTES);
    const command = text === undefined ? undefined : hostKeyCommand(text);
    if (command) return { what: `${name} (${path} runs ${command})`, certain: true };
  }
  const cloudInit = findEnabledService(facts.services, ['cloud-init', 'cloud-init-local', 'cloud-config']);
  if (cloudInit) return { what: `cloud-init (${cloudInit.name})`, certain: false };
  return undefined;
}

/** What the message says after naming the keys. */
function afterKeys(regeneration: Regeneration | undefined): string {
  const safeWay = 'a boot-time ssh-keygen -A (for example ExecStartPre=/usr/bin/ssh-keygen -A in a drop-in for the ssh service)';
  if (!regeneration) return `Nothing in the image makes new keys at boot, so deleting them now would stop sshd from starting: first add ${safeWay}, then delete them.`;
  if (!regeneration.certain) {
    return `${regeneration.what} is enabled and may make new keys at boot, but only on the first boot of an instance it sees as new, and not at all on a provider where it finds no datasource: before deleting them, add ${safeWay} that does not depend on it.`;
  }
  return `The image makes new keys at boot when they are missing (${regeneration.what}), so they can be deleted: rm /etc/ssh/ssh_host_*.`;
}

export const sshHostKeys: Rule = {
  id: 'ssh-host-keys',
  title: 'No ssh host keys baked into the image',
  defaultSeverity: 'warning',
  guideline: GUIDE_REMOTE_ACCESS,
  rationale: 'Every instance started from the image shares its ssh host keys, and so does everyone who has a copy of the image: clients cannot tell one instance from another, and anyone with the image can pose as any of them. The guide says nothing about host keys; this rule is there because ssh is the way in it asks for.',
  checks: 'Private host keys in /etc/ssh (ssh_host_*_key, and the files HostKey names). Also says whether the image makes new keys at boot when they are missing: an enabled sshd-keygen unit (RHEL, Fedora), an enabled unit, init script, drop-in for the ssh service or executable /etc/rc.local that runs ssh-keygen -A, ssh-keygen -f /etc/ssh/ssh_host_... (not -l, -y, -F or -R, which only read) or dpkg-reconfigure openssh-server, outside comments. cloud-init counts only as "may": it makes keys only for an instance it sees as new, and not where it finds no datasource. Without one, sshd will not start once the keys are gone, so the keys must stay until something regenerates them.',
  howToFix: 'Make sure missing keys are made at boot (RHEL: sshd-keygen@.service; elsewhere a drop-in for the ssh service with ExecStartPre=/usr/bin/ssh-keygen -A), then delete /etc/ssh/ssh_host_* before exporting. As an unsafe fix, spotlint removes them only when such a regeneration is found (cloud-init alone is not enough).',
  fixable: 'unsafe',
  ...NO_OPTIONS,
  async check({ facts, guest, report }) {
    if (!guest || !hasOpenSshConfig(facts)) return;
    const problems: FactProblem[] = [];
    const named = (sshdSetting(facts.sshd, 'HostKey')?.values ?? []).slice(0, MAX_NAMED_HOST_KEYS).map((p) => (p.startsWith('/') ? p : `/etc/ssh/${p}`));
    const found = new Set(await guest.glob('/etc/ssh/ssh_host_*_key'));
    for (const path of named) if (await tryGuest(path, problems, () => guest.stat(path))) found.add(path);
    const keys = [...found].sort();
    if (keys.length > 0) {
      const regeneration = await keyRegeneration(guest, facts, problems);
      const finding: FindingInput = {
        location: { path: keys[0]! },
        message: `The image carries ssh host private keys (${keys.join(', ')}): every instance, and everyone with a copy of the image, shares them, so clients cannot tell the instances apart. ${afterKeys(regeneration)}`,
      };
      if (regeneration?.certain) {
        const removed: string[][] = [];
        for (const key of keys) {
          const publicKey = `${key}.pub`;
          const hasPublicKey = (await tryGuest(publicKey, problems, () => guest.lstat(publicKey))) !== undefined;
          removed.push(hasPublicKey ? [key, publicKey] : [key]);
        }
        finding.fix = `remove ${removed.map((paths) => paths.join(' and ')).join(', ')}`;
        finding.repairs = removed.flat().map((path) => ({ kind: 'remove', path }));
      }
      report(finding);
    }
    reportProblems(report, problems, 'the host key check');
  },
};
