import { create } from 'xmlbuilder2';
import { ideTargetName } from './member-names.js';

/** The yes/no machine features the reference packager asks about; all default to yes. */
export interface MachineFeatures {
  pae: boolean;
  acpi: boolean;
  apic: boolean;
}

export interface DescribedDisk {
  /** The member inside the tar, e.g. `hd0.img.gz`. */
  member: string;
  device: 'disk' | 'cdrom';
}

export interface PackageDescription {
  /** Shown in the marketplace. */
  name: string;
  uuid: string;
  features: MachineFeatures;
  /** In the order given; the first is the boot disk. */
  disks: readonly DescribedDisk[];
}

/**
 * description.xml: the libvirt-style domain document XVM2.md describes
 * (name, uuid, os/type hvm, boot from the first hard disk, features, one
 * IDE disk per member). Consumers rewrite name, uuid and source paths, so
 * nothing else is put in.
 */
export function renderDescriptionXml(description: PackageDescription): string {
  const domain = create({ version: '1.0', encoding: 'UTF-8' }).ele('domain');
  domain.ele('name').txt(description.name);
  domain.ele('uuid').txt(description.uuid);
  const os = domain.ele('os');
  os.ele('type').txt('hvm');
  os.ele('boot', { dev: 'hd' });
  const features = domain.ele('features');
  for (const feature of ['pae', 'acpi', 'apic'] as const) {
    if (description.features[feature]) features.ele(feature);
  }
  const devices = domain.ele('devices');
  description.disks.forEach((disk, index) => {
    const element = devices.ele('disk', { device: disk.device, type: 'file' });
    element.ele('source', { file: disk.member });
    element.ele('target', { dev: ideTargetName(index) });
  });
  return `${domain.end({ prettyPrint: true })}\n`;
}
