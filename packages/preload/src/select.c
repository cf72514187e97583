/* SPDX-License-Identifier: MIT */
/*
 * select.c - choose the backend once per process, from DBATCH_BACKEND:
 *   auto (default): kmod if /dev/batch opens, else uring if io_uring works,
 *                   else emulate;
 *   kmod, uring:    that one, or emulate when its probe fails (the stats
 *                   line then says requested=<name> fallback=<errno name>);
 *   emulate, off:   as named. off ignores batching windows entirely.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include "internal.h"

const struct dbatch_backend *dbatch_backend = &dbatch_backend_emulate;
int dbatch_off;
int dbatch_seed_mode;
const char *dbatch_requested DBATCH_HIDDEN;
int dbatch_fallback_errno DBATCH_HIDDEN;

static pthread_once_t init_once = PTHREAD_ONCE_INIT;

int dbatch_env_off(const char *name)
{
	const char *v = getenv(name);

	return v && !strcmp(v, "0");
}

int dbatch_env_on(const char *name)
{
	const char *v = getenv(name);

	return v && strcmp(v, "0");
}

static void choose(void)
{
	const char *want = getenv("DBATCH_BACKEND");

	if (!want || !*want || !strcmp(want, "auto")) {
		if (dbatch_backend_kmod.probe() == 0)
			dbatch_backend = &dbatch_backend_kmod;
		else if (dbatch_backend_uring.probe() == 0)
			dbatch_backend = &dbatch_backend_uring;
		else
			dbatch_backend = &dbatch_backend_emulate;
		return;
	}
	if (!strcmp(want, "off")) {
		dbatch_backend = &dbatch_backend_off;
		dbatch_off = 1;
		return;
	}
	if (!strcmp(want, "emulate")) {
		dbatch_backend = &dbatch_backend_emulate;
		return;
	}
	dbatch_requested = want;
	if (!strcmp(want, "kmod") || !strcmp(want, "uring")) {
		const struct dbatch_backend *b = !strcmp(want, "kmod") ?
			&dbatch_backend_kmod : &dbatch_backend_uring;
		int r = b->probe();

		if (r == 0) {
			dbatch_backend = b;
			dbatch_requested = NULL;
			return;
		}
		dbatch_fallback_errno = -r;
	} else {
		dbatch_fallback_errno = EINVAL;
	}
	dbatch_backend = &dbatch_backend_emulate;
}

int dbatch_init_done;

static void choose_once(void)
{
	choose();
	__atomic_store_n(&dbatch_init_done, 1, __ATOMIC_RELEASE);
}

void dbatch_init_slow(void)
{
	pthread_once(&init_once, choose_once);
}
