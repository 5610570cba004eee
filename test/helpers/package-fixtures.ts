// XVM2 packages for tests, made with the system's tools (gzip, md5sum, GNU
// tar, and Python's tarfile for what GNU tar refuses to write, such as an
// absolute member name), never with spotlint's own writer: a package the
// verifier accepts must be one the real tools made.
import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, openSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './build-image.js';

export interface StagedDisk {
  /** e.g. `hd0.img.gz` */
  member: string;
  /** e.g. `hd0.img`: the manifest's name */
  imageName: string;
  size: number;
  md5: string;
}

export interface StagedPackage {
  /** The folder holding every member's file. */
  dir: string;
  /** In XVM2 order: description.xml, manifest.txt, the disks. */
  members: string[];
  disks: StagedDisk[];
}

/** description.xml as XVM2.md describes it, written by hand (not by spotlint's renderer). */
export function descriptionXml(name: string, disks: readonly string[], uuid = '0b7a1e2c-5d4f-4a3b-9c8d-7e6f5a4b3c2d'): string {
  const diskElements = disks.map((member, index) => [
    '    <disk device="disk" type="file">',
    `      <source file="${member}"/>`,
    `      <target dev="hd${String.fromCharCode('a'.charCodeAt(0) + index)}"/>`,
    '    </disk>',
  ].join('\n'));
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<domain>',
    `  <name>${name}</name>`,
    `  <uuid>${uuid}</uuid>`,
    '  <os>',
    '    <type>hvm</type>',
    '    <boot dev="hd"/>',
    '  </os>',
    '  <features>',
    '    <pae/>',
    '    <acpi/>',
    '    <apic/>',
    '  </features>',
    '  <devices>',
    ...diskElements,
    '  </devices>',
    '</domain>',
    '',
  ].join('\n');
}

/** gzip -1 of `source` into `destination`, streamed by the shell (images may be large). */
export function gzipFile(source: string, destination: string): void {
  const out = openSync(destination, 'w');
  try {
    const result = spawnSync('gzip', ['-1', '-c', source], { stdio: ['ignore', out, 'pipe'] });
    if (result.status !== 0) throw new Error(`gzip ${source}: ${result.stderr}`);
  } finally {
    closeSync(out);
  }
}

/** A gzip stream of several members, one per part of `source` (as pigz-like tools or `cat a.gz b.gz` make). */
export function gzipInParts(source: string, destination: string, parts: number): void {
  const bytes = readFileSync(source);
  const size = Math.ceil(bytes.length / parts);
  const members: Buffer[] = [];
  for (let start = 0; start < bytes.length; start += size) {
    members.push(execFileSync('gzip', ['-1', '-c'], { input: bytes.subarray(start, start + size) }));
  }
  writeFileSync(destination, Buffer.concat(members));
}

export function md5File(path: string): string {
  return execFileSync('md5sum', ['-b', path], { encoding: 'utf8' }).split(' ')[0]!;
}

/** A disk image of `size` bytes: random data, or zeros (sparse, made by truncate). */
export function makeDiskFile(size: number, content: 'random' | 'zeros' = 'random'): string {
  const path = join(tempDir('pkg-disk'), 'disk.img');
  if (content === 'zeros') {
    writeFileSync(path, '');
    truncateSync(path, size);
  } else {
    const out = openSync(path, 'w');
    try {
      execFileSync('head', ['-c', String(size), '/dev/urandom'], { stdio: ['ignore', out, 'pipe'] });
    } finally {
      closeSync(out);
    }
  }
  return path;
}

/**
 * The members of a well-formed package for `images` (raw, named
 * hd<N>.img.gz), in a fresh folder: description.xml written by hand,
 * manifest.txt with sizes from stat and MD5s from md5sum, disks by gzip -1.
 */
export function stagePackage(images: readonly string[], name = 'Fixture appliance'): StagedPackage {
  const dir = tempDir('pkg-stage');
  const disks = images.map((image, index): StagedDisk => {
    const imageName = `hd${index}.img`;
    gzipFile(image, join(dir, `${imageName}.gz`));
    return { member: `${imageName}.gz`, imageName, size: statSync(image).size, md5: md5File(image) };
  });
  writeFileSync(join(dir, 'description.xml'), descriptionXml(name, disks.map((disk) => disk.member)));
  writeManifest(dir, disks);
  return { dir, members: ['description.xml', 'manifest.txt', ...disks.map((disk) => disk.member)], disks };
}

export function writeManifest(dir: string, disks: ReadonlyArray<Pick<StagedDisk, 'imageName' | 'size' | 'md5'>>): void {
  writeFileSync(join(dir, 'manifest.txt'), disks.map((disk) => `${disk.imageName} ${disk.size} ${disk.md5}\n`).join(''));
}

/** `tar -cf` by GNU tar of `members` (files in `dir`), in that order. */
export function tarWithGnuTar(dir: string, members: readonly string[], output = join(tempDir('pkg'), 'package.xvm2')): string {
  execFileSync('tar', ['--format=gnu', '-cf', output, '-C', dir, '--', ...members], { stdio: 'pipe' });
  return output;
}

export type RawMemberType = 'file' | 'directory' | 'symlink' | 'hardlink' | 'fifo';

export interface RawMember {
  /** Stored exactly as given: Python's tarfile writes `/etc/evil` and `../evil` as they are. */
  name: string;
  type?: RawMemberType;
  /** A file's data: a path to read it from. */
  source?: string;
  /** A file's data given inline. */
  text?: string;
  /** The target of a link. */
  linkname?: string;
}

const PYTHON_TAR = `
import io, json, sys, tarfile
spec = json.load(sys.stdin)
kinds = {'file': tarfile.REGTYPE, 'directory': tarfile.DIRTYPE, 'symlink': tarfile.SYMTYPE, 'hardlink': tarfile.LNKTYPE, 'fifo': tarfile.FIFOTYPE}
with tarfile.open(spec['output'], 'w', format=tarfile.PAX_FORMAT if spec['pax'] else tarfile.GNU_FORMAT) as archive:
    for member in spec['members']:
        info = tarfile.TarInfo(member['name'])
        info.type = kinds[member.get('type', 'file')]
        info.mode = 0o755 if info.type == tarfile.DIRTYPE else 0o644
        info.linkname = member.get('linkname', '')
        data = None
        if info.type == tarfile.REGTYPE:
            data = open(member['source'], 'rb').read() if 'source' in member else member.get('text', '').encode()
            info.size = len(data)
        archive.addfile(info, io.BytesIO(data) if data is not None else None)
`;

/** A tar written by Python's tarfile, member by member, names kept as given (GNU format, or PAX). */
export function tarWithPython(members: readonly RawMember[], options: { pax?: boolean; output?: string } = {}): string {
  const output = options.output ?? join(tempDir('pkg'), 'package.xvm2');
  execFileSync('python3', ['-c', PYTHON_TAR], { input: JSON.stringify({ output, pax: options.pax ?? false, members }), stdio: ['pipe', 'pipe', 'pipe'] });
  return output;
}

/** The staged package's members as RawMembers, for building a variant with tarWithPython. */
export function stagedMembers(staged: StagedPackage): RawMember[] {
  return staged.members.map((name) => ({ name, source: join(staged.dir, name) }));
}

/** Cuts a file to its first `size` bytes. */
export function cutFile(path: string, size: number): void {
  truncateSync(path, size);
}

/** `head -c SIZE /dev/zero | gzip -1 > destination`: a small file that decompresses to `size` bytes. */
export function gzipOfZeros(size: number, destination: string): void {
  execFileSync('sh', ['-c', 'head -c "$1" /dev/zero | gzip -1 > "$2"', 'sh', String(size), destination]);
}
