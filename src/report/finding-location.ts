import type { FindingLocation } from '../rules/rule.js';
import { printable } from './printable.js';

/** "partition 2", "whole disk" (a bare filesystem), or undefined for the image as a whole. */
function volumeLabel(partition: FindingLocation['partition']): string | undefined {
  return partition === undefined ? undefined : partition === null ? 'whole disk' : `partition ${partition}`;
}

/** "partition 2:/etc/ssh/sshd_config", "partition 1", "/etc/hosts"; undefined for the image. */
export function locationName({ partition, path }: FindingLocation): string | undefined {
  const volume = volumeLabel(partition);
  if (volume && path) return `${volume}:${path}`;
  return volume ?? path;
}

/**
 * Where a finding is, for people, the same in every report:
 * "partition 2:/etc/ssh/sshd_config:12", "whole disk", or "image".
 */
export function describeLocation(location: FindingLocation): string {
  const name = locationName(location);
  if (!name) return 'image';
  return printable(location.line === undefined ? name : `${name}:${location.line}`);
}
