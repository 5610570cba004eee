import { describe, expect, it } from 'vitest';
import { renderDescriptionXml } from '../../src/package/description-xml.js';
import { readDescription } from '../../src/package/read-description.js';
import { descriptionXml } from '../helpers/package-fixtures.js';

const UUID = '0b7a1e2c-5d4f-4a3b-9c8d-7e6f5a4b3c2d';

/** A domain document around `inner`, for the cases that need only part of one. */
function domain(inner: string): string {
  return `<?xml version="1.0"?>\n<domain>\n${inner}\n</domain>\n`;
}

const DISK_A = '<devices><disk device="disk" type="file"><source file="hd0.img.gz"/><target dev="hda"/></disk></devices>';

describe('readDescription', () => {
  it('reads the document XVM2.md describes', () => {
    const reading = readDescription(descriptionXml('LAMP appliance', ['hd0.img.gz', 'hd1.qcow2.gz'], UUID));
    expect(reading.problems).toEqual([]);
    expect(reading.description).toEqual({
      name: 'LAMP appliance',
      uuid: UUID,
      features: { pae: true, acpi: true, apic: true },
      disks: [
        { device: 'disk', sourceFile: 'hd0.img.gz', targetDev: 'hda' },
        { device: 'disk', sourceFile: 'hd1.qcow2.gz', targetDev: 'hdb' },
      ],
    });
  });

  it('reads what the packager writes, features and escaped names included', () => {
    const xml = renderDescriptionXml({
      name: 'Tom & Jerry <beta> "007"',
      uuid: UUID,
      features: { pae: false, acpi: true, apic: false },
      disks: [{ member: 'hd0.img.gz', device: 'disk' }, { member: 'hd1.img.gz', device: 'cdrom' }],
    });
    const reading = readDescription(xml);
    expect(reading.problems).toEqual([]);
    expect(reading.description).toEqual({
      name: 'Tom & Jerry <beta> "007"',
      uuid: UUID,
      features: { pae: false, acpi: true, apic: false },
      disks: [
        { device: 'disk', sourceFile: 'hd0.img.gz', targetDev: 'hda' },
        { device: 'cdrom', sourceFile: 'hd1.img.gz', targetDev: 'hdb' },
      ],
    });
  });

  it('keeps a numeric name as written', () => {
    expect(readDescription(domain(`<name>007</name><uuid>${UUID}</uuid>${DISK_A}`)).description?.name).toBe('007');
  });

  it('says where XML is not well-formed', () => {
    expect(readDescription('<domain><name>x</domain>')).toEqual({
      problems: [expect.stringMatching(/^not well-formed XML: .*closing tag.* \(line 1, column \d+\)$/)],
    });
    expect(readDescription('this is not XML').problems).toEqual([expect.stringMatching(/^not well-formed XML: /)]);
    expect(readDescription('').problems).toEqual([expect.stringMatching(/^not well-formed XML: /)]);
  });

  it('refuses characters XML 1.0 forbids, which stricter parsers reject', () => {
    const xml = '<domain><name>x\uffffy</name><uuid>00000000-0000-4000-8000-000000000000</uuid></domain>';
    expect(readDescription(xml).problems).toEqual(['not well-formed XML: character U+FFFF is not allowed in XML (line 1)']);
    expect(readDescription('<domain>\n<name>a\u0001</name></domain>').problems[0]).toMatch(/U\+0001 .*line 2/);
  });

  it('wants one <domain> as the root', () => {
    expect(readDescription('<machine><name>x</name></machine>')).toEqual({ problems: ['the root element must be one <domain>, found <machine>'] });
    expect(readDescription('<domain/><domain/>').problems).toEqual(['the root element must be one <domain>, found <domain>']);
    expect(readDescription('<domain/><extra/>').problems).toEqual(['the root element must be one <domain>, found <domain>, <extra>']);
  });

  it('refuses a DOCTYPE, so no entity is ever expanded', () => {
    const laughs = '<?xml version="1.0"?><!DOCTYPE domain [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><domain><name>&b;</name></domain>';
    expect(readDescription(laughs)).toEqual({ problems: ['has a DOCTYPE declaration; a description holds none, and its entities are not read'] });
  });

  it('lists a missing, repeated or empty name and uuid', () => {
    expect(readDescription(domain(DISK_A)).problems).toEqual(['<domain> has no <name>', '<domain> has no <uuid>']);
    expect(readDescription(domain(`<name>a</name><name>b</name><uuid> </uuid>${DISK_A}`)).problems).toEqual([
      '<domain> has 2 <name> elements; it must have one',
      '<uuid> is empty',
    ]);
    expect(readDescription(domain(`<name>a</name><uuid>not-a-uuid</uuid>${DISK_A}`)).problems).toEqual(['<uuid> "not-a-uuid" is not a UUID']);
  });

  it('accepts libvirt\'s UUID without dashes', () => {
    expect(readDescription(domain(`<name>a</name><uuid>${UUID.replaceAll('-', '')}</uuid>${DISK_A}`)).problems).toEqual([]);
  });

  it('checks every disk: device, source file, IDE target, duplicates', () => {
    const disks = [
      '<disk device="floppy"><source file="hd0.img.gz"/><target dev="hda"/></disk>',
      '<disk><target dev="sda"/></disk>',
      '<disk><source/><source file="x"/><target dev="hda"/></disk>',
      '<disk><source file="hd0.img.gz"/><target dev="hdc"/></disk>',
    ].join('');
    const reading = readDescription(domain(`<name>a</name><uuid>${UUID}</uuid><devices>${disks}</devices>`));
    expect(reading.problems).toEqual([
      'disk 1: device "floppy" is neither "disk" nor "cdrom"',
      'disk 2: has no <source>',
      'disk 2: target "sda" is not an IDE disk (hda, hdb, hdc, hdd)',
      'disk 3: has 2 <source> elements; it must have one',
      '2 disks name the same source file "hd0.img.gz"',
      '2 disks are attached as hda',
    ]);
    expect(reading.description?.disks.map((disk) => disk.sourceFile)).toEqual(['hd0.img.gz', '', '', 'hd0.img.gz']);
  });

  it('wants between one and four disks', () => {
    expect(readDescription(domain(`<name>a</name><uuid>${UUID}</uuid>`)).problems).toEqual(['<domain> has no <devices>, so the machine has no disk']);
    expect(readDescription(domain(`<name>a</name><uuid>${UUID}</uuid><devices/>`)).problems).toEqual(['<devices> has no <disk>; a package needs at least one']);
    const five = descriptionXml('a', ['hd0.img.gz', 'hd1.img.gz', 'hd2.img.gz', 'hd3.img.gz', 'hd4.img.gz']);
    expect(readDescription(five).problems).toEqual([
      '<devices> has 5 disks; IDE takes at most 4 (hda to hdd)',
      'disk 5: target "hde" is not an IDE disk (hda, hdb, hdc, hdd)',
    ]);
  });

  it('reports a name the parser refuses instead of throwing', () => {
    expect(readDescription(domain('<__proto__>x</__proto__>')).problems).toEqual([expect.stringMatching(/^cannot be read: .*__proto__/)]);
  });
});
