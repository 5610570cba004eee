// The skeleton every guest style shares: top-level folders, the merged-usr
// links, and the options the builders take.
import type { Tree } from '../build-image.js';

export interface GuestStyleOptions {
  /** The root filesystem's UUID as /etc/fstab names it; give makeExtImage/makeGuestImage the same `uuid`. */
  rootUuid?: string;
  hostname?: string;
}

export const DEFAULT_ROOT_UUID = '3f9c2d64-5b1e-4c8a-9d27-6e0b4f1a7c35';
/** The swap partition the installers made next to the root (fstab names it; the image has none). */
export const SWAP_UUID = '8a41e7b2-0c3d-4f5e-a6b7-c8d9e0f1a2b3';
/** A 32-hex id as systemd writes to /etc/machine-id on first boot. */
export const MACHINE_ID = '7e2bcad90a5854dfe78f08b442db097e';
/** The MAC of the guest's one NIC (QEMU's 52:54:00 prefix), wherever a style records it. */
export const NIC_MAC = '52:54:00:12:34:56';

/** Folders a Linux root filesystem has before any package puts files in them (Debian's base-files, RHEL's filesystem package). */
const FHS_DIRECTORIES = ['boot', 'dev', 'home', 'media', 'mnt', 'opt', 'proc', 'root', 'run', 'srv', 'sys', 'tmp',
  'usr/local/bin', 'usr/local/sbin', 'usr/share', 'var/cache', 'var/lib', 'var/log', 'var/mail', 'var/spool', 'var/tmp'];

export function fhsDirectories(tree: Tree): void {
  for (const dir of FHS_DIRECTORIES) tree[`${dir}/`] = '';
}

/**
 * /bin, /sbin, /lib and /lib64 as links into /usr: Debian since 12 (by
 * usrmerge at install) and RHEL since 7. Package files under lib/... then
 * live in usr/lib/...
 */
export function mergedUsrLinks(tree: Tree): void {
  for (const dir of ['bin', 'sbin', 'lib', 'lib64']) {
    tree[dir] = { symlink: `usr/${dir}` };
    tree[`usr/${dir}/`] = '';
  }
}
