#!/usr/bin/env bash
# Refreshes test/data/distro/debian-12: configuration files, unit files and
# init scripts exactly as Debian 12 (bookworm) packages install them, so the
# guest fixtures are built from what real systems carry rather than from
# imitations. Needs apt-get (with bookworm sources) and dpkg-deb.
# Only small text files (and /bin/dash, a real ELF for architecture
# detection, and the GRUB and SYSLINUX MBR boot code) are kept; ORIGIN.tsv
# records the package and version of each.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out="$here/debian-12"
packages=(openssh-server openssh-client systemd systemd-timesyncd ifupdown netplan.io
  network-manager chrony ntpsec cron rsyslog sysvinit-core initscripts sysv-rc base-files
  dbus udev cloud-init xrdp tigervnc-standalone-server isc-dhcp-client openntpd
  unattended-upgrades base-passwd login dash openrc grub-pc-bin syslinux-common avahi-daemon
  cups-daemon modemmanager bluez lightdm ntpsec-ntpdate xinetd apt)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && apt-get download "${packages[@]}" >/dev/null)
rm -rf "$out"
mkdir -p "$out"
printf 'package\tversion\tsha256 of the .deb\n' > "$out/ORIGIN.tsv"
for deb in "$work"/*.deb; do
  name=$(dpkg-deb -f "$deb" Package)
  version=$(dpkg-deb -f "$deb" Version)
  printf '%s\t%s\t%s\n' "$name" "$version" "$(sha256sum "$deb" | cut -d' ' -f1)" >> "$out/ORIGIN.tsv"
  tree="$work/x/$name"
  mkdir -p "$tree"
  dpkg-deb -x "$deb" "$tree"
  (cd "$tree" && find . \( -path './etc/*' -o -path './lib/systemd/system/*' -o -path './usr/lib/systemd/system/*' \
      -o -path './usr/lib/os-release' -o -path './usr/share/openssh/*' -o -path './usr/share/base-passwd/*.master' \
      -o -path './bin/dash' -o -path './usr/share/doc/netplan/examples/*' -o -path './usr/share/sysvinit/*' -o -path './usr/share/chrony/*' \
      -o -path './lib/systemd/network/*' -o -path './usr/lib/systemd/network/*' \
      -o -path './usr/lib/grub/i386-pc/boot.img' -o -path './usr/lib/syslinux/mbr/mbr.bin' \) \
      \( -type l -o \( -type f -size -64k \) -o -path './bin/dash' \) \
      ! -path './etc/ssh/moduli' ! -path '*/xrdp/*.pem' ! -path '*/xrdp/*key*' -print0 \
    | tar --null -T - -cf - | tar -xf - -C "$out" --one-top-level="$name")
done
