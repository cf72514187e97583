#!/bin/sh
# Fetches Debian bookworm source packages into a cache outside the repository
# (default ~/.cache/dbatch/realworld), through a private apt configuration
# with a deb-src line for the mirror the machine already uses. Network: the
# Debian mirror only. Usage: scripts/realworld-fetch.sh [PKG...]
set -eu
cache=${DBATCH_REALWORLD_CACHE:-$HOME/.cache/dbatch/realworld}
pkgs=${*:-lighttpd tar rsync cpio gzip patch}
mkdir -p "$cache/apt/lists/partial" "$cache/src"
uri=$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -1)
[ -n "$uri" ] || uri=http://deb.debian.org/debian
printf 'deb-src %s bookworm main\n' "$uri" > "$cache/apt/sources.list"
apt_opts="-o Dir::Etc::sourcelist=$cache/apt/sources.list -o Dir::Etc::sourceparts=- -o Dir::State::Lists=$cache/apt/lists"
if [ ! -s "$cache/apt/updated" ]; then
	echo "realworld: apt-get update (deb-src, $uri)" >&2
	# shellcheck disable=SC2086
	apt-get -qq $apt_opts update && date > "$cache/apt/updated"
fi
cd "$cache/src"
for p in $pkgs; do
	if ls -d "$p"-*/ >/dev/null 2>&1; then
		echo "realworld: $p already fetched" >&2
		continue
	fi
	echo "realworld: fetching $p" >&2
	# shellcheck disable=SC2086
	apt-get -qq $apt_opts source --download-only "$p" >/dev/null
	dsc=$(ls "$p"_*.dsc | head -1)
	dpkg-source -x --no-check "$dsc" >/dev/null 2>&1 || { echo "realworld: cannot unpack $dsc" >&2; exit 1; }
done
echo "$cache/src"
