/* SPDX-License-Identifier: MIT */
/*
 * interpose_fd.c - calls that take fd numbers a deferred open may have
 * reserved: they flush the thread's batch first, so every placeholder has
 * its file (or is closed) before the program's own call runs. Closing a
 * range may also close the library's /dev/null source fd.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <unistd.h>
#include "internal.h"

DBATCH_API int dup2(int a, int b)
{
	dbatch_flush_pending();
	dbatch_fd_number_changed(b);
	return NEXT(dup2)(a, b);
}

DBATCH_API int dup3(int a, int b, int f)
{
	dbatch_flush_pending();
	dbatch_fd_number_changed(b);
	return NEXT(dup3)(a, b, f);
}

DBATCH_API int close_range(unsigned int first, unsigned int last, int flags)
{
	dbatch_flush_pending();
	dbatch_fd_changed();
	dbatch_placeholder_source_check(first, last);
	return NEXT(close_range)(first, last, flags);
}

DBATCH_API void closefrom(int low)
{
	dbatch_flush_pending();
	dbatch_fd_changed();
	dbatch_placeholder_source_check((unsigned int)low, ~0u);
	NEXT(closefrom)(low);
}
