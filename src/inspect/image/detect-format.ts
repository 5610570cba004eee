/**
 * What kind of file an image is, from its content alone (never its name).
 * Formats spotlint cannot read get a message that says what the file is and
 * the command that turns it into something spotlint and SpotCloud accept.
 */
export type DetectedFormat =
  | { kind: 'raw' }
  | { kind: 'qcow2' }
  | { kind: 'unsupported'; name: string; advice: string };

/** Bytes a caller should read from the start of the file for detection. */
export const DETECTION_HEADER_BYTES = 34 * 1024;

const QCOW2_MAGIC = Buffer.from([0x51, 0x46, 0x49, 0xfb]);
const VDI_SIGNATURE_OFFSET = 0x40;
const VDI_SIGNATURE = 0xbeda107f;
const ISO9660_DESCRIPTOR_OFFSET = 0x8001;

const convertWithQemuImg = (from: string) =>
  `convert it to raw first: qemu-img convert -f ${from} -O raw IMAGE d0.img`;

/**
 * @param head the first DETECTION_HEADER_BYTES of the file (or all of it)
 * @param tail the last 512 bytes of the file (VHD keeps its footer there)
 */
export function detectFormat(head: Buffer, tail: Buffer): DetectedFormat {
  const startsWith = (text: string | Buffer, offset = 0) => {
    const bytes = typeof text === 'string' ? Buffer.from(text, 'latin1') : text;
    return head.length >= offset + bytes.length && head.subarray(offset, offset + bytes.length).equals(bytes);
  };

  if (startsWith(QCOW2_MAGIC)) return { kind: 'qcow2' };
  if (head.length >= VDI_SIGNATURE_OFFSET + 4 && head.readUInt32LE(VDI_SIGNATURE_OFFSET) === VDI_SIGNATURE) {
    return {
      kind: 'unsupported',
      name: 'a VirtualBox VDI image',
      advice: 'convert it to raw first: VBoxManage internalcommands converttoraw IMAGE.vdi d0.img (or qemu-img convert -f vdi -O raw IMAGE.vdi d0.img)',
    };
  }
  if (startsWith('KDMV') || startsWith('# Disk DescriptorFile') || startsWith('COWD')) {
    return { kind: 'unsupported', name: 'a VMware VMDK image', advice: convertWithQemuImg('vmdk') };
  }
  if (startsWith('vhdxfile')) {
    return { kind: 'unsupported', name: 'a Hyper-V VHDX image', advice: convertWithQemuImg('vhdx') };
  }
  if (startsWith('conectix') || tail.subarray(0, 8).toString('latin1') === 'conectix') {
    return { kind: 'unsupported', name: 'a Virtual PC/Hyper-V VHD image', advice: convertWithQemuImg('vpc') };
  }
  if (startsWith('CD001', ISO9660_DESCRIPTOR_OFFSET)) {
    return {
      kind: 'unsupported',
      name: 'an ISO 9660 CD/DVD image',
      advice: 'install the operating system from it in a VM, then export that VM\'s disk (VBoxManage internalcommands converttoraw DISK.vdi d0.img)',
    };
  }
  if (startsWith(Buffer.from([0x1f, 0x8b]))) {
    return { kind: 'unsupported', name: 'a gzip-compressed file', advice: 'decompress it first: gunzip -k FILE' };
  }
  if (startsWith(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]))) {
    return { kind: 'unsupported', name: 'an xz-compressed file', advice: 'decompress it first: unxz -k FILE' };
  }
  if (startsWith('BZh')) {
    return { kind: 'unsupported', name: 'a bzip2-compressed file', advice: 'decompress it first: bunzip2 -k FILE' };
  }
  if (startsWith('PK\x03\x04')) {
    return { kind: 'unsupported', name: 'a zip archive', advice: 'extract the disk image from it first: unzip FILE' };
  }
  if (startsWith('ustar', 257)) {
    return {
      kind: 'unsupported',
      name: 'a tar archive (an XVM2 package is one)',
      advice: 'spotlint checks disk images: extract the image from the archive first (tar -xf FILE, then gunzip hd0.img.gz)',
    };
  }
  return { kind: 'raw' };
}
