/* SPDX-License-Identifier: MIT */
/*
 * stats.c - process-wide counters and the DBATCH_STATS line.
 *
 * Every flush adds its numbers to these atomics (one add each per flush,
 * nothing per recorded call); the line is printed once per process, at
 * exit (or _exit):
 *   dbatch: backend=<name> recorded=<n> flushes=<n> kernel_entries=<n> ...
 * to stderr, or appended to the file DBATCH_STATS_FILE names (then
 * DBATCH_STATS need not be set), so tests can read it without touching the
 * program's own stderr.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include "internal.h"

extern const char *dbatch_requested DBATCH_HIDDEN;
extern int dbatch_fallback_errno DBATCH_HIDDEN;

static uint64_t tot_recorded, tot_flushes, tot_kernel, tot_splits;
static int printed;

/*
 * Splits by reason: each choice the uring backend makes is counted (the
 * reasons are string constants of backend_uring.c; a slot is claimed once).
 */
#define DBATCH_SPLIT_REASONS	8
static const char *split_names[DBATCH_SPLIT_REASONS];
static uint64_t split_counts[DBATCH_SPLIT_REASONS];

static void count_split_reason(const char *why)
{
	for (unsigned int i = 0; i < DBATCH_SPLIT_REASONS; i++) {
		const char *name = __atomic_load_n(&split_names[i], __ATOMIC_ACQUIRE);

		if (!name) {
			const char *none = NULL;

			if (!__atomic_compare_exchange_n(&split_names[i], &none, why, 0,
							 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
				name = none;	/* another thread claimed it */
			else
				name = why;
		}
		if (name == why || !strcmp(name, why)) {
			__atomic_add_fetch(&split_counts[i], 1, __ATOMIC_RELAXED);
			return;
		}
	}
}

void dbatch_stats_add_submit(unsigned int entries, const struct dbatch_submit_stats *st)
{
	__atomic_add_fetch(&tot_recorded, entries, __ATOMIC_RELAXED);
	__atomic_add_fetch(&tot_flushes, 1, __ATOMIC_RELAXED);
	__atomic_add_fetch(&tot_kernel, st->kernel_entries, __ATOMIC_RELAXED);
	if (st->splits)
		__atomic_add_fetch(&tot_splits, st->splits, __ATOMIC_RELAXED);
}

void dbatch_split(struct dbatch_submit_stats *st, const char *why)
{
	st->splits++;
	count_split_reason(why);
}

/* Totals so far; recorded includes this thread's calls not flushed yet. */
void dbatch_stats_totals(uint64_t out[4])
{
	struct dbatch_thread *t = &dbatch_tls;

	out[0] = __atomic_load_n(&tot_recorded, __ATOMIC_RELAXED) +
		 (t->batch ? dbatch_pending_count(t->batch) : 0);
	out[1] = __atomic_load_n(&tot_flushes, __ATOMIC_RELAXED);
	out[2] = __atomic_load_n(&tot_kernel, __ATOMIC_RELAXED);
	out[3] = __atomic_load_n(&tot_splits, __ATOMIC_RELAXED);
}

void dbatch_stats_fork_child(void)
{
	tot_recorded = tot_flushes = tot_kernel = tot_splits = 0;
	for (unsigned int i = 0; i < DBATCH_SPLIT_REASONS; i++) {
		split_names[i] = NULL;
		split_counts[i] = 0;
	}
	printed = 0;
}

void dbatch_stats_print(void)
{
	const char *file = getenv("DBATCH_STATS_FILE");
	const char *on = getenv("DBATCH_STATS");
	char line[400];
	uint64_t v[4];
	int n, fd = 2;

	if (__atomic_exchange_n(&printed, 1, __ATOMIC_ACQ_REL))
		return;
	if (!(file && *file) && !(on && *on && strcmp(on, "0")))
		return;
	dbatch_init();
	dbatch_stats_totals(v);
	n = snprintf(line, sizeof(line),
		     "dbatch: backend=%s recorded=%llu flushes=%llu kernel_entries=%llu",
		     dbatch_backend->name, (unsigned long long)v[0],
		     (unsigned long long)v[1], (unsigned long long)v[2]);
	/* uring always says how it split; kmod when it ran batches as plain calls */
	if ((!strcmp(dbatch_backend->name, "uring") || v[3]) && n < (int)sizeof(line)) {
		const char *sep = " split_reason=";

		n += snprintf(line + n, sizeof(line) - (size_t)n, " splits=%llu",
			      (unsigned long long)v[3]);
		for (unsigned int i = 0; i < DBATCH_SPLIT_REASONS && split_names[i] &&
				     n < (int)sizeof(line); i++) {
			n += snprintf(line + n, sizeof(line) - (size_t)n, "%s%s:%llu", sep,
				      split_names[i],
				      (unsigned long long)__atomic_load_n(&split_counts[i],
									  __ATOMIC_RELAXED));
			sep = ",";
		}
	}
	if (dbatch_requested && n < (int)sizeof(line))
		n += snprintf(line + n, sizeof(line) - (size_t)n,
			      " requested=%.40s fallback=%s", dbatch_requested,
			      strerrorname_np(dbatch_fallback_errno) ?: "?");
	if (n >= (int)sizeof(line) - 1)
		n = (int)sizeof(line) - 2;
	line[n++] = '\n';
	if (file && *file) {
		long r = dbatch_sys(SYS_open, file,
				    O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
		if (r < 0)
			return;
		fd = (int)r;
	}
	dbatch_sys(SYS_write, fd, line, n);
	if (fd != 2)
		dbatch_sys(SYS_close, fd, 0, 0);
}
