// SPDX-License-Identifier: GPL-2.0
/*
 * preload_kmod: libdbatch-preload.so's kmod backend end to end, run with
 * LD_PRELOAD=... DBATCH_BACKEND=kmod:   preload_kmod [seccomp]
 *
 * A batch of a deferred open (placeholder fd: a call is pending before it,
 * else the open would run at once), writes and close, then one
 * with a failing write; with "seccomp", under an allow-all seccomp filter,
 * where the module refuses the task and the library must run the same
 * batches under emulate with the same results.
 */
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <dbatch.h>
#include "dbt.h"

int main(int argc, char **argv)
{
	static struct sock_filter allow[] = { BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW) };
	struct sock_fprog prog = { .len = 1, .filter = allow };
	int seccomp = argc > 1 && !strcmp(argv[1], "seccomp");
	char buf[256];
	int fd, i, r;

	CHECK(dbatch_batch_start != NULL, "not preloaded");
	if (seccomp) {
		prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
		CHECK_EQ(prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog), 0);
	}
	unlink("/tmp/pk.out");
	batch_start();
	write(1, "", 0);
	fd = open("/tmp/pk.out", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	CHECK(fd >= 0, "deferred open returned %d", fd);
	for (i = 0; i < 10; i++)
		CHECK_EQ(write(fd, "0123456789\n", 11), 11);
	CHECK_EQ(close(fd), 0);
	r = batch_flush();
	CHECK_EQ(r, 0);
	fd = open("/tmp/pk.out", O_RDONLY);
	CHECK_EQ(read(fd, buf, sizeof(buf)), 110);
	CHECK(!memcmp(buf + 99, "0123456789\n", 11), "content");
	close(fd);

	batch_start();
	write(1, "", 0);
	write(987, "x", 1);
	r = batch_flush();
	CHECK_EQ(r, -1);
	CHECK_EQ(errno, EBADF);
	return dbt_done(seccomp ? "preload_kmod_seccomp" : "preload_kmod");
}
