/* SPDX-License-Identifier: MIT */
/*
 * backend_kmod.c - run a batch in the kernel module through /dev/batch.
 *
 * The recorder builds the batch as an array of struct dbatch_entry, the
 * module's own UAPI, so a flush is one DBATCH_IOC_SUBMIT ioctl with no
 * translation: the module copies the array in, runs every entry (argument
 * references, fd installation at placeholders, STOP) and copies it back
 * with each result filled in.
 *
 * One process-wide descriptor for /dev/batch, close-on-exec and moved to a
 * high number so it does not shift the program's own fd numbers. The
 * module keeps no per-open state, so threads share it and a forked child
 * may keep using it. If the program closes or reuses that number, the
 * ioctl fails (EBADF/ENOTTY) and the device is opened again once.
 *
 * Whatever the module refuses (a task under seccomp, audit rules or a
 * syscall tracer: EPERM; EFAULT, ENOMEM, ...) is reported as "run up to
 * here" and the library runs the rest under emulate, so those calls still
 * go through the normal system call path (and through the filter, audit
 * and the tracer). Signals are handled between entries by the kernel's
 * own restart logic (DBATCH_SUBMIT_RESUME): the ioctl is restarted where
 * it stopped, so a kernel entry count above one per flush means a signal
 * or task work interrupted it (a restart the kernel makes by itself is
 * not seen here, nor counted). A batch is submitted in pieces that end at
 * each close (kmod_submit()): a close's task work would restart it anyway.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include "internal.h"

#define KMOD_HIGH_FD	900

static int kmod_fd = -1;	/* process-wide /dev/batch */
static int kmod_refused;	/* EPERM once: seccomp is for good */

static int kmod_open(void)
{
	long fd = dbatch_sys(SYS_open, "/dev/batch", O_RDWR | O_CLOEXEC, 0);
	long hi;
	int expected;

	if (fd < 0)
		return (int)fd;
	hi = dbatch_sys(SYS_fcntl, fd, F_DUPFD_CLOEXEC, KMOD_HIGH_FD);
	if (hi >= 0) {
		dbatch_sys(SYS_close, fd, 0, 0);
		fd = hi;
	}
	expected = __atomic_load_n(&kmod_fd, __ATOMIC_ACQUIRE);
	if (!__atomic_compare_exchange_n(&kmod_fd, &expected, (int)fd, 0,
					 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
		/* another thread reopened it first: use theirs */
		dbatch_sys(SYS_close, fd, 0, 0);
		return expected;
	}
	return (int)fd;
}

static int kmod_probe(void)
{
	int fd = kmod_open();

	if (fd < 0)
		return fd == -ENOENT ? -ENODEV : fd;
	return 0;
}

static long kmod_ioctl(int fd, struct dbatch_submit *s)
{
	return dbatch_sys(SYS_ioctl, fd, DBATCH_IOC_SUBMIT, s);
}

/* One ioctl for entries[0, count): how many have their result (see below). */
static int kmod_submit_range(struct dbatch_entry *entries, unsigned int count,
			     struct dbatch_submit_stats *st)
{
	struct dbatch_submit s;
	unsigned int n = count;
	int fd = __atomic_load_n(&kmod_fd, __ATOMIC_ACQUIRE);
	long r;

	if (!count)
		return 0;
	if (__atomic_load_n(&kmod_refused, __ATOMIC_RELAXED))
		return 0;
	/*
	 * References are absolute indices that only point backwards, so the
	 * first DBATCH_MAX_ENTRIES entries form a batch of their own; the
	 * library runs the rest under emulate.
	 */
	if (n > DBATCH_MAX_ENTRIES)
		n = DBATCH_MAX_ENTRIES;

	s = (struct dbatch_submit){ .entries = (uint64_t)(uintptr_t)entries,
				    .count = n, .flags = 0 };
	r = fd >= 0 ? kmod_ioctl(fd, &s) : -EBADF;
	if (fd >= 0)
		st->kernel_entries++;
	if (r == -EBADF || r == -ENOTTY) {
		/* the program closed or reused our descriptor */
		fd = kmod_open();
		if (fd < 0)
			return 0;
		s = (struct dbatch_submit){ .entries = (uint64_t)(uintptr_t)entries,
					    .count = n, .flags = 0 };
		r = kmod_ioctl(fd, &s);
		st->kernel_entries++;
	}
	/*
	 * EINTR with the resume flag: entry `completed` was a blocking call
	 * interrupted by a signal whose handler (already run) does not
	 * restart calls. The plain call would have failed with EINTR and the
	 * program gone on: so does the batch, from the next entry.
	 */
	while (r == -EINTR && (s.flags & DBATCH_SUBMIT_RESUME) &&
	       s.completed < n) {
		st->all_succeeded = 0;
		entries[s.completed].result = -EINTR;
		if (++s.completed == n)
			return (int)n;
		r = kmod_ioctl(fd, &s);
		st->kernel_entries++;
	}
	if (r == 0) {
		/*
		 * every entry of [0, n) has its result, -ECANCELED if unreached;
		 * first_error covers the entries reached
		 */
		if (s.first_error >= 0 || s.completed != n)
			st->all_succeeded = 0;
		return (int)n;
	}
	st->all_succeeded = 0;
	switch (r) {
	case -EINTR:
		/* a fatal signal: the task does not return to user space */
		return (int)n;
	case -EPERM:
		/*
		 * Subject to seccomp, audit rules, a syscall tracer, ...:
		 * [0, completed) ran (the rest were refused, perhaps because
		 * another thread changed the task meanwhile); the library
		 * runs the rest as plain system calls, where the filter,
		 * audit or tracer sees them.
		 */
		__atomic_store_n(&kmod_refused, 1, __ATOMIC_RELAXED);
		return s.completed <= n ? (int)s.completed : 0;
	default:
		/* EFAULT, EINVAL, ENOMEM: nothing ran; emulate runs it all */
		return 0;
	}
}

/*
 * The next piece: entries[from, end), ending just after the first close (or
 * at @count). A close queues the file's release as task work, which must
 * run before the next entry (a pipe's reader then sees EOF, a flock is
 * gone): the module stops there and the kernel restarts the ioctl, copying
 * the whole batch in and out again each time. Submitting up to each close
 * costs the same transitions and copies every entry once.
 *
 * The piece is made a batch of its own: references before @from are
 * resolved to the results already there, references inside it made
 * relative to @from (*@rebased says to undo that). An entry whose producer
 * failed ends the piece before it (it is cancelled, as the module would).
 */
struct piece {
	unsigned int end;
	int rebased;	/* relative references to undo */
	int stop;	/* an entry has DBATCH_ENTRY_STOP */
};

static struct piece piece_take(struct dbatch_entry *e, unsigned int from, unsigned int count)
{
	struct piece p = { .end = count };
	unsigned int i = from;

	/* the common entry: no flags, not a close (a run of writes) */
	while (i < count && !e[i].flags && e[i].nr != SYS_close)
		i++;
	for (; i < count; i++) {
		uint32_t refs = e[i].flags & DBATCH_ARG_REF_MASK;

		p.stop |= !!(e[i].flags & DBATCH_ENTRY_STOP);
		if (unlikely(refs)) {
			for (uint32_t r = refs; r; r &= r - 1) {
				uint64_t j = e[i].args[__builtin_ctz(r)];

				if (j < from && e[j].result < 0) {
					p.end = i;	/* cancelled: not in this piece */
					return p;
				}
			}
			while (refs) {
				unsigned int a = (unsigned int)__builtin_ctz(refs);
				uint64_t j = e[i].args[a];

				refs &= refs - 1;
				if (j >= from) {
					e[i].args[a] = j - from;
					p.rebased = 1;
				} else {
					e[i].args[a] = (uint64_t)e[j].result;
					e[i].flags &= ~DBATCH_ARG_REF(a);
				}
			}
		}
		if (e[i].nr == SYS_close) {
			p.end = i + 1;
			return p;
		}
	}
	return p;
}

/* Undo the relative references of piece_take() (results stay absolute). */
static void piece_restore(struct dbatch_entry *e, unsigned int from, unsigned int end)
{
	for (unsigned int i = from; i < end; i++) {
		uint32_t refs = e[i].flags & DBATCH_ARG_REF_MASK;

		for (; refs; refs &= refs - 1)
			e[i].args[__builtin_ctz(refs)] += from;
	}
}

/*
 * Where the module pays, in guest instructions (`dbatch bench --sweep` in
 * the VM, Debian 6.1): one ioctl costs about 1,350 more than the calls it
 * carries would, recording included; an entry it runs on the ordinary path
 * saves about 12 over its own system call (the entry and exit it skips,
 * less the recording and the module's loop), a write merged into the one
 * before it about 380. So only merged writes pay for the ioctl: from 5 in
 * a run (break-even 4.96 in the fit over the seed workload). A batch
 * without such a run runs as plain calls from the recorded entries
 * ("no-gain"), and a site whose windows keep doing that stops recording
 * (adapt.c). DBATCH_KMOD_ALWAYS=1 sends every batch to the module (tests).
 */
#define KMOD_MERGE_MIN	5
static int kmod_always = -1;

static int kmod_gains(const struct dbatch_entry *e, unsigned int count)
{
	if (kmod_always < 0)
		kmod_always = dbatch_env_on("DBATCH_KMOD_ALWAYS");
	return kmod_always || dbatch_write_run_reaches(e, count, KMOD_MERGE_MIN);
}

static int kmod_submit(struct dbatch_entry *entries, unsigned int count,
		       struct dbatch_submit_stats *st)
{
	unsigned int done = 0;

	if (!kmod_gains(entries, count)) {
		dbatch_split(st, "no-gain");
		st->no_gain = 1;
		return 0;
	}
	/* until an ioctl reports a failure (a piece that fails ends it) */
	st->all_succeeded = 1;
	if (!st->closes)
		return kmod_submit_range(entries, count, st);
	while (done < count) {
		struct piece p = piece_take(entries, done, count);
		unsigned int ran;
		int r;

		if (p.end == done) {
			/* its producer failed: cancelled, as the module does */
			st->all_succeeded = 0;
			entries[done].result = -ECANCELED;
			done++;
			continue;
		}
		r = kmod_submit_range(entries + done, p.end - done, st);
		if (p.rebased)
			piece_restore(entries, done, p.end);
		ran = r < 0 ? 0 : (unsigned int)r;
		if (ran < p.end - done)
			return (int)(done + ran);	/* the rest: emulate */
		for (unsigned int i = done; p.stop && i < p.end; i++)
			if (dbatch_entry_stops(&entries[i])) {
				st->all_succeeded = 0;
				for (unsigned int k = p.end; k < count; k++)
					entries[k].result = -ECANCELED;
				return (int)count;
			}
		done = p.end;
	}
	return (int)count;
}

const struct dbatch_backend dbatch_backend_kmod = {
	.name = "kmod",
	.probe = kmod_probe,
	.submit = kmod_submit,
};
