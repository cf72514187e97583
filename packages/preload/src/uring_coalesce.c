/* SPDX-License-Identifier: MIT */
/*
 * uring_coalesce.c - what an fd is (one fstat per fd per flush), and runs
 * of writes to one fd merged into a single writev.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <liburing.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include "internal.h"
#include "uring.h"

/*
 * Coalescing: a run of consecutive write() entries on the same fd goes in as
 * ONE writev of their (already copied) buffers: the same bytes at the same
 * place, one fd lookup instead of many. Only for fds where a write has no
 * record boundary: regular files and the character devices /dev/null,
 * /dev/zero, /dev/full and terminals. Pipes, FIFOs and sockets never are
 * (each write of at most PIPE_BUF bytes is atomic; a datagram per write):
 * their calls run as syscalls. Results are
 * given back per entry; if the writev fails or is short, the entries it did
 * not cover are run again one by one, right after their round.
 * DBATCH_URING_COALESCE=0 turns it off.
 */
int uring_coalesce_on = -1;


/* Keep @k in the cache (full: it replaces the entry of its slot); returns its place. */
static struct fd_kind *fd_kind_keep(const struct fd_kind *k, struct fd_kind *cache,
				    unsigned int *ncache)
{
	/*
	 * Cache full (a batch creating many files): replace an entry rather
	 * than answer "other", which would send this fd's regular-file writes
	 * into the ring (io-wq, ~5x slower).
	 */
	struct fd_kind *slot = *ncache >= FD_KINDS ? &cache[(unsigned int)k->fd % FD_KINDS]
						   : &cache[(*ncache)++];

	*slot = *k;
	return slot;
}

/*
 * What @fd is: one fstat the first time, then again only once an interposed
 * call or a flush gave the number another file (dbatch_fd_gens, internal.h).
 * A @lone call (no write after it to merge with) on a number not learnt yet
 * gets NULL the first time, and the caller runs it as a syscall: the fstat
 * would cost what the call does, and a file opened, written once and closed
 * (the commonest short run) is never asked about. Its second lone call asks.
 */
const struct fd_kind *uring_fd_kind(int fd, int lone, struct fd_kind *cache,
				     unsigned int *ncache, struct dbatch_submit_stats *st)
{
	unsigned int gen = dbatch_fd_gen_of(fd);
	struct fd_kind k = { fd, 0, 0, 0, 1, gen };
	struct fd_kind *seen = NULL;
	struct stat sb;

	for (unsigned int i = 0; i < *ncache; i++) {
		if (cache[i].fd != fd)
			continue;
		if (cache[i].gen == gen && cache[i].known)
			return &cache[i];
		if (cache[i].gen == gen)
			seen = &cache[i];		/* a lone call here before */
		else
			cache[i] = cache[--*ncache];	/* stale: learn it again */
		break;
	}
	if (lone && !seen) {
		k.known = 0;
		fd_kind_keep(&k, cache, ncache);
		return NULL;
	}
	st->kernel_entries++;
	if (dbatch_sys(SYS_fstat, fd, &sb, 0) == 0) {
		unsigned int maj = major(sb.st_rdev), min = minor(sb.st_rdev);

		if (S_ISREG(sb.st_mode)) {
			k.regular = k.coalesce = 1;
		} else if (S_ISFIFO(sb.st_mode) || S_ISSOCK(sb.st_mode)) {
			/*
			 * Not in the ring: there a pwrite ignores its offset (the
			 * syscall: ESPIPE), EPIPE raises no SIGPIPE where the
			 * program was, a non-blocking write may block a worker;
			 * and never merged: a merged write tears the PIPE_BUF
			 * atomicity of each record.
			 */
			k.stream = 1;
		} else if (S_ISCHR(sb.st_mode)) {
			k.coalesce = (maj == 1 && (min == 3 || min == 5 || min == 7)) ||
				     maj == 4 || maj == 5 || (maj >= 136 && maj <= 143);
		}
	}
	if (seen) {
		*seen = k;
		return seen;
	}
	return fd_kind_keep(&k, cache, ncache);
}

/* Data calls whose cost on a regular file is better paid as a syscall. */
int uring_is_data_op(const struct dbatch_entry *e)
{
	switch (e->nr) {
	case SYS_write: case SYS_pwrite64: case SYS_writev:
	case SYS_read: case SYS_pread64:
		return 1;
	default:
		return 0;
	}
}

void uring_resolve_earlier_ref(struct dbatch_entry *entries, unsigned int i, unsigned int k)
{
	const struct dbatch_entry *f = &entries[k];

	if (f->flags == DBATCH_ARG_REF(0) && f->args[0] < i && entries[f->args[0]].result >= 0)
		dbatch_entry_resolve_refs(entries, k);
}

/* How many entries from @i can go in as one writev (1: none). */
unsigned int uring_write_group(struct dbatch_entry *entries, unsigned int i,
				unsigned int count)
{
	const struct dbatch_entry *e = &entries[i];
	unsigned int g = 1;

	if (e->nr != SYS_write || (e->flags & ~0u))
		return 1;
	while (i + g < count && g < IOV_MAX) {
		const struct dbatch_entry *f = &entries[i + g];

		uring_resolve_earlier_ref(entries, i, i + g);
		if (f->nr != SYS_write || f->flags || f->args[0] != e->args[0])
			break;
		g++;
	}
	return g;
}

/* Spread a coalesced writev's result @r over entries [i, i+g). */
void uring_spread(struct dbatch_entry *entries, unsigned int i, unsigned int g,
		   long r)
{
	for (unsigned int k = i; k < i + g; k++) {
		long len = (long)entries[k].args[2];

		if (r < 0) {
			entries[k].result = RERUN;
		} else if (r >= len) {
			entries[k].result = len;
			r -= len;
		} else if (r > 0) {
			entries[k].result = r;
			r = 0;
		} else {
			entries[k].result = RERUN;
		}
	}
}

/*
 * Run entries [i, i+g), a run of writes to one fd whose buffers are @iov,
 * as one writev: each entry gets its share, and those a failed or short
 * writev did not cover run one by one right after, as write(2) would have
 * gone on. Returns the writev's result.
 */
long uring_writev_run(struct dbatch_entry *entries, unsigned int i, unsigned int g,
		      const struct iovec *iov, struct dbatch_submit_stats *st)
{
	long r = dbatch_sys(SYS_writev, entries[i].args[0], iov, g);

	st->kernel_entries++;
	uring_spread(entries, i, g, r);
	for (unsigned int k = i; k < i + g; k++)
		if (entries[k].result == RERUN)
			entries[k].result = dbatch_run_entry(&entries[k], st);
	return r;
}
