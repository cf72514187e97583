/* SPDX-License-Identifier: MIT */
/*
 * token.c - stand-in fds for opens whose number the program never reads.
 *
 * A deferred open must return the number the plain open would have
 * returned, which the library only knows by asking the kernel (a
 * placeholder costs a system call, placeholder.c) or by running the open
 * (the first open of a batch runs at once). dbatch-transform knows more:
 * an open whose variable the function reads nowhere but as the fd of the
 * calls after it in the same run (packages/transform, fd-escape.ts) is
 * written batch_open_unseen(open(...)). Such an open, recorded, returns a
 * stand-in, DBATCH_TOKEN_BASE + k, and runs with the batch, taking the
 * lowest free number then, as the plain call does at that point of the
 * program's order: no system call at record time, no number reserved.
 *
 * Until the open runs, the calls recorded with the stand-in refer to its
 * entry (DBATCH_ARG_REF); after it ran (a flush inside the window), they
 * get the number it got, and a call that runs directly on it (too large to
 * record, lseek(SEEK_END), ...) is given that number too (DBATCH_FD_REAL in
 * interpose.h), or -1 when the open failed, which is what the program's
 * variable would have held. Stand-ins are valid until the next window
 * opens: the transform never lets one be read after its run.
 */
#include "internal.h"

DBATCH_API void dbatch_batch_open_unseen(void)
{
	struct dbatch_thread *t = &dbatch_tls;

	/*
	 * Only inside a window (outside one the open runs plain), and only
	 * while the process has one thread: an open of another thread would
	 * take the lowest free number first, which the plain program's open,
	 * made now, has taken (that one then reserves its number).
	 */
	if (t->window && !__atomic_load_n(&dbatch_threads_started, __ATOMIC_RELAXED))
		t->open_unseen = 1;
}

static struct dbatch_token *token_of(long fd)
{
	struct dbatch_batch *b = dbatch_tls.batch;
	unsigned long k = (unsigned long)(fd - DBATCH_TOKEN_BASE);

	if (!b || k >= b->ntokens)
		return NULL;	/* from an earlier window, or never handed out */
	return &b->tokens[k];
}

long dbatch_token_take(struct dbatch_batch *b, unsigned int entry)
{
	struct dbatch_token *tk;

	if (b->ntokens == DBATCH_TOKENS)
		return -1;
	tk = &b->tokens[b->ntokens];
	tk->entry = (int)entry;
	tk->fd = -1;
	b->tokens_pending++;
	return DBATCH_TOKEN_BASE + b->ntokens++;
}

int dbatch_token_arg(long fd, long *number)
{
	const struct dbatch_token *tk = token_of(fd);

	if (!tk) {
		*number = fd;	/* not a number the kernel knows: EBADF */
		return -1;
	}
	if (tk->entry >= 0)
		return tk->entry;
	*number = tk->fd;
	return -1;
}

int dbatch_token_write_fast(long fd, const void *buf, size_t n)
{
	const struct dbatch_token *at = token_of(fd);
	struct dbatch_token tk;

	if (!at)
		return -1;
	/*
	 * Read before the batch is owned: only an exiting thread running this
	 * batch (exit_others.c) could change it meanwhile, and then the
	 * handshake in dbatch_record_write_as() finds exit_state set and the
	 * value is not used.
	 */
	tk = *at;
	if (tk.entry >= 0)
		return dbatch_record_write_as(tk.entry, DBATCH_ARG_REF(0), buf, n);
	return dbatch_record_write_as(tk.fd, 0, buf, n);
}

long dbatch_token_fd(long fd)
{
	const struct dbatch_token *tk = token_of(fd);

	return tk && tk->entry < 0 ? tk->fd : -1;
}

long dbatch_token_real(long fd)
{
	const struct dbatch_token *tk = token_of(fd);

	if (!tk)
		return fd;
	if (tk->entry >= 0)	/* not run yet: the callers flushed, so never */
		dbatch_flush_slow();
	return tk->entry < 0 ? tk->fd : -1;
}

void dbatch_tokens_settle(struct dbatch_batch *b)
{
	for (unsigned int k = 0; b->tokens_pending && k < b->ntokens; k++) {
		struct dbatch_token *tk = &b->tokens[k];
		long r;

		if (tk->entry < 0)
			continue;
		r = (unsigned int)tk->entry < b->count ? (long)b->entries[tk->entry].result : -1;
		tk->entry = -1;
		tk->fd = r < 0 ? -1 : (int)r;
		b->tokens_pending--;
		/* the number means the opened file now (or after its close, none) */
		dbatch_fd_number_changed(tk->fd);
	}
	b->tokens_pending = 0;
}

void dbatch_tokens_reset(struct dbatch_batch *b)
{
	if (!b->tokens_pending)
		b->ntokens = 0;
}
