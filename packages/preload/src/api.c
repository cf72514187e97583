/* SPDX-License-Identifier: MIT */
/*
 * api.c - the entry points <dbatch.h> and <linux/batch.h> reach through
 * their weak references, and the library's start and end.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include "../include/dbatch.h"
#include "internal.h"
#include "backend.h"

__thread struct dbatch_thread dbatch_tls __attribute__((tls_model("initial-exec")));

DBATCH_API int dbatch_batch_start(void)
{
	struct dbatch_thread *t = &dbatch_tls;

	dbatch_init();
	if (dbatch_off || t->sig_depth || t->exiting)
		return 0;
	if (!t->window) {
		if (!dbatch_adapt_start(t, (uintptr_t)__builtin_return_address(0)))
			return 0;	/* a window that never gains: calls run directly */
		t->window = 1;
		t->open_unseen = 0;
		if (unlikely(t->batch && t->batch->ntokens))
			dbatch_tokens_reset(t->batch);
		t->nest = 0;
		t->window_errno = 0;
		t->check_failed = 0;
	} else if (!t->seed) {
		t->nest++;	/* its batch_flush() closes only this level */
	}
	return 0;
}

static int flush_and_report(struct dbatch_thread *t)
{
	int err;

	dbatch_flush_thread(t);
	err = t->window_errno;
	t->window_errno = 0;
	/* errno as the calls would have left it: the last failure's, or as it was */
	if (t->flush_errno)
		errno = t->flush_errno;
	return err ? -1 : 0;
}

/* Close the window: run what it recorded. A failed check stays noted. */
static int window_flush(struct dbatch_thread *t)
{
	int r;

	t->nest = 0;	/* every level: what they recorded runs now */
	if (!t->window && !(t->batch && dbatch_pending_count(t->batch)))
		return 0;
	t->window = t->seed && !t->exiting;
	r = flush_and_report(t);
	dbatch_adapt_end(t);
	return r;
}

/* Close every level of the window: run what it recorded. */
static int window_close(struct dbatch_thread *t)
{
	int r = window_flush(t);

	t->check_failed = 0;
	return r;
}

DBATCH_API int dbatch_batch_flush(void)
{
	struct dbatch_thread *t = &dbatch_tls;

	if (t->sig_depth)
		return 0;
	if (t->nest && t->window) {
		/* an inner level: its calls run with the outermost one's */
		t->nest--;
		return 0;
	}
	return window_close(t);
}

/*
 * Whether the last catalogue call was recorded: the batch grew by one since
 * @count (at flush generation @gen), or a full batch was flushed and the
 * call opened the next one.
 */
static int just_recorded(const struct dbatch_thread *t, unsigned int gen, unsigned int count)
{
	const struct dbatch_batch *b = t->batch;

	if (!b || !b->count)
		return 0;
	if (t->flush_gen == gen)
		return b->count == count + 1;
	return t->flush_gen == gen + 1 && b->count == 1;
}

DBATCH_API void dbatch_batch_check_mark(void)
{
	struct dbatch_thread *t = &dbatch_tls;

	t->check_gen = t->flush_gen;
	t->check_count = t->batch ? t->batch->count : 0;
}

DBATCH_API long dbatch_batch_checked(int tag, int kind, long expected, long value)
{
	struct dbatch_thread *t = &dbatch_tls;
	struct dbatch_batch *b = t->batch;
	int saved;

	if (t->window && just_recorded(t, t->check_gen, t->check_count)) {
		struct dbatch_entry *e = &b->entries[b->count - 1];
		const struct dbatch_call_info *ci = &dbatch_calls[b->call[b->count - 1]];
		/* a complete call returns its count argument (the catalogue's) */
		int counted = ci->defer == DBATCH_DEFER_LENGTH && ci->defer_arg == 2;

		e->flags |= DBATCH_ENTRY_STOP;
		if (kind == DBATCH_CHECK_COUNT && counted && e->args[2] == (uint64_t)expected)
			e->flags |= DBATCH_ENTRY_SHORT;
		b->check[b->count - 1] = (uint16_t)tag;
		b->checked++;
		return value;
	}
	if (tag >= 1 && tag <= DBATCH_CHECK_VALUES)
		t->check_value[tag - 1] = value;
	/*
	 * The call ran (before the window, outside it, or directly inside it):
	 * @value is real and the program checks it itself. If the check fails
	 * the program leaves the window without reaching its flush: close it
	 * here, after running what is pending (errno kept for the check).
	 */
	if (!t->window ||
	    !dbatch_result_fails(value, kind == DBATCH_CHECK_COUNT, (uint64_t)expected))
		return value;
	saved = errno;
	if (!t->sig_depth)
		window_close(t);
	errno = saved;
	return value;
}

DBATCH_API long dbatch_batch_checked_value(int tag)
{
	if (tag < 1 || tag > DBATCH_CHECK_VALUES)
		return -1;
	return dbatch_tls.check_value[tag - 1];
}

DBATCH_API int dbatch_batch_flush_checked(void)
{
	struct dbatch_thread *t = &dbatch_tls;
	int saved = errno, tag;

	if (t->sig_depth)
		return 0;
	window_flush(t);
	tag = t->check_failed;
	t->check_failed = 0;
	if (tag)
		errno = t->check_errno ? t->check_errno : saved;
	return tag;
}

DBATCH_API int dbatch_seed_flush(void)
{
	struct dbatch_thread *t = &dbatch_tls;
	int r;

	dbatch_init();
	if (dbatch_off || t->sig_depth)
		return 0;
	dbatch_seed_mode = 1;
	t->seed = 1;
	r = flush_and_report(t);
	t->window = !t->exiting;
	return r;
}

DBATCH_API int dbatch_batch_last_error(struct dbatch_error *err)
{
	struct dbatch_thread *t = &dbatch_tls;

	err->error = t->last_errno;
	err->index = t->last_errno ? t->last_index : -1;
	err->nr = t->last_errno ? (int)dbatch_calls[t->last_call].nr : -1;
	err->call = t->last_errno ? dbatch_calls[t->last_call].name : NULL;
	err->failed = t->last_failed;
	err->cancelled = t->last_cancelled;
	return 0;
}

DBATCH_API int dbatch_batch_stats(struct dbatch_stats *st)
{
	uint64_t v[4];

	dbatch_init();
	dbatch_stats_totals(v);
	st->backend = dbatch_backend->name;
	st->recorded = v[0];
	st->flushes = v[1];
	st->kernel_entries = v[2];
	return 0;
}

/* seed.c */
int dbatch_program_uses_seed(void) DBATCH_HIDDEN;

__attribute__((constructor)) static void dbatch_start(void)
{
	struct dbatch_thread *t = &dbatch_tls;

	dbatch_init();
	if (!dbatch_off)
		dbatch_signal_init();
	if (!dbatch_off && dbatch_program_uses_seed()) {
		dbatch_seed_mode = 1;
		t->seed = 1;
		t->window = 1;
	}
}

/*
 * Last flush on the exit path: the exiting thread's own batch first
 * (program order on this thread), then what the other threads have
 * pending (exit_others.c).
 */
void dbatch_exit_flush(void) DBATCH_HIDDEN;
void dbatch_exit_flush(void)
{
	struct dbatch_thread *t = &dbatch_tls;

	if (!t->sig_depth)
		dbatch_flush_slow();
	t->window = 0;
	t->exiting = 1;
	dbatch_exit_others();
}

__attribute__((destructor)) static void dbatch_end(void)
{
	dbatch_exit_flush();
	dbatch_stats_print();
}
