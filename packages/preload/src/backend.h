/* SPDX-License-Identifier: MIT */
/*
 * backend.h - the seam between the recorder and the code that runs a batch.
 *
 * The recorder (record.c) builds each thread's batch directly as an array of
 * struct dbatch_entry from the kernel UAPI <linux/dbatch.h>, so a backend
 * that talks to /dev/batch submits it with no translation. Buffers the
 * entries point at (copied write data, paths, iovecs, sockaddrs) live in the
 * thread's side arena and stay valid until submit() returns; read buffers
 * point straight into the program's memory.
 *
 * A backend is a const struct dbatch_backend with a name, a probe and a
 * submit. The library picks one per process (DBATCH_BACKEND, see select.c)
 * and calls submit() once per flush, on the flushing thread, never from a
 * signal handler and never concurrently on the same batch (several threads
 * may call submit() at once, each with its own array).
 */
#ifndef DBATCH_BACKEND_H
#define DBATCH_BACKEND_H

#include <stdint.h>
#include <linux/dbatch.h>

/**
 * struct dbatch_submit_stats - what one submit() cost, filled by the backend
 * @kernel_entries: user->kernel transitions the backend made (ioctl,
 *	io_uring_enter, and any direct syscall such as dup3/close it used)
 * @splits: extra rounds the batch needed beyond the first because a
 *	dependency or an unsupported call forced it (io_uring: an open whose
 *	fd must be installed at its placeholder before dependents run)
 *	(counted with dbatch_split(), which also counts its reason)
 */
struct dbatch_submit_stats {
	uint64_t kernel_entries;
	uint64_t splits;
	/* the backend ran the whole batch as plain calls: it could not gain */
	int no_gain;
	/*
	 * out: every entry it ran succeeded (kmod: the module's first_error
	 * was -1), so the library need not look at each result
	 */
	int all_succeeded;
	/* in: close entries in the batch (0: none, no need to look for them) */
	unsigned int closes;
};

/*
 * Whether a checked call's @result is a failure: negative, or with @whole
 * any count but @count (a short transfer). batch_checked() applies it to a
 * call that ran directly, dbatch_entry_stops() to a recorded one.
 */
static inline int dbatch_result_fails(long result, int whole, uint64_t count)
{
	return result < 0 || (whole && (uint64_t)result != count);
}

/*
 * Whether entry @e, once run, stops the batch (DBATCH_ENTRY_STOP): it failed,
 * or with DBATCH_ENTRY_SHORT it did not transfer its whole count (args[2]).
 * The kernel module applies the same rule.
 */
static inline int dbatch_entry_stops(const struct dbatch_entry *e)
{
	return (e->flags & DBATCH_ENTRY_STOP) &&
	       dbatch_result_fails((long)e->result, !!(e->flags & DBATCH_ENTRY_SHORT),
				   e->args[2]);
}

/* One split, for @why: a short kebab-case word ("no-gain", "path-op", ...). */
void dbatch_split(struct dbatch_submit_stats *st, const char *why);

/**
 * struct dbatch_backend - one way of running a batch
 * @name: "kmod", "uring", "emulate" or "off"; printed in the stats line
 * @probe: called once per process before first use; returns 0 when the
 *	backend works here, or a negative errno (-ENODEV: /dev/batch absent,
 *	-ENOSYS/-EPERM: io_uring unavailable). May keep process-wide state.
 * @submit: run @entries[0..@count) in program order. For every entry it
 *	runs, it sets .result to the call's return value or a negative errno,
 *	and it must honour the entry flags exactly as the kernel module does:
 *	  DBATCH_ARG_REF(i): args[i] is the index of an earlier entry; if that
 *	    entry's result is negative, do not run this one: result -ECANCELED;
 *	    otherwise use that result as args[i]. dbatch_entry_resolve_refs()
 *	    does this for user-space backends.
 *	  DBATCH_ENTRY_INSTALL_FD: the call returns a new fd; move it to
 *	    install_fd (dup3 onto it, keeping O_CLOEXEC from the open flags,
 *	    then close the temporary) and report install_fd as the result.
 *	  DBATCH_ENTRY_STOP: if this entry fails, stop (the rest are not run);
 *	    with DBATCH_ENTRY_SHORT a result other than args[2] is a failure
 *	    too (dbatch_entry_stops()).
 *	Returns the number of entries it ran (results set for [0, n)); the
 *	library runs entries [n, count) with the emulate backend, so returning
 *	0 (or a negative errno, treated as 0) is a clean fallback, e.g. when
 *	the device refuses a task under seccomp. Must not call interposed libc
 *	functions (use raw syscalls), must not allocate in a way that can
 *	recurse into the library.
 * @thread_exit: optional; release this thread's resources (a ring, an fd).
 *	Called from the thread-exit path after the last flush.
 * @fork_child: optional; called in the child after fork(): per-thread
 *	resources inherited from the parent must not be shared (drop them and
 *	recreate lazily).
 */
struct dbatch_backend {
	const char *name;
	int (*probe)(void);
	int (*submit)(struct dbatch_entry *entries, unsigned int count,
		      struct dbatch_submit_stats *st);
	void (*thread_exit)(void);
	void (*fork_child)(void);
};

extern const struct dbatch_backend dbatch_backend_kmod;
extern const struct dbatch_backend dbatch_backend_uring;
extern const struct dbatch_backend dbatch_backend_emulate;
extern const struct dbatch_backend dbatch_backend_off;

/**
 * dbatch_entry_resolve_refs() - apply DBATCH_ARG_REF flags of entries[i]
 * Replaces each referenced argument with the producer's result. Returns 0,
 * or -ECANCELED when a producer failed (the entry must not run), or
 * -EINVAL for a reference that does not point backwards.
 */
int dbatch_entry_resolve_refs(struct dbatch_entry *entries, unsigned int i);

/**
 * dbatch_install_fd() - move a freshly opened @fd to @target
 * dup3(fd, target, O_CLOEXEC if @open_flags has it), close(fd). Returns
 * @target or a negative errno. Counts its syscalls in @st.
 */
long dbatch_install_fd(long fd, int target, long open_flags,
		       struct dbatch_submit_stats *st);

/**
 * dbatch_entry_open_flags() - the open flags of an fd-producing entry
 * (open/openat/creat), for O_CLOEXEC on install.
 */
long dbatch_entry_open_flags(const struct dbatch_entry *e);

/**
 * dbatch_run_entry() - run one entry with a raw syscall (no flags handling
 * besides INSTALL_FD); returns the result. Used by emulate, by other
 * backends for calls they cannot submit themselves, and by the recorder for
 * an open that runs at once (nothing pending).
 */
long dbatch_run_entry(struct dbatch_entry *e, struct dbatch_submit_stats *st);

#endif /* DBATCH_BACKEND_H */
