/* SPDX-License-Identifier: MIT */
/*
 * interpose.h - the building blocks of the generated interposers
 * (interpose_io.c): record a call inside a window, or flush and run it.
 */
#ifndef DBATCH_INTERPOSE_H
#define DBATCH_INTERPOSE_H

#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include "internal.h"

/*
 * DEFER(call, args...) - inside a window, record @call and return its
 * deferred result; when it cannot be recorded, flush and fall through to
 * the direct call that follows.
 */
#define DEFER(call, ...)						\
	do {								\
		if (unlikely(dbatch_recording())) {			\
			long a_[6] = { __VA_ARGS__ };			\
			long r_;					\
			if (dbatch_record(DBATCH_CALL_##call, a_, &r_) == 0) \
				return r_;				\
			dbatch_flush_pending();				\
		}							\
	} while (0)

/* DIRECT_IF(cond) - the call is not recorded when @cond holds: flush, run. */
#define DIRECT_IF(cond)							\
	do {								\
		if (unlikely(cond) && dbatch_recording()) {		\
			dbatch_flush_pending();				\
			goto direct;					\
		}							\
	} while (0)

/*
 * DBATCH_FD_REAL(fd) - before a call inside a window runs directly: a
 * stand-in fd (token.c) becomes the number its open got, which the flush
 * before has settled.
 */
#define DBATCH_FD_REAL(fd)						\
	do {								\
		if (unlikely(dbatch_is_token(fd)))			\
			fd = dbatch_token_real(fd);			\
	} while (0)

/*
 * CANCEL_POINT() - the call is a cancellation point: while recording, a
 * pending cancellation acts here, before the call is recorded, as it would
 * in the call. What was recorded before it still runs: the program's
 * cleanup handlers record or flush after it, and the thread-exit
 * destructor (record.c) flushes the rest, in order. Only a process that
 * has called pthread_cancel() (interpose_process.c) can have one pending,
 * so until then this costs one load.
 */
#define CANCEL_POINT()							\
	do {								\
		if (unlikely(dbatch_recording()) &&			\
		    unlikely(__atomic_load_n(&dbatch_cancel_seen, __ATOMIC_RELAXED))) \
			pthread_testcancel();				\
	} while (0)

static inline int open_has_mode(int flags)
{
	return (flags & O_CREAT) || (flags & __O_TMPFILE) == __O_TMPFILE;
}

/* OPEN_MODE(flags, mode) - open's optional third argument, when it is there */
#define OPEN_MODE(flags, mode)						\
	do {								\
		if (open_has_mode(flags)) {				\
			va_list ap_;					\
			va_start(ap_, flags);				\
			mode = va_arg(ap_, int);			\
			va_end(ap_);					\
		}							\
	} while (0)

#endif /* DBATCH_INTERPOSE_H */
