// Whole-guest fixture trees in the styles real appliances come in. Each
// builder returns a fresh Tree (keys without a leading slash) for a test to
// change and turn into an image: makeGuestImage gives it install-like modes
// and owners; makeExtImage/openGuest work too, with default modes.
export { debianSystemdGuest, wellBuiltDebianGuest, DEBIAN_HOSTNAME, DEBIAN_INTERFACE, DEBIAN_PACKAGES, DEBIAN_USER, SSH_KEYGEN_UNIT } from './debian-systemd.js';
export { rhelNetworkManagerGuest, RHEL_HOSTNAME, RHEL_INTERFACE, NM_CONNECTION_UUID } from './rhel-networkmanager.js';
export { sysvLegacyGuest, WHEEZY_HOSTNAME, WHEEZY_USER } from './sysv-legacy.js';
export { systemdEnable, parseUnitSection, DEBIAN_UNIT_DIR, RHEL_UNIT_DIR, type SystemdEnableOptions } from './systemd-enable.js';
export { addSysvLinks, parseLsbHeader, INSSERV_FACILITIES, type LsbHeader, type SysvSequencing } from './sysv-links.js';
export { sshKeyPair, addHostKeys, type SshKeyPair, type SshKeyType } from './ssh-keys.js';
export * from './accounts.js';
export { distroFile, distroText, packageVersion, packageEntries, installPackage, installedPath, DISTRO_ROOT } from './distro-file.js';
export { dpkgStatus, debian12Package, type DpkgPackage } from './dpkg-status.js';
export { DEFAULT_ROOT_UUID, MACHINE_ID, NIC_MAC, SWAP_UUID, type GuestStyleOptions } from './layout.js';
export { makeGuestImage, GUEST_IMAGE_MIB } from './guest-image.js';
export { guestFileModes, EXECUTABLE_PATTERNS, type FileOwnership } from './file-modes.js';
export { resolveTreePath, readTreeFile, readTreeText } from './tree-paths.js';
