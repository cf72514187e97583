/* SPDX-License-Identifier: MIT */
/*
 * adapt.c - windows that never gain run their calls directly.
 *
 * The uring backend runs a batch it cannot make cheaper (no run of writes to
 * merge) as plain system calls from the recorded entries ("no-gain"): the
 * program then pays the recording for nothing. A batch_start() call site
 * whose last DBATCH_NOGAIN_STREAK windows were all no-gain opens no window
 * any more: its calls run directly, exactly as in the plain program; one
 * window in DBATCH_NOGAIN_RECHECK is recorded again, in case the program's
 * data changed what the window does. Sites are told apart by the address
 * batch_start() was called from (each inserted batch_start() has its own),
 * in a small per-thread table. Only a backend that reports no-gain (uring)
 * ever makes a site direct; DBATCH_ADAPT=0 turns this off.
 */
#include <sys/syscall.h>
#include "internal.h"

int dbatch_adapt_on = -1;

int dbatch_adapting_slow(void)
{
	dbatch_adapt_on = !dbatch_env_off("DBATCH_ADAPT");
	return dbatch_adapt_on;
}

void dbatch_adapt_flushed(struct dbatch_thread *t, int no_gain)
{
	t->window_flushed = 1;
	if (!no_gain)
		t->window_gained = 1;
}

void dbatch_adapt_end(struct dbatch_thread *t)
{
	struct dbatch_site *s = t->window_site;

	t->window_site = NULL;
	if (!s || !t->window_flushed)
		return;
	if (t->window_gained)
		s->streak = 0;
	else if (s->streak < 255)
		s->streak++;
}

/* A run of at least @min writes with entry flags @flags to one args[0]. */
DBATCH_INLINE int write_run_with(const struct dbatch_entry *e, unsigned int count,
			   unsigned int min, uint32_t flags)
{
	for (unsigned int i = 0, run = 0; i < count; i++) {
		int plain_write = e[i].nr == SYS_write && e[i].flags == flags;

		if (plain_write && run && e[i].args[0] == e[i - 1].args[0])
			run++;
		else
			run = plain_write;
		if (run >= min)
			return 1;
	}
	return 0;
}

/*
 * Whether entries[0, @count) hold a run of at least @min plain writes to
 * one fd (a value, or the result of one open of the batch: a stand-in's):
 * what the kmod and uring backends merge into one vectored write, the only
 * thing either makes cheaper than the calls. Writes to a number first: the
 * common case ends within a few entries.
 */
int dbatch_write_run_reaches(const struct dbatch_entry *e, unsigned int count,
			     unsigned int min)
{
	return write_run_with(e, count, min, 0) ||
	       write_run_with(e, count, min, DBATCH_ARG_REF(0));
}
