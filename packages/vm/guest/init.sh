#!/bin/sh
# dBatch VM rig, guest side: this file is /init in the initramfs.
#
# Kernel messages go to ttyS0 (the console). Everything the host parses goes
# to ttyS1: control lines "\036DBATCH <token> <KIND> ..." and, between
# "BEGIN i" and "\n\036DBATCH <token> END i <rc> <timedout>", the raw bytes
# of command i's stdout+stderr. The host writes /dbatch/run.sh, which calls
# the dbatch_* functions below, and /dbatch/cmd/<i>.sh (one per command).
export PATH=/opt/dbatch/bin:/usr/local/bin:/usr/bin:/bin
umask 022

mount -t proc proc /proc
mount -t sysfs sysfs /sys
# The benchmark counts system calls through the raw_syscalls tracepoint.
mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null || true
if ! mount -t devtmpfs devtmpfs /dev; then
	echo "dbatch-init: cannot mount devtmpfs on /dev" >/dev/console
fi
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
# Files the host put under /tmp are moved onto the tmpfs mounted there.
mv /tmp /.dbatch-tmp && mkdir -m 1777 /tmp
mount -t tmpfs -o mode=1777 tmpfs /tmp
cp -a /.dbatch-tmp/. /tmp/ && rm -rf /.dbatch-tmp
mount -t tmpfs -o mode=1777 tmpfs /dev/shm
mount -t tmpfs -o mode=0755 tmpfs /run
ln -sf /proc/self/fd /dev/fd
ln -sf /proc/self/fd/0 /dev/stdin
ln -sf /proc/self/fd/1 /dev/stdout
ln -sf /proc/self/fd/2 /dev/stderr
hostname dbatch-vm
mkdir -p /run/dbatch

exec 3>/dev/ttyS1 4>/dev/ttyS2
stty -F /dev/ttyS1 raw -echo 2>/dev/null
stty -F /dev/ttyS2 raw -echo 2>/dev/null

dbatch_skip=

dbatch_msg() {
	printf '\036DBATCH %s %s\n' "$DBATCH_TOKEN" "$*" >&3
}

dbatch_ready() {
	dbatch_msg READY "$(cut -d' ' -f1 /proc/uptime)"
}

# dbatch_insmod LABEL PATH [PARAMS...]: on failure the remaining commands are skipped.
dbatch_insmod() {
	label=$1
	shift
	out=$(insmod "$@" 2>&1)
	rc=$?
	dbatch_msg INSMOD "$rc" "$label" "$(printf '%s' "$out" | tr '\n\036' '  ')"
	if [ "$rc" -ne 0 ]; then
		echo "dbatch-init: insmod $* failed ($rc): $out" >/dev/console
		dbatch_skip=1
	fi
	return 0
}

# dbatch_mount_share GUEST_DIR: the host directory of VmOptions.share (9p);
# on failure the commands are skipped (they would write to the wrong place).
dbatch_mount_share() {
	mkdir -p "$1"
	if ! out=$(mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144,cache=none \
		dbatch_share "$1" 2>&1); then
		dbatch_msg INSMOD 1 9p-share "$(printf 'mount: %s' "$out" | tr '\n\036' '  ')"
		echo "dbatch-init: mounting the shared directory failed: $out" >/dev/console
		dbatch_skip=1
	fi
}

# dbatch_cmd INDEX root|user TIMEOUT_SECONDS(0 = none) SEPARATE_STDERR(0|1)
dbatch_cmd() {
	i=$1
	who=$2
	t=$3
	sep=${4:-0}
	if [ -n "$dbatch_skip" ]; then
		dbatch_msg SKIP "$i"
		return 0
	fi
	in=/dev/null
	[ -f "/dbatch/cmd/$i.stdin" ] && in=/dbatch/cmd/$i.stdin
	if [ -f "/dbatch/cmd/$i.stdin-port" ]; then
		# The virtio-serial port named dbatch.stdin (no udev: look it up).
		for p in /sys/class/virtio-ports/*; do
			[ "$(cat "$p/name" 2>/dev/null)" = dbatch.stdin ] && in=/dev/${p##*/}
		done
	fi
	if [ "$who" = user ]; then
		set -- dbatch-runas 1000 1000 /bin/sh "/dbatch/cmd/$i.sh"
	else
		set -- /bin/sh "/dbatch/cmd/$i.sh"
	fi
	dbatch_msg BEGIN "$i" "$(cut -d' ' -f1 /proc/uptime)"
	# Mark the kernel log too, so kernel problems can be tied to a command.
	echo "<4>dbatch-vm: command $i begins" >/dev/kmsg
	# setsid: the command leads its own process group, so a timeout can
	# kill the whole group.
	# stdout and stderr are pipes, as they are for a program whose output
	# is captured on the host (a serial port is a tty: stdio would
	# line-buffer and output would come in another order).
	out=/run/dbatch/out-$i err=/run/dbatch/err-$i
	mkfifo "$out"
	cat "$out" >&3 3>&- 4>&- &
	co=$!
	ce=
	if [ "$sep" = 1 ]; then
		printf '\036DBATCH %s BEGIN %s\n' "$DBATCH_TOKEN" "$i" >&4
		mkfifo "$err"
		cat "$err" >&4 3>&- 4>&- &
		ce=$!
		setsid "$@" <"$in" >"$out" 2>"$err" 3>&- 4>&- &
	else
		setsid "$@" <"$in" >"$out" 2>&1 3>&- 4>&- &
	fi
	pid=$!
	wd=
	if [ "$t" -gt 0 ]; then
		(
			sleep "$t"
			if kill -0 "$pid" 2>/dev/null; then
				: >"/run/dbatch/timeout-$i"
				kill -KILL -"$pid" 2>/dev/null
				kill -KILL "$pid" 2>/dev/null
			fi
		) </dev/null >/dev/null 2>&1 3>&- 4>&- &
		wd=$!
	fi
	wait "$pid"
	rc=$?
	# the readers end when the last writer (the command's children too) closes
	wait "$co"
	[ -n "$ce" ] && wait "$ce"
	rm -f "$out" "$err"
	echo "<4>dbatch-vm: command $i ended" >/dev/kmsg
	[ -n "$wd" ] && kill "$wd" 2>/dev/null
	to=0
	[ -f "/run/dbatch/timeout-$i" ] && to=1
	[ "$sep" = 1 ] && printf '\n\036DBATCH %s END %s %s\n' "$DBATCH_TOKEN" "$i" "$rc" >&4
	printf '\n\036DBATCH %s END %s %s %s %s\n' "$DBATCH_TOKEN" "$i" "$rc" "$to" \
		"$(cut -d' ' -f1 /proc/uptime)" >&3
}

# dbatch_shell root|user: an interactive shell on the console (dbatch vm --shell).
dbatch_shell() {
	echo "dbatch-vm: $(uname -r), /dev/batch: $(test -c /dev/batch && echo yes || echo no);" \
		"preload: $(test -f /opt/dbatch/libdbatch-preload.so && echo /opt/dbatch/libdbatch-preload.so || echo none);" \
		"exit the shell to power off" >/dev/console
	export HOME=/root DBATCH_PRELOAD=/opt/dbatch/libdbatch-preload.so PS1='dbatch-vm:\w# '
	cd /tmp
	if [ "$1" = user ]; then
		HOME=/home/user PS1='dbatch-vm:\w$ ' setsid cttyhack dbatch-runas 1000 1000 /bin/sh -i
	else
		setsid cttyhack /bin/sh -i
	fi
}

# dbatch_collect INDEX PATH: send a guest file back (base64) after the commands.
dbatch_collect() {
	if [ -f "$2" ] && [ -r "$2" ]; then
		dbatch_msg FILE "$1"
		base64 "$2" >&3
		dbatch_msg FILEEND "$1"
	fi
}

dbatch_done() {
	dbatch_msg DONE
}

if [ -f /dbatch/run.sh ]; then
	. /dbatch/run.sh
else
	echo "dbatch-init: no /dbatch/run.sh in the initramfs" >/dev/console
	printf '\036DBATCH - NORUN\n' >&3
fi
sync
poweroff -f
# poweroff -f does not return; if it does, do not let init exit (panic).
while :; do sleep 3600; done
