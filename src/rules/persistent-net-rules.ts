import { applyLineRepairs, type LineRepair } from '../fix/line-edits.js';
import type { FactProblem } from '../inspect/facts/guest-facts.js';
import { listConfigFiles } from '../inspect/facts/network/config-directories.js';
import { readGuestText, tryGuest } from '../inspect/facts/read-guest-text.js';
import type { GuestTree } from '../inspect/guest/guest-tree.js';
import { NO_OPTIONS, type Rule } from './rule.js';
import { reportProblems } from './support/report-problems.js';
import { parseUdevMacNames, type UdevMacName } from './support/udev-mac-names.js';

/** Where administrators and udev's persistent-net generator put rules (/run is empty at boot; /lib holds the packages' rules, which pin nothing). */
const RULES_DIRECTORY = '/etc/udev/rules.d';
/** Where very old udev versions kept the generated file. */
const OLD_RULES_FILE = '/etc/udev/70-persistent-net.rules';
/** *.rules files read from the directory; more is not a rules directory any more. */
export const MAX_UDEV_RULES_FILES = 256;

/** Rule files in udev's order; a name linked to /dev/null (or empty) masks the packaged rule and pins nothing. */
async function rulesFiles(guest: GuestTree, problems: FactProblem[]): Promise<string[]> {
  const files = (await listConfigFiles(guest, RULES_DIRECTORY, (name) => name.endsWith('.rules'), problems)).slice(0, MAX_UDEV_RULES_FILES);
  const paths: string[] = [];
  for (const file of files) {
    const stat = await tryGuest(file.path, problems, () => guest.lstat(file.path));
    if (!stat) continue;
    if (stat.kind === 'symlink') {
      const target = await tryGuest(file.path, problems, () => guest.readlink(file.path));
      if (target === '/dev/null') continue;
    }
    paths.push(file.path);
  }
  if ((await tryGuest(OLD_RULES_FILE, problems, () => guest.lstat(OLD_RULES_FILE))) !== undefined) paths.push(OLD_RULES_FILE);
  return paths;
}

/**
 * The comment udev's write_net_rules puts above each rule it writes, from
 * the COMMENT that 75-persistent-net-generator.rules builds (Debian,
 * Ubuntu, SUSE and RHEL 6 alike): "PCI device 0x8086:0x100e (e1000)", "USB
 * device 0x0b95:0x7720 (asix)", "PCMCIA device ...", "Firewire device ...",
 * "Xen virtual device", "ibmveth", "S/390 qeth device at 0.0.f500", and the
 * fallback "$SUBSYSTEM device ($driver)" ("net device (virtio_net)").
 */
const GENERATOR_COMMENTS = [
  /^# (?:PCI|USB) device 0x[0-9a-fA-F]+:0x[0-9a-fA-F]+ \(.*\)$/,
  /^# PCMCIA device \S+ \(.*\)$/,
  /^# Firewire device \S+$/,
  /^# Xen virtual device$/,
  /^# ibmveth$/,
  /^# S\/390 \S+ device at \S+$/,
  /^# [a-z][a-z0-9_]* device \(.*\)$/,
];

/** Lines as udev counts them, each without its line ending. */
function physicalLines(text: string): string[] {
  return text.split('\n').map((line) => line.replace(/\r$/, ''));
}

/**
 * The lines `--fix` removes for one rule: the rule, with its "\"
 * continuations, and the generator's comment directly above it, which would
 * otherwise describe a card no longer there.
 */
function linesOf(binding: UdevMacName, lines: readonly string[]): [first: number, last: number] {
  const above = lines[binding.line - 2];
  // A comment line ending in "\", or one continuing the line before it, is part of another logical line.
  const continuesEarlier = (lines[binding.line - 3] ?? '').endsWith('\\');
  const isGeneratorComment = above !== undefined && !above.endsWith('\\') && !continuesEarlier && GENERATOR_COMMENTS.some((pattern) => pattern.test(above.trimEnd()));
  return [isGeneratorComment ? binding.line - 1 : binding.line, binding.endLine];
}

function fixText(path: string, binding: UdevMacName, [first, last]: [number, number], fileGoes: boolean): string {
  const lines = first === last ? `line ${first}` : `lines ${first}-${last}`;
  const what = first < binding.line ? ` (the rule and the generator's comment above it)` : '';
  const file = fileGoes ? ', then the file, which holds only comments once its MAC-bound rules are gone' : '';
  return `remove ${lines} of ${path}${what}${file}`;
}

export const persistentNetRules: Rule = {
  id: 'persistent-net-rules',
  title: 'No network interface names pinned to MAC addresses by udev',
  defaultSeverity: 'error',
  guideline: 'Are you using a Debian or Ubuntu derived distribution? If so, your ethernet interface has probably been renumbered. You can solve this by setting up an eth1 entry under the OS with DHCP configuration, or you can remove the OS\'s ability to change by removing the `/etc/udev/70-persistent-net-rules` file when designing the VM.',
  rationale: 'udev remembers the MAC address of the network card the VM had when it was built and keeps the name eth0 for it. The provider\'s VM has another MAC, so its card becomes eth1, which the network configuration does not bring up: the appliance never gets an address and SpotCloud shows "Detecting" for ever.',
  checks: `Every *.rules file in ${RULES_DIRECTORY} (at most ${MAX_UDEV_RULES_FILES}; a name linked to /dev/null is a mask and is skipped) and the older ${OLD_RULES_FILE}: each rule (a line, with "\\" continuations) that matches ATTR{address}, ATTRS{address} or SYSFS{address} == a MAC address or a MAC prefix and sets NAME= or NAME:=. A rule matching any address ("?*") pins nothing and is not reported. Rules in /lib/udev/rules.d belong to packages and are not read; systemd .link files that name a card by MAC are mac-pinned-network-config's.`,
  howToFix: 'Delete the MAC-bound lines, with the generator\'s "# PCI device ..." comment above each (or the whole file when nothing else is in it), before exporting the VM; on Debian/Ubuntu also stop the generator from writing it again (ln -s /dev/null /etc/udev/rules.d/75-persistent-net-generator.rules). spotlint --fix removes those lines, and the file when only comments are left; it does not mask the generator.',
  fixable: 'safe',
  ...NO_OPTIONS,
  async check({ guest, report }) {
    if (!guest) return;
    const problems: FactProblem[] = [];
    for (const path of await rulesFiles(guest, problems)) {
      const text = (await readGuestText(guest, path, problems)) ?? '';
      const bindings = parseUdevMacNames(text);
      if (bindings.length === 0) continue;
      const lines = physicalLines(text);
      const ranges = bindings.map((binding) => linesOf(binding, lines));
      // Each finding carries its own lines; the fixer applies a file's together, so whether the file goes is decided by all of them.
      const repairs = ranges.map((range): LineRepair => ({ kind: 'remove-lines', path, lines: [range], removeFileWhenNothingLeft: true }));
      const fileGoes = applyLineRepairs(Buffer.from(text), repairs).kind === 'remove-file';
      bindings.forEach((binding, index) => {
        const { line, mac, name } = binding;
        report({
          location: { path, line },
          message: `${path} line ${line} gives the interface with MAC ${mac} the name "${name}". The provider's VM has a different MAC, so its card gets another name, the network is not configured and the appliance never gets an address. Remove this rule before exporting.`,
          // A rule continued with "\" goes whole: its later lines alone would still pin the name.
          fix: fixText(path, binding, ranges[index]!, fileGoes),
          repairs: [repairs[index]!],
        });
      });
    }
    reportProblems(report, problems, 'the persistent-net-rules check');
  },
};
