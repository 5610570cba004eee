// Permissions and owners a real install gives the guest styles' files. A Tree
// carries contents only, so these are derived from the paths (and from the
// tree's own /etc/passwd and /etc/group for owners) when the image is made.
import picomatch from 'picomatch';
import type { Tree, TreeEntry } from '../build-image.js';
import { readTreeText, treeKey } from './tree-paths.js';

export interface FileOwnership {
  /** Permission bits (no file type bits). */
  mode: number;
  uid: number;
  gid: number;
}

/** What dpkg and rpm install executable (the packages' own modes; checked against them in the tests). */
export const EXECUTABLE_PATTERNS = [
  'bin/*',
  'sbin/*',
  'usr/bin/*',
  'usr/sbin/*',
  'usr/lib/systemd/systemd',
  'lib/systemd/systemd',
  'lib/init/*',
  'usr/libexec/**',
  'etc/init.d/*',
  'etc/rc.local',
  'etc/rc.shutdown',
  'etc/network/if-*.d/*',
  'etc/ppp/ip-*.d/*',
  'etc/update-motd.d/*',
  'etc/NetworkManager/dispatcher.d/*',
  'etc/sv/*/run',
  'etc/sv/*/finish',
  'etc/sv/*/log/run',
];

/** Modes that are not the 0644/0755 default, with why. */
const SPECIAL_MODES: Array<{ pattern: string; mode: number }> = [
  // Only root reads root's home; adduser (Debian 12) and useradd (RHEL) make homes 0700.
  { pattern: 'root', mode: 0o700 },
  { pattern: 'home/*', mode: 0o700 },
  // sshd's StrictModes refuses keys in group- or world-writable places; ssh-keygen makes these.
  { pattern: '{root,home/*}/.ssh', mode: 0o700 },
  { pattern: '{root,home/*}/.ssh/authorized_keys', mode: 0o600 },
  { pattern: '{root,home/*}/.bash_history', mode: 0o600 },
  { pattern: 'etc/ssh/ssh_host_*_key', mode: 0o600 },
  // NetworkManager ignores keyfiles that others can read.
  { pattern: 'etc/NetworkManager/system-connections/*', mode: 0o600 },
  { pattern: '{tmp,var/tmp}', mode: 0o1777 },
  // chrony ships its key template readable by root and _chrony only.
  { pattern: 'usr/share/chrony/chrony.keys', mode: 0o640 },
];
const executable = picomatch(EXECUTABLE_PATTERNS, { dot: true });
const specials = SPECIAL_MODES.map(({ pattern, mode }) => ({ match: picomatch(pattern, { dot: true }), mode }));

function isLink(entry: TreeEntry | undefined): boolean {
  return typeof entry === 'object' && !Buffer.isBuffer(entry);
}

/** Numeric ids from a passwd or group file in the tree, by name (and homes, for passwd). */
function parseIdFile(text: string | undefined): Array<{ name: string; id: number; gid: number; home: string }> {
  return (text ?? '')
    .split('\n')
    .map((line) => line.split(':'))
    .filter((fields) => fields.length >= 3 && /^\d+$/.test(fields[2]!))
    .map((fields) => ({ name: fields[0]!, id: Number(fields[2]), gid: Number(fields[3] ?? 0), home: fields[5] ?? '' }));
}

/**
 * Mode and owner of every path the tree makes, directories it implies
 * included; links are left out (their mode means nothing on Linux).
 */
export function guestFileModes(tree: Tree): Map<string, FileOwnership> {
  const users = parseIdFile(readTreeText(tree, 'etc/passwd'));
  const groups = parseIdFile(readTreeText(tree, 'etc/group'));
  const shadowGroup = groups.find((g) => g.name === 'shadow');
  const homeOwner = (key: string): { uid: number; gid: number } => {
    const home = /^home\/[^/]+/.exec(key)?.[0];
    const user = home === undefined ? undefined : users.find((u) => treeKey(u.home) === home);
    return user ? { uid: user.id, gid: user.gid } : { uid: 0, gid: 0 };
  };
  const links = new Set(Object.entries(tree).filter(([, entry]) => isLink(entry)).map(([path]) => treeKey(path)));
  const modes = new Map<string, FileOwnership>();
  const add = (key: string, isDirectory: boolean): void => {
    if (modes.has(key) || links.has(key)) return;
    let mode = isDirectory || executable(key) ? 0o755 : 0o644;
    for (const special of specials) if (special.match(key)) mode = special.mode;
    let { uid, gid } = homeOwner(key);
    if (key === 'etc/shadow' || key === 'etc/gshadow') {
      // Debian: root:shadow 0640, so unix_chkpwd can read it. RHEL has no
      // shadow group and makes the files mode 0000.
      mode = shadowGroup ? 0o640 : 0o000;
      gid = shadowGroup?.id ?? 0;
      uid = 0;
    }
    modes.set(key, { mode, uid, gid });
  };
  for (const path of Object.keys(tree)) {
    const key = treeKey(path);
    const parts = key.split('/');
    for (let depth = 1; depth < parts.length; depth++) add(parts.slice(0, depth).join('/'), true);
    if (key !== '') add(key, path.endsWith('/'));
  }
  return modes;
}
