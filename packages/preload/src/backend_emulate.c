/* SPDX-License-Identifier: MIT */
/*
 * backend_emulate.c - run a batch one entry at a time from user space.
 *
 * The correctness baseline: every entry is one raw syscall (plus dup3 and
 * close to install a deferred open at its placeholder), so it saves no
 * kernel transitions, but it implements the entry flags exactly as the
 * kernel module does. The helpers here are shared with the other backends.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sys/syscall.h>
#include "internal.h"

int dbatch_entry_resolve_refs(struct dbatch_entry *entries, unsigned int i)
{
	struct dbatch_entry *e = &entries[i];
	uint32_t refs = e->flags & DBATCH_ARG_REF_MASK;

	while (refs) {
		unsigned int a = (unsigned int)__builtin_ctz(refs);
		uint64_t j = e->args[a];

		refs &= refs - 1;
		if (j >= i)
			return -EINVAL;
		if (entries[j].result < 0)
			return -ECANCELED;
		e->args[a] = (uint64_t)entries[j].result;
		e->flags &= ~DBATCH_ARG_REF(a);
	}
	return 0;
}

long dbatch_entry_open_flags(const struct dbatch_entry *e)
{
	switch (e->nr) {
	case SYS_open:
		return (long)e->args[1];
	case SYS_openat:
		return (long)e->args[2];
	case SYS_creat:
		return O_CREAT | O_WRONLY | O_TRUNC;
	default:
		return 0;
	}
}

long dbatch_install_fd(long fd, int target, long open_flags,
		       struct dbatch_submit_stats *st)
{
	long r;

	if (fd < 0 || fd == target)
		return fd;
	r = dbatch_sys(SYS_dup3, fd, target, (open_flags & O_CLOEXEC) ? O_CLOEXEC : 0);
	dbatch_sys(SYS_close, fd, 0, 0);
	st->kernel_entries += 2;
	return r < 0 ? r : target;
}

long dbatch_run_entry(struct dbatch_entry *e, struct dbatch_submit_stats *st)
{
	long r = dbatch_sys6(e->nr, (long)e->args[0], (long)e->args[1],
			     (long)e->args[2], (long)e->args[3],
			     (long)e->args[4], (long)e->args[5]);

	st->kernel_entries++;
	if (e->flags & DBATCH_ENTRY_INSTALL_FD)
		r = dbatch_install_fd(r, e->install_fd, dbatch_entry_open_flags(e), st);
	return r;
}

void dbatch_emulate_range(struct dbatch_entry *e, unsigned int from,
			  unsigned int count, struct dbatch_submit_stats *st)
{
	unsigned int i;

	for (i = from; i < count; i++) {
		long r = dbatch_entry_resolve_refs(e, i);

		e[i].result = r < 0 ? r : dbatch_run_entry(&e[i], st);
		if (dbatch_entry_stops(&e[i]))
			break;
	}
	for (i++; i < count; i++)
		e[i].result = -ECANCELED;
}

static int emulate_probe(void)
{
	return 0;
}

static int emulate_submit(struct dbatch_entry *entries, unsigned int count,
			  struct dbatch_submit_stats *st)
{
	dbatch_emulate_range(entries, 0, count, st);
	return (int)count;
}

const struct dbatch_backend dbatch_backend_emulate = {
	.name = "emulate",
	.probe = emulate_probe,
	.submit = emulate_submit,
};

/* off: windows are ignored, so submit is never reached with entries. */
const struct dbatch_backend dbatch_backend_off = {
	.name = "off",
	.probe = emulate_probe,
	.submit = emulate_submit,
};
