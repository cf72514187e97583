/* SPDX-License-Identifier: MIT */
/*
 * harness.h - tiny helpers for the C unit tests. Each test is one program
 * run under LD_PRELOAD=libdbatch-preload.so (backend from DBATCH_BACKEND);
 * it prints "ok" and exits 0, or names the failed check and exits 1.
 * raw_*() go through syscall(2), which the library does not interpose, so
 * a test can look at the real state while a window is still open.
 */
#ifndef DBATCH_TEST_HARNESS_H
#define DBATCH_TEST_HARNESS_H
#define _GNU_SOURCE
#ifndef DBATCH_LINUX_BATCH_H
#include <dbatch.h>
#else
/* a seed-mode test: <linux/batch.h> owns batch_flush(); read stats directly */
struct dbatch_stats {
	const char *backend;
	unsigned long long recorded, flushes, kernel_entries;
};
extern int dbatch_batch_stats(struct dbatch_stats *st) __attribute__((weak));
static inline int batch_stats(struct dbatch_stats *st)
{
	return dbatch_batch_stats ? dbatch_batch_stats(st) : -1;
}
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define CHECK(cond)							\
	do {								\
		if (!(cond)) {						\
			fprintf(stderr, "%s:%d: check failed: %s (errno %d %s)\n", \
				__FILE__, __LINE__, #cond, errno, strerror(errno)); \
			exit(1);					\
		}							\
	} while (0)

#define PASS()				\
	do {				\
		printf("ok\n");		\
		return 0;		\
	} while (0)

static inline long raw_pread(int fd, void *buf, size_t n, off_t off)
{
	return syscall(SYS_pread64, fd, buf, n, off);
}

/* The file's current contents as the kernel sees them (NUL-terminated). */
static inline char *raw_slurp(const char *path, long *len)
{
	static char buf[1 << 16];
	long fd = syscall(SYS_open, path, O_RDONLY | O_CLOEXEC), n;

	*len = -1;
	if (fd < 0)
		return NULL;
	n = syscall(SYS_read, fd, buf, sizeof(buf) - 1);
	syscall(SYS_close, fd);
	if (n < 0)
		return NULL;
	buf[n] = 0;
	*len = n;
	return buf;
}

static inline int raw_fd_valid(int fd)
{
	return syscall(SYS_fcntl, fd, F_GETFD) >= 0;
}

static inline long stat_recorded(void)
{
	struct dbatch_stats st;

	batch_stats(&st);
	return (long)st.recorded;
}

static inline long stat_flushes(void)
{
	struct dbatch_stats st;

	batch_stats(&st);
	return (long)st.flushes;
}

static inline void must_be_preloaded(void)
{
	struct dbatch_stats st;

	if (batch_stats(&st) < 0) {
		fprintf(stderr, "run this test under LD_PRELOAD=libdbatch-preload.so\n");
		exit(2);
	}
}

#endif
