// /etc/passwd, /etc/group, /etc/shadow and /etc/gshadow for the guest styles.
// Debian's system accounts come from base-passwd's master files; every other
// line (users the installer or a package's postinst adds, RHEL's accounts)
// is written by hand at the place that adds it.
import type { Tree } from '../build-image.js';
import { distroText } from './distro-file.js';
import { readTreeText } from './tree-paths.js';

export interface UserAccount {
  name: string;
  uid: number;
  gid: number;
  gecos: string;
  home: string;
  shell: string;
  /** The shadow password field: a crypt(3) hash, "*" (no password), "!" or "!!" (locked). */
  hash: string;
}

export interface GroupAccount {
  name: string;
  gid: number;
  members: string[];
}

/**
 * Hashes made once with `openssl passwd -6` (or -1) from long random
 * passwords that were then thrown away: nothing can log in with them, and no
 * wordlist holds them. Only their format matters to the fixtures.
 */
export const DEBIAN_ROOT_HASH = '$6$esaWRpwsAZBOnsXW$i4zjLaL1xkFydxY5cbz6arBPIRmp4LC5b5z4A/y5Z1S6haSMFgJkPEyjYpO3my4O7rsdW8ztEv4t02W5xOmWu.';
export const DEBIAN_USER_HASH = '$6$WhOwTvE.5CXoivl1$l3NgMIOUaT/JwrCju3sRxmZyOl7m..inZbE6yPrSlQSCon8uVJVn/LuUvB0gsFsxnhd2WERmdSveRJQi.z1x2.';
/** MD5-crypt, as wheezy-era installs often carried. */
export const WHEEZY_ROOT_HASH = '$1$ls0YRPwy$KwHBqEgtYboQZeeg2kM8./';
export const WHEEZY_USER_HASH = '$1$hYNDPX3A$0C9bYZ/Wnpflzn7/un98E.';
/** The one deliberately guessable hash: `openssl passwd -6 -salt Rk9vzX2qLmT4aB1c password`. */
export const WEAK_PASSWORD = 'password';
export const WEAK_PASSWORD_SALT = 'Rk9vzX2qLmT4aB1c';
export const WEAK_ROOT_HASH = '$6$Rk9vzX2qLmT4aB1c$cbCviaynmmaAIj5tAwy/Pe40W1f5QKFkSF1vnu/4U.W3vfM7YQC7KoVxrhsngANABd8mqBMRDBy2f11Frb50N/';

/** Days since 1970 of the password changes in shadow: 2023-11-14, when the fixtures' installs "happened". */
export const INSTALL_DAY = 19_675;

/** base-passwd's passwd.master, with its "*" moved to shadow as shadowconfig does on install. */
export function basePasswdUsers(): UserAccount[] {
  return distroText('base-passwd', 'usr/share/base-passwd/passwd.master')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const [name, password, uid, gid, gecos, home, shell] = line.split(':') as [string, string, string, string, string, string, string];
      return { name, uid: Number(uid), gid: Number(gid), gecos, home, shell, hash: password };
    });
}

export function basePasswdGroups(): GroupAccount[] {
  return distroText('base-passwd', 'usr/share/base-passwd/group.master')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const [name, , gid, members] = line.split(':') as [string, string, string, string];
      return { name, gid: Number(gid), members: members === '' ? [] : members.split(',') };
    });
}

/** Adds `user` to each named group (as the installer does for its first user). */
export function addToGroups(groups: GroupAccount[], user: string, names: readonly string[]): void {
  for (const name of names) {
    const group = groups.find((g) => g.name === name);
    if (!group) throw new Error(`group ${name} is not in the list`);
    if (!group.members.includes(user)) group.members.push(user);
  }
}

/** Writes passwd, group, shadow and gshadow, with the password fields where shadow(5) wants them. */
export function writeAccounts(tree: Tree, users: readonly UserAccount[], groups: readonly GroupAccount[], lastChange = INSTALL_DAY): void {
  tree['etc/passwd'] = users.map((u) => `${u.name}:x:${u.uid}:${u.gid}:${u.gecos}:${u.home}:${u.shell}\n`).join('');
  tree['etc/shadow'] = users.map((u) => `${u.name}:${u.hash}:${lastChange}:0:99999:7:::\n`).join('');
  tree['etc/group'] = groups.map((g) => `${g.name}:x:${g.gid}:${g.members.join(',')}\n`).join('');
  tree['etc/gshadow'] = groups.map((g) => `${g.name}:*::${g.members.join(',')}\n`).join('');
}

/** Replaces one user's shadow password field (for tests that need a different one). */
export function setShadowHash(tree: Tree, user: string, hash: string): void {
  const shadow = readTreeText(tree, 'etc/shadow');
  if (shadow === undefined) throw new Error('the tree has no /etc/shadow');
  let found = false;
  tree['etc/shadow'] = shadow
    .split('\n')
    .map((line) => {
      const fields = line.split(':');
      if (fields[0] !== user) return line;
      found = true;
      fields[1] = hash;
      return fields.join(':');
    })
    .join('\n');
  if (!found) throw new Error(`${user}: not in /etc/shadow`);
}
