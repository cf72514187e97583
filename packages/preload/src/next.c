/* SPDX-License-Identifier: MIT */
/*
 * next.c - find the definition an interposed name would have reached
 * without the library (normally glibc's), via dlsym(RTLD_NEXT).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdlib.h>
#include "internal.h"

void *dbatch_next(const char *name)
{
	void *p = dlsym(RTLD_NEXT, name);

	if (!p) {
		static const char msg[] = "dbatch: cannot resolve a libc symbol\n";

		dbatch_sys(1, 2, msg, sizeof(msg) - 1);
		dbatch_sys(231, 127, 0, 0);	/* exit_group */
	}
	return p;
}
