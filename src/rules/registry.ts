import { filesystemClean } from './filesystem-clean.js';
import { filesystemUnreadable } from './filesystem-unreadable.js';
import { imageSize } from './image-size.js';
import { persistentNetRules } from './persistent-net-rules.js';
import type { AnyRule } from './rule.js';

/** Every rule, in the order they run and are listed. */
export const RULES: readonly AnyRule[] = [imageSize, filesystemClean, filesystemUnreadable, persistentNetRules];

export function findRule(id: string): AnyRule | undefined {
  return RULES.find((rule) => rule.id === id);
}
