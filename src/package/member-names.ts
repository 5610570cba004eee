/**
 * Names inside an XVM2 package (see XVM2.md): `hd<N>.<ext>.gz` per disk,
 * described in description.xml with IDE target names hda, hdb, ...
 */

export type DiskFormat = 'raw' | 'qcow2';

/**
 * IDE has two channels of two devices each, so a domain described with IDE
 * disks (as every XVM2 package is) takes at most four: hda to hdd.
 */
export const MAX_PACKAGE_DISKS = 4;

/** The extension XVM2.md gives each image format: raw images travel as .img. */
export function diskExtension(format: DiskFormat): string {
  return format === 'raw' ? 'img' : 'qcow2';
}

/** `hd0.img`: the disk's name in manifest.txt (the member without .gz). */
export function diskImageName(index: number, format: DiskFormat): string {
  return `hd${index}.${diskExtension(format)}`;
}

/** `hd0.img.gz`: the tar member holding the compressed disk. */
export function diskMemberName(index: number, format: DiskFormat): string {
  return `${diskImageName(index, format)}.gz`;
}

/** `hda`, `hdb`, ...: the IDE device a disk is attached as. */
export function ideTargetName(index: number): string {
  if (index < 0 || index >= MAX_PACKAGE_DISKS) throw new RangeError(`IDE has no device number ${index}`);
  return `hd${String.fromCharCode('a'.charCodeAt(0) + index)}`;
}

export const DESCRIPTION_MEMBER = 'description.xml';
export const MANIFEST_MEMBER = 'manifest.txt';

/**
 * Whether a member name is safe for a plain "extract all" into a folder:
 * one path component, not `.` or `..`, no separators of either system, no
 * control characters. XVM2 consumers extract everything, so anything else
 * could write outside the folder (or to a name a terminal misprints).
 */
export function isPlainMemberName(name: string): boolean {
  if (name.length === 0 || name.length > 255) return false;
  if (name === '.' || name === '..') return false;
  if (/[/\\]/.test(name)) return false;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name)) return false;
  return true;
}
