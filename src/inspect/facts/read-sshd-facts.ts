// The guest's sshd configuration: /etc/ssh/sshd_config and what it includes,
// read through the guest tree (links resolve inside the guest) and handed to
// the pure effective-config walk.
import type { GuestTree } from '../guest/guest-tree.js';
import type { FactProblem, SshdFacts } from './guest-facts.js';
import { readGuestText, tryGuest } from './read-guest-text.js';
import { computeSshdConfig, defaultSshdSettings, type SshdConfigSource } from './sshd-config.js';

export { sshdSetting } from './sshd-config.js';

export const SSHD_CONFIG_PATH = '/etc/ssh/sshd_config';

export async function readSshdFacts(guest: GuestTree): Promise<SshdFacts> {
  const problems: FactProblem[] = [];
  const text = await readGuestText(guest, SSHD_CONFIG_PATH, problems);
  if (text === undefined) {
    // Absent: sshd is not configured here, and the defaults are what a later install would start from.
    // There but unreadable: sshd could not read it either, so no setting can be claimed.
    const present = problems.length > 0;
    return { present, files: [], settings: present ? {} : defaultSshdSettings(), matchBlocks: [], problems };
  }
  const effective = await computeSshdConfig({ path: SSHD_CONFIG_PATH, text }, guestConfigSource(guest, problems));
  return { present: true, ...effective, problems: [...problems, ...effective.problems] };
}

/** Include expansion and reads on the guest; each file is read once however often it is included. */
function guestConfigSource(guest: GuestTree, problems: FactProblem[]): SshdConfigSource {
  const expansions = new Map<string, string[]>();
  const texts = new Map<string, string | undefined>();
  return {
    async expand(pattern) {
      let paths = expansions.get(pattern);
      if (!paths) {
        paths = (await tryGuest(pattern, problems, () => guest.glob(pattern))) ?? [];
        expansions.set(pattern, paths);
      }
      return paths;
    },
    async read(path) {
      if (texts.has(path)) return texts.get(path);
      let text: string | undefined;
      const stat = await tryGuest(path, problems, () => guest.stat(path));
      // sshd reads a directory an Include glob matches as an empty file.
      if (stat && stat.kind !== 'directory') text = await readGuestText(guest, path, problems);
      texts.set(path, text);
      return text;
    },
  };
}
