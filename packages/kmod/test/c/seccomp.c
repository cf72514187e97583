// SPDX-License-Identifier: GPL-2.0
/*
 * seccomp: a task under a seccomp filter is refused (EPERM) and nothing of
 * its batch runs, since the batched calls would bypass the filter. Also
 * after the filter arrives from another thread (SECCOMP_FILTER_FLAG_TSYNC).
 */
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include "dbt.h"

static struct sock_filter allow_all[] = {
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
};
static struct sock_fprog prog = { .len = 1, .filter = allow_all };

static int exists(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0;
}

static void *filter_thread(void *arg)
{
	(void)arg;
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC, &prog))
		perror("seccomp tsync");
	return NULL;
}

/* In a child: returns the submit result after installing a filter how. */
static int child(int how)
{
	int dev = dbt_open_dev();
	struct dbatch_entry e = dbt_ent(SYS_mkdir, (unsigned long)"/tmp/sc-never", 0755, 0, 0);
	pthread_t t;

	if (dbt_submit(dev, &e, 1, 0, NULL) != 0 || e.result != 0)
		return 10;	/* works before the filter */
	rmdir("/tmp/sc-never");
	prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	if (how == 0) {
		if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog))
			return 11;
	} else {
		pthread_create(&t, NULL, filter_thread, NULL);
		pthread_join(t, NULL);
	}
	e = dbt_ent(SYS_mkdir, (unsigned long)"/tmp/sc-never", 0755, 0, 0);
	e.result = 777;
	if (dbt_submit(dev, &e, 1, 0, NULL) != -EPERM)
		return 12;
	if (exists("/tmp/sc-never"))
		return 13;
	if (e.result != 777)
		return 14;	/* not even copied back */
	/* the filter allows everything: direct calls still work */
	if (mkdir("/tmp/sc-direct", 0755))
		return 15;
	rmdir("/tmp/sc-direct");
	return 0;
}

int main(void)
{
	int how;

	for (how = 0; how < 2; how++) {
		int st;
		pid_t p = fork();

		if (p == 0)
			_exit(child(how));
		waitpid(p, &st, 0);
		CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0,
		      "%s: child status %d", how ? "tsync" : "prctl", WEXITSTATUS(st));
	}
	return dbt_done("seccomp");
}
