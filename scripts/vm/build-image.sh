#!/usr/bin/env bash
# Builds the real-VM test image: a Debian 12 guest with a 6.12 kernel, sshd, chrony and linuxptp,
# booted by tests/realhost/vm.ts under qemu 10 (TCG) with an emulated igb NIC, which gives the
# guest a working PTP hardware clock. Recipe and its pitfalls: NOTES.md, "A real Linux host with
# a real PHC, on this machine".
#
# Usage (as root, on Debian 12):  bash scripts/vm/build-image.sh
#
# Installs on the host what the tests need (qemu-system-x86 10 and qemu-utils from
# bookworm-backports, through a temporary sources.list.d file removed afterwards; debootstrap,
# e2fsprogs, openssh-client), then builds into
#   ${PTP_RUNNER_VM_CACHE:-/var/cache/ptp-runner-vm}/<sha256 of this script>/
# the files disk.img (raw ext4, 2 GiB, root filesystem), vmlinuz, initrd.img, id_ed25519 and
# id_ed25519.pub (the client key authorized for the guest user `admin`, who has passwordless
# sudo), host_ed25519.pub (the guest's sshd host key) and, last, `ready`. The directory is built
# under a temporary name and renamed, so it is complete or absent. When it is already there the
# script only checks the host tools and exits. A new build removes the images of earlier versions
# of this script from the cache. The last line of stdout is the directory's path.
#
# Exits non-zero with a message on stderr when not root, not on Debian 12, or when the Debian
# mirror is unreachable.
set -euo pipefail

MIRROR="http://deb.debian.org/debian"
SUITE="bookworm"
# The kernel NOTES.md verified (bookworm-backports); its igb driver exposes the PHC.
KERNEL_PKG="linux-image-6.12.95+deb12-amd64"
GUEST_USER="admin"
GUEST_HOSTNAME="ptp-vm"
# NOTES.md's set plus dbus, which real hosts have: without it a non-root `systemctl` fails with
# "Failed to connect to bus".
INCLUDE="systemd,systemd-sysv,dbus,udev,kmod,openssh-server,chrony,linuxptp,ethtool,sudo,iproute2,procps,initramfs-tools,zstd"
BACKPORTS_LIST="/etc/apt/sources.list.d/ptp-runner-bookworm-backports.list"

die() {
  echo "build-image: $*" >&2
  exit 1
}
log() { echo "build-image: $*" >&2; }

[ "$(id -u)" = "0" ] || die "must run as root (debootstrap, chroot and apt need it)"
# shellcheck disable=SC1091
. /etc/os-release
[ "${VERSION_CODENAME:-}" = "$SUITE" ] ||
  die "needs a Debian 12 (bookworm) host for qemu 10 from bookworm-backports; this is ${PRETTY_NAME:-unknown}"

script="$(readlink -f "${BASH_SOURCE[0]}")"
# The key: this script's content (it reads no other file).
hash="$(sha256sum "$script" | cut -d' ' -f1)"
cache_root="${PTP_RUNNER_VM_CACHE:-/var/cache/ptp-runner-vm}"
out="$cache_root/$hash"

have_host_tools() {
  command -v debootstrap >/dev/null && command -v mkfs.ext4 >/dev/null &&
    command -v ssh >/dev/null && command -v ssh-keygen >/dev/null &&
    command -v qemu-img >/dev/null &&
    [[ "$(qemu-system-x86_64 --version 2>/dev/null)" =~ version\ (1[0-9]|[2-9][0-9])\. ]]
}

if [ -f "$out/ready" ] && have_host_tools; then
  log "image ready (cached)"
  echo "$out"
  exit 0
fi

mkdir -p "$cache_root"
# One build at a time per cache.
exec 9>"$cache_root/.lock"
flock 9
if [ -f "$out/ready" ] && have_host_tools; then
  log "image ready (built by a concurrent run)"
  echo "$out"
  exit 0
fi

work="$(mktemp -d "$cache_root/.build-$hash.XXXXXX")"
root="$work/rootfs"
cleanup() {
  local m
  for m in sys dev/pts dev proc; do
    mountpoint -q "$root/$m" 2>/dev/null && umount -l "$root/$m"
  done
  rm -f "$BACKPORTS_LIST"
  rm -rf --one-file-system "$work"
}
trap cleanup EXIT

export DEBIAN_FRONTEND=noninteractive

# --- Host tools and the kernel package (bookworm-backports) -------------------------------------
echo "deb $MIRROR $SUITE-backports main" >"$BACKPORTS_LIST"
log "apt-get update (with bookworm-backports)"
apt-get update -qq >"$work/apt-update.log" 2>&1 || true
# apt-get update warns (status 0) when a mirror fails and keeps the old lists: look at its log.
if grep -qE "(Failed to fetch|Err:).*${MIRROR#http://}" "$work/apt-update.log"; then
  tail -n 20 "$work/apt-update.log" >&2
  die "Debian mirror $MIRROR is unreachable"
fi
# (grep on a captured string: `apt-cache … | grep -q` fails under pipefail when grep exits early.)
policy="$(apt-cache policy qemu-system-x86 2>/dev/null || true)"
if ! grep -q "$SUITE-backports" <<<"$policy"; then
  tail -n 20 "$work/apt-update.log" >&2
  die "Debian mirror $MIRROR ($SUITE-backports) is unreachable"
fi
if ! have_host_tools; then
  log "installing qemu-system-x86, qemu-utils (bookworm-backports), debootstrap, e2fsprogs, openssh-client"
  apt-get install -y -qq -t "$SUITE-backports" --no-install-recommends \
    qemu-system-x86 qemu-utils >"$work/apt-install.log" 2>&1 ||
    { tail -n 20 "$work/apt-install.log" >&2; die "could not install qemu from $SUITE-backports"; }
  apt-get install -y -qq --no-install-recommends debootstrap e2fsprogs openssh-client \
    >>"$work/apt-install.log" 2>&1 ||
    { tail -n 20 "$work/apt-install.log" >&2; die "could not install debootstrap e2fsprogs openssh-client"; }
fi
have_host_tools || die "qemu-system-x86_64 10 or a host tool is still missing after installing"
qemu-system-x86_64 --version | head -n 1 >&2

if [ -f "$out/ready" ]; then
  rm -f "$BACKPORTS_LIST"
  log "image ready (cached)"
  echo "$out"
  exit 0
fi

log "downloading $KERNEL_PKG"
(cd "$work" && apt-get download -qq -t "$SUITE-backports" "$KERNEL_PKG" >/dev/null 2>&1) ||
  die "could not download $KERNEL_PKG from $SUITE-backports"
rm -f "$BACKPORTS_LIST"
kernel_deb="$(ls "$work"/linux-image-*.deb)"

# --- Guest root filesystem ----------------------------------------------------------------------
log "debootstrap $SUITE (minbase; takes a few minutes)"
debootstrap --variant=minbase --include="$INCLUDE" "$SUITE" "$root" "$MIRROR" \
  >"$work/debootstrap.log" 2>&1 ||
  { tail -n 20 "$work/debootstrap.log" >&2; die "debootstrap failed (mirror unreachable?)"; }

mount --bind /proc "$root/proc"
mount --bind /sys "$root/sys"
mount --bind /dev "$root/dev"
mount --bind /dev/pts "$root/dev/pts"
# No service starts inside the chroot.
printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
chmod 755 "$root/usr/sbin/policy-rc.d"

log "installing $KERNEL_PKG in the guest (builds the initramfs)"
cp "$kernel_deb" "$root/tmp/kernel.deb"
chroot "$root" apt-get install -y -qq --no-install-recommends /tmp/kernel.deb \
  >"$work/kernel.log" 2>&1 ||
  { tail -n 20 "$work/kernel.log" >&2; die "installing the kernel in the guest failed"; }
rm -f "$root/tmp/kernel.deb"
chroot "$root" apt-get clean

log "configuring the guest"
echo "$GUEST_HOSTNAME" >"$root/etc/hostname"
cat >"$root/etc/hosts" <<EOF
127.0.0.1	localhost
127.0.1.1	$GUEST_HOSTNAME
::1	localhost ip6-localhost ip6-loopback
EOF
echo "/dev/vda / ext4 defaults 0 1" >"$root/etc/fstab"
# The guest has no route out (user-mode network, restricted): no name server, so lookups fail
# at once instead of timing out.
: >"$root/etc/resolv.conf"
cat >"$root/etc/systemd/network/20-wired.network" <<EOF
[Match]
Name=e*

[Network]
DHCP=ipv4
EOF

chroot "$root" useradd -m -s /bin/bash "$GUEST_USER"
# No password, but not locked: sshd (UsePAM) refuses a locked account even with a key.
chroot "$root" usermod -p '*' "$GUEST_USER"
echo "$GUEST_USER ALL=(ALL) NOPASSWD:ALL" >"$root/etc/sudoers.d/$GUEST_USER"
chmod 440 "$root/etc/sudoers.d/$GUEST_USER"

mkdir -p "$work/out"
ssh-keygen -q -t ed25519 -N '' -C "ptp-runner-vm" -f "$work/out/id_ed25519"
install -d -m 700 "$root/home/$GUEST_USER/.ssh"
install -m 600 "$work/out/id_ed25519.pub" "$root/home/$GUEST_USER/.ssh/authorized_keys"
chroot "$root" chown -R "$GUEST_USER:$GUEST_USER" "/home/$GUEST_USER/.ssh"
# debootstrap's openssh-server made the host keys; every boot of this image shares them.
cp "$root/etc/ssh/ssh_host_ed25519_key.pub" "$work/out/host_ed25519.pub"

chroot "$root" systemctl enable systemd-networkd ssh chrony >/dev/null 2>&1
rm -f "$root/usr/sbin/policy-rc.d"
# A fixed machine id, so systemd does not write one into /etc at first boot.
[ -s "$root/etc/machine-id" ] || chroot "$root" systemd-machine-id-setup >/dev/null 2>&1

cp "$root"/boot/vmlinuz-* "$work/out/vmlinuz"
cp "$root"/boot/initrd.img-* "$work/out/initrd.img"
for m in sys dev/pts dev proc; do umount "$root/$m"; done

log "making disk.img (ext4, 2 GiB)"
mkfs.ext4 -q -L ptp-vm-root -d "$root" -F "$work/out/disk.img" 2G >&2
chmod 644 "$work/out/disk.img" "$work/out/vmlinuz" "$work/out/initrd.img"
date -u +%Y-%m-%dT%H:%M:%SZ >"$work/out/ready"

rm -rf "$out"
mv "$work/out" "$out"
log "image built"

# Images of earlier versions of this script (other hashes) are never booted again, and a build
# directory left by a killed run is never finished: remove both (~520 MB each). Builds hold the
# lock, so no other build is running; a VM still running from an old image keeps its open files.
for old in "$cache_root"/*/ "$cache_root"/.build-*/; do
  old="${old%/}"
  [ -d "$old" ] && [ "$old" != "$out" ] && [ "$old" != "$work" ] || continue
  name="$(basename "$old")"
  if [[ "$name" =~ ^[0-9a-f]{64}$ || "$name" == .build-* ]]; then
    log "removing an outdated image directory: $old"
    rm -rf --one-file-system "$old"
  fi
done
echo "$out"
