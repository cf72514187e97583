// SPDX-License-Identifier: MIT
/*
 * dbatch-runas UID GID PROG [ARGS...]: drop to UID/GID (no supplementary
 * groups) and exec PROG. Built statically by the VM rig; the guest's /init
 * uses it to run commands as the unprivileged user (uid 1000).
 */
#define _GNU_SOURCE
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	uid_t uid;
	gid_t gid;

	if (argc < 4) {
		fputs("usage: dbatch-runas UID GID PROG [ARGS...]\n", stderr);
		return 127;
	}
	uid = (uid_t)strtoul(argv[1], NULL, 10);
	gid = (gid_t)strtoul(argv[2], NULL, 10);
	if (setgroups(0, NULL) != 0 || setresgid(gid, gid, gid) != 0 ||
	    setresuid(uid, uid, uid) != 0) {
		perror("dbatch-runas: dropping privileges");
		return 127;
	}
	if (getuid() != uid || geteuid() != uid || (uid != 0 && setuid(0) == 0)) {
		fputs("dbatch-runas: privileges were not dropped\n", stderr);
		return 127;
	}
	execvp(argv[3], argv + 3);
	perror("dbatch-runas: exec");
	return 127;
}
