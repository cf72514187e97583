#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs the kernel's checkpatch.pl (--no-tree -f) on batch.ko's sources.
#
# checkpatch.pl is not in the headers package: it is taken from Debian's
# linux-source-6.1 tarball (/usr/src/linux-source-6.1.tar.xz, installed by
# scripts/deps.sh), extracting only checkpatch.pl and the two files it reads
# into packages/kmod/.cache/checkpatch/ once.
#
#   scripts/checkpatch.sh            check every source file
#   scripts/checkpatch.sh FILE...    check these files
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
cache="$here/.cache/checkpatch"
tarball=${DBATCH_LINUX_SOURCE:-$(ls /usr/src/linux-source-*.tar.xz 2>/dev/null | sort -V | tail -n 1)}

if [ ! -x "$cache/scripts/checkpatch.pl" ]; then
	if [ -z "$tarball" ] || [ ! -f "$tarball" ]; then
		echo "checkpatch: no /usr/src/linux-source-*.tar.xz (apt-get install linux-source-6.1)" >&2
		exit 2
	fi
	top=$(tar -tJf "$tarball" 2>/dev/null | head -n 1 | cut -d/ -f1)
	mkdir -p "$cache"
	tar -xJf "$tarball" -C "$cache" --strip-components=1 \
		"$top/scripts/checkpatch.pl" \
		"$top/scripts/spelling.txt" \
		"$top/scripts/const_structs.checkpatch"
fi

if [ $# -eq 0 ]; then
	cd "$here"
	set -- src/*.c src/*.h include/uapi/linux/dbatch.h
fi
exec perl "$cache/scripts/checkpatch.pl" --no-tree --strict --show-types \
	--ignore FILE_PATH_CHANGES -f "$@"
