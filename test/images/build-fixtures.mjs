#!/usr/bin/env node
// Regenerates every disk-image fixture in test/images/ from scratch.
//
//   npm run fixtures        (or: node test/images/build-fixtures.mjs)
//
// Needs e2fsprogs (mke2fs, debugfs, e2fsck), sfdisk (Debian package fdisk)
// and qemu-img (qemu-utils). Everything is built in a temporary directory
// and only copied into test/images/ once every fixture has been built and
// checked, so a failed run never leaves a half-updated set behind.
//
// Reruns give byte-identical ext2/ext4, raw and qcow2 fixtures on the same
// e2fsprogs/util-linux/qemu versions. The exceptions are the formats whose
// writers put random ids or the current time into their headers (LUKS
// salts, VDI/VMDK/VHD/VHDX ids and timestamps); see README.md.

import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';

const OUT_DIR = path.dirname(fileURLToPath(import.meta.url));
const KiB = 1024;
const MiB = 1024 * KiB;
const SECTOR = 512;

// 2023-11-14T22:13:20Z: every timestamp e2fsprogs writes, and every inode time.
const FAKE_TIME = 1700000000;

const ROOT_FS = {
  fsType: 'ext4',
  label: 'rootfs',
  uuid: '6f0c8a3e-2b1d-4c5e-9f7a-0123456789ab',
  hashSeed: '5eed0000-6f0c-4a3e-8b1d-000000000001',
  size: 24 * MiB,
  // 4 KiB blocks like a real root filesystem; 8 MiB groups so that even this
  // small filesystem has several block groups and big.bin crosses a group
  // boundary (more than one extent).
  blockSize: 4096,
  inodeSize: 256,
  bytesPerInode: 16384,
  blocksPerGroup: 2048,
};

const BOOT_FS = {
  fsType: 'ext2',
  label: 'boot',
  uuid: '1b2c3d4e-5f60-4718-89ab-cdef01234567',
  hashSeed: '5eed0000-1b2c-4d4e-8f60-000000000002',
  size: 8 * MiB,
  // 1 KiB blocks and 128-byte inodes: the old layout where the superblock is
  // block 1, not block 0, so readers cannot assume 4 KiB everywhere.
  blockSize: 1024,
  inodeSize: 128,
  bytesPerInode: 4096,
  blocksPerGroup: 2048,
};

const SWAP = {
  label: 'swap',
  uuid: '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
  size: 4 * MiB,
  pageSize: 4096,
};

const BIG_FILE_SIZE = 12 * MiB;

// Pinned instead of the host's /etc/mke2fs.conf, whose defaults differ
// between distributions and releases (e.g. orphan_file in newer ones).
const MKE2FS_CONF = `[defaults]
	base_features = sparse_super,large_file,filetype,resize_inode,dir_index,ext_attr
	default_mntopts = acl,user_xattr
	enable_periodic_fsck = 0
	blocksize = 4096
	inode_size = 256
	inode_ratio = 16384

[fs_types]
	ext3 = {
		features = has_journal
	}
	ext4 = {
		features = has_journal,extent,huge_file,flex_bg,metadata_csum,64bit,dir_nlink,extra_isize
	}
	small = {
		blocksize = 1024
		inode_ratio = 4096
	}
	floppy = {
		blocksize = 1024
		inode_ratio = 8192
	}
`;

const GPT_TYPE = {
  linuxFilesystem: '0FC63DAF-8483-4772-8E79-3D69D8477DE4',
  linuxSwap: '0657FD6D-A4AB-43C4-84E5-0933C84B4F4F',
  biosBoot: '21686148-6449-6E6F-744E-656564454649',
};

// Partition tables. `content` names what gets copied into the partition.
const LAYOUTS = {
  mbr: {
    label: 'dos',
    labelId: '0x5107c0de',
    diskSize: 38 * MiB,
    partitions: [
      { number: 1, start: 1 * MiB, size: 8 * MiB, type: '83', bootable: true, content: 'boot' },
      { number: 2, start: 9 * MiB, size: 24 * MiB, type: '83', content: 'root' },
      { number: 3, start: 33 * MiB, size: 4 * MiB, type: '82', content: 'swap' },
    ],
  },
  // The BIOS boot partition is last so that /dev/sda3 in fstab is still swap.
  gpt: {
    label: 'gpt',
    labelId: 'C0DEC0DE-5107-4C0D-8E00-000000000000',
    diskSize: 39 * MiB,
    partitions: [
      {
        number: 1, start: 1 * MiB, size: 8 * MiB, type: GPT_TYPE.linuxFilesystem,
        name: 'boot', uuid: 'C0DEC0DE-5107-4C0D-8E00-000000000001', content: 'boot',
      },
      {
        number: 2, start: 9 * MiB, size: 24 * MiB, type: GPT_TYPE.linuxFilesystem,
        name: 'root', uuid: 'C0DEC0DE-5107-4C0D-8E00-000000000002', content: 'root',
      },
      {
        number: 3, start: 33 * MiB, size: 4 * MiB, type: GPT_TYPE.linuxSwap,
        name: 'swap', uuid: 'C0DEC0DE-5107-4C0D-8E00-000000000003', content: 'swap',
      },
      {
        number: 4, start: 37 * MiB, size: 1 * MiB, type: GPT_TYPE.biosBoot,
        name: 'bios', uuid: 'C0DEC0DE-5107-4C0D-8E00-000000000004', content: null,
      },
    ],
  },
  // Logical partitions start 1 MiB into their slot of the extended partition,
  // leaving room for each EBR, as fdisk does with 1 MiB alignment.
  logical: {
    label: 'dos',
    labelId: '0x5107c0de',
    diskSize: 40 * MiB,
    partitions: [
      { number: 1, start: 1 * MiB, size: 8 * MiB, type: '83', bootable: true, content: 'boot' },
      { number: 2, start: 9 * MiB, size: 30 * MiB, type: '5', content: null },
      { number: 5, start: 10 * MiB, size: 24 * MiB, type: '83', content: 'root' },
      { number: 6, start: 35 * MiB, size: 4 * MiB, type: '82', content: 'swap' },
    ],
  },
};

// ---------------------------------------------------------------------------
// Tools

const REQUIRED_TOOLS = [
  { name: 'mke2fs', pkg: 'e2fsprogs' },
  { name: 'debugfs', pkg: 'e2fsprogs' },
  { name: 'e2fsck', pkg: 'e2fsprogs' },
  { name: 'sfdisk', pkg: 'fdisk (util-linux)' },
  { name: 'qemu-img', pkg: 'qemu-utils' },
];

const tool = {};

// sbin directories are searched too: they are often missing from a normal
// user's PATH even though mke2fs and sfdisk live there.
function findExecutable(name) {
  const dirs = [
    ...(process.env.PATH ?? '').split(path.delimiter).filter(Boolean),
    '/usr/local/sbin', '/usr/sbin', '/sbin',
  ];
  for (const dir of dirs) {
    const candidate = path.join(dir, name);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      // keep looking
    }
  }
  return null;
}

function requireTools() {
  const missing = [];
  for (const { name, pkg } of REQUIRED_TOOLS) {
    const found = findExecutable(name);
    if (found) tool[name] = found;
    else missing.push(`  ${name}  (Debian/Ubuntu package: ${pkg})`);
  }
  if (missing.length > 0) {
    console.error(`build-fixtures: missing required tools:\n${missing.join('\n')}`);
    console.error('Install them, e.g.: apt-get install e2fsprogs fdisk qemu-utils');
    process.exit(1);
  }
}

function run(name, args, { input, cwd, env } = {}) {
  try {
    return execFileSync(tool[name], args, {
      input,
      cwd,
      env: { ...process.env, LC_ALL: 'C', ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
      maxBuffer: 64 * MiB,
    });
  } catch (err) {
    const stderr = err.stderr ? err.stderr.toString() : '';
    const stdout = err.stdout ? err.stdout.toString() : '';
    throw new Error(`${name} ${args.join(' ')} failed (${err.status ?? err.code}):\n${stdout}${stderr}`);
  }
}

// ---------------------------------------------------------------------------
// Deterministic content

// mulberry32: tiny, seedable, and good enough to make blocks distinct.
function seededRandom(seed) {
  let state = seed >>> 0;
  return function nextUint32() {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

function pseudoRandomBytes(seed, length) {
  const next = seededRandom(seed);
  const buf = Buffer.alloc(length);
  for (let i = 0; i < length; i += 4) {
    const word = next();
    for (let j = 0; j < 4 && i + j < length; j++) buf[i + j] = (word >>> (8 * j)) & 0xff;
  }
  return buf;
}

// 12 MiB that must survive a round trip through every layout. Truly random
// bytes would not compress, and nine fixtures carry this file, which would
// put the fixture set past 100 MB. So: a 1 KiB pseudo-random pattern
// repeated (inside deflate's 32 KiB window, so it compresses well), with
// every 4 KiB block (the root filesystem's block size) starting with its
// block number and 12 more pseudo-random bytes. No two blocks are alike, so
// a reader that drops, repeats, reorders or shifts blocks changes the sha256.
function bigFileBytes() {
  const pattern = pseudoRandomBytes(0x5eed0001, 1 * KiB);
  const stamps = pseudoRandomBytes(0x5eed0002, (BIG_FILE_SIZE / 4096) * 12);
  const buf = Buffer.alloc(BIG_FILE_SIZE);
  for (let off = 0; off < BIG_FILE_SIZE; off += pattern.length) pattern.copy(buf, off);
  for (let block = 0; block < BIG_FILE_SIZE / 4096; block++) {
    buf.writeUInt32LE(block, block * 4096);
    stamps.copy(buf, block * 4096 + 4, block * 12, block * 12 + 12);
  }
  return buf;
}

// A complete x86-64 Linux executable that exits 0, written by hand rather
// than copied from the host so the fixture does not change with the
// machine's coreutils build.
function minimalElfExecutable() {
  const base = 0x400000;
  const code = Buffer.from([
    0xb8, 0x3c, 0x00, 0x00, 0x00, // mov eax, 60 (exit)
    0x31, 0xff, //                   xor edi, edi
    0x0f, 0x05, //                   syscall
  ]);
  const headerSize = 64;
  const phSize = 56;
  const total = headerSize + phSize + code.length;
  const elf = Buffer.alloc(total);
  Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]).copy(elf, 0); // ELF64, LE, v1, SysV
  elf.writeUInt16LE(2, 16); // ET_EXEC
  elf.writeUInt16LE(0x3e, 18); // EM_X86_64
  elf.writeUInt32LE(1, 20); // EV_CURRENT
  elf.writeBigUInt64LE(BigInt(base + headerSize + phSize), 24); // e_entry
  elf.writeBigUInt64LE(BigInt(headerSize), 32); // e_phoff
  elf.writeBigUInt64LE(0n, 40); // e_shoff
  elf.writeUInt32LE(0, 48); // e_flags
  elf.writeUInt16LE(headerSize, 52); // e_ehsize
  elf.writeUInt16LE(phSize, 54); // e_phentsize
  elf.writeUInt16LE(1, 56); // e_phnum
  elf.writeUInt16LE(64, 58); // e_shentsize
  elf.writeUInt16LE(0, 60); // e_shnum
  elf.writeUInt16LE(0, 62); // e_shstrndx
  const ph = headerSize;
  elf.writeUInt32LE(1, ph); // PT_LOAD
  elf.writeUInt32LE(5, ph + 4); // PF_R | PF_X
  elf.writeBigUInt64LE(0n, ph + 8); // p_offset
  elf.writeBigUInt64LE(BigInt(base), ph + 16); // p_vaddr
  elf.writeBigUInt64LE(BigInt(base), ph + 24); // p_paddr
  elf.writeBigUInt64LE(BigInt(total), ph + 32); // p_filesz
  elf.writeBigUInt64LE(BigInt(total), ph + 40); // p_memsz
  elf.writeBigUInt64LE(0x1000n, ph + 48); // p_align
  code.copy(elf, headerSize + phSize);
  return elf;
}

// Byte-for-byte what tzdata ships as Etc/UTC, built here so the fixture does
// not depend on the host having tzdata installed.
function tzifUtc() {
  const header = (version) => {
    const h = Buffer.alloc(44);
    h.write('TZif', 0, 'latin1');
    h.write(version, 4, 'latin1');
    // counts: isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt
    [0, 0, 0, 0, 1, 4].forEach((count, i) => h.writeUInt32BE(count, 20 + 4 * i));
    return h;
  };
  const data = Buffer.concat([Buffer.alloc(6), Buffer.from('UTC\0', 'latin1')]); // one ttinfo: utoff 0, isdst 0, idx 0
  return Buffer.concat([header('2'), data, header('2'), data, Buffer.from('\nUTC0\n', 'latin1')]);
}

function uuidBytes(uuid) {
  return Buffer.from(uuid.replace(/-/g, ''), 'hex');
}

// Linux swap v1 header, as mkswap writes it on x86 (little-endian, 4 KiB
// pages). Written by hand so the UUID is fixed and no mkswap is needed.
function swapArea({ size, pageSize, uuid, label }) {
  const buf = Buffer.alloc(size);
  buf.writeUInt32LE(1, 1024); // version
  buf.writeUInt32LE(size / pageSize - 1, 1028); // last_page
  buf.writeUInt32LE(0, 1032); // nr_badpages
  uuidBytes(uuid).copy(buf, 1036);
  buf.write(label, 1052, 16, 'latin1');
  buf.write('SWAPSPACE2', pageSize - 10, 'latin1');
  return buf;
}

// 64 KiB: 16 empty system-area sectors, a primary volume descriptor and a
// set terminator; just enough for anything that sniffs for ISO 9660.
function isoImage() {
  const block = 2048;
  const buf = Buffer.alloc(64 * KiB);
  const pvd = 16 * block;
  buf[pvd] = 1;
  buf.write('CD001', pvd + 1, 'latin1');
  buf[pvd + 6] = 1;
  buf.write('LINUX'.padEnd(32, ' '), pvd + 8, 'latin1'); // system identifier
  buf.write('SPOTLINT_TEST'.padEnd(32, ' '), pvd + 40, 'latin1'); // volume identifier
  buf.writeUInt32LE(buf.length / block, pvd + 80); // volume space size, both-endian
  buf.writeUInt32BE(buf.length / block, pvd + 84);
  buf.writeUInt16LE(block, pvd + 128); // logical block size, both-endian
  buf.writeUInt16BE(block, pvd + 130);
  const terminator = 17 * block;
  buf[terminator] = 255;
  buf.write('CD001', terminator + 1, 'latin1');
  buf[terminator + 6] = 1;
  return buf;
}

// ---------------------------------------------------------------------------
// Guest trees

const FSTAB = `# /etc/fstab: static file system information.
UUID=6f0c8a3e-2b1d-4c5e-9f7a-0123456789ab /     ext4 errors=remount-ro 0 1
LABEL=boot                                /boot ext2 defaults          0 2
/dev/sda3                                 none  swap sw                0 0
`;

const OS_RELEASE = `PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
NAME="Debian GNU/Linux"
VERSION_ID="12"
VERSION="12 (bookworm)"
VERSION_CODENAME=bookworm
ID=debian
HOME_URL="https://www.debian.org/"
SUPPORT_URL="https://www.debian.org/support"
BUG_REPORT_URL="https://bugs.debian.org/"
`;

const PASSWD = `root:x:0:0:root:/root:/bin/bash
daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin
bin:x:2:2:bin:/bin:/usr/sbin/nologin
sys:x:3:3:sys:/dev:/usr/sbin/nologin
nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
sshd:x:100:65534::/run/sshd:/usr/sbin/nologin
app:x:1000:1000:Appliance user,,,:/home/app:/bin/bash
`;

const GROUP = `root:x:0:
daemon:x:1:
bin:x:2:
sys:x:3:
adm:x:4:
sudo:x:27:app
shadow:x:42:
nogroup:x:65534:
app:x:1000:
`;

const SHADOW = `root:*:19675:0:99999:7:::
daemon:*:19675:0:99999:7:::
bin:*:19675:0:99999:7:::
sys:*:19675:0:99999:7:::
nobody:*:19675:0:99999:7:::
sshd:*:19675:0:99999:7:::
app:!:19675:0:99999:7:::
`;

const SSHD_CONFIG = `# See the sshd_config(5) manpage for details.
Port 22
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM yes
X11Forwarding no
PrintMotd no
AcceptEnv LANG LC_*
Subsystem sftp /usr/lib/openssh/sftp-server
`;

const PERSISTENT_NET_RULES = `# This file was automatically generated by the /lib/udev/write_net_rules
# program, run by the persistent-net-generator.rules rules file.
#
# You can modify it, as long as you keep each rule on a single
# line, and change only the value of the NAME= key.

# PCI device 0x8086:0x100e (e1000)
SUBSYSTEM=="net", ACTION=="add", DRIVERS=="?*", ATTR{address}=="52:54:00:12:34:56", ATTR{dev_id}=="0x0", ATTR{type}=="1", KERNEL=="eth*", NAME="eth0"
`;

const INTERFACES = `# This file describes the network interfaces available on your system
# and how to activate them. For more information, see interfaces(5).

# The loopback network interface
auto lo
iface lo inet loopback

# The primary network interface
allow-hotplug eth0
iface eth0 inet dhcp
`;

const NOTES = `Appliance notes
- the web UI listens on port 8080
- logs go to /var/log/syslog
- rebuild with ./build.sh after changing config
`;

const CAFE = 'Un café, s\'il vous plaît. ☕\n';

const GRUB_CFG = `# Generated by grub-mkconfig (trimmed for the spotlint test fixture)
set default="0"
set timeout=5
insmod part_msdos
insmod ext2
search --no-floppy --fs-uuid --set=root 1b2c3d4e-5f60-4718-89ab-cdef01234567

menuentry 'Debian GNU/Linux' --class debian --class gnu-linux --class gnu --class os {
	load_video
	insmod gzio
	insmod part_msdos
	insmod ext2
	search --no-floppy --fs-uuid --set=root 1b2c3d4e-5f60-4718-89ab-cdef01234567
	echo	'Loading Linux 6.1.0-13-amd64 ...'
	linux	/vmlinuz-6.1.0-13-amd64 root=UUID=6f0c8a3e-2b1d-4c5e-9f7a-0123456789ab ro quiet
	echo	'Loading initial ramdisk ...'
	initrd	/initrd.img-6.1.0-13-amd64
}
`;

// Each entry: a directory, a file (with content) or a symlink (with target).
// Order matters: parents come first, and it fixes inode numbering.
const dir = (p, mode = 0o755, owner = [0, 0]) => ({ kind: 'dir', path: p, mode, owner });
const file = (p, content, mode = 0o644, owner = [0, 0]) => ({ kind: 'file', path: p, content, mode, owner });
const link = (p, target) => ({ kind: 'symlink', path: p, target, mode: 0o777, owner: [0, 0] });

function rootTreeEntries({ withBigFile }) {
  const app = [1000, 1000];
  return [
    dir('/boot'),
    dir('/dev'),
    dir('/etc'),
    file('/etc/fstab', FSTAB),
    file('/etc/os-release', OS_RELEASE),
    file('/etc/hostname', 'appliance\n'),
    file('/etc/passwd', PASSWD),
    file('/etc/group', GROUP),
    file('/etc/shadow', SHADOW, 0o640, [0, 42]),
    dir('/etc/ssh'),
    file('/etc/ssh/sshd_config', SSHD_CONFIG),
    dir('/etc/udev'),
    dir('/etc/udev/rules.d'),
    file('/etc/udev/rules.d/70-persistent-net.rules', PERSISTENT_NET_RULES),
    dir('/etc/network'),
    file('/etc/network/interfaces', INTERFACES),
    // Links that must resolve inside the guest, never on the host.
    link('/etc/motd', '/../../../../etc/hostname'),
    link('/etc/issue.net', '../../../../../../etc/hostname'),
    link('/etc/localtime', '/usr/share/zoneinfo/Etc/UTC'),
    link('/etc/loop-a', 'loop-b'),
    link('/etc/loop-b', 'loop-a'),
    link('/etc/dangling', '/nonexistent/file'),
    dir('/home'),
    dir('/home/app', 0o700, app),
    file('/home/app/notes.txt', NOTES, 0o644, app),
    file('/home/app/café.txt', CAFE, 0o644, app),
    dir('/proc'),
    dir('/root', 0o700),
    dir('/run'),
    dir('/sys'),
    dir('/tmp', 0o1777),
    dir('/usr'),
    dir('/usr/bin'),
    file('/usr/bin/sh', minimalElfExecutable(), 0o755),
    link('/bin', 'usr/bin'),
    dir('/usr/share'),
    dir('/usr/share/zoneinfo'),
    dir('/usr/share/zoneinfo/Etc'),
    file('/usr/share/zoneinfo/Etc/UTC', tzifUtc()),
    dir('/var'),
    dir('/var/lib'),
    ...(withBigFile ? [file('/var/lib/big.bin', bigFileBytes())] : []),
    dir('/var/log'),
    file('/var/log/syslog', '', 0o640, [0, 4]),
  ];
}

function placeholderBinary(title, size, seed) {
  const buf = pseudoRandomBytes(seed, size);
  Buffer.from(`spotlint fixture placeholder: ${title}\n`, 'latin1').copy(buf, 0);
  return buf;
}

function bootTreeEntries() {
  return [
    file('/vmlinuz-6.1.0-13-amd64', placeholderBinary('vmlinuz-6.1.0-13-amd64', 6 * KiB, 0x5eed0010)),
    file('/initrd.img-6.1.0-13-amd64', placeholderBinary('initrd.img-6.1.0-13-amd64', 4 * KiB, 0x5eed0011)),
    dir('/grub'),
    file('/grub/grub.cfg', GRUB_CFG),
  ];
}

// The tree on the host only serves as the source for debugfs `write`; links
// are created there too so the tree can be inspected by hand.
function materializeTree(treeDir, entries) {
  fs.mkdirSync(treeDir, { recursive: true });
  for (const entry of entries) {
    const hostPath = path.join(treeDir, entry.path);
    if (entry.kind === 'dir') fs.mkdirSync(hostPath, { recursive: true });
    else if (entry.kind === 'file') fs.writeFileSync(hostPath, entry.content);
    else fs.symlinkSync(entry.target, hostPath);
  }
}

// ---------------------------------------------------------------------------
// ext2/ext4 images

// Populated with debugfs rather than `mke2fs -d`: -d takes entries in the
// host's readdir order and copies host ctimes and owners, so the image would
// change with the machine and the moment. Here order, owners, modes and
// times all come from the entry list.
function populateCommands(treeDir, entries, { inodeSize }) {
  const typeBits = { dir: 0o040000, file: 0o100000, symlink: 0o120000 };
  const lines = [];
  for (const entry of entries) {
    if (/\s|"/.test(entry.path) || (entry.target && /\s|"/.test(entry.target))) {
      throw new Error(`debugfs commands cannot carry ${entry.path}`);
    }
    if (entry.kind === 'dir') lines.push(`mkdir ${entry.path}`);
    else if (entry.kind === 'file') lines.push(`write ${path.join(treeDir, entry.path)} ${entry.path}`);
    else lines.push(`symlink ${entry.path} ${entry.target}`);
    lines.push(`sif ${entry.path} mode 0${(typeBits[entry.kind] | entry.mode).toString(8)}`);
    lines.push(`sif ${entry.path} uid ${entry.owner[0]}`);
    lines.push(`sif ${entry.path} gid ${entry.owner[1]}`);
    const times = inodeSize > 128 ? ['atime', 'ctime', 'mtime', 'crtime'] : ['atime', 'ctime', 'mtime'];
    for (const t of times) lines.push(`sif ${entry.path} ${t} @${FAKE_TIME}`);
  }
  return lines.join('\n') + '\n';
}

function e2fsEnv(workDir) {
  return {
    E2FSPROGS_FAKE_TIME: String(FAKE_TIME),
    MKE2FS_CONFIG: path.join(workDir, 'mke2fs.conf'),
  };
}

function makeExtFilesystem(spec, entries, { workDir, name }) {
  const treeDir = path.join(workDir, `${name}-tree`);
  materializeTree(treeDir, entries);
  const imagePath = path.join(workDir, `${name}.${spec.fsType}`);
  const env = e2fsEnv(workDir);
  run('mke2fs', [
    '-q', '-F',
    '-t', spec.fsType,
    '-b', String(spec.blockSize),
    '-I', String(spec.inodeSize),
    '-i', String(spec.bytesPerInode),
    '-g', String(spec.blocksPerGroup),
    '-L', spec.label,
    '-U', spec.uuid,
    '-E', `hash_seed=${spec.hashSeed},nodiscard`,
    imagePath,
    `${spec.size / KiB}k`,
  ], { env });
  const scriptPath = path.join(workDir, `${name}.debugfs`);
  fs.writeFileSync(scriptPath, populateCommands(treeDir, entries, spec));
  populateWithDebugfs(imagePath, scriptPath, env);
  checkFilesystemIsClean(imagePath);
  checkFilesystemContents(imagePath, entries);
  return imagePath;
}

// debugfs -f exits 0 even when a command fails; the failure only shows on
// stderr, next to the version banner.
function populateWithDebugfs(imagePath, scriptPath, env) {
  const result = spawnSync(tool.debugfs, ['-w', '-f', scriptPath, imagePath], {
    env: { ...process.env, LC_ALL: 'C', ...env },
    encoding: 'utf8',
    maxBuffer: 64 * MiB,
  });
  const complaints = (result.stderr ?? '')
    .split('\n')
    .filter((line) => line.trim() !== '' && !/^debugfs \d/.test(line));
  if (result.error || result.status !== 0 || complaints.length > 0) {
    throw new Error(`debugfs failed on ${imagePath}:\n${result.error?.message ?? complaints.join('\n')}`);
  }
}

// -n: report only, never repair; any inconsistency makes e2fsck exit non-zero.
function checkFilesystemIsClean(imagePath) {
  run('e2fsck', ['-fn', imagePath]);
}

// Reads every file and link back out of the image, so a debugfs command that
// failed silently cannot slip through.
function checkFilesystemContents(imagePath, entries) {
  for (const entry of entries) {
    if (entry.kind === 'file') {
      const got = run('debugfs', ['-R', `cat ${entry.path}`, imagePath]);
      if (!got.equals(Buffer.from(entry.content))) {
        throw new Error(`${imagePath}: ${entry.path} does not read back as written`);
      }
    } else if (entry.kind === 'symlink') {
      const stat = run('debugfs', ['-R', `stat ${entry.path}`, imagePath]).toString('utf8');
      if (!stat.includes(`Fast link dest: "${entry.target}"`)) {
        throw new Error(`${imagePath}: symlink ${entry.path} is not -> ${entry.target}:\n${stat}`);
      }
    }
  }
}

// ---------------------------------------------------------------------------
// Partitioned disks

function sfdiskScript(layout) {
  const lines = [`label: ${layout.label}`, `label-id: ${layout.labelId}`, 'unit: sectors', 'sector-size: 512', ''];
  for (const p of layout.partitions) {
    const fields = [`start=${p.start / SECTOR}`, `size=${p.size / SECTOR}`, `type=${p.type}`];
    if (p.uuid) fields.push(`uuid=${p.uuid}`);
    if (p.name) fields.push(`name="${p.name}"`);
    if (p.bootable) fields.push('bootable');
    lines.push(fields.join(', '));
  }
  return lines.join('\n') + '\n';
}

function writeAt(filePath, offset, data) {
  const fd = fs.openSync(filePath, 'r+');
  try {
    let done = 0;
    while (done < data.length) done += fs.writeSync(fd, data, done, data.length - done, offset + done);
  } finally {
    fs.closeSync(fd);
  }
}

// sfdisk may align or renumber what it is given without failing; the tests
// rely on the exact offsets in FIXTURE_GUEST, so check what it wrote.
function checkPartitionTable(diskPath, layout) {
  const table = JSON.parse(run('sfdisk', ['--json', diskPath]).toString()).partitiontable;
  const got = table.partitions.map((p) => `${p.node.match(/(\d+)$/)[1]}:${p.start}+${p.size}`);
  const want = layout.partitions.map((p) => `${p.number}:${p.start / SECTOR}+${p.size / SECTOR}`);
  if (got.join(' ') !== want.join(' ')) {
    throw new Error(`${diskPath}: partition table is ${got.join(' ')}, expected ${want.join(' ')}`);
  }
}

function buildDisk(diskPath, layout, contents) {
  fs.rmSync(diskPath, { force: true });
  fs.writeFileSync(diskPath, '');
  fs.truncateSync(diskPath, layout.diskSize);
  run('sfdisk', ['--quiet', '--no-reread', '--no-tell-kernel', diskPath], { input: sfdiskScript(layout) });
  checkPartitionTable(diskPath, layout);
  for (const p of layout.partitions) {
    if (!p.content) continue;
    const data = contents[p.content];
    if (data.length !== p.size) throw new Error(`${p.content} is ${data.length} bytes, partition ${p.number} is ${p.size}`);
    writeAt(diskPath, p.start, data);
  }
  return diskPath;
}

// ---------------------------------------------------------------------------
// Image formats

function convertToQcow2(rawPath, qcowPath, { compat, compressed }) {
  const args = ['convert', '-f', 'raw', '-O', 'qcow2', '-o', `compat=${compat}`];
  if (compressed) args.push('-c');
  run('qemu-img', [...args, rawPath, qcowPath]);
  run('qemu-img', ['check', '-q', '-f', 'qcow2', qcowPath]);
  // compare exits non-zero unless the guest-visible bytes are identical.
  run('qemu-img', ['compare', '-q', '-f', 'raw', '-F', 'qcow2', rawPath, qcowPath]);
  return qcowPath;
}

function makeBackedQcow2(workDir) {
  const dirPath = path.join(workDir, 'backing');
  fs.mkdirSync(dirPath);
  run('qemu-img', ['create', '-q', '-f', 'qcow2', 'base.qcow2', '4M'], { cwd: dirPath });
  // Created from inside the directory so the stored backing name is the bare
  // relative 'base.qcow2', not a path on this machine.
  run('qemu-img', ['create', '-q', '-f', 'qcow2', '-b', 'base.qcow2', '-F', 'qcow2', 'top.qcow2'], { cwd: dirPath });
  return path.join(dirPath, 'top.qcow2');
}

// LUKS with aes-128-cbc-essiv:sha256 (the classic cryptsetup LUKS1 cipher)
// rather than qemu's aes-256-xts default: the key-slot material is random
// and incompressible, and the smaller key makes it a quarter of the size.
// iter-time only shortens the PBKDF benchmark.
function makeEncryptedQcow2(workDir) {
  const out = path.join(workDir, 'encrypted.qcow2');
  run('qemu-img', [
    'create', '-q', '-f', 'qcow2',
    '--object', 'secret,id=sec0,data=secret123',
    '-o', [
      'encrypt.format=luks',
      'encrypt.key-secret=sec0',
      'encrypt.cipher-alg=aes-128',
      'encrypt.cipher-mode=cbc',
      'encrypt.ivgen-alg=essiv',
      'encrypt.ivgen-hash-alg=sha256',
      'encrypt.iter-time=10',
    ].join(','),
    out, '16M',
  ]);
  if (fs.readFileSync(out).readUInt32BE(32) === 0) throw new Error('qemu-img made an unencrypted qcow2');
  return out;
}

const FAR_BEYOND_EOF = 0x7fff0000000n; // cluster-aligned, ~8 TiB

function makeBadL1Qcow2(goodQcow, out) {
  const buf = fs.readFileSync(goodQcow);
  buf.writeBigUInt64BE(FAR_BEYOND_EOF, 40); // header.l1_table_offset
  fs.writeFileSync(out, buf);
  return out;
}

function makeBadL2Qcow2(goodQcow, out) {
  const buf = fs.readFileSync(goodQcow);
  const l1Size = buf.readUInt32BE(36);
  const l1Offset = Number(buf.readBigUInt64BE(40));
  const copiedFlag = 1n << 63n;
  for (let i = 0; i < l1Size; i++) {
    const at = l1Offset + 8 * i;
    const entry = buf.readBigUInt64BE(at);
    if (entry === 0n) continue;
    buf.writeBigUInt64BE((entry & copiedFlag) | FAR_BEYOND_EOF, at);
    fs.writeFileSync(out, buf);
    return out;
  }
  throw new Error(`${goodQcow} has no allocated L1 entry to corrupt`);
}

function convertForeign(rawPath, out, format) {
  run('qemu-img', ['convert', '-f', 'raw', '-O', format, rawPath, out]);
  return out;
}

// ---------------------------------------------------------------------------
// Output

function gzipInto(stagingDir, srcPath, name) {
  const gz = zlib.gzipSync(fs.readFileSync(srcPath), { level: 9 });
  const out = path.join(stagingDir, `${name}.gz`);
  fs.writeFileSync(out, gz);
  return out;
}

function sha256(buf) {
  return createHash('sha256').update(buf).digest('hex');
}

function formatSize(bytes) {
  if (bytes >= MiB) return `${(bytes / MiB).toFixed(2)} MiB`;
  if (bytes >= KiB) return `${(bytes / KiB).toFixed(1)} KiB`;
  return `${bytes} B`;
}

function publish(produced) {
  let total = 0;
  console.log('\nfixture                      raw         stored');
  for (const { raw, stored } of produced) {
    const storedBytes = fs.statSync(stored).size;
    total += storedBytes;
    fs.copyFileSync(stored, path.join(OUT_DIR, path.basename(stored)));
    console.log(`${path.basename(stored).padEnd(28)} ${formatSize(fs.statSync(raw).size).padEnd(11)} ${formatSize(storedBytes)}`);
  }
  console.log(`${'total in test/images'.padEnd(40)} ${formatSize(total)}`);
}

// ---------------------------------------------------------------------------

// Collects outputs in the staging directory; nothing reaches test/images/
// until publish().
function makeShipper(stagingDir) {
  const produced = [];
  return {
    produced,
    gzipped(raw, name) {
      produced.push({ raw, stored: gzipInto(stagingDir, raw, name) });
    },
    uncompressed(raw, name) {
      const stored = path.join(stagingDir, name);
      fs.copyFileSync(raw, stored);
      produced.push({ raw, stored });
    },
  };
}

function buildFilesystems(workDir) {
  const bigRoot = makeExtFilesystem(ROOT_FS, rootTreeEntries({ withBigFile: true }), { workDir, name: 'root' });
  const smallRoot = makeExtFilesystem(ROOT_FS, rootTreeEntries({ withBigFile: false }), { workDir, name: 'root-small' });
  const boot = makeExtFilesystem(BOOT_FS, bootTreeEntries(), { workDir, name: 'boot' });
  return {
    bigRootImage: bigRoot,
    contents: { root: fs.readFileSync(bigRoot), boot: fs.readFileSync(boot), swap: swapArea(SWAP) },
    // sample.img is committed uncompressed, so it leaves big.bin out.
    sampleContents: { root: fs.readFileSync(smallRoot), boot: fs.readFileSync(boot), swap: swapArea(SWAP) },
  };
}

function buildRawDisks(workDir, fsets, ship) {
  const mbr = buildDisk(path.join(workDir, 'mbr.img'), LAYOUTS.mbr, fsets.contents);
  ship.gzipped(mbr, 'mbr.img');
  ship.gzipped(buildDisk(path.join(workDir, 'gpt.img'), LAYOUTS.gpt, fsets.contents), 'gpt.img');
  ship.gzipped(buildDisk(path.join(workDir, 'logical.img'), LAYOUTS.logical, fsets.contents), 'logical.img');
  ship.gzipped(fsets.bigRootImage, 'bare.img');
  ship.uncompressed(buildDisk(path.join(workDir, 'sample.img'), LAYOUTS.mbr, fsets.sampleContents), 'sample.img');
  return mbr;
}

function buildQcow2Variants(workDir, mbr, ship) {
  const mbrQcow = convertToQcow2(mbr, path.join(workDir, 'mbr.qcow2'), { compat: '1.1' });
  ship.gzipped(mbrQcow, 'mbr.qcow2');
  const compressed = convertToQcow2(mbr, path.join(workDir, 'mbr-compressed.qcow2'), { compat: '1.1', compressed: true });
  ship.gzipped(compressed, 'mbr-compressed.qcow2');
  ship.gzipped(convertToQcow2(mbr, path.join(workDir, 'mbr-v2.qcow2'), { compat: '0.10' }), 'mbr-v2.qcow2');
  return mbrQcow;
}

function buildBadInputs(workDir, { mbrQcow, rootImage }, ship) {
  ship.gzipped(makeBackedQcow2(workDir), 'backing.qcow2');
  ship.gzipped(makeEncryptedQcow2(workDir), 'encrypted.qcow2');
  ship.gzipped(makeBadL1Qcow2(mbrQcow, path.join(workDir, 'bad-l1.qcow2')), 'bad-l1.qcow2');
  ship.gzipped(makeBadL2Qcow2(mbrQcow, path.join(workDir, 'bad-l2.qcow2')), 'bad-l2.qcow2');

  // Only the first 4 MiB: these formats are there to be recognised and
  // refused, and a small input keeps them tiny.
  const smallRaw = path.join(workDir, 'small.raw');
  fs.writeFileSync(smallRaw, rootImage.subarray(0, 4 * MiB));
  for (const [format, name] of [['vdi', 'disk.vdi'], ['vmdk', 'disk.vmdk'], ['vpc', 'disk.vhd'], ['vhdx', 'disk.vhdx']]) {
    ship.gzipped(convertForeign(smallRaw, path.join(workDir, name), format), name);
  }

  const iso = path.join(workDir, 'cdrom.iso');
  fs.writeFileSync(iso, isoImage());
  ship.gzipped(iso, 'cdrom.iso');
  const zeros = path.join(workDir, 'zeros.img');
  fs.writeFileSync(zeros, Buffer.alloc(4 * MiB));
  ship.gzipped(zeros, 'zeros.img');
}

function main() {
  requireTools();
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'spotlint-build-fixtures-'));
  try {
    fs.writeFileSync(path.join(workDir, 'mke2fs.conf'), MKE2FS_CONF);
    const stagingDir = path.join(workDir, 'out');
    fs.mkdirSync(stagingDir);
    const ship = makeShipper(stagingDir);

    console.log('building filesystems');
    const fsets = buildFilesystems(workDir);
    console.log('building partitioned disks');
    const mbr = buildRawDisks(workDir, fsets, ship);
    console.log('converting to qcow2');
    const mbrQcow = buildQcow2Variants(workDir, mbr, ship);
    console.log('building bad inputs');
    buildBadInputs(workDir, { mbrQcow, rootImage: fsets.contents.root }, ship);

    publish(ship.produced);
    console.log(`\n/var/lib/big.bin: ${BIG_FILE_SIZE} bytes, sha256 ${sha256(bigFileBytes())}`);
  } finally {
    fs.rmSync(workDir, { recursive: true, force: true });
  }
}

main();
