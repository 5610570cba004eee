import { describe, expect, it } from 'vitest';
import { DETECTION_HEADER_BYTES, detectFormat } from '../../src/inspect/image/detect-format.js';

/** A head buffer of DETECTION_HEADER_BYTES zeros with `bytes` written at `offset`. */
function headWith(offset: number, bytes: string | Buffer | number[]): Buffer {
  const head = Buffer.alloc(DETECTION_HEADER_BYTES);
  const data = typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : Buffer.from(bytes);
  data.copy(head, offset);
  return head;
}

const emptyTail = Buffer.alloc(512);

describe('detectFormat', () => {
  it('reads 34 KiB of header, enough to see the ISO 9660 descriptor at 0x8001', () => {
    expect(DETECTION_HEADER_BYTES).toBe(34 * 1024);
    expect(DETECTION_HEADER_BYTES).toBeGreaterThan(0x8001 + 5);
  });

  it('recognises the QCOW2 magic QFI\\xfb', () => {
    expect(detectFormat(headWith(0, [0x51, 0x46, 0x49, 0xfb, 0, 0, 0, 3]), emptyTail)).toEqual({ kind: 'qcow2' });
  });

  it('does not take a near-miss of the QCOW2 magic for QCOW2', () => {
    expect(detectFormat(headWith(0, 'QFI\xfa'), emptyTail)).toEqual({ kind: 'raw' });
  });

  it('recognises a VirtualBox VDI by its u32 LE signature at 0x40', () => {
    const head = Buffer.alloc(DETECTION_HEADER_BYTES);
    head.write('<<< Oracle VM VirtualBox Disk Image >>>\n', 0, 'latin1');
    head.writeUInt32LE(0xbeda107f, 0x40);
    const result = detectFormat(head, emptyTail);
    expect(result).toMatchObject({ kind: 'unsupported', name: 'a VirtualBox VDI image' });
    expect(result.kind === 'unsupported' && result.advice).toContain('VBoxManage internalcommands converttoraw');
    expect(result.kind === 'unsupported' && result.advice).toContain('qemu-img convert -f vdi -O raw');
  });

  it('does not read the VDI signature big-endian', () => {
    const head = Buffer.alloc(DETECTION_HEADER_BYTES);
    head.writeUInt32BE(0xbeda107f, 0x40);
    expect(detectFormat(head, emptyTail)).toEqual({ kind: 'raw' });
  });

  it.each([
    ['KDMV sparse extent', 'KDMV'],
    ['text descriptor', '# Disk DescriptorFile\nversion=1\n'],
    ['COWD (ESX) sparse extent', 'COWD'],
  ])('recognises a VMware VMDK (%s)', (_, magic) => {
    expect(detectFormat(headWith(0, magic), emptyTail)).toEqual({
      kind: 'unsupported',
      name: 'a VMware VMDK image',
      advice: 'convert it to raw first: qemu-img convert -f vmdk -O raw IMAGE d0.img',
    });
  });

  it('recognises a Hyper-V VHDX', () => {
    expect(detectFormat(headWith(0, 'vhdxfile'), emptyTail)).toEqual({
      kind: 'unsupported',
      name: 'a Hyper-V VHDX image',
      advice: 'convert it to raw first: qemu-img convert -f vhdx -O raw IMAGE d0.img',
    });
  });

  it('recognises a dynamic VHD by the footer copy at its start', () => {
    expect(detectFormat(headWith(0, 'conectix'), emptyTail)).toEqual({
      kind: 'unsupported',
      name: 'a Virtual PC/Hyper-V VHD image',
      advice: 'convert it to raw first: qemu-img convert -f vpc -O raw IMAGE d0.img',
    });
  });

  it('recognises a fixed VHD by the footer in the last 512 bytes', () => {
    // A fixed VHD is a raw disk followed by a footer: the head looks like an MBR.
    const head = Buffer.alloc(DETECTION_HEADER_BYTES);
    head.writeUInt16LE(0xaa55, 510);
    const tail = Buffer.alloc(512);
    tail.write('conectix', 0, 'latin1');
    const result = detectFormat(head, tail);
    expect(result).toMatchObject({ kind: 'unsupported', name: 'a Virtual PC/Hyper-V VHD image' });
    expect(result.kind === 'unsupported' && result.advice).toContain('qemu-img convert -f vpc');
  });

  it('ignores "conectix" elsewhere in the tail than its first bytes', () => {
    const tail = Buffer.alloc(512);
    tail.write('conectix', 8, 'latin1');
    expect(detectFormat(Buffer.alloc(DETECTION_HEADER_BYTES), tail)).toEqual({ kind: 'raw' });
  });

  it('recognises an ISO 9660 image by CD001 at 0x8001 and suggests installing from it', () => {
    const result = detectFormat(headWith(0x8000, '\x01CD001\x01'), emptyTail);
    expect(result).toMatchObject({ kind: 'unsupported', name: 'an ISO 9660 CD/DVD image' });
    expect(result.kind === 'unsupported' && result.advice).toMatch(/^install the operating system from it in a VM/);
    expect(result.kind === 'unsupported' && result.advice).toContain('VBoxManage internalcommands converttoraw');
  });

  it('does not see CD001 at 0x8001 in a head shorter than that', () => {
    const head = Buffer.alloc(0x8003);
    head.write('CD', 0x8001, 'latin1');
    expect(detectFormat(head, emptyTail)).toEqual({ kind: 'raw' });
  });

  it.each([
    ['gzip', [0x1f, 0x8b, 0x08], 'a gzip-compressed file', 'decompress it first: gunzip -k FILE'],
    ['xz', [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], 'an xz-compressed file', 'decompress it first: unxz -k FILE'],
    ['bzip2', [...Buffer.from('BZh9')], 'a bzip2-compressed file', 'decompress it first: bunzip2 -k FILE'],
    ['zip', [0x50, 0x4b, 0x03, 0x04], 'a zip archive', 'extract the disk image from it first: unzip FILE'],
  ])('recognises %s and names the command that unpacks it', (_, magic, name, advice) => {
    expect(detectFormat(headWith(0, magic), emptyTail)).toEqual({ kind: 'unsupported', name, advice });
  });

  it('recognises a tar archive (ustar at 257) and says to extract the image', () => {
    const head = headWith(257, 'ustar\x0000');
    head.write('hd0.img.gz', 0, 'latin1');
    const result = detectFormat(head, emptyTail);
    expect(result).toMatchObject({ kind: 'unsupported', name: 'a tar archive (an XVM2 package is one)' });
    expect(result.kind === 'unsupported' && result.advice).toContain('tar -xf FILE');
  });

  it('does not take an xz magic missing its last byte for xz', () => {
    expect(detectFormat(headWith(0, [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x01]), emptyTail)).toEqual({ kind: 'raw' });
  });

  it('treats an MBR disk, all zeros, and an empty file as raw', () => {
    const mbr = Buffer.alloc(DETECTION_HEADER_BYTES);
    mbr[0x1be + 4] = 0x83;
    mbr.writeUInt32LE(2048, 0x1be + 8);
    mbr.writeUInt32LE(4096, 0x1be + 12);
    mbr.writeUInt16LE(0xaa55, 510);
    expect(detectFormat(mbr, emptyTail)).toEqual({ kind: 'raw' });
    expect(detectFormat(Buffer.alloc(DETECTION_HEADER_BYTES), emptyTail)).toEqual({ kind: 'raw' });
    expect(detectFormat(Buffer.alloc(0), Buffer.alloc(0))).toEqual({ kind: 'raw' });
  });

  it('handles a head shorter than a magic without reading past it', () => {
    expect(detectFormat(Buffer.from([0x51, 0x46]), Buffer.alloc(0))).toEqual({ kind: 'raw' });
    expect(detectFormat(Buffer.from('vhdx', 'latin1'), Buffer.alloc(0))).toEqual({ kind: 'raw' });
  });

  it('checks QCOW2 before the VHD tail (a QCOW2 file whose last sector says conectix is still QCOW2)', () => {
    const tail = Buffer.alloc(512);
    tail.write('conectix', 0, 'latin1');
    expect(detectFormat(headWith(0, [0x51, 0x46, 0x49, 0xfb]), tail)).toEqual({ kind: 'qcow2' });
  });
});
