/* SPDX-License-Identifier: MIT */
/*
 * flush.c - hand a batch to the backend and settle the results.
 *
 * After the backend ran what it could, the rest runs under emulate; then
 * the first failure is remembered (batch_last_error()) and the placeholder
 * of every open that failed is closed (so the number is invalid afterwards,
 * like the -1 the program would have got; a later open may be given that
 * number again).
 *
 * A thread flushes its own batch (dbatch_flush_thread); an exiting thread
 * also runs the batches of other threads (dbatch_flush_foreign), without
 * touching their TLS: their error report is theirs.
 */
#include <errno.h>
#include <sys/syscall.h>
#include "internal.h"

/*
 * @first, @err: the first failure (batch_last_error()); @last_err: the
 * errno the last failure leaves, which is what the calls, run one by one,
 * would have left in errno. A call not run because its fd came from an open
 * that failed would have been given -1 as its fd: EBADF.
 */
struct outcome {
	int first, err, last_err, failed, cancelled, no_gain;
	/* the first checked entry that stopped the batch: its tag (0: none)
	 * and the errno the program would see at its check (0: unchanged) */
	int check_tag, check_errno;
};

/* Entry @i of the batch failed: count it, and the errno it leaves. */
static void note_failure(struct outcome *o, const struct dbatch_entry *e, unsigned int i)
{
	o->failed++;
	o->cancelled += e->result == -ECANCELED;
	if (o->first < 0) {
		o->first = (int)i;
		o->err = (int)-e->result;
	}
	/* not run: its fd came from an open that failed, it would have got -1 */
	o->last_err = e->result == -ECANCELED ? EBADF : (int)-e->result;
}

/* Run the @b->count entries of @b; fill @o; add to the stats. */
static void batch_run(struct dbatch_batch *b, int use_backend, struct outcome *o)
{
	struct dbatch_submit_stats st = { .closes = b->closes };
	unsigned int n = b->count, done = 0;

	if (use_backend) {
		int r = dbatch_backend->submit(b->entries, n, &st);

		done = r < 0 ? 0 : (unsigned int)r;
	}
	if (done < n)
		dbatch_emulate_range(b->entries, done, n, &st);

	*o = (struct outcome){ .first = -1, .no_gain = st.no_gain };
	/* nothing failed and nothing is checked: no result to look at */
	if (st.all_succeeded && done == n && !b->checked) {
		dbatch_stats_add_submit(n, &st);
		return;
	}
	for (unsigned int i = 0; i < n; i++) {
		struct dbatch_entry *e = &b->entries[i];

		if (e->result < 0)
			note_failure(o, e, i);
		if (!o->check_tag && dbatch_entry_stops(e)) {
			/*
			 * The errno the program sees at its check: its own, or
			 * (a short transfer) what the failures before it left. The
			 * rest were not reached: no failure of theirs counts.
			 */
			o->check_tag = b->check[i];
			o->check_errno = o->last_err;
			break;
		}
	}
	dbatch_stats_add_submit(n, &st);
}

/*
 * Close the placeholders of failed opens; empty the batch. A number a later
 * open of the batch took over (after a close freed it) is that open's: from
 * the last entry back, each number is settled by the last open that had it.
 */
static void batch_settle(struct dbatch_batch *b, const struct outcome *o)
{
	int settled[DBATCH_BATCH_ENTRIES];
	unsigned int nsettled = 0;

	for (unsigned int i = b->count; o->failed && i-- > 0;) {
		struct dbatch_entry *e = &b->entries[i];
		unsigned int k;

		if (!(e->flags & DBATCH_ENTRY_INSTALL_FD) || e->install_fd < 0)
			continue;
		for (k = 0; k < nsettled && settled[k] != e->install_fd; k++)
			;
		if (k < nsettled)
			continue;
		settled[nsettled++] = e->install_fd;
		if (e->result < 0)
			dbatch_sys(SYS_close, e->install_fd, 0, 0);
	}
	if (unlikely(b->tokens_pending))
		dbatch_tokens_settle(b);
	b->arena_used = 0;
	b->npending = 0;
	b->nfreed = 0;
	b->free_from = 0;
	b->closes = 0;
	b->checked = 0;
	/* atomic: the owner may read it unowned (dbatch_pending_count) */
	__atomic_store_n(&b->count, 0, __ATOMIC_RELAXED);
}

int dbatch_flush_thread(struct dbatch_thread *t)
{
	struct dbatch_batch *b = t->batch;
	unsigned char prev = t->own;	/* RECORDING when a full batch flushes */
	struct outcome o;

	t->flush_errno = 0;
	if (!b || !dbatch_own(t, DBATCH_OWN_FLUSHING))
		return 0;
	if (!b->count) {
		dbatch_own_end(t, prev);
		return 0;
	}
	t->flush_gen++;
	if (t->check_failed) {
		/* a check failed in an earlier flush of this window: the
		 * program would have left before these calls */
		for (unsigned int i = 0; i < b->count; i++)
			b->entries[i].result = -ECANCELED;
		o = (struct outcome){ .first = -1, .failed = 1 };
		batch_settle(b, &o);
		dbatch_own_end(t, prev);
		return 0;
	}
	batch_run(b, 1, &o);
	for (unsigned int i = 0; b->checked && i < b->count; i++) {
		const struct dbatch_entry *e = &b->entries[i];
		unsigned int tag = b->check[i];

		if ((e->flags & DBATCH_ENTRY_STOP) && tag >= 1 && tag <= DBATCH_CHECK_VALUES)
			t->check_value[tag - 1] = e->result < 0 ? -1 : (long)e->result;
	}
	if (o.check_tag) {
		t->check_failed = o.check_tag;
		t->check_errno = o.check_errno;
	}
	t->last_errno = o.err;
	t->last_index = o.first;
	t->last_call = o.first >= 0 ? b->call[o.first] : -1;
	t->last_failed = o.failed;
	t->last_cancelled = o.cancelled;
	if (o.err && !t->window_errno)
		t->window_errno = o.err;
	t->flush_errno = o.last_err;
	if (t->window_site)	/* a flush of the window batch_start() opened */
		dbatch_adapt_flushed(t, o.no_gain);
	batch_settle(b, &o);
	dbatch_own_end(t, prev);
	return o.err ? -o.err : 0;
}

/*
 * Run a batch whose owner has let go of it (exit_others.c). @use_backend:
 * with the calling thread's backend instance (its uring ring), else emulate.
 */
void dbatch_flush_foreign(struct dbatch_batch *b, int use_backend)
{
	struct outcome o;

	if (!b->count)
		return;
	batch_run(b, use_backend, &o);
	batch_settle(b, &o);
}

/*
 * A flush before a call that is not deferred: errno is then what the calls
 * flushed would have left, the last failure's, or unchanged.
 */
void dbatch_flush_slow(void)
{
	int saved = errno;

	dbatch_flush_thread(&dbatch_tls);
	errno = dbatch_tls.flush_errno ? dbatch_tls.flush_errno : saved;
}

/* Thread exit (pthread key destructor): nothing pending may be lost. */
void dbatch_thread_exit(struct dbatch_thread *t)
{
	int saved = errno;

	if (!t->sig_depth)
		dbatch_flush_thread(t);
	t->window = 0;
	t->exiting = 1;
	/*
	 * Leave the registry, then take the batch once more: an exiting
	 * thread that marked it before we left may still be running it, and
	 * dbatch_own() waits for that (or runs it here if it was abandoned).
	 */
	dbatch_registry_remove(t);
	if (t->batch && dbatch_own(t, DBATCH_OWN_FLUSHING))
		dbatch_own_end(t, DBATCH_OWN_IDLE);
	if (dbatch_backend && dbatch_backend->thread_exit)
		dbatch_backend->thread_exit();
	dbatch_batch_free(t);
	errno = saved;
}
