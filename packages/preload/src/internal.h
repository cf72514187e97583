/* SPDX-License-Identifier: MIT */
/*
 * internal.h - state shared by the files of libdbatch-preload.so.
 *
 * Every thread owns one struct dbatch_thread (TLS, initial-exec). Its batch
 * (entries + side arena) is allocated on the first recorded call and freed
 * at thread exit. Shared between threads: the process-wide counters in
 * stats.c (atomics), the backend choice, and the registry (registry.c) of
 * threads that have a batch, through which exit()/exec reaches the batches
 * of the other threads (exit_others.c). The handshake for that is the pair
 * of one-byte fields own (written by the owner) and exit_state (written by
 * an exiting thread), see dbatch_own().
 */
#ifndef DBATCH_INTERNAL_H
#define DBATCH_INTERNAL_H

#include <stddef.h>
#include <signal.h>
#include <stdint.h>
#include <sys/types.h>
#include <linux/dbatch.h>
#include <linux/dbatch_catalogue.h>
#include "backend.h"

#define DBATCH_API	__attribute__((visibility("default")))
#define DBATCH_HIDDEN	__attribute__((visibility("hidden")))
#define likely(x)	__builtin_expect(!!(x), 1)
#define unlikely(x)	__builtin_expect(!!(x), 0)
#define DBATCH_INLINE	static inline __attribute__((always_inline))

/* Limits of one thread's batch. */
#define DBATCH_BATCH_ENTRIES	256		/* flush when full */
#define DBATCH_CHECK_VALUES	16		/* batch_checked_value() tags */
#define DBATCH_ARENA_SIZE	(1u << 20)	/* side storage for copies */
#define DBATCH_COPY_LIMIT	(64u << 10)	/* larger calls run directly */
#define DBATCH_PLACEHOLDERS	8		/* deferred opens pending per batch */

/*
 * Stand-in fds (batch_open_unseen(), token.c): a recorded open whose number
 * the program never reads returns DBATCH_TOKEN_BASE + k, above any number
 * the kernel hands out (fs.nr_open is at most 2^30 - 8), and takes the
 * lowest free number when it runs, as the plain call does. At most
 * DBATCH_TOKENS per window; the opens after that reserve numbers.
 */
#define DBATCH_TOKEN_BASE	(1L << 30)
#define DBATCH_TOKENS		4096

/* Catalogue calls, numbered in catalogue order: DBATCH_CALL_write, ... */
enum dbatch_call {
#define DBATCH_ENUM(name, ...) DBATCH_CALL_##name,
	DBATCH_CATALOGUE(DBATCH_ENUM)
#undef DBATCH_ENUM
	DBATCH_NCALLS
};

/* One catalogue row, from <linux/dbatch_catalogue.h>. */
struct dbatch_call_info {
	const char *name;
	uint32_t nr;
	uint8_t nargs, result, defer;
	int8_t defer_arg;
	uint8_t kind[6];
	int8_t aux[6];
};
extern const struct dbatch_call_info dbatch_calls[DBATCH_NCALLS] DBATCH_HIDDEN;

/*
 * A stand-in fd of the open window: while @entry >= 0 its open is that entry
 * of the batch, not run yet; then @fd is the number it got (-1: it failed).
 */
struct dbatch_token {
	int entry;
	int fd;
};

/* A placeholder handed out in the current batch, waiting for its open. */
struct dbatch_pending_fd {
	int fd;
	unsigned int entry;
};

struct dbatch_batch {
	struct dbatch_entry entries[DBATCH_BATCH_ENTRIES];
	uint8_t call[DBATCH_BATCH_ENTRIES];	/* enum dbatch_call per entry */
	/* batch_checked()'s tag of each entry with DBATCH_ENTRY_STOP */
	uint16_t check[DBATCH_BATCH_ENTRIES];
	unsigned int count;
	size_t arena_used;
	char *arena;				/* DBATCH_ARENA_SIZE bytes */
	struct dbatch_pending_fd pending[DBATCH_PLACEHOLDERS];
	unsigned int npending;
	/* fd numbers closed by close entries of this batch, not yet reused */
	int freed[DBATCH_PLACEHOLDERS];
	unsigned int nfreed;
	/*
	 * What the last placeholder probe of this batch showed: every number
	 * below free_from is in use in the real table (the numbers in freed[]
	 * too: their closes have not run). 0 when nothing is known.
	 */
	int free_from;
	/* close entries in the batch (kmod submits up to each one) */
	unsigned int closes;
	/* entries batch_checked() marked */
	unsigned int checked;
	/* stand-in fds handed out since the window opened; how many of their
	 * opens are in this batch, not run yet */
	unsigned int ntokens, tokens_pending;
	struct dbatch_token tokens[DBATCH_TOKENS];
};

/* dbatch_thread.own: what the owner is doing with its batch */
enum { DBATCH_OWN_IDLE, DBATCH_OWN_RECORDING, DBATCH_OWN_FLUSHING };
/* dbatch_thread.exit_state: another thread's exit()/exec wants the batch */
enum {
	DBATCH_EXIT_NONE,	/* the owner's */
	DBATCH_EXIT_WANTED,	/* marked; the exiting thread takes it when idle */
	DBATCH_EXIT_DONE,	/* the exiting thread ran it; owner runs direct */
	DBATCH_EXIT_ABANDONED,	/* owner was busy too long: it runs it itself */
};

/* A batch_start() call site and how its last windows went (adapt.c). */
struct dbatch_site {
	uintptr_t pc;
	unsigned char streak;		/* windows in a row whose batches were no-gain */
	unsigned char skipped;		/* windows run direct since the last recorded one */
};

#define DBATCH_SITES	8

struct dbatch_thread {
	unsigned char window;		/* batch_start() .. batch_flush() */
	unsigned char seed;		/* seed mode: window reopens itself */
	unsigned char exiting;		/* after exit()/thread exit: no recording */
	unsigned char key_set;		/* thread-exit destructor registered */
	/* exit handshake, next to window: the record path reads one line */
	unsigned char own;		/* DBATCH_OWN_*, written by the owner */
	unsigned char exit_state;	/* DBATCH_EXIT_*, written by exiters */
	/* batch_open_unseen(): the next open's number is not read */
	unsigned char open_unseen;
	int sig_depth;			/* >0 while a signal handler runs */
	struct dbatch_batch *batch;
	/* first failure of the last flush, and since batch_start() */
	int last_errno;
	int last_index;
	int last_call;
	int last_failed;
	int last_cancelled;
	int window_errno;
	int flush_errno;	/* errno the last flush's failures left (0: none) */
	/*
	 * Checked results (batch_checked()): the tag of the check that failed
	 * in a flush of the open window (0: none) and the errno the program
	 * would have seen at that check (0: as it was). While it is set the
	 * window's later calls are not run: the program would have left it.
	 */
	int check_failed;
	int check_errno;
	/* flushes of this thread's batch; with batch->count, says whether a
	 * call was recorded (batch_checked()) */
	unsigned int flush_gen;
	unsigned int check_gen, check_count;	/* dbatch_batch_check_mark() */
	/* what the checked calls of the last window returned, by tag - 1 */
	long check_value[DBATCH_CHECK_VALUES];
	/* the open window's call site (NULL: not tracked), adapt.c */
	struct dbatch_site *window_site;
	unsigned char window_flushed, window_gained;
	/*
	 * batch_start() calls made inside the open window whose batch_flush()
	 * has not come yet: those flushes close only their level (a summarised
	 * helper's own window inside its caller's, see <dbatch.h>).
	 */
	unsigned int nest;
	struct dbatch_site sites[DBATCH_SITES];
	/* registry (registry.c) */
	unsigned char registered;
	struct dbatch_thread *next, *prev;	/* registry.c, under its lock */
	struct dbatch_thread *exit_next;	/* exit_others.c's work list */
};

extern __thread struct dbatch_thread dbatch_tls
	__attribute__((tls_model("initial-exec"))) DBATCH_HIDDEN;

/* Process state (select.c). */
extern const struct dbatch_backend *dbatch_backend DBATCH_HIDDEN;
extern int dbatch_off DBATCH_HIDDEN;		/* DBATCH_BACKEND=off */
extern int dbatch_seed_mode DBATCH_HIDDEN;	/* a <linux/batch.h> program */
extern int dbatch_threads_started DBATCH_HIDDEN; /* pthread_create was called */
void dbatch_init_slow(void) DBATCH_HIDDEN;
extern int dbatch_init_done DBATCH_HIDDEN;

/*
 * Choose the backend once (select.c). Inline, a load: batch_start() calls
 * it every window, where pthread_once() through libc cost a call.
 */
static inline void dbatch_init(void)
{
	if (unlikely(!__atomic_load_n(&dbatch_init_done, __ATOMIC_ACQUIRE)))
		dbatch_init_slow();
}
/* The environment variable @name is set to "0": a default is turned off. */
int dbatch_env_off(const char *name) DBATCH_HIDDEN;
/* @name is set, to anything but "0" (the *_ALWAYS switches) */
int dbatch_env_on(const char *name) DBATCH_HIDDEN;

/*
 * dbatch_recording() - should a catalogue call made now be recorded?
 * True inside a window, outside signal handlers, when batching is on.
 */
static inline int dbatch_recording(void)
{
	/* invariant: window is 0 while sig_depth > 0 or exiting */
	return dbatch_tls.window;
}

/*
 * dbatch_direct_enter()/dbatch_direct_leave() - bracket code during which
 * this thread must run its calls directly and leave its batch alone (a
 * signal handler, liburing's own libc calls). Nests.
 */
static inline unsigned char dbatch_direct_enter(void)
{
	struct dbatch_thread *t = &dbatch_tls;
	unsigned char w = t->window;

	t->window = 0;
	t->sig_depth++;
	return w;
}

static inline void dbatch_direct_leave(unsigned char w)
{
	struct dbatch_thread *t = &dbatch_tls;

	t->sig_depth--;
	t->window = w;
}

/* registry.c */
extern int dbatch_fence_needed DBATCH_HIDDEN;	/* no usable membarrier */
void dbatch_registry_add(struct dbatch_thread *t) DBATCH_HIDDEN;
void dbatch_registry_remove(struct dbatch_thread *t) DBATCH_HIDDEN;
int dbatch_registry_empty(void) DBATCH_HIDDEN;
struct dbatch_thread *dbatch_registry_lock(sigset_t *old) DBATCH_HIDDEN;
void dbatch_registry_unlock(const sigset_t *old) DBATCH_HIDDEN;
void dbatch_registry_fork_child(struct dbatch_thread *t) DBATCH_HIDDEN;

/* exit_others.c */
void dbatch_exit_others(void) DBATCH_HIDDEN;
void dbatch_own_lost(struct dbatch_thread *t) DBATCH_HIDDEN;

/*
 * dbatch_own() - the owner takes its batch before it records into it or
 * flushes it (@how: DBATCH_OWN_RECORDING/FLUSHING). Returns 1, or 0 when
 * an exiting thread has marked the batch: then the batch is settled (run by
 * the exiting thread, or here if it gave up waiting), the window is closed
 * for good, and the caller must run its call directly.
 *
 * This is one side of a Dekker handshake: the owner stores own, then loads
 * exit_state; the exiting thread stores exit_state, then loads own. The
 * exiting side puts membarrier(PRIVATE_EXPEDITED) between its store and
 * load, which makes every running thread execute a full barrier, so here a
 * compiler barrier is enough: either the owner sees the mark, or the
 * exiting thread sees the owner busy and waits. Without membarrier (old
 * kernel, seccomp) dbatch_fence_needed makes this a real fence.
 */
DBATCH_INLINE int dbatch_own(struct dbatch_thread *t, unsigned char how)
{
	__atomic_store_n(&t->own, how, __ATOMIC_RELAXED);
	if (unlikely(dbatch_fence_needed))
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
	else
		__atomic_signal_fence(__ATOMIC_SEQ_CST);
	if (likely(!__atomic_load_n(&t->exit_state, __ATOMIC_RELAXED)))
		return 1;
	dbatch_own_lost(t);
	return 0;
}

/* dbatch_own_end() - give the batch back (@prev: the state before). The
 * release store publishes the entries to an exiting thread that sees it. */
DBATCH_INLINE void dbatch_own_end(struct dbatch_thread *t, unsigned char prev)
{
	__atomic_store_n(&t->own, prev, __ATOMIC_RELEASE);
}

/* Entries pending, read without owning the batch (an exiting thread may
 * reset it concurrently): only to decide whether to take the slow path. */
static inline unsigned int dbatch_pending_count(const struct dbatch_batch *b)
{
	return __atomic_load_n(&b->count, __ATOMIC_RELAXED);
}

/* adapt.c: whether DBATCH_ADAPT allows it (-1: not read yet) */
extern int dbatch_adapt_on DBATCH_HIDDEN;
int dbatch_adapting_slow(void) DBATCH_HIDDEN;

#define DBATCH_NOGAIN_STREAK	4
#define DBATCH_NOGAIN_RECHECK	32

/*
 * 1 when the window from call site @pc should be recorded (adapt.c); inline:
 * batch_start() asks it every window.
 */
static inline int dbatch_adapt_start(struct dbatch_thread *t, uintptr_t pc)
{
	struct dbatch_site *s;

	t->window_site = NULL;
	if (t->seed || !(dbatch_adapt_on >= 0 ? dbatch_adapt_on : dbatch_adapting_slow()))
		return 1;
	s = &t->sites[(pc >> 2) % DBATCH_SITES];
	if (s->pc != pc) {
		s->pc = pc;
		s->streak = 0;
		s->skipped = 0;
	}
	if (s->streak >= DBATCH_NOGAIN_STREAK &&
	    ++s->skipped % DBATCH_NOGAIN_RECHECK != 0)
		return 0;
	t->window_site = s;
	t->window_flushed = 0;
	t->window_gained = 0;
	return 1;
}
/* a flush of the open window ran; @no_gain: the backend ran it as plain calls */
void dbatch_adapt_flushed(struct dbatch_thread *t, int no_gain) DBATCH_HIDDEN;
/* a run of at least @min plain writes to one fd (what a backend merges) */
int dbatch_write_run_reaches(const struct dbatch_entry *e, unsigned int count,
			     unsigned int min) DBATCH_HIDDEN;
/* the window closed (batch_flush) */
void dbatch_adapt_end(struct dbatch_thread *t) DBATCH_HIDDEN;

/* record.c */
/* Record call @c with @args; returns 0, or -1 when it cannot be recorded
 * (the caller flushes and runs it directly). */
int dbatch_record(enum dbatch_call c, const long args[6], long *ret) DBATCH_HIDDEN;
int dbatch_batch_alloc(struct dbatch_thread *t) DBATCH_HIDDEN;

/*
 * dbatch_record_write_fast() - the hot path: a small write with no pending
 * placeholder in the batch. Returns 0 when recorded, -1 to take the
 * general path (dbatch_record()).
 */
#define DBATCH_FAST_WRITE_MAX	512

/*
 * Copy @n bytes, inline for the small writes the fast path is for: two
 * overlapping loads and stores for 4..16 bytes (a call to memcpy costs
 * about as much as the rest of the recording).
 */
DBATCH_INLINE void dbatch_copy_small(char *dst, const char *src, size_t n)
{
	if (n >= 8 && n <= 16) {
		uint64_t a, z;

		__builtin_memcpy(&a, src, 8);
		__builtin_memcpy(&z, src + n - 8, 8);
		__builtin_memcpy(dst, &a, 8);
		__builtin_memcpy(dst + n - 8, &z, 8);
	} else if (n >= 4 && n < 8) {
		uint32_t a, z;

		__builtin_memcpy(&a, src, 4);
		__builtin_memcpy(&z, src + n - 4, 4);
		__builtin_memcpy(dst, &a, 4);
		__builtin_memcpy(dst + n - 4, &z, 4);
	} else if (n < 4) {
		for (size_t i = 0; i < n; i++)
			dst[i] = src[i];
	} else {
		/* 17..DBATCH_FAST_WRITE_MAX: 16-byte moves, the last one overlapping */
		for (size_t i = 0; i + 16 < n; i += 16)
			__builtin_memcpy(dst + i, src + i, 16);
		__builtin_memcpy(dst + n - 16, src + n - 16, 16);
	}
}

/*
 * Always inlined: a call here costs more than the rest of the path.
 * Records write(@fd, @buf, @n) with entry flags @flags (0, or
 * DBATCH_ARG_REF(0) when @fd is the index of the open whose result it
 * writes to: a stand-in's, see token.c). Stand-ins themselves, and
 * negative fds, are left to the general path.
 */
DBATCH_INLINE int dbatch_record_write_as(long fd, uint32_t flags, const void *buf, size_t n)
{
	struct dbatch_thread *t = &dbatch_tls;
	struct dbatch_batch *b = t->batch;
	struct dbatch_entry *e;
	size_t at;
	unsigned int idx;

	if (unlikely(!b || n > DBATCH_FAST_WRITE_MAX || !buf ||
		     (unsigned long)fd >= DBATCH_TOKEN_BASE))
		return -1;
	/*
	 * dbatch_own() without its slow branch: when an exiting thread wants
	 * the batch, give it back and let the general path deal with it (no
	 * call here, so the wrapper needs no stack frame).
	 */
	__atomic_store_n(&t->own, DBATCH_OWN_RECORDING, __ATOMIC_RELAXED);
	if (unlikely(dbatch_fence_needed))
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
	else
		__atomic_signal_fence(__ATOMIC_SEQ_CST);
	if (unlikely(__atomic_load_n(&t->exit_state, __ATOMIC_RELAXED))) {
		dbatch_own_end(t, DBATCH_OWN_IDLE);
		return -1;
	}
	idx = b->count;
	at = b->arena_used;	/* bytes need no alignment (arena_copy() aligns its own) */
	if (unlikely(b->npending || idx == DBATCH_BATCH_ENTRIES ||
		     at + n > DBATCH_ARENA_SIZE)) {
		dbatch_own_end(t, DBATCH_OWN_IDLE);
		return -1;
	}
	dbatch_copy_small(b->arena + at, buf, n);
	b->arena_used = at + n;
	e = &b->entries[idx];
	e->nr = 1;	/* write */
	e->flags = flags;
	e->install_fd = -1;
	e->reserved = 0;
	e->args[0] = (uint64_t)fd;
	e->args[1] = (uint64_t)(b->arena + at);
	e->args[2] = n;
	/* args[3..5] are not read for a write by any backend or by the module */
	e->result = 0;
	b->call[idx] = DBATCH_CALL_write;
	b->count = idx + 1;
	dbatch_own_end(t, DBATCH_OWN_IDLE);
	return 0;
}

DBATCH_INLINE int dbatch_record_write_fast(long fd, const void *buf, size_t n)
{
	return dbatch_record_write_as(fd, 0, buf, n);
}
void dbatch_batch_free(struct dbatch_thread *t) DBATCH_HIDDEN;

/* flush.c */
/* Flush @t's batch; returns 0 or a negative errno (first failure). */
int dbatch_flush_thread(struct dbatch_thread *t) DBATCH_HIDDEN;
void dbatch_flush_slow(void) DBATCH_HIDDEN;
/* Run another thread's batch (at exit); see exit_others.c. */
void dbatch_flush_foreign(struct dbatch_batch *b, int use_backend) DBATCH_HIDDEN;
void dbatch_thread_exit(struct dbatch_thread *t) DBATCH_HIDDEN;
/* Run entries [from, count) one by one from user space (emulate.c). */
void dbatch_emulate_range(struct dbatch_entry *e, unsigned int from,
			  unsigned int count, struct dbatch_submit_stats *st) DBATCH_HIDDEN;

/*
 * dbatch_flush_pending() - flush before a call that cannot be deferred.
 * A no-op when nothing is pending, and inside a signal handler (which must
 * not touch the batch it interrupted). Keeps errno.
 */
static inline void dbatch_flush_pending(void)
{
	struct dbatch_thread *t = &dbatch_tls;

	/* a call that is not recorded: batch_open_unseen() meant another */
	t->open_unseen = 0;
	if (unlikely(t->batch && !t->sig_depth && dbatch_pending_count(t->batch)))
		dbatch_flush_slow();
}

/*
 * What the uring backend learnt about an fd (fstat: uring_coalesce.c) holds
 * while neither generation below changed since.
 *
 * dbatch_fd_generation - changes whenever an interposed call may have given
 * some fd number another file and does not say which (fcntl, close_range,
 * closefrom).
 * dbatch_fd_gens[fd] - changes when one given number may have: before a
 * close or a dup2/dup3 onto it runs, and when an open, run or recorded,
 * returns it (which also covers a close the library did not see, inside
 * libc: the number can only mean another file after an open returns it).
 * Numbers from DBATCH_FD_GENS up change dbatch_fd_generation instead.
 */
#define DBATCH_FD_GENS	1024
extern unsigned int dbatch_fd_generation DBATCH_HIDDEN;
extern unsigned int dbatch_fd_gens[DBATCH_FD_GENS] DBATCH_HIDDEN;

static inline void dbatch_fd_changed(void)
{
	__atomic_fetch_add(&dbatch_fd_generation, 1, __ATOMIC_RELAXED);
}

/* token.c: stand-in fds (batch_open_unseen()) */
/* A stand-in for the open at @entry; -1 when the window has had its share. */
long dbatch_token_take(struct dbatch_batch *b, unsigned int entry) DBATCH_HIDDEN;
/* Its open's entry while that is pending (>= 0), else -1 and *@number. */
int dbatch_token_arg(long fd, long *number) DBATCH_HIDDEN;
/* A small write to a stand-in, recorded as the fast path does; 0 or -1. */
int dbatch_token_write_fast(long fd, const void *buf, size_t n) DBATCH_HIDDEN;
/* The number its open got; -1 when it failed or has not run. */
long dbatch_token_fd(long fd) DBATCH_HIDDEN;
/* For a direct call: the number, -1 when the open failed, @fd if unknown. */
long dbatch_token_real(long fd) DBATCH_HIDDEN;
/* After a flush: the stand-ins of its opens get their numbers. */
void dbatch_tokens_settle(struct dbatch_batch *b) DBATCH_HIDDEN;
/* A window opens: the last one's stand-ins are dead. */
void dbatch_tokens_reset(struct dbatch_batch *b) DBATCH_HIDDEN;

static inline int dbatch_is_token(long fd)
{
	return (unsigned long)(fd - DBATCH_TOKEN_BASE) < DBATCH_TOKENS;
}

static inline void dbatch_fd_number_changed(long fd)
{
	if (fd < 0)
		return;		/* a failed open: no number changed */
	if (unlikely(dbatch_is_token(fd))) {
		/* its open's number, when it ran; marked by the flush if not */
		fd = dbatch_token_fd(fd);
		if (fd < 0)
			return;
	}
	if (fd < DBATCH_FD_GENS)
		__atomic_fetch_add(&dbatch_fd_gens[fd], 1, __ATOMIC_RELAXED);
	else
		dbatch_fd_changed();
}

/* @fd, returned by an open that ran: its number means a new file now. */
static inline int dbatch_fd_opened(int fd)
{
	dbatch_fd_number_changed(fd);
	return fd;
}

/* dbatch_fd_gens[fd] as a cache entry records it (0 for the numbers beyond) */
static inline unsigned int dbatch_fd_gen_of(int fd)
{
	if (fd < 0 || fd >= DBATCH_FD_GENS)
		return 0;
	return __atomic_load_n(&dbatch_fd_gens[fd], __ATOMIC_RELAXED);
}

/* interpose_process.c: pthread_cancel() was called (cancellation points check) */
extern int dbatch_cancel_seen DBATCH_HIDDEN;

/* signal.c: flush before a default action that ends the process */
void dbatch_signal_init(void) DBATCH_HIDDEN;

/* placeholder.c */
int dbatch_placeholder_take(void) DBATCH_HIDDEN;
void dbatch_placeholder_source_check(unsigned int first, unsigned int last) DBATCH_HIDDEN;

/* stats.c */
void dbatch_stats_add_submit(unsigned int entries,
			     const struct dbatch_submit_stats *st) DBATCH_HIDDEN;
void dbatch_stats_print(void) DBATCH_HIDDEN;
void dbatch_stats_fork_child(void) DBATCH_HIDDEN;
void dbatch_stats_totals(uint64_t out[4]) DBATCH_HIDDEN;

/* sys.c: raw system calls that never re-enter the interposer */
long dbatch_sys6(long nr, long a, long b, long c, long d, long e, long f) DBATCH_HIDDEN;
#define dbatch_sys(nr, a, b, c) dbatch_sys6((nr), (long)(a), (long)(b), (long)(c), 0, 0, 0)

/* next.c: the libc function an interposed name would have reached */
void *dbatch_next(const char *name) DBATCH_HIDDEN;
#define NEXT(fn)							\
	({								\
		static __typeof__(&fn) next_##fn;			\
		if (unlikely(!next_##fn))				\
			next_##fn = (__typeof__(&fn))dbatch_next(#fn);	\
		next_##fn;						\
	})

#endif /* DBATCH_INTERNAL_H */
