/* SPDX-License-Identifier: MIT */
/*
 * interpose_fd.c - calls that take fd numbers the placeholder pool may
 * hold: the program's claim wins, so the pool lets go first. Like every
 * interposer that is not deferred, they flush the thread's batch first.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <unistd.h>
#include "internal.h"

/* dup2/dup3 onto a number this thread holds in its placeholder pool: the
 * program takes the number, so the pool lets go of it first. */
DBATCH_API int dup2(int a, int b)
{
	dbatch_flush_pending();
	dbatch_placeholder_forget(&dbatch_tls, b);
	return NEXT(dup2)(a, b);
}

DBATCH_API int dup3(int a, int b, int f)
{
	dbatch_flush_pending();
	dbatch_placeholder_forget(&dbatch_tls, b);
	return NEXT(dup3)(a, b, f);
}

/* closing ranges of fds may close the pool: release it first */
DBATCH_API int close_range(unsigned int first, unsigned int last, int flags)
{
	dbatch_flush_pending();
	dbatch_placeholder_release(&dbatch_tls);
	dbatch_placeholder_source_check(first, last);
	return NEXT(close_range)(first, last, flags);
}

DBATCH_API void closefrom(int low)
{
	dbatch_flush_pending();
	dbatch_placeholder_release(&dbatch_tls);
	dbatch_placeholder_source_check((unsigned int)low, ~0u);
	NEXT(closefrom)(low);
}
