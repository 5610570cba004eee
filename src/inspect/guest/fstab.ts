/** /etc/fstab, parsed (pure), and what each source field names. */

export interface FstabEntry {
  line: number;
  spec: string;
  mountPoint: string;
  type: string;
  options: string[];
}

export type FstabSource =
  | { by: 'uuid' | 'label' | 'partuuid' | 'partlabel'; value: string }
  | { by: 'device'; disk: string; partition: number | null }
  | { by: 'other'; value: string };

/** fstab escapes spaces and tabs in fields as octal: \040, \011. */
function unescapeField(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}

export function parseFstab(text: string): FstabEntry[] {
  const entries: FstabEntry[] = [];
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const fields = line.split(/\s+/);
    if (fields.length < 2) return;
    entries.push({
      line: index + 1,
      spec: unescapeField(fields[0]!),
      mountPoint: unescapeField(fields[1]!),
      type: fields[2] ?? 'auto',
      options: (fields[3] ?? 'defaults').split(','),
    });
  });
  return entries;
}

const TAGS: Record<string, 'uuid' | 'label' | 'partuuid' | 'partlabel'> = {
  UUID: 'uuid', LABEL: 'label', PARTUUID: 'partuuid', PARTLABEL: 'partlabel',
};
const BY_DIRECTORIES: Record<string, 'uuid' | 'label' | 'partuuid' | 'partlabel'> = {
  'by-uuid': 'uuid', 'by-label': 'label', 'by-partuuid': 'partuuid', 'by-partlabel': 'partlabel',
};

/** /dev/disk/by-label escapes bytes like udev does: \x20 for a space. */
function unescapeUdev(value: string): string {
  return value.replace(/\\x([0-9a-fA-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/** What an fstab source field refers to: a tag, a kernel device name, or something else. */
export function classifyFstabSource(spec: string): FstabSource {
  const tag = /^([A-Z]+)=(.*)$/.exec(spec);
  if (tag && TAGS[tag[1]!]) return { by: TAGS[tag[1]!]!, value: tag[2]!.replace(/^"(.*)"$/, '$1') };
  const byPath = /^\/dev\/disk\/(by-[a-z]+)\/(.+)$/.exec(spec);
  if (byPath && BY_DIRECTORIES[byPath[1]!]) return { by: BY_DIRECTORIES[byPath[1]!]!, value: unescapeUdev(byPath[2]!) };
  // sda2, hda1, vda3, xvda1: disk letters and a partition number.
  const kernelName = /^\/dev\/((?:s|h|v|xv)d[a-z]+)(\d*)$/.exec(spec);
  if (kernelName) return { by: 'device', disk: kernelName[1]!, partition: kernelName[2] ? Number(kernelName[2]) : null };
  const nvme = /^\/dev\/(nvme\d+n\d+)(?:p(\d+))?$/.exec(spec);
  if (nvme) return { by: 'device', disk: nvme[1]!, partition: nvme[2] ? Number(nvme[2]) : null };
  return { by: 'other', value: spec };
}
