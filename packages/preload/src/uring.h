/* SPDX-License-Identifier: MIT */
/*
 * uring.h - shared by the files of the io_uring backend (backend_uring.c,
 * uring_ring.c, uring_prep.c, uring_coalesce.c).
 */
#ifndef DBATCH_URING_H
#define DBATCH_URING_H

#include <liburing.h>
#include <sys/uio.h>
#include "internal.h"

#define RING_ENTRIES	(2 * DBATCH_BATCH_ENTRIES)	/* a close can take 2 SQEs */
#define INTERNAL_UD	((uint64_t)1 << 63)		/* user_data of our own SQEs */
#define RERUN		((int64_t)INT64_MIN)		/* result: run again alone */
#define HIGH_FD		900
#define FD_KINDS	16

struct fd_kind {
	int fd;
	uint8_t coalesce;	/* writes have no record boundaries */
	uint8_t regular;	/* a regular file */
	uint8_t stream;		/* a pipe, FIFO or socket: run as syscalls */
	uint8_t known;		/* 0: only seen once, in a lone call (not asked) */
	unsigned int gen;	/* dbatch_fd_gens[fd] when learnt (internal.h) */
};

struct uring_state {
	struct io_uring ring;
	struct iovec *iov;	/* scratch for coalesced writes */
	int slots;		/* a sparse file table is registered */
	int pathops;		/* path ops and fsync run as syscalls (default) */
	int state;		/* 0: not yet, 1: ready, -1: unusable */
	/*
	 * what fstat said of fds, valid while dbatch_fd_generation == kinds_gen
	 * and each fd's dbatch_fd_gens[] is its entry's gen
	 */
	struct fd_kind kinds[FD_KINDS];
	unsigned int nkinds;
	unsigned int kinds_gen;
};

extern __thread struct uring_state dbatch_ur
	__attribute__((tls_model("initial-exec"))) DBATCH_HIDDEN;

/* liburing may call close()/mmap() through libc: keep those direct. */
#define LIBURING_CALL(expr)				\
	({						\
		unsigned char w__ = dbatch_direct_enter();	\
		__typeof__(expr) r__ = (expr);		\
		dbatch_direct_leave(w__);		\
		r__;					\
	})


/* uring_ring.c */
int uring_ring_setup(struct io_uring *ring, unsigned int entries) DBATCH_HIDDEN;
struct io_uring *uring_ring_get(void) DBATCH_HIDDEN;
void uring_ring_drop(void) DBATCH_HIDDEN;
struct iovec *uring_iov_scratch(void) DBATCH_HIDDEN;
int uring_probe(void) DBATCH_HIDDEN;
void uring_thread_exit(void) DBATCH_HIDDEN;
void uring_fork_child(void) DBATCH_HIDDEN;

/* uring_prep.c */
int uring_supported(const struct dbatch_entry *e, const char **why) DBATCH_HIDDEN;
struct io_uring_sqe *uring_prep(struct io_uring *ring, struct dbatch_entry *e) DBATCH_HIDDEN;
int uring_fixed_capable(const struct dbatch_entry *e) DBATCH_HIDDEN;
int uring_is_path_op(const struct dbatch_entry *e) DBATCH_HIDDEN;
void uring_plan_slots(struct dbatch_entry *entries, unsigned int count,
		      const uint8_t *needed, uint8_t *inslot) DBATCH_HIDDEN;
struct io_uring_sqe *uring_prep_open_slot(struct io_uring *ring,
					  struct dbatch_entry *e, unsigned int slot) DBATCH_HIDDEN;

/* uring_coalesce.c */
extern int uring_coalesce_on DBATCH_HIDDEN;
const struct fd_kind *uring_fd_kind(int fd, int lone, struct fd_kind *cache,
				    unsigned int *ncache, struct dbatch_submit_stats *st) DBATCH_HIDDEN;
int uring_is_data_op(const struct dbatch_entry *e) DBATCH_HIDDEN;
/*
 * Entry @k's fd, when it is the result of an entry before @i (an open of
 * the batch that has run: each one ends its round), becomes that number,
 * so that writes to a file the batch opened merge like any others.
 */
void uring_resolve_earlier_ref(struct dbatch_entry *entries, unsigned int i,
			       unsigned int k) DBATCH_HIDDEN;
unsigned int uring_write_group(struct dbatch_entry *entries, unsigned int i,
			       unsigned int count) DBATCH_HIDDEN;
void uring_spread(struct dbatch_entry *entries, unsigned int i, unsigned int g,
		  long r) DBATCH_HIDDEN;
/* Entries [i, i+g), writes to one fd with iovecs @iov, as one writev; returns its result. */
long uring_writev_run(struct dbatch_entry *entries, unsigned int i, unsigned int g,
		      const struct iovec *iov, struct dbatch_submit_stats *st) DBATCH_HIDDEN;

#endif /* DBATCH_URING_H */
