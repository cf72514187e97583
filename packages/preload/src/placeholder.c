/* SPDX-License-Identifier: MIT */
/*
 * placeholder.c - fds reserved for deferred opens.
 *
 * A deferred open must return an fd number nobody else can be given before
 * the flush installs the real file there. Each thread keeps a small pool of
 * fds that point at /dev/null (O_CLOEXEC); a deferred open takes one, and
 * the flush replaces it (dup3) with the opened file. The pool is topped up
 * after each flush that used it, so recording an open makes no syscall in
 * the common case. The /dev/null source fd is process-wide and kept at a
 * high number so it does not shift the program's own fd numbers.
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

/* Fill the pool up to its size; lowest fds first, handed out in order. */
static void pool_fill(struct dbatch_thread *t)
{
	int src = devnull_source();

	if (src < 0)
		return;
	t->pool_on = 1;
	while (t->npool < DBATCH_PLACEHOLDERS) {
		long fd = dbatch_sys(SYS_fcntl, src, F_DUPFD_CLOEXEC, 0);

		if (fd < 0)
			break;
		/* keep the pool sorted descending: take from the end */
		unsigned int i = t->npool++;

		while (i > 0 && t->pool[i - 1] < fd) {
			t->pool[i] = t->pool[i - 1];
			i--;
		}
		t->pool[i] = (int)fd;
	}
}

int dbatch_placeholder_take(struct dbatch_thread *t)
{
	if (unlikely(!t->npool))
		pool_fill(t);
	if (!t->npool)
		return -1;
	return t->pool[--t->npool];
}

void dbatch_placeholder_refill(struct dbatch_thread *t)
{
	/* only pools that have been used; untouched threads stay fd-free */
	if (t->pool_on && t->npool < DBATCH_PLACEHOLDERS)
		pool_fill(t);
}

void dbatch_placeholder_release(struct dbatch_thread *t)
{
	t->pool_on = 0;
	while (t->npool)
		dbatch_sys(SYS_close, t->pool[--t->npool], 0, 0);
}

/* The program is about to take @fd (dup2 onto it): drop it from the pool. */
void dbatch_placeholder_forget(struct dbatch_thread *t, int fd)
{
	for (unsigned int i = 0; i < t->npool; i++) {
		if (t->pool[i] != fd)
			continue;
		for (unsigned int k = i + 1; k < t->npool; k++)
			t->pool[k - 1] = t->pool[k];
		t->npool--;
		return;	/* not closed: dup2 replaces it */
	}
}

/* close_range()/closefrom() over [first, last] may close the /dev/null source. */
void dbatch_placeholder_source_check(unsigned int first, unsigned int last)
{
	int fd = __atomic_load_n(&devnull_fd, __ATOMIC_ACQUIRE);

	if (fd >= 0 && (unsigned int)fd >= first && (unsigned int)fd <= last)
		__atomic_store_n(&devnull_fd, -1, __ATOMIC_RELEASE);
}
