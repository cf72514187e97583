// SPDX-License-Identifier: GPL-2.0
/*
 * memcg: the kernel copy of a batch is charged to the caller's memory
 * cgroup. 64 threads of a process in a fresh cgroup each block in a batch
 * of DBATCH_MAX_ENTRIES entries (lseeks that fail with ESPIPE, then a read
 * of an empty pipe);
 * all of them submit the same user array, so the user memory is charged
 * once, and the cgroup's memory.current must grow by at least the kernel
 * copies (about 88 KiB each), not only by the threads' stacks.
 */
#include <pthread.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include "dbt.h"

#define THREADS 64
#define CG "/sys/fs/cgroup/dbatch-memcg"

static struct dbatch_entry ents[DBATCH_MAX_ENTRIES];
static int dev;

static void *blocker(void *arg)
{
	(void)arg;
	dbt_submit(dev, ents, DBATCH_MAX_ENTRIES, 0, NULL);
	return NULL;
}

static long long read_ll(const char *path)
{
	char buf[64] = "";
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return -1;
	if (read(fd, buf, sizeof(buf) - 1) < 0)
		buf[0] = 0;
	close(fd);
	return atoll(buf);
}

static int write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY);
	int r;

	if (fd < 0)
		return -errno;
	r = write(fd, s, strlen(s)) < 0 ? -errno : 0;
	close(fd);
	return r;
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	char pid[32];
	long long before, after;
	pthread_t t[THREADS];
	int p[2], i;

	mkdir("/sys/fs/cgroup", 0755);
	if (access("/sys/fs/cgroup/cgroup.controllers", F_OK))
		mount("cgroup2", "/sys/fs/cgroup", "cgroup2", 0, NULL);
	write_str("/sys/fs/cgroup/cgroup.subtree_control", "+memory");
	mkdir(CG, 0755);
	snprintf(pid, sizeof(pid), "%d", getpid());
	CHECK_EQ(write_str(CG "/cgroup.procs", pid), 0);

	dev = dbt_open_dev();
	if (pipe(p))
		return 2;
	for (i = 0; i < DBATCH_MAX_ENTRIES - 1; i++)
		ents[i] = dbt_ent(SYS_lseek, p[0], 0, SEEK_CUR, 0);
	ents[i] = dbt_ent(SYS_read, p[0], (unsigned long)pid, 1, 0);

	/*
	 * Without the charge, each thread adds only its stacks (about 30
	 * KiB): the bound below tells the two apart.
	 */
	before = read_ll(CG "/memory.current");
	for (i = 0; i < THREADS; i++)
		pthread_create(&t[i], NULL, blocker, NULL);
	usleep(1500000);
	after = read_ll(CG "/memory.current");
	printf("memcg: memory.current %lld -> %lld (+%lld KiB for %d blocked batches)\n",
	       before, after, (after - before) >> 10, THREADS);
	CHECK(before > 0, "memory.current unreadable");
	CHECK(after - before >= THREADS * 80LL * 1024,
	      "grew by %lld KiB, want >= %d KiB", (after - before) >> 10, THREADS * 80);

	/* Release them: one byte per blocked read. */
	for (i = 0; i < THREADS; i++)
		CHECK_EQ(write(p[1], "r", 1), 1);
	for (i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	write_str("/sys/fs/cgroup/cgroup.procs", pid);
	rmdir(CG);
	return dbt_done("memcg");
}
