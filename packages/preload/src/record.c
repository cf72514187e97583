/* SPDX-License-Identifier: MIT */
/*
 * record.c - append one catalogue call to the calling thread's batch.
 *
 * The entry is written straight into the struct dbatch_entry array the
 * backends submit. What each argument needs comes from the catalogue's
 * argument kinds: input buffers, paths, iovecs and socket addresses are
 * copied into the side arena (so the program may reuse its memory at once),
 * output buffers are kept as pointers (filled at flush), an fd that is the
 * placeholder of an open still waiting in this batch becomes a reference to
 * that open's entry (DBATCH_ARG_REF), and everything else is a value.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <limits.h>
#include <sys/single_threaded.h>
#include <sys/syscall.h>
#include "internal.h"

static pthread_key_t exit_key;
static pthread_once_t exit_key_once = PTHREAD_ONCE_INIT;

static void exit_key_destructor(void *p)
{
	(void)p;
	dbatch_thread_exit(&dbatch_tls);
}

static void exit_key_create(void)
{
	pthread_key_create(&exit_key, exit_key_destructor);
}

static void *raw_mmap(size_t len)
{
	long p = dbatch_sys6(SYS_mmap, 0, (long)len, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return (p < 0 && p > -4096) ? NULL : (void *)p;
}

int dbatch_batch_alloc(struct dbatch_thread *t)
{
	struct dbatch_batch *b;

	b = raw_mmap(sizeof(*b));
	if (!b)
		return -1;
	b->arena = raw_mmap(DBATCH_ARENA_SIZE);
	if (!b->arena) {
		dbatch_sys(SYS_munmap, b, sizeof(*b), 0);
		return -1;
	}
	t->batch = b;
	if (!t->key_set) {
		pthread_once(&exit_key_once, exit_key_create);
		pthread_setspecific(exit_key, t);
		t->key_set = 1;
	}
	/* from now on an exiting thread can reach this batch */
	dbatch_registry_add(t);
	return 0;
}

/* Only after dbatch_registry_remove(): no exiting thread can reach it. */
void dbatch_batch_free(struct dbatch_thread *t)
{
	struct dbatch_batch *b = t->batch;

	if (!b)
		return;
	t->batch = NULL;
	dbatch_sys(SYS_munmap, b->arena, DBATCH_ARENA_SIZE, 0);
	dbatch_sys(SYS_munmap, b, sizeof(*b), 0);
}

/* Copy @len bytes into the arena; NULL when it does not fit. */
static inline void *arena_copy(struct dbatch_batch *b, const void *src, size_t len)
{
	size_t at = (b->arena_used + 15) & ~(size_t)15;
	char *dst;

	if (at + len > DBATCH_ARENA_SIZE)
		return NULL;
	dst = b->arena + at;
	memcpy(dst, src, len);
	b->arena_used = at + len;
	return dst;
}

static inline int pending_lookup(const struct dbatch_batch *b, long fd)
{
	for (unsigned int i = 0; i < b->npending; i++)
		if (b->pending[i].fd == fd)
			return (int)i;
	return -1;
}

/* Take freed[i] for an open: its install replaces the file closed there. */
static int take_freed(struct dbatch_batch *b, unsigned int i)
{
	int fd = b->freed[i];

	b->freed[i] = b->freed[--b->nfreed];
	return fd;
}

/*
 * The number a deferred open returns: the one the open, run now after the
 * calls before it, would return, i.e. the lowest free number once the
 * close entries of the batch have run. That is the lowest free number now,
 * or a number a close of this batch frees if lower: the open takes that
 * one over (its install replaces the file closed there). In a process with
 * other threads one of them could be given that number between the close
 * and the install, so there the batch is flushed first (-2). -1: no number.
 *
 * Only opens and closes of the batch change numbers until it runs (no other
 * deferred call does), so after one probe a freed number below free_from is
 * known to be the lowest without asking again: a loop of open, write, close
 * probes once per batch, not once per open.
 */
static int open_number(struct dbatch_batch *b)
{
	unsigned int lowest = b->nfreed;
	int fd;

	/* an open of the batch that takes the lowest number when it runs
	 * (token.c) makes any number known now wrong: run it first */
	if (b->tokens_pending)
		return -2;

	for (unsigned int i = 0; i < b->nfreed; i++)
		if (lowest == b->nfreed || b->freed[i] < b->freed[lowest])
			lowest = i;
	if (lowest < b->nfreed && b->freed[lowest] < b->free_from && __libc_single_threaded)
		return take_freed(b, lowest);
	fd = dbatch_placeholder_take();
	if (lowest == b->nfreed || (fd >= 0 && fd < b->freed[lowest])) {
		if (fd >= 0)	/* the placeholder holds fd: the next free is above */
			b->free_from = fd + 1;
		return fd;
	}
	if (fd >= 0) {		/* not the number: a freed one is lower */
		dbatch_sys(SYS_close, fd, 0, 0);
		b->free_from = fd;
	}
	if (!__libc_single_threaded)
		return -2;
	return take_freed(b, lowest);
}

unsigned int dbatch_fd_generation;
unsigned int dbatch_fd_gens[DBATCH_FD_GENS];

/* A close entry frees its number for the opens recorded after it. */
static void note_freed(struct dbatch_batch *b, long fd)
{
	for (unsigned int i = 0; i < b->nfreed; i++)
		if (b->freed[i] == fd)
			return;
	if (fd >= 0 && fd < INT_MAX && b->nfreed < DBATCH_PLACEHOLDERS)
		b->freed[b->nfreed++] = (int)fd;
}

/* Copy an iovec array and its data; returns the copy or NULL. */
static struct iovec *copy_iov(struct dbatch_batch *b, const struct iovec *iov,
			      long cnt, size_t *total, int *too_big)
{
	struct iovec *dst;
	size_t sum = 0;

	if (cnt < 0 || cnt > IOV_MAX || (cnt && !iov)) {
		*too_big = 1;
		return NULL;
	}
	for (long i = 0; i < cnt; i++) {
		sum += iov[i].iov_len;
		if (sum > DBATCH_COPY_LIMIT || (iov[i].iov_len && !iov[i].iov_base)) {
			*too_big = 1;
			return NULL;
		}
	}
	dst = arena_copy(b, iov, sizeof(*iov) * (size_t)cnt);
	if (!dst && cnt)
		return NULL;
	for (long i = 0; i < cnt; i++) {
		if (!iov[i].iov_len)
			continue;
		dst[i].iov_base = arena_copy(b, iov[i].iov_base, iov[i].iov_len);
		if (!dst[i].iov_base)
			return NULL;
	}
	*total = sum;
	return dst ? dst : (struct iovec *)(b->arena + b->arena_used);
}

/*
 * Flush in the middle of recording (the batch is consistent here: the
 * entry being built is not counted yet), then take the batch again: an
 * exiting thread may have marked it meanwhile. 0: run the call directly.
 */
static int flush_and_own(struct dbatch_thread *t)
{
	dbatch_flush_slow();
	return dbatch_own(t, DBATCH_OWN_RECORDING);
}

int dbatch_record(enum dbatch_call c, const long a[6], long *ret)
{
	struct dbatch_thread *t = &dbatch_tls;
	const struct dbatch_call_info *ci = &dbatch_calls[c];
	struct dbatch_batch *b;
	struct dbatch_entry *e;
	size_t arena_mark, iov_total = 0;
	unsigned int idx;
	int ref_pending = -1;
	/* batch_open_unseen() before this open (any other call drops it) */
	unsigned char unseen = t->open_unseen;

	t->open_unseen = 0;
	/* a small write to a stand-in: the interposer's fast path, translated */
	if (c == DBATCH_CALL_write && dbatch_is_token(a[0]) &&
	    dbatch_token_write_fast(a[0], (const void *)a[1], (size_t)a[2]) == 0) {
		*ret = a[2];
		return 0;
	}
	if (unlikely(!t->batch) && (t->exiting || dbatch_batch_alloc(t) < 0))
		return -1;
	b = t->batch;
	if (unlikely(!dbatch_own(t, DBATCH_OWN_RECORDING)))
		return -1;
retry:
	if (unlikely(b->count == DBATCH_BATCH_ENTRIES) && !flush_and_own(t))
		return -1;			/* a full batch flushes */
	idx = b->count;
	e = &b->entries[idx];
	arena_mark = b->arena_used;
	e->nr = ci->nr;
	e->flags = 0;
	e->install_fd = -1;
	e->reserved = 0;
	e->result = 0;
	for (unsigned int i = 0; i < 6; i++) {
		long v = i < ci->nargs ? a[i] : 0;
		void *p;
		size_t len;

		switch (ci->kind[i]) {
		case DBATCH_ARGK_FD:
			/*
			 * A directory fd before an absolute path: the kernel
			 * never looks at it (openat(d, "/x", ...) succeeds even
			 * when the open that was to give d failed, and the
			 * plain call then passes -1). No dependency on a
			 * deferred open's entry, then.
			 */
			if (unlikely(dbatch_is_token(v) || b->npending) && i + 1 < ci->nargs &&
			    ci->kind[i + 1] == DBATCH_ARGK_PATH && a[i + 1] &&
			    *(const char *)a[i + 1] == '/') {
				v = AT_FDCWD;
				break;
			}
			if (unlikely(dbatch_is_token(v))) {
				/* a stand-in: its open's entry, or the number it got */
				int k = dbatch_token_arg(v, &v);

				if (k >= 0) {
					e->flags |= DBATCH_ARG_REF(i);
					v = k;
				}
				break;
			}
			if (b->npending) {
				int k = pending_lookup(b, v);

				if (k >= 0) {
					e->flags |= DBATCH_ARG_REF(i);
					v = b->pending[k].entry;
					if (c == DBATCH_CALL_close)
						ref_pending = k;
				}
			}
			break;
		case DBATCH_ARGK_INBUF:
			len = (size_t)a[ci->aux[i]];
			if (len > DBATCH_COPY_LIMIT || (len && !v))
				goto direct;
			p = arena_copy(b, (const void *)v, len);
			if (!p)
				goto arena_full;
			v = (long)p;
			break;
		case DBATCH_ARGK_PATH:
			if (!v)
				goto direct;
			len = strnlen((const char *)v, PATH_MAX);
			if (len >= PATH_MAX)
				goto direct;
			p = arena_copy(b, (const void *)v, len + 1);
			if (!p)
				goto arena_full;
			v = (long)p;
			break;
		case DBATCH_ARGK_IOV: {
			int too_big = 0;

			p = copy_iov(b, (const struct iovec *)v, a[ci->aux[i]],
				     &iov_total, &too_big);
			if (too_big)
				goto direct;
			if (!p)
				goto arena_full;
			v = (long)p;
			break;
		}
		case DBATCH_ARGK_TIMESPECS:
			if (!v)
				break;
			p = arena_copy(b, (const void *)v, 2 * sizeof(struct timespec));
			if (!p)
				goto arena_full;
			v = (long)p;
			break;
		case DBATCH_ARGK_SOCKADDR:
			if (!v)
				break;
			len = (size_t)a[ci->aux[i]];
			if (len > sizeof(struct sockaddr_storage))
				goto direct;
			p = arena_copy(b, (const void *)v, len);
			if (!p)
				goto arena_full;
			v = (long)p;
			break;
		default:
			break;
		}
		e->args[i] = (uint64_t)v;
	}

	switch (ci->defer) {
	case DBATCH_DEFER_LENGTH:
		*ret = a[ci->defer_arg];
		break;
	case DBATCH_DEFER_IOV_LENGTH:
		*ret = (long)iov_total;
		break;
	case DBATCH_DEFER_OFFSET:
		*ret = a[1];
		break;
	case DBATCH_DEFER_PLACEHOLDER_FD: {
		int fd;
		long token;

		if (unseen && (token = dbatch_token_take(b, idx)) >= 0) {
			/* its number is never read: it takes the lowest free one
			 * when it runs, as the plain call does (token.c) */
			*ret = token;
			break;
		}
		if (idx == 0 && b->free_from == 0) {
			/*
			 * Nothing pending: the open runs now, where the plain
			 * call would, so no number has to be reserved for it,
			 * and the number it gets shows which ones are in use for
			 * the opens recorded after it (open_number()).
			 */
			struct dbatch_submit_stats unused = { 0 };
			long r = dbatch_run_entry(e, &unused);

			b->arena_used = arena_mark;
			dbatch_own_end(t, DBATCH_OWN_IDLE);
			if (r < 0) {
				errno = (int)-r;
				*ret = -1;
			} else {
				b->free_from = (int)r + 1;
				*ret = r;
				dbatch_fd_number_changed(r);
			}
			return 0;
		}
		if (b->npending == DBATCH_PLACEHOLDERS) {
			b->arena_used = arena_mark;
			if (!flush_and_own(t))
				return -1;
			goto retry;
		}
		fd = open_number(b);
		if (fd == -2) {
			b->arena_used = arena_mark;
			if (!flush_and_own(t))
				return -1;
			goto retry;
		}
		if (fd < 0)
			goto direct;
		e->flags |= DBATCH_ENTRY_INSTALL_FD;
		e->install_fd = fd;
		dbatch_fd_number_changed(fd);	/* the open's file, from the flush on */
		b->pending[b->npending].fd = fd;
		b->pending[b->npending].entry = idx;
		b->npending++;
		*ret = fd;
		break;
	}
	default:
		*ret = 0;
		break;
	}
	if (ref_pending >= 0)	/* closed: later uses are not the open's */
		b->pending[ref_pending] = b->pending[--b->npending];
	if (c == DBATCH_CALL_close) {
		/*
		 * The number it frees: a placeholder's, the fd as recorded
		 * (a stand-in's number once its open ran), or unknown for a
		 * stand-in whose open is still in the batch.
		 */
		if (!(e->flags & DBATCH_ARG_REF(0)))
			note_freed(b, (long)e->args[0]);
		else if (ref_pending >= 0)
			note_freed(b, a[0]);
		b->closes++;
	}
	b->call[idx] = (uint8_t)c;
	b->count = idx + 1;
	dbatch_own_end(t, DBATCH_OWN_IDLE);
	return 0;

arena_full:
	b->arena_used = arena_mark;
	if (idx == 0)
		goto direct;
	if (!flush_and_own(t))
		return -1;
	goto retry;
direct:
	b->arena_used = arena_mark;
	dbatch_own_end(t, DBATCH_OWN_IDLE);
	return -1;
}
