import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readOsFacts } from '../../src/inspect/facts/os-facts.js';
import {
  osReleaseInfo, parseAlpineRelease, parseDebianVersion, parseLsbRelease, parseRedhatRelease, parseSuseRelease,
} from '../../src/inspect/facts/os-release-files.js';
import { parseOsRelease } from '../../src/inspect/guest/os-name.js';
import type { FilesystemType } from '../../src/inspect/probe/probe-filesystem.js';
import type { Volume } from '../../src/inspect/volumes.js';

// Only Debian's files are in test/data; the other release files are written
// as those distributions ship them (one or a few lines each).
describe('osReleaseInfo', () => {
  it('reads Debian 12 base-files os-release', () => {
    const text = readFileSync('test/data/distro/debian-12/base-files/usr/lib/os-release', 'utf8');
    expect(osReleaseInfo(parseOsRelease(text))).toEqual({
      id: 'debian', idLike: [], name: 'Debian GNU/Linux', version: '12', prettyName: 'Debian GNU/Linux 12 (bookworm)',
    });
  });

  it('splits ID_LIKE on spaces', () => {
    const text = 'NAME="Rocky Linux"\nVERSION="9.3 (Blue Onyx)"\nID="rocky"\nID_LIKE="rhel centos  fedora"\nVERSION_ID="9.3"\n';
    expect(osReleaseInfo(parseOsRelease(text))).toMatchObject({ id: 'rocky', idLike: ['rhel', 'centos', 'fedora'], version: '9.3' });
  });

  it('gives undefined for an os-release that names nothing', () => {
    expect(osReleaseInfo(parseOsRelease('# empty\nHOME_URL="https://example.org/"\n'))).toBeUndefined();
  });
});

describe('parseLsbRelease', () => {
  it('reads Ubuntu 14.04', () => {
    const text = 'DISTRIB_ID=Ubuntu\nDISTRIB_RELEASE=14.04\nDISTRIB_CODENAME=trusty\nDISTRIB_DESCRIPTION="Ubuntu 14.04.6 LTS"\n';
    expect(parseLsbRelease(text)).toEqual({
      id: 'ubuntu', idLike: ['debian'], name: 'Ubuntu', version: '14.04', prettyName: 'Ubuntu 14.04.6 LTS',
    });
  });

  it('skips redhat-lsb\'s file, which names no distribution', () => {
    expect(parseLsbRelease('LSB_VERSION=base-4.0-amd64:base-4.0-noarch:core-4.0-amd64\n')).toBeUndefined();
  });
});

describe('parseRedhatRelease', () => {
  it.each([
    ['CentOS release 6.10 (Final)', 'centos', 'CentOS', '6.10', ['rhel', 'fedora']],
    ['CentOS Linux release 7.9.2009 (Core)', 'centos', 'CentOS Linux', '7.9.2009', ['rhel', 'fedora']],
    ['Red Hat Enterprise Linux Server release 7.9 (Maipo)', 'rhel', 'Red Hat Enterprise Linux Server', '7.9', ['fedora']],
    ['Fedora release 20 (Heisenbug)', 'fedora', 'Fedora', '20', []],
    ['Scientific Linux release 6.10 (Carbon)', 'scientific', 'Scientific Linux', '6.10', ['rhel', 'centos', 'fedora']],
  ])('%s', (line, id, name, version, idLike) => {
    expect(parseRedhatRelease(`${line}\n`)).toEqual({ id, idLike, name, version, prettyName: line });
  });

  it('gives undefined for a line it cannot read', () => {
    expect(parseRedhatRelease('Welcome to my server\n')).toBeUndefined();
    expect(parseRedhatRelease('')).toBeUndefined();
  });
});

describe('parseSuseRelease', () => {
  it('reads openSUSE 13.1', () => {
    const text = 'openSUSE 13.1 (x86_64)\nVERSION = 13.1\nCODENAME = Bottle\n# /etc/SuSE-release is deprecated and will be removed in a future service pack or release.\n# Please check /etc/os-release for details about this release.\n';
    expect(parseSuseRelease(text)).toEqual({
      id: 'opensuse', idLike: ['suse'], name: 'openSUSE', version: '13.1', prettyName: 'openSUSE 13.1 (x86_64)',
    });
  });

  it('reads SLES 11 SP4 as version 11.4', () => {
    const text = 'SUSE Linux Enterprise Server 11 (x86_64)\nVERSION = 11\nPATCHLEVEL = 4\n';
    expect(parseSuseRelease(text)).toEqual({
      id: 'sles', idLike: ['suse'], name: 'SUSE Linux Enterprise Server', version: '11.4', prettyName: 'SUSE Linux Enterprise Server 11 SP4',
    });
  });

  it('reads a SLES with no service pack as the bare version', () => {
    expect(parseSuseRelease('SUSE Linux Enterprise Server 12 (x86_64)\nVERSION = 12\nPATCHLEVEL = 0\n')).toMatchObject({ id: 'sles', version: '12' });
  });
});

describe('parseAlpineRelease and parseDebianVersion', () => {
  it('reads alpine-release', () => {
    expect(parseAlpineRelease('3.18.4\n')).toEqual({
      id: 'alpine', idLike: [], name: 'Alpine Linux', version: '3.18.4', prettyName: 'Alpine Linux v3.18',
    });
    expect(parseAlpineRelease('not a version\n')).toBeUndefined();
  });

  it('reads Debian 12 base-files debian_version, and an old point release', () => {
    const text = readFileSync('test/data/distro/debian-12/base-files/etc/debian_version', 'utf8');
    expect(parseDebianVersion(text)).toEqual({
      id: 'debian', idLike: [], name: 'Debian GNU/Linux', version: text.trim(), prettyName: `Debian GNU/Linux ${text.trim()}`,
    });
    expect(parseDebianVersion('7.11\n')).toMatchObject({ version: '7.11' });
  });

  it('gives testing/unstable codenames no version', () => {
    const info = parseDebianVersion('bookworm/sid\n');
    expect(info).toMatchObject({ id: 'debian', prettyName: 'Debian GNU/Linux bookworm/sid' });
    expect(info!.version).toBeUndefined();
  });
});

function volume(index: number | null, type: FilesystemType): Volume {
  return { index, start: 0, size: 1024 * 1024, partition: null, filesystem: { type } };
}

describe('readOsFacts without a Linux root', () => {
  it('takes an NTFS partition for Windows', async () => {
    expect(await readOsFacts(null, [volume(1, 'vfat'), volume(2, 'ntfs'), volume(3, 'ntfs')])).toEqual({
      family: 'windows', idLike: [], name: 'Windows', source: 'NTFS boot sector of partition 2',
    });
  });

  it('takes a UFS filesystem for BSD', async () => {
    expect(await readOsFacts(null, [volume(null, 'ufs')])).toEqual({
      family: 'bsd', idLike: [], name: 'BSD (UFS filesystem)', source: 'UFS superblock of the whole disk',
    });
  });

  it('says unknown when nothing points anywhere', async () => {
    expect(await readOsFacts(null, [volume(1, 'swap'), volume(2, 'unknown')])).toEqual({ family: 'unknown', idLike: [] });
    expect(await readOsFacts(null, [])).toEqual({ family: 'unknown', idLike: [] });
  });
});
