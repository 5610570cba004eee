import { autoUpdates } from './auto-updates.js';
import { bootLoader } from './boot-loader.js';
import { deviceNames } from './device-names.js';
import { emptyPassword } from './empty-password.js';
import { filesystemClean } from './filesystem-clean.js';
import { filesystemUnreadable } from './filesystem-unreadable.js';
import { filesystemUnsupported } from './filesystem-unsupported.js';
import { freeSpaceZeroed } from './free-space-zeroed.js';
import { fstabUnresolvable } from './fstab-unresolvable.js';
import { guessablePassword } from './guessable-password.js';
import { imageSize } from './image-size.js';
import { kernelInFirstPartition } from './kernel-in-first-partition.js';
import { leftoverSecrets } from './leftover-secrets.js';
import { macPinnedNetworkConfig } from './mac-pinned-network-config.js';
import { machineId } from './machine-id.js';
import { minimalServices } from './minimal-services.js';
import { networkDhcp } from './network-dhcp.js';
import { noRootFilesystem } from './no-root-filesystem.js';
import { partitionAlignment } from './partition-alignment.js';
import { partitionTable } from './partition-table.js';
import { persistentNetRules } from './persistent-net-rules.js';
import { phoneHome } from './phone-home.js';
import { rcLocal } from './rc-local.js';
import { remoteAccess } from './remote-access.js';
import { sshAuthorizedKeys } from './ssh-authorized-keys.js';
import { sshHostKeys } from './ssh-host-keys.js';
import { sshPasswordAuth } from './ssh-password-auth.js';
import { sshRootLogin } from './ssh-root-login.js';
import { timeSync } from './time-sync.js';
import { weakPasswordHash } from './weak-password-hash.js';
import type { AnyRule } from './rule.js';

/**
 * Every rule, in the order they run and are listed: the disk and its
 * filesystems, mounts, network and time, the way in, services, and what the
 * image must not carry.
 */
export const RULES: readonly AnyRule[] = [
  imageSize, partitionTable, partitionAlignment, bootLoader, kernelInFirstPartition,
  filesystemClean, filesystemUnreadable, filesystemUnsupported, noRootFilesystem, freeSpaceZeroed,
  fstabUnresolvable, deviceNames,
  persistentNetRules, macPinnedNetworkConfig, networkDhcp, timeSync,
  remoteAccess, sshPasswordAuth, sshRootLogin, sshAuthorizedKeys,
  emptyPassword, weakPasswordHash, guessablePassword,
  minimalServices, autoUpdates, phoneHome, rcLocal,
  sshHostKeys, machineId, leftoverSecrets,
];

export function findRule(id: string): AnyRule | undefined {
  return RULES.find((rule) => rule.id === id);
}
