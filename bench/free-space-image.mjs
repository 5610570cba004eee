// Builds the free-space benchmark's disk: a 2 GiB ext4 filesystem inside an
// MBR image (partition at 1 MiB, as installers lay it out), holding about
// 800 MB of real files copied from this machine's /usr, with about 300 MB of
// deleted-file garbage left in its free blocks (a file written, then removed,
// with debugfs -w). The garbage is real file content too, so its gzip ratio
// is that of the deleted files a user leaves behind, not of random bytes.
//
// The build takes a minute; the result is kept in the work directory and
// reused while the recipe (RECIPE below) is unchanged.
import { execFileSync } from 'node:child_process';
import {
  copyFileSync, existsSync, lstatSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync,
  closeSync, writeSync, ftruncateSync,
} from 'node:fs';
import { dirname, join, relative } from 'node:path';

const MIB = 1024 * 1024;
export const RECIPE = {
  version: 1,
  filesystemBytes: 2048 * MIB,
  partitionStart: MIB,
  filesBytes: 800e6,
  garbageBytes: 300e6,
  filesFrom: ['/usr/lib', '/usr/share', '/usr/bin'],
  garbageFrom: ['/usr/share', '/usr/lib'],
};

/** Regular files under the roots, in a stable order, until `budget` bytes (skipping `exclude`). */
function pickFiles(roots, budget, exclude = new Set()) {
  const picked = [];
  let total = 0;
  const walk = (dir) => {
    let names;
    try { names = readdirSync(dir).sort(); } catch { return; }
    for (const name of names) {
      if (total >= budget) return;
      const path = join(dir, name);
      let stat;
      try { stat = lstatSync(path); } catch { continue; }
      if (stat.isDirectory()) walk(path);
      else if (stat.isFile() && stat.size > 0 && !exclude.has(path)) {
        picked.push(path);
        total += stat.size;
      }
    }
  };
  for (const root of roots) walk(root);
  return { picked, total };
}

function run(command, args) {
  return execFileSync(command, args, { stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * MIB }).toString();
}

/**
 * Returns { disk, filesystem, garbageBytes }: the MBR disk image and the bare
 * filesystem (the same bytes, for zerofree, which reads only a filesystem).
 */
export function buildFreeSpaceImage(workDir, log = () => {}) {
  const disk = join(workDir, 'disk.img');
  const filesystem = join(workDir, 'filesystem.img');
  const stamp = join(workDir, 'recipe.json');
  if (existsSync(stamp) && existsSync(disk) && existsSync(filesystem) && readFileSync(stamp, 'utf8') === JSON.stringify(RECIPE)) {
    return { disk, filesystem, ...JSON.parse(readFileSync(join(workDir, 'built.json'), 'utf8')) };
  }
  rmSync(workDir, { recursive: true, force: true });
  mkdirSync(workDir, { recursive: true });

  log(`copying about ${RECIPE.filesBytes / 1e6} MB of files from ${RECIPE.filesFrom.join(', ')}`);
  const staging = join(workDir, 'staging');
  const files = pickFiles(RECIPE.filesFrom, RECIPE.filesBytes);
  for (const source of files.picked) {
    const target = join(staging, relative('/usr', source));
    mkdirSync(dirname(target), { recursive: true });
    try { copyFileSync(source, target); } catch { /* unreadable: skipped */ }
  }

  log('formatting the filesystem with mke2fs -t ext4 -d');
  run('mke2fs', ['-q', '-F', '-t', 'ext4', '-d', staging, filesystem, `${RECIPE.filesystemBytes / 1024}k`]);
  rmSync(staging, { recursive: true, force: true });

  log(`writing and deleting ${RECIPE.garbageBytes / 1e6} MB of garbage with debugfs -w`);
  const garbage = join(workDir, 'garbage.bin');
  const used = new Set(files.picked);
  const { picked } = pickFiles(RECIPE.garbageFrom, RECIPE.garbageBytes * 2, used);
  const out = openSync(garbage, 'w');
  let written = 0;
  for (const source of picked) {
    if (written >= RECIPE.garbageBytes) break;
    let bytes;
    try { bytes = readFileSync(source); } catch { continue; }
    const take = bytes.subarray(0, RECIPE.garbageBytes - written);
    writeSync(out, take);
    written += take.length;
  }
  closeSync(out);
  run('debugfs', ['-w', '-R', `write ${garbage} garbage.bin`, filesystem]);
  run('debugfs', ['-w', '-R', 'rm garbage.bin', filesystem]);
  rmSync(garbage);

  log('wrapping it in an MBR disk (partition 1 at 1 MiB)');
  const diskFd = openSync(disk, 'w');
  ftruncateSync(diskFd, RECIPE.partitionStart + RECIPE.filesystemBytes);
  closeSync(diskFd);
  execFileSync('sfdisk', ['--quiet', disk], { input: `label: dos\nstart=${RECIPE.partitionStart / 512}, type=83\n`, stdio: ['pipe', 'ignore', 'pipe'] });
  run('dd', [`if=${filesystem}`, `of=${disk}`, 'bs=4M', `seek=${RECIPE.partitionStart}`, 'oflag=seek_bytes', 'conv=notrunc,sparse', 'status=none']);

  const built = { filesBytes: files.total, garbageBytes: written };
  writeFileSync(join(workDir, 'built.json'), JSON.stringify(built));
  writeFileSync(stamp, JSON.stringify(RECIPE));
  return { disk, filesystem, ...built };
}
