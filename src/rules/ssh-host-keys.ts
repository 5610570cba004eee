import type { GuestTree } from '../inspect/guest/guest-tree.js';
import type { GuestFacts } from '../inspect/facts/guest-facts.js';
import { readGuestText } from '../inspect/facts/read-guest-text.js';
import { findEnabledService } from '../inspect/facts/services/find-service.js';
import { sshdSetting } from '../inspect/facts/sshd-config.js';
import { NO_OPTIONS, type Rule } from './rule.js';
import { enabledSshService, hasSshServer } from './support/ssh-access.js';

/** Unit files and init scripts are small; reading more of them than this is not looking for ssh-keygen any more. */
const MAX_DEFINITIONS_READ = 300;
const MAX_DEFINITION_BYTES = 256 * 1024;
/** A command that creates missing host keys: ssh-keygen -A, or a Debian reconfigure of the server package. */
const REGENERATES = /ssh-keygen\s+(?:[^\n]*\s)?-A\b|ssh-keygen\b[^\n]*\/etc\/ssh\/ssh_host_|dpkg-reconfigure\s+(?:[^\n]*\s)?openssh-server/;

/** What regenerates missing host keys at boot, in words, or undefined when nothing does. */
async function keyRegeneration(guest: GuestTree, facts: GuestFacts): Promise<string | undefined> {
  const keygen = findEnabledService(facts.services, ['sshd-keygen', 'sshd-keygen@', 'ssh-keygen', 'regenerate-ssh-host-keys']);
  if (keygen) return `${keygen.name} (${keygen.enabledBy})`;
  const cloudInit = findEnabledService(facts.services, ['cloud-init', 'cloud-init-local', 'cloud-config']);
  const problems: { path: string; message: string }[] = [];
  const candidates = facts.services.enabled.flatMap((s) => (s.definition ? [{ name: s.name, path: s.definition }] : []));
  const ssh = enabledSshService(facts);
  if (ssh?.initSystem === 'systemd') {
    for (const path of await guest.glob(`/etc/systemd/system/${ssh.name}.d/*.conf`)) candidates.push({ name: `${ssh.name} drop-in`, path });
  }
  candidates.push({ name: 'rc.local', path: '/etc/rc.local' }, { name: 'rc.local', path: '/etc/rc.d/rc.local' });
  for (const { name, path } of candidates.slice(0, MAX_DEFINITIONS_READ)) {
    const text = await readGuestText(guest, path, problems, MAX_DEFINITION_BYTES);
    if (text !== undefined && REGENERATES.test(text)) return `${name} (${path} runs ssh-keygen)`;
  }
  // cloud-init regenerates keys on the first boot of a new instance (ssh_deletekeys, on by default).
  if (cloudInit) return `cloud-init (${cloudInit.name}), when it sees a new instance`;
  return undefined;
}

export const sshHostKeys: Rule = {
  id: 'ssh-host-keys',
  title: 'No ssh host keys baked into the image',
  defaultSeverity: 'warning',
  guideline: 'You will not have a direct remote console into the VM, so be sure to setup your remote access procedures (ssh, remote desktop, VNC, etc) before uploading your VM.',
  rationale: 'Every instance started from the image shares its ssh host keys, and so does everyone who has a copy of the image: clients cannot tell one instance from another, and anyone with the image can pose as any of them. The guide says nothing about host keys; this rule is there because ssh is the way in it asks for.',
  checks: 'Private host keys in /etc/ssh (ssh_host_*_key, and the files HostKey names). Also says whether the image makes new keys at boot when they are missing: an enabled sshd-keygen unit (RHEL, Fedora), an enabled unit, init script, drop-in for the ssh service or /etc/rc.local that runs ssh-keygen -A, or cloud-init. Without one, sshd will not start once the keys are gone, so the keys must stay until something regenerates them.',
  howToFix: 'Make sure missing keys are made at boot (RHEL: sshd-keygen@.service; elsewhere a drop-in for the ssh service with ExecStartPre=/usr/bin/ssh-keygen -A), then delete /etc/ssh/ssh_host_* before exporting. As an unsafe fix, spotlint removes them only when such a regeneration is found.',
  fixable: 'unsafe',
  ...NO_OPTIONS,
  async check({ facts, guest, report }) {
    if (!guest || !hasSshServer(facts)) return;
    const named = (sshdSetting(facts.sshd, 'HostKey')?.values ?? []).map((p) => (p.startsWith('/') ? p : `/etc/ssh/${p}`));
    const found = new Set(await guest.glob('/etc/ssh/ssh_host_*_key'));
    for (const path of named) if (await guest.exists(path)) found.add(path);
    const keys = [...found].sort();
    if (keys.length === 0) return;
    const regeneration = await keyRegeneration(guest, facts);
    const after = regeneration
      ? `The image makes new keys at boot when they are missing (${regeneration}), so they can be deleted: rm /etc/ssh/ssh_host_*.`
      : 'Nothing in the image makes new keys at boot, so deleting them now would stop sshd from starting: first add a boot-time ssh-keygen -A (for example ExecStartPre=/usr/bin/ssh-keygen -A in a drop-in for the ssh service), then delete them.';
    report({
      location: { path: keys[0]! },
      message: `The image carries ssh host private keys (${keys.join(', ')}): every instance, and everyone with a copy of the image, shares them, so clients cannot tell the instances apart. ${after}`,
      fix: regeneration ? `remove ${keys.map((k) => `${k} and ${k}.pub`).join(', ')}` : undefined,
    });
  },
};
