/* SPDX-License-Identifier: MIT */
/*
 * dbatch.h - batch the system calls of a stretch of code.
 *
 *	batch_start();
 *	write(fd, a, n);	// recorded, returns n at once
 *	write(fd, b, m);	// recorded
 *	if (batch_flush() < 0)	// both run now, in one kernel transition
 *		perror("batch");
 *
 * The calls are recorded by libdbatch-preload.so (LD_PRELOAD). A program
 * that includes this header compiles and links without any extra library:
 * the entry points are weak references, so without the preload library
 * batch_start() and batch_flush() do nothing and every call runs directly.
 *
 * Inside a window, a call from the dBatch catalogue (write, pwrite, writev,
 * read, pread, open, openat, creat, close, lseek(SEEK_SET), fsync,
 * fdatasync, ftruncate, unlink, unlinkat, mkdir, mkdirat, rmdir, rename,
 * renameat, send, sendto, shutdown) is recorded and returns at once:
 *
 *  - write-like calls return the requested length; input buffers are
 *    copied, so the buffer may be reused at once;
 *  - read/pread return the requested length; the buffer is filled at flush;
 *  - close and the status calls return 0;
 *  - open/openat/creat return a placeholder fd: a valid fd number, reserved
 *    for this call, that refers to the opened file after the flush (or, for
 *    an open written batch_open_unseen(open(...)), a stand-in, below).
 *
 * Any other interposed call (fstat, dup, fcntl, mmap, fork, exec, printf,
 * ...) first flushes the thread's batch, then runs. The batch is also
 * flushed when it is full, at exit and at thread exit. Signal handlers never
 * record. Windows are per thread.
 */
#ifndef DBATCH_H
#define DBATCH_H

#ifdef __cplusplus
extern "C" {
#endif

/**
 * struct dbatch_error - the first call that failed in the last flush
 * @error: its errno (0 when the last flush succeeded)
 * @index: its position in the flushed batch (0-based), -1 when none
 * @nr: its x86-64 system call number, -1 when none
 * @call: its catalogue name ("write", "openat", ...), NULL when none
 * @failed: how many calls of the last flush failed (cancelled ones included)
 * @cancelled: how many were not run (ECANCELED) because the deferred open
 *	their fd came from had failed
 */
struct dbatch_error {
	int error;
	int index;
	int nr;
	const char *call;
	int failed;
	int cancelled;
};

/**
 * struct dbatch_stats - process-wide counters of the preload library
 * @backend: the backend in use ("kmod", "uring", "emulate", "off")
 * @recorded: calls recorded (deferred) so far
 * @flushes: batches handed to the backend
 * @kernel_entries: user->kernel transitions the backend needed for them
 */
struct dbatch_stats {
	const char *backend;
	unsigned long long recorded;
	unsigned long long flushes;
	unsigned long long kernel_entries;
};

/* Provided by libdbatch-preload.so; weak so that programs link without it. */
extern int dbatch_batch_start(void) __attribute__((weak));
extern int dbatch_batch_flush(void) __attribute__((weak));
extern int dbatch_batch_last_error(struct dbatch_error *err) __attribute__((weak));
extern int dbatch_batch_stats(struct dbatch_stats *st) __attribute__((weak));
extern void dbatch_batch_check_mark(void) __attribute__((weak));
extern long dbatch_batch_checked(int tag, int kind, long expected, long value)
	__attribute__((weak));
extern int dbatch_batch_flush_checked(void) __attribute__((weak));
extern long dbatch_batch_checked_value(int tag) __attribute__((weak));
extern void dbatch_batch_open_unseen(void) __attribute__((weak));

/**
 * batch_start() - open a batching window on the calling thread.
 *
 * Until the next batch_flush(), catalogue calls made by this thread are
 * recorded instead of run. Opening an open window nests: the batch_flush()
 * that matches it closes only that level and runs nothing (it returns 0);
 * the outermost batch_flush() runs what every level recorded. That is how a
 * helper with a window of its own, called inside its caller's window (the
 * transform's summaries of a file's static functions), adds its calls to the
 * caller's batch. A checked flush, a failed check, a signal handler's or the
 * exit path's flush close every level. Returns 0.
 */
static inline int batch_start(void)
{
	return dbatch_batch_start ? dbatch_batch_start() : 0;
}

/**
 * batch_flush() - run every call recorded on this thread, in order.
 *
 * Returns 0 when all of them succeeded, or -1 when one failed (including
 * failures of automatic flushes made since batch_start()); batch_last_error()
 * names the first. errno is what the calls, run one by one, would have
 * left: the last failure's errno (EBADF for a call whose fd came from a
 * deferred open that failed: it is not run, and would have been given -1),
 * or unchanged when this flush had no failure. Closes the window opened by
 * batch_start().
 */
static inline int batch_flush(void)
{
	return dbatch_batch_flush ? dbatch_batch_flush() : 0;
}

/**
 * batch_last_error() - which call of the last flush failed first.
 * @err: filled in; err->error is 0 when nothing failed.
 *
 * Returns 0, or -1 (err zeroed, index -1) without the preload library.
 */
static inline int batch_last_error(struct dbatch_error *err)
{
	if (dbatch_batch_last_error)
		return dbatch_batch_last_error(err);
	err->error = 0;
	err->index = -1;
	err->nr = -1;
	err->call = 0;
	err->failed = 0;
	err->cancelled = 0;
	return -1;
}

/**
 * batch_stats() - read the library's process-wide counters.
 * @st: filled in.
 *
 * Returns 0, or -1 (st->backend "none", counters 0) without the library.
 */
static inline int batch_stats(struct dbatch_stats *st)
{
	if (dbatch_batch_stats)
		return dbatch_batch_stats(st);
	st->backend = "none";
	st->recorded = st->flushes = st->kernel_entries = 0;
	return -1;
}

/*
 * Checked results. Code that checks a call and leaves on failure,
 *
 *	if (write(fd, buf, n) != n)
 *		goto fail;
 *	if (close(fd) < 0)
 *		err(1, "close");
 *
 * is batched (dbatch-transform writes this) as
 *
 *	batch_start();
 *	if (batch_checked(1, DBATCH_CHECK_COUNT, n, write(fd, buf, n)) != n)
 *		goto fail;
 *	if (batch_checked(2, DBATCH_CHECK_ERROR, 0, close(fd)) < 0)
 *		err(1, "close");
 *	{ int f_ = batch_flush_checked(); if (f_ == 1) goto fail;
 *	  else if (f_ == 2) err(1, "close"); }
 *
 * A recorded call returns success, so the checks pass while recording; its
 * entry stops the batch if it fails (DBATCH_CHECK_ERROR: a negative result)
 * or transfers less than @expected (DBATCH_CHECK_COUNT, on write, read,
 * pwrite, pread and send; @expected is their count argument). The calls
 * after it are not run, as the program would have left before them, and
 * batch_flush_checked() returns the tag of the check that failed, with errno
 * what the program would have seen there, so that the same failure path
 * runs. A call that runs directly (no library, or not recorded) returns its
 * real result to the program's own check; if that check fails inside a
 * window, the library closes the window first.
 */
#define DBATCH_CHECK_ERROR	1
#define DBATCH_CHECK_COUNT	2

static inline long batch_checked_(int tag, int kind, long expected, long value)
{
	return dbatch_batch_checked ? dbatch_batch_checked(tag, kind, expected, value) : value;
}

/* Notes where the batch stands just before the checked call is made. */
static inline void batch_check_mark_(void)
{
	if (dbatch_batch_check_mark)
		dbatch_batch_check_mark();
}

/**
 * batch_checked() - the result of @call, checked by the code around it
 * @tag: the check's number in its run (1, 2, ...), what batch_flush_checked()
 *	returns when this check fails
 * @kind: DBATCH_CHECK_ERROR or DBATCH_CHECK_COUNT
 * @expected: with DBATCH_CHECK_COUNT the count a full transfer returns
 * @call: the call, evaluated once; the value keeps its type
 */
#define batch_checked(tag, kind, expected, call)                                      \
	((__typeof__(call))batch_checked_((tag), (kind), (long)(expected),             \
					  (batch_check_mark_(), (long)(call))))

/**
 * batch_flush_checked() - batch_flush() for a run with checked calls.
 *
 * Returns 0 when every check passed (errno as batch_flush() leaves it), or
 * the tag of the check that failed, with errno as the program would have
 * seen it at that check: the call's own errno (EBADF when its fd came from
 * a deferred open that failed: the call was not run, and would have been
 * given -1), or unchanged for a short transfer.
 */
static inline int batch_flush_checked(void)
{
	return dbatch_batch_flush_checked ? dbatch_batch_flush_checked() : 0;
}

/**
 * batch_checked_value() - after batch_flush_checked(), the value check @tag's
 * call returned: what the call returned run plain (-1 when it failed, errno
 * then set by batch_flush_checked() if it was the check that failed).
 * @var: the variable the program assigned the call to; its value is kept
 *	as it is without the library (the call then ran directly).
 *
 * For `ret = write(fd, b, n); if (ret != n) goto fail;` the transform puts
 * `ret = batch_checked_value(k, ret);` at the end of the run, and the
 * program's own `if` then sees the real value.
 */
#define batch_checked_value(tag, var)                                          \
	((__typeof__(var))(dbatch_batch_checked_value ?                         \
				   dbatch_batch_checked_value(tag) :             \
				   (long)(var)))

static inline void batch_open_unseen_mark_(void)
{
	if (dbatch_batch_open_unseen)
		dbatch_batch_open_unseen();
}

/**
 * batch_open_unseen() - @call, an open whose fd number the program never
 * reads: the fd is only passed to the calls after it in the same window.
 * @call: open(), openat() or creat(), evaluated once; the value keeps its type
 *
 * dbatch-transform writes it for such opens (`fd = open(p, O_WRONLY);
 * write(fd, b, n); close(fd);` in one run). Recorded, the open then
 * returns a stand-in instead of the number, costs no system call (a
 * placeholder does, and the first open of a batch runs at once) and runs
 * with the batch, where it takes the lowest free number, as the plain
 * call would at that point; the calls recorded with the stand-in use its
 * file, and one that runs directly is given the number (-1 if the open
 * failed). So a window of open, write, close is one kernel entry with the
 * kernel module. Reading the stand-in itself (printing it, comparing it,
 * passing it to a function outside the catalogue, using it after the
 * window) sees no fd number: that is what "unseen" promises. Without the
 * library, or outside a window, the open runs as written.
 */
#define batch_open_unseen(call) (batch_open_unseen_mark_(), (call))

#ifdef __cplusplus
}
#endif

#endif /* DBATCH_H */
