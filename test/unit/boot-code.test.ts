// Boot code identification on the real first stages Debian 12 ships, as the
// installers write them into a sector with a partition table behind them.
import { describe, expect, it } from 'vitest';
import { BOOT_CODE_BYTES, chainLoadsActivePartition, identifyBootCode } from '../../src/inspect/boot/boot-code.js';
import { distroFile } from '../helpers/guest-styles/distro-file.js';

const BOOT_IMG = distroFile('grub-pc-bin', 'usr/lib/grub/i386-pc/boot.img');
const SYSLINUX_MBR = distroFile('syslinux-common', 'usr/lib/syslinux/mbr/mbr.bin');

/** A sector as an installer leaves it: `code` in bytes 0..439, a disk signature, one partition entry, 0x55AA. */
function mbrSector(code: Buffer): Buffer {
  const sector = Buffer.alloc(512);
  code.copy(sector, 0, 0, Math.min(code.length, BOOT_CODE_BYTES));
  sector.writeUInt32LE(0x5107c0de, 0x1b8);
  sector.set([0x80, 0x20, 0x21, 0x00, 0x83], 0x1be);
  sector.writeUInt32LE(2048, 0x1be + 8);
  sector.writeUInt32LE(16384, 0x1be + 12);
  sector.writeUInt16LE(0xaa55, 510);
  return sector;
}

describe('identifyBootCode', () => {
  it('names GRUB 2 boot.img and reads the sector it loads core.img from', () => {
    expect(identifyBootCode(mbrSector(BOOT_IMG))).toEqual({ kind: 'grub2', name: 'GRUB 2 boot.img', coreSector: 1 });
    const onGpt = mbrSector(BOOT_IMG);
    onGpt.writeBigUInt64LE(34n, 0x5c);
    expect(identifyBootCode(onGpt).coreSector).toBe(34);
  });

  it('keeps naming boot.img when grub-install copied a BPB into it', () => {
    const withBpb = mbrSector(BOOT_IMG);
    withBpb.write('mkfs.fat', 3, 'latin1');
    withBpb.writeUInt16LE(512, 0x0b);
    expect(identifyBootCode(withBpb).kind).toBe('grub2');
  });

  it('tells GRUB Legacy stage1 from GRUB 2 by its jump and version bytes', () => {
    // Hand-made from stage1.h's layout (no reachable package ships GRUB Legacy):
    // GRUB 2's messages, which it inherited, behind GRUB Legacy's header.
    const legacy = mbrSector(BOOT_IMG);
    legacy.set([0xeb, 0x48, 0x90], 0);
    legacy.set([3, 2], 0x3e);
    expect(identifyBootCode(legacy)).toEqual({ kind: 'grub-legacy', name: 'GRUB Legacy stage1' });
  });

  it('names SYSLINUX mbr.bin, which chain-loads the active partition', () => {
    const code = identifyBootCode(mbrSector(SYSLINUX_MBR));
    expect(code).toEqual({ kind: 'syslinux', name: 'SYSLINUX mbr.bin' });
    expect(chainLoadsActivePartition(code.kind)).toBe(true);
    expect(chainLoadsActivePartition('grub2')).toBe(false);
  });

  it('calls an all-zero boot code area none, whatever the partition table holds', () => {
    expect(identifyBootCode(mbrSector(Buffer.alloc(0))).kind).toBe('zero');
  });

  it('looks only at the 440 code bytes: a table that happens to hold GRUB\'s words does not count', () => {
    const sector = mbrSector(Buffer.alloc(0));
    sector.write('Geom\0Hard Disk\0Read\0 Error', 440, 'latin1');
    expect(identifyBootCode(sector).kind).toBe('zero');
  });

  it('names DOS/Windows MBRs and LILO by their messages, and leaves other code unknown', () => {
    // Hand-written: no reachable package ships a Windows MBR or LILO's first stage.
    const dos = Buffer.alloc(440, 0x90);
    dos.write('Invalid partition table\0Error loading operating system\0Missing operating system', 0x163, 'latin1');
    expect(identifyBootCode(mbrSector(dos)).kind).toBe('windows');
    const lilo = Buffer.alloc(440, 0x90);
    lilo.write('LILO', 6, 'latin1');
    expect(identifyBootCode(mbrSector(lilo)).kind).toBe('lilo');
    expect(identifyBootCode(mbrSector(Buffer.alloc(440, 0x90)))).toMatchObject({ kind: 'unknown' });
  });

  it('does not take the other boot loaders for SYSLINUX on one shared message', () => {
    const dosLike = Buffer.alloc(440, 0x90);
    dosLike.write('Missing operating system.\r\n', 0x60, 'latin1');
    expect(identifyBootCode(mbrSector(dosLike)).kind).toBe('unknown');
  });

  it('copes with a short read (a truncated image)', () => {
    expect(identifyBootCode(BOOT_IMG.subarray(0, 100)).kind).toBe('unknown');
    expect(identifyBootCode(Buffer.alloc(0)).kind).toBe('zero');
  });
});
