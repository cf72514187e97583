#!/usr/bin/env bash
# Fetches a Debian kernel line for the VM rig into the kernel cache, without
# installing it on this machine (no /boot, no initramfs, no bootloader):
#   scripts/kernels.sh 6.12        newest 6.12 (bookworm-backports, gcc-12)
#   scripts/kernels.sh 6.12-rt     its PREEMPT_RT flavour
#   scripts/kernels.sh --list      what the cache holds
#   scripts/kernels.sh --update 6.12   look for a newer 6.12 even if one is cached
# Bookworm's own 6.1 comes from apt (linux-image-amd64, linux-headers-amd64:
# scripts/deps.sh) and is not cached here.
#
# The cache is $DBATCH_KERNEL_CACHE, default ${XDG_CACHE_HOME:-~/.cache}/dbatch/kernels,
# outside the repository so a fresh clone reuses it. One folder per kernel
# version: vmlinuz, build/ (the headers, ready for `make -C build M=...`)
# and modules/ (the image's /lib/modules/<version>, with modules.dep). Idempotent: a kernel
# already there is not fetched again.
set -euo pipefail

cache=${DBATCH_KERNEL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/dbatch/kernels}
log() { printf 'dbatch-kernels: %s\n' "$*" >&2; }

if [ "${1:-}" = "--list" ]; then
  [ -d "$cache" ] && ls -1 "$cache" | grep -v '^\.' || true
  exit 0
fi
update=0
if [ "${1:-}" = "--update" ]; then
  update=1
  shift
fi
spec=${1:?usage: scripts/kernels.sh [--update] LINE[-FLAVOUR] | --list   (e.g. 6.12, 6.12-rt)}
line=${spec%%-*}
flavour=amd64
case "$spec" in
  *-rt) flavour=rt-amd64 ;;
  *-cloud) flavour=cloud-amd64 ;;
  *-*) log "unknown flavour in $spec (rt or cloud)"; exit 2 ;;
esac
case "$line" in
  6.1) log "6.1 is bookworm's own kernel: apt-get install linux-image-amd64 linux-headers-amd64"; exit 2 ;;
  6.12) suite=bookworm-backports ;;
  *) log "no Debian source known for kernel line $line (known: 6.12)"; exit 2 ;;
esac

# One of this line and flavour is cached already: done (no network).
if [ "$update" = 0 ] && ls -1 "$cache" 2>/dev/null |
  grep -qE "^${line//./\\.}\.[0-9]+\+deb[0-9.]*-${flavour}\$"; then
  exit 0
fi

# A temporary apt configuration for the backports suite: the system's own
# lists stay untouched.
work=$(mktemp -d /tmp/dbatch-kernels.XXXXXX)
trap 'rm -rf "$work"' EXIT
mirror=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources 2>/dev/null |
  grep -oE '^(deb|URIs:) +[^ ]+' | awk '{print $2}' | grep -v security | head -n 1 || true)
mirror=${mirror:-http://deb.debian.org/debian}
printf 'deb %s %s main\n' "$mirror" "$suite" >"$work/sources.list"
mkdir -p "$work/lists/partial" "$work/debs"
apt=(-o "Dir::Etc::sourcelist=$work/sources.list" -o Dir::Etc::sourceparts=- -o "Dir::State::Lists=$work/lists"
  -o APT::Sandbox::User=root)
apt-get "${apt[@]}" update -qq

# The newest ABI of the line that has an unsigned image of this flavour.
abi=$(apt-cache "${apt[@]}" pkgnames "linux-image-$line." 2>/dev/null |
  sed -n "s/^linux-image-\(${line//./\\.}\.[0-9]*+deb[0-9.]*\)-${flavour}-unsigned\$/\1/p" |
  sort -V | tail -n 1)
if [ -z "$abi" ]; then
  log "no linux-image-$line.*-$flavour-unsigned in $suite"
  exit 1
fi
version="$abi-$flavour"
if [ -f "$cache/$version/vmlinuz" ] && [ -d "$cache/$version/build" ]; then
  log "$version already in $cache"
  exit 0
fi
common="linux-headers-$abi-common"
[ "$flavour" = rt-amd64 ] && common="$common-rt"
log "fetching $version from $suite"
(cd "$work/debs" && apt-get "${apt[@]}" download -qq \
  "linux-image-$version-unsigned" "linux-headers-$version" "$common" "linux-kbuild-$abi")
for d in "$work"/debs/*.deb; do dpkg -x "$d" "$work/root"; done

# Arrange it: the headers' Makefile includes the common tree by absolute
# path; point it at the extracted copy.
tmp="$cache/.$version.$$"
rm -rf "$tmp"
mkdir -p "$tmp"
mv "$work/root/boot/vmlinuz-$version" "$tmp/vmlinuz"
mv "$work/root/lib/modules/$version" "$tmp/modules"
rm -f "$tmp/modules/build" "$tmp/modules/source"
mkdir -p "$tmp/usr/src" "$tmp/usr/lib"
mv "$work/root/usr/src/"* "$tmp/usr/src/"
mv "$work/root/usr/lib/linux-kbuild-$abi" "$tmp/usr/lib/"
sed -i "s|include /usr/src/|include $cache/$version/usr/src/|" "$tmp/usr/src/linux-headers-$version/Makefile"
ln -s "usr/src/linux-headers-$version" "$tmp/build"
# modules.dep, for the rig to load 9p and its dependencies in the guest.
mkdir -p "$tmp/lib/modules"
ln -s ../../modules "$tmp/lib/modules/$version"
depmod -b "$tmp" "$version"
rm -rf "${cache:?}/$version"
mv "$tmp" "$cache/$version"
log "$version ready in $cache/$version"
