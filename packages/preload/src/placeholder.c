/* SPDX-License-Identifier: MIT */
/*
 * placeholder.c - fd numbers for deferred opens.
 *
 * A deferred open must return the number the open would have returned,
 * and nobody else may be given that number before the flush installs the
 * real file there. The number is the lowest free one, taken at record time
 * by duplicating a /dev/null fd onto it (O_CLOEXEC); the flush replaces it
 * (dup3) with the opened file. Nothing is held between batches, so the
 * program's fd table is its own. The /dev/null source fd is process-wide
 * and kept at a high number so it does not shift the program's numbers.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sys/syscall.h>
#include "internal.h"

#define DBATCH_HIGH_FD	900

static int devnull_fd = -1;

static int devnull_source(void)
{
	int fd = __atomic_load_n(&devnull_fd, __ATOMIC_ACQUIRE);
	long r, hi;
	int expected = -1;

	if (fd >= 0)
		return fd;
	r = dbatch_sys(SYS_open, "/dev/null", O_RDWR | O_CLOEXEC, 0);
	if (r < 0)
		return -1;
	hi = dbatch_sys(SYS_fcntl, r, F_DUPFD_CLOEXEC, DBATCH_HIGH_FD);
	if (hi >= 0) {
		dbatch_sys(SYS_close, r, 0, 0);
		r = hi;
	}
	if (!__atomic_compare_exchange_n(&devnull_fd, &expected, (int)r, 0,
					 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
		dbatch_sys(SYS_close, r, 0, 0);
		return expected;
	}
	return (int)r;
}

/* The lowest free fd number, reserved; -1 when none can be had. */
int dbatch_placeholder_take(void)
{
	int src = devnull_source();
	long fd;

	if (src < 0)
		return -1;
	fd = dbatch_sys(SYS_fcntl, src, F_DUPFD_CLOEXEC, 0);
	return fd < 0 ? -1 : (int)fd;
}

/* close_range()/closefrom() over [first, last] may close the /dev/null source. */
void dbatch_placeholder_source_check(unsigned int first, unsigned int last)
{
	int fd = __atomic_load_n(&devnull_fd, __ATOMIC_ACQUIRE);

	if (fd >= 0 && (unsigned int)fd >= first && (unsigned int)fd <= last)
		__atomic_store_n(&devnull_fd, -1, __ATOMIC_RELEASE);
}
