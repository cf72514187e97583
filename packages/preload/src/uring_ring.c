/* SPDX-License-Identifier: MIT */
/*
 * uring_ring.c - the uring backend's per-thread ring: created on the
 * thread's first flush, registered and entered by index, its fd closed (or,
 * with a sparse file table for direct descriptors, moved out of the
 * program's low numbers); dropped at thread exit and forgotten in a forked
 * child.
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

__thread struct uring_state dbatch_ur __attribute__((tls_model("initial-exec")));

int uring_ring_setup(struct io_uring *ring, unsigned int entries)
{
	static const unsigned int tries[] = {
		IORING_SETUP_SUBMIT_ALL | IORING_SETUP_SINGLE_ISSUER |
			IORING_SETUP_DEFER_TASKRUN,
		IORING_SETUP_SUBMIT_ALL,
		0,
	};
	int r = -ENOSYS;

	for (unsigned int i = 0; i < sizeof(tries) / sizeof(tries[0]); i++) {
		struct io_uring_params p;

		memset(&p, 0, sizeof(p));
		p.flags = tries[i];
		r = LIBURING_CALL(io_uring_queue_init_params(entries, ring, &p));
		if (r != -EINVAL)
			break;
	}
	return r;
}

struct io_uring *uring_ring_get(void)
{
	long hi;
	int registered;

	if (likely(dbatch_ur.state == 1))
		return &dbatch_ur.ring;
	if (dbatch_ur.state < 0)
		return NULL;
	if (uring_ring_setup(&dbatch_ur.ring, RING_ENTRIES) < 0) {
		dbatch_ur.state = -1;
		return NULL;
	}
	/* keep the ring's fd out of the program's low fd numbers */
	hi = dbatch_sys(SYS_fcntl, dbatch_ur.ring.ring_fd, F_DUPFD_CLOEXEC, HIGH_FD);
	if (hi >= 0) {
		dbatch_sys(SYS_close, dbatch_ur.ring.ring_fd, 0, 0);
		dbatch_ur.ring.ring_fd = (int)hi;
		dbatch_ur.ring.enter_ring_fd = (int)hi;
	}
	registered = LIBURING_CALL(io_uring_register_ring_fd(&dbatch_ur.ring));
	/*
	 * With path ops run as syscalls no open ever goes into the ring, so
	 * the direct-descriptor table (for opens) would never be used.
	 */
	dbatch_ur.pathops = !dbatch_env_off("DBATCH_URING_PATHOPS");
	dbatch_ur.slots = !dbatch_ur.pathops &&
		   !dbatch_env_off("DBATCH_URING_SLOTS") &&
		   LIBURING_CALL(io_uring_register_files_sparse(&dbatch_ur.ring, DBATCH_BATCH_ENTRIES)) == 0;
	/*
	 * A registered ring is entered by its index: unless the file table
	 * still needs io_uring_register() on it, its fd can go, so the
	 * program's fd table is its own (/proc/self/fd, RLIMIT_NOFILE, the
	 * numbers it sees). The task's reference keeps the ring alive.
	 */
	if (registered == 1 && !dbatch_ur.slots) {
		dbatch_sys(SYS_close, dbatch_ur.ring.ring_fd, 0, 0);
		dbatch_ur.ring.ring_fd = -1;
	}
	dbatch_ur.state = 1;
	return &dbatch_ur.ring;
}

void uring_ring_drop(void)
{
	if (dbatch_ur.state == 1)
		LIBURING_CALL((io_uring_queue_exit(&dbatch_ur.ring), 0));
	dbatch_ur.state = 0;
	if (dbatch_ur.iov)
		dbatch_sys(SYS_munmap, dbatch_ur.iov, sizeof(struct iovec) * DBATCH_BATCH_ENTRIES, 0);
	dbatch_ur.iov = NULL;
}

struct iovec *uring_iov_scratch(void)
{
	if (!dbatch_ur.iov) {
		long p = dbatch_sys6(SYS_mmap, 0, sizeof(struct iovec) * DBATCH_BATCH_ENTRIES,
				     PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p < 0 && p > -4096)
			return NULL;
		dbatch_ur.iov = (struct iovec *)p;
	}
	return dbatch_ur.iov;
}

int uring_probe(void)
{
	struct io_uring ring;
	int r = uring_ring_setup(&ring, 4);

	if (r < 0)
		return r;
	LIBURING_CALL((io_uring_queue_exit(&ring), 0));
	return 0;
}

void uring_thread_exit(void)
{
	uring_ring_drop();
}

void uring_fork_child(void)
{
	/* the parent's ring must not be driven from here: forget it */
	if (dbatch_ur.state == 1 && dbatch_ur.ring.ring_fd >= 0)
		dbatch_sys(SYS_close, dbatch_ur.ring.ring_fd, 0, 0);
	dbatch_ur.state = 0;
}
