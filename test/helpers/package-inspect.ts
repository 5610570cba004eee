// Looks inside an XVM2 package with the tools a consumer of it would use:
// the system's tar, gzip/gunzip and md5sum, never spotlint's own reader.
// description.xml is read with fast-xml-parser, the way a consumer reads it.
import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, openSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { tempDir } from './build-image.js';

/** One line of `tar -tvf`. */
export interface ListedMember {
  /** The first letter of the mode column: '-' for a regular file, 'd' for a folder, 'l' for a link ... */
  type: string;
  size: number;
  name: string;
  /** The line as tar printed it, for messages. */
  line: string;
}

/** Member names in archive order, as `tar -tf` prints them. */
export function memberNames(pkg: string): string[] {
  return execFileSync('tar', ['-tf', pkg], { encoding: 'utf8' }).split('\n').filter((line) => line !== '');
}

/** Every member with its type and size, from GNU tar's verbose listing (mode, owner, size, date, time, name). */
export function listMembers(pkg: string): ListedMember[] {
  const lines = execFileSync('tar', ['-tvf', pkg], { encoding: 'utf8' }).split('\n').filter((line) => line !== '');
  return lines.map((line) => {
    const fields = /^(\S)\S*\s+\S+\s+(\d+)\s+\S+\s+\S+\s(.*)$/.exec(line);
    if (!fields) throw new Error(`tar -tvf printed a line this helper cannot read: ${line}`);
    return { type: fields[1]!, size: Number(fields[2]), name: fields[3]!, line };
  });
}

/** The folders extractPackage and gunzipFile made: unpacked disks are large. */
const madeFolders: string[] = [];

function folderFor(prefix: string): string {
  const dir = tempDir(prefix);
  madeFolders.push(dir);
  return dir;
}

/** Removes every folder extractPackage and gunzipFile made so far (for afterAll). */
export function removeInspectionFolders(): void {
  for (const dir of madeFolders.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** `tar -xf` into a fresh folder; returns the folder. */
export function extractPackage(pkg: string): string {
  const dir = folderFor('xvm2-extract');
  execFileSync('tar', ['-xf', pkg, '-C', dir], { stdio: 'pipe' });
  return dir;
}

/** What `gzip -t` says of a file: exit code 0 means a sound gzip stream. */
export function gzipTest(path: string): { code: number | null; output: string } {
  const run = spawnSync('gzip', ['-t', path], { encoding: 'utf8' });
  return { code: run.status, output: `${run.stdout}${run.stderr}` };
}

/** The file `gunzip -c` makes of a .gz file, in a folder of its own; returns its path. */
export function gunzipFile(gz: string): string {
  const out = join(folderFor('xvm2-gunzip'), 'disk');
  const fd = openSync(out, 'w');
  try {
    const run = spawnSync('gunzip', ['-c', gz], { stdio: ['ignore', fd, 'pipe'], encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`gunzip -c ${gz} failed (${run.status}): ${run.stderr}`);
  } finally {
    closeSync(fd);
  }
  return out;
}

/** A file's MD5 as md5sum prints it. */
export function md5sum(path: string): string {
  const line = execFileSync('md5sum', ['-b', path], { encoding: 'utf8' });
  const digest = /^([0-9a-f]{32}) /.exec(line);
  if (!digest) throw new Error(`md5sum printed: ${line}`);
  return digest[1]!;
}

/**
 * How many gzip members follow one another in a file, counted by Python's
 * zlib (the spec promises one member, joined pigz-style). Throws when the
 * stream is not gzip or is cut short.
 */
export function gzipMemberCount(path: string): number {
  const script = [
    'import sys, zlib',
    'data = open(sys.argv[1], "rb").read()',
    'count = 0',
    'while data:',
    '    d = zlib.decompressobj(31)',
    '    while not d.eof:',
    '        out = d.decompress(data, 1 << 20)',
    '        data = d.unconsumed_tail',
    '        if not data and not out: break',
    '    if not d.eof: sys.exit("the gzip stream ends inside a member")',
    '    count += 1',
    '    data = d.unused_data',
    'print(count)',
  ].join('\n');
  return Number(execFileSync('python3', ['-c', script, path], { encoding: 'utf8' }).trim());
}

/** The `.partial` files in a folder (hidden ones included). */
export function partialFilesIn(dir: string): string[] {
  return readdirSync(dir).filter((name) => name.endsWith('.partial'));
}

/** What a consumer reads from description.xml. */
export interface DescribedDomain {
  /** The root element's name (expected: domain). */
  root: string;
  name: string;
  uuid: string;
  osType: string;
  bootDev: string;
  /** The features element's children, in document order. */
  features: string[];
  disks: Array<{ device: string; type: string; source: string; target: string }>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

/** An RFC 4122 UUID in its textual form (a known version, the RFC's variant). */
export function isUuid(text: string): boolean {
  return UUID.test(text);
}

type XmlNode = Record<string, unknown>;

function textOf(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object' && '#text' in value) return String((value as XmlNode)['#text']);
  return '';
}

/** Parses description.xml; throws with the validator's complaint when it is not well-formed XML. */
export function parseDescription(xml: string): DescribedDomain {
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw new Error(`description.xml is not well-formed: ${valid.err.msg} (line ${valid.err.line})`);
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '@_',
    parseTagValue: false,
    parseAttributeValue: false,
    isArray: (name, path) => path === 'domain.devices.disk',
  });
  const document = parser.parse(xml) as XmlNode;
  const roots = Object.keys(document).filter((key) => !key.startsWith('?'));
  if (roots.length !== 1) throw new Error(`description.xml has ${roots.length} root elements: ${roots.join(', ')}`);
  const root = roots[0]!;
  const domain = (document[root] ?? {}) as XmlNode;
  const os = (domain.os ?? {}) as XmlNode;
  const features = domain.features && typeof domain.features === 'object' ? Object.keys(domain.features as XmlNode).filter((key) => !key.startsWith('@_') && key !== '#text') : [];
  const devices = (domain.devices ?? {}) as XmlNode;
  const disks = ((devices.disk ?? []) as XmlNode[]).map((disk) => ({
    device: String(disk['@_device'] ?? ''),
    type: String(disk['@_type'] ?? ''),
    source: String((disk.source as XmlNode | undefined)?.['@_file'] ?? ''),
    target: String((disk.target as XmlNode | undefined)?.['@_dev'] ?? ''),
  }));
  return {
    root,
    name: textOf(domain.name),
    uuid: textOf(domain.uuid),
    osType: textOf(os.type),
    bootDev: String((os.boot as XmlNode | undefined)?.['@_dev'] ?? ''),
    features,
    disks,
  };
}

/** A package unpacked with tar: the folder, the members in order, description.xml parsed and manifest.txt's text. */
export interface UnpackedPackage {
  dir: string;
  names: string[];
  members: ListedMember[];
  description: DescribedDomain;
  manifest: string;
}

export function unpackPackage(pkg: string): UnpackedPackage {
  const dir = extractPackage(pkg);
  return {
    dir,
    names: memberNames(pkg),
    members: listMembers(pkg),
    description: parseDescription(readFileSync(join(dir, 'description.xml'), 'utf8')),
    manifest: readFileSync(join(dir, 'manifest.txt'), 'utf8'),
  };
}
