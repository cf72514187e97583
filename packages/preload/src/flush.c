/* SPDX-License-Identifier: MIT */
/*
 * flush.c - hand a thread's batch to the backend and settle the results.
 *
 * After the backend ran what it could, the rest runs under emulate; then
 * the first failure is remembered (batch_last_error()), the placeholder pool
 * is topped up for the next window, and the placeholder of every open that
 * failed is closed (so the number is invalid afterwards, like the -1 the
 * program would have got; a later open may be given that number again).
 */
#include <errno.h>
#include <sys/syscall.h>
#include "internal.h"

int dbatch_flush_thread(struct dbatch_thread *t)
{
	struct dbatch_batch *b = t->batch;
	struct dbatch_submit_stats st = { 0 };
	unsigned int n, done;
	int first = -1, err = 0, failed = 0, cancelled = 0;
	int r;

	if (!b || !b->count)
		return 0;
	n = b->count;
	r = dbatch_backend->submit(b->entries, n, &st);
	done = r < 0 ? 0 : (unsigned int)r;
	if (done < n)
		dbatch_emulate_range(b->entries, done, n, &st);

	for (unsigned int i = 0; i < n; i++) {
		struct dbatch_entry *e = &b->entries[i];

		if (e->result >= 0)
			continue;
		failed++;
		cancelled += e->result == -ECANCELED;
		if (first < 0) {
			first = (int)i;
			err = (int)-e->result;
		}
	}
	t->last_errno = err;
	t->last_index = first;
	t->last_call = first >= 0 ? b->call[first] : -1;
	t->last_failed = failed;
	t->last_cancelled = cancelled;
	if (err && !t->window_errno)
		t->window_errno = err;

	dbatch_stats_add_submit(n, &st);
	/* top the pool up first, so it does not take back the numbers below */
	dbatch_placeholder_refill(t);
	for (unsigned int i = 0; failed && i < n; i++) {
		struct dbatch_entry *e = &b->entries[i];

		if (e->result < 0 && (e->flags & DBATCH_ENTRY_INSTALL_FD))
			dbatch_sys(SYS_close, e->install_fd, 0, 0);
	}
	b->count = 0;
	b->arena_used = 0;
	b->npending = 0;
	return err ? -err : 0;
}

void dbatch_flush_slow(void)
{
	int saved = errno;

	dbatch_flush_thread(&dbatch_tls);
	errno = saved;
}

/* Thread exit (pthread key destructor): nothing pending may be lost. */
void dbatch_thread_exit(struct dbatch_thread *t)
{
	int saved = errno;

	if (!t->sig_depth)
		dbatch_flush_thread(t);
	t->window = 0;
	t->exiting = 1;
	if (dbatch_backend && dbatch_backend->thread_exit)
		dbatch_backend->thread_exit();
	dbatch_placeholder_release(t);
	dbatch_batch_free(t);
	errno = saved;
}
