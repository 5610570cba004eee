/** The CPU architecture an ELF file is built for, from its header (pure; see elf(5)). */

/** e_ident plus e_type and e_machine: everything the answer needs. */
export const ELF_HEADER_BYTES_NEEDED = 20;

const ELF_MAGIC = Buffer.from([0x7f, 0x45, 0x4c, 0x46]);
const EI_CLASS = 4;
const EI_DATA = 5;
const E_MACHINE = 18;
const ELFCLASS32 = 1;
const ELFCLASS64 = 2;
const ELFDATA2LSB = 1;
const ELFDATA2MSB = 2;

interface ElfIdent {
  bits: 32 | 64;
  littleEndian: boolean;
}

/**
 * e_machine -> the name Linux distributions give the architecture (uname -m
 * style). Where one machine number covers several ABIs, the word size and
 * byte order pick the name.
 */
const MACHINES: Record<number, (ident: ElfIdent) => string> = {
  2: () => 'sparc',
  3: () => 'i386',
  8: ({ bits, littleEndian }) => `${bits === 64 ? 'mips64' : 'mips'}${littleEndian ? 'el' : ''}`,
  18: () => 'sparc', // EM_SPARC32PLUS: 32-bit SPARC code using V9 instructions
  20: () => 'ppc',
  21: ({ littleEndian }) => (littleEndian ? 'ppc64le' : 'ppc64'),
  22: ({ bits }) => (bits === 64 ? 's390x' : 's390'),
  40: () => 'arm',
  43: () => 'sparc64',
  50: () => 'ia64',
  // A 32-bit ELF for x86-64 is the x32 ABI (Debian's x32 port), not i386.
  62: ({ bits }) => (bits === 64 ? 'x86_64' : 'x32'),
  183: () => 'aarch64',
  243: ({ bits }) => `riscv${bits}`,
  258: ({ bits }) => `loongarch${bits}`,
};

/**
 * The architecture of an ELF file from (at least) its first 20 bytes, or
 * undefined when the bytes are not an ELF header (a shell script, say) or
 * name a machine spotlint does not know.
 */
export function elfArchitecture(header: Buffer): string | undefined {
  if (header.length < ELF_HEADER_BYTES_NEEDED || !header.subarray(0, 4).equals(ELF_MAGIC)) return undefined;
  const elfClass = header[EI_CLASS];
  const data = header[EI_DATA];
  if ((elfClass !== ELFCLASS32 && elfClass !== ELFCLASS64) || (data !== ELFDATA2LSB && data !== ELFDATA2MSB)) return undefined;
  const littleEndian = data === ELFDATA2LSB;
  const machine = littleEndian ? header.readUInt16LE(E_MACHINE) : header.readUInt16BE(E_MACHINE);
  return MACHINES[machine]?.({ bits: elfClass === ELFCLASS64 ? 64 : 32, littleEndian });
}
