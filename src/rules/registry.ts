import { emptyPassword } from './empty-password.js';
import { filesystemClean } from './filesystem-clean.js';
import { filesystemUnreadable } from './filesystem-unreadable.js';
import { guessablePassword } from './guessable-password.js';
import { imageSize } from './image-size.js';
import { leftoverSecrets } from './leftover-secrets.js';
import { machineId } from './machine-id.js';
import { persistentNetRules } from './persistent-net-rules.js';
import { remoteAccess } from './remote-access.js';
import type { AnyRule } from './rule.js';
import { sshAuthorizedKeys } from './ssh-authorized-keys.js';
import { sshHostKeys } from './ssh-host-keys.js';
import { sshPasswordAuth } from './ssh-password-auth.js';
import { sshRootLogin } from './ssh-root-login.js';
import { weakPasswordHash } from './weak-password-hash.js';

/** Every rule, in the order they run and are listed: the image and its filesystems, then access, then what the image must not carry. */
export const RULES: readonly AnyRule[] = [
  imageSize, filesystemClean, filesystemUnreadable, persistentNetRules,
  remoteAccess, sshPasswordAuth, sshRootLogin, sshAuthorizedKeys,
  emptyPassword, weakPasswordHash, guessablePassword,
  sshHostKeys, machineId, leftoverSecrets,
];

export function findRule(id: string): AnyRule | undefined {
  return RULES.find((rule) => rule.id === id);
}
