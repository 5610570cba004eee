import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { MachineFeatures } from './description-xml.js';
import { MAX_PACKAGE_DISKS, ideTargetName } from './member-names.js';

/** One `devices/disk` element as written, before any check against the archive. */
export interface DescriptionDisk {
  /** The `device` attribute: `disk` or `cdrom` (libvirt's default, `disk`, when absent). */
  device: string;
  /** `source/@file`: the member holding the disk; '' when absent. */
  sourceFile: string;
  /** `target/@dev`, e.g. `hda`; '' when absent. */
  targetDev: string;
}

export interface ReadDescription {
  /** '' when absent. */
  name: string;
  /** '' when absent. */
  uuid: string;
  features: MachineFeatures;
  /** In document order: the first is the boot disk. */
  disks: DescriptionDisk[];
}

export interface DescriptionReading {
  /** Absent when the text is not a well-formed `domain` document at all. */
  description?: ReadDescription;
  /** What is wrong, one sentence each, without the member's name in front. */
  problems: string[];
}

/** Element content as fast-xml-parser gives it with the options below. */
interface XmlElement {
  '#text'?: string;
  '@'?: Record<string, string>;
  [child: string]: XmlElement[] | string | Record<string, string> | undefined;
}

const TARGETS = Array.from({ length: MAX_PACKAGE_DISKS }, (_, index) => ideTargetName(index));
const UUID = /^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{32})$/i;

// Every element becomes an array, so a repeated element is seen as repeated
// instead of one silently replacing the other; values stay strings, so a
// name like "007" is not turned into the number 7.
const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  attributesGroupName: '@',
  parseTagValue: false,
  parseAttributeValue: false,
  alwaysCreateTextNode: true,
  isArray: (name, _path, _leaf, isAttribute) => !isAttribute && name !== '@',
  ignoreDeclaration: true,
  ignorePiTags: true,
  htmlEntities: false,
});

/**
 * Reads description.xml (XVM2.md): a libvirt-style `domain` with a name, a
 * uuid, features and one `devices/disk` per disk. Checks what can be checked
 * from the document alone; whether each source file is a member of the
 * archive is for the caller.
 */
export function readDescription(xml: string): DescriptionReading {
  // A description has no document type; refusing one keeps entity
  // declarations (and their expansion) away from the parser.
  if (/<!DOCTYPE/i.test(xml)) return { problems: ['has a DOCTYPE declaration; a description holds none, and its entities are not read'] };
  // fast-xml-parser lets these through; XML 1.0 forbids them, and stricter
  // parsers (libxml2, Python's) refuse the whole document.
  // eslint-disable-next-line no-control-regex
  const forbidden = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.exec(xml);
  if (forbidden) {
    const line = xml.slice(0, forbidden.index).split('\n').length;
    return { problems: [`not well-formed XML: character U+${forbidden[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')} is not allowed in XML (line ${line})`] };
  }
  const validation = XMLValidator.validate(xml);
  if (validation !== true) {
    const { msg, line, col } = validation.err;
    const where = col === undefined ? `line ${line}` : `line ${line}, column ${col}`;
    return { problems: [`not well-formed XML: ${msg.replace(/\.$/, '')} (${where})`] };
  }
  let document: Record<string, XmlElement[]>;
  try {
    document = parser.parse(xml) as Record<string, XmlElement[]>;
  } catch (error) {
    // fast-xml-parser refuses names such as __proto__ by throwing.
    return { problems: [`cannot be read: ${(error as Error).message}`] };
  }
  const roots = Object.keys(document);
  if (roots.length !== 1 || roots[0] !== 'domain' || document.domain?.length !== 1) {
    const found = roots.length === 0 ? 'no element' : roots.map((root) => `<${root}>`).join(', ');
    return { problems: [`the root element must be one <domain>, found ${found}`] };
  }
  const domain = document.domain[0]!;
  const problems: string[] = [];
  const name = singleText(domain, 'name', 'domain', problems);
  const uuid = singleText(domain, 'uuid', 'domain', problems);
  if (uuid && !UUID.test(uuid)) problems.push(`<uuid> "${uuid}" is not a UUID`);
  return {
    description: { name, uuid, features: readFeatures(domain, problems), disks: readDisks(domain, problems) },
    problems,
  };
}

function children(element: XmlElement, name: string): XmlElement[] {
  const value = Object.hasOwn(element, name) ? element[name] : undefined;
  return Array.isArray(value) ? value : [];
}

function attribute(element: XmlElement, name: string): string | undefined {
  const attributes = element['@'];
  return attributes && Object.hasOwn(attributes, name) ? attributes[name] : undefined;
}

/** The text of the one `name` child; '' (and a problem) when there is none, several, or it is empty. */
function singleText(parent: XmlElement, name: string, parentName: string, problems: string[]): string {
  const found = children(parent, name);
  if (found.length !== 1) {
    problems.push(found.length === 0 ? `<${parentName}> has no <${name}>` : `<${parentName}> has ${found.length} <${name}> elements; it must have one`);
    return '';
  }
  const text = (found[0]!['#text'] ?? '').trim();
  if (text === '') problems.push(`<${name}> is empty`);
  return text;
}

function readFeatures(domain: XmlElement, problems: string[]): MachineFeatures {
  const features = children(domain, 'features');
  if (features.length > 1) problems.push(`<domain> has ${features.length} <features> elements; it may have one`);
  const present = (feature: string) => features.some((element) => children(element, feature).length > 0);
  return { pae: present('pae'), acpi: present('acpi'), apic: present('apic') };
}

function readDisks(domain: XmlElement, problems: string[]): DescriptionDisk[] {
  const devices = children(domain, 'devices');
  if (devices.length !== 1) {
    problems.push(devices.length === 0 ? '<domain> has no <devices>, so the machine has no disk' : `<domain> has ${devices.length} <devices> elements; it must have one`);
    if (devices.length === 0) return [];
  }
  const elements = devices.flatMap((element) => children(element, 'disk'));
  if (elements.length === 0) problems.push('<devices> has no <disk>; a package needs at least one');
  if (elements.length > MAX_PACKAGE_DISKS) problems.push(`<devices> has ${elements.length} disks; IDE takes at most ${MAX_PACKAGE_DISKS} (hda to hdd)`);
  const disks = elements.map((element, index) => readDisk(element, index + 1, problems));
  reportDuplicates(disks.map((disk) => disk.sourceFile), (file, count) => `${count} disks name the same source file "${file}"`, problems);
  reportDuplicates(disks.map((disk) => disk.targetDev), (dev, count) => `${count} disks are attached as ${dev}`, problems);
  return disks;
}

function readDisk(element: XmlElement, number: number, problems: string[]): DescriptionDisk {
  const which = `disk ${number}`;
  const device = attribute(element, 'device') ?? 'disk';
  if (device !== 'disk' && device !== 'cdrom') problems.push(`${which}: device "${device}" is neither "disk" nor "cdrom"`);
  const sourceFile = singleAttribute(element, 'source', 'file', which, problems);
  const targetDev = singleAttribute(element, 'target', 'dev', which, problems);
  if (targetDev && !TARGETS.includes(targetDev)) problems.push(`${which}: target "${targetDev}" is not an IDE disk (${TARGETS.join(', ')})`);
  return { device, sourceFile, targetDev };
}

function singleAttribute(element: XmlElement, child: string, name: string, which: string, problems: string[]): string {
  const found = children(element, child);
  if (found.length !== 1) {
    problems.push(found.length === 0 ? `${which}: has no <${child}>` : `${which}: has ${found.length} <${child}> elements; it must have one`);
    return '';
  }
  const value = attribute(found[0]!, name)?.trim() ?? '';
  if (value === '') problems.push(`${which}: <${child}> has no ${name}="..."`);
  return value;
}

function reportDuplicates(values: string[], describe: (value: string, count: number) => string, problems: string[]): void {
  const counts = new Map<string, number>();
  for (const value of values) if (value !== '') counts.set(value, (counts.get(value) ?? 0) + 1);
  for (const [value, count] of counts) if (count > 1) problems.push(describe(value, count));
}
