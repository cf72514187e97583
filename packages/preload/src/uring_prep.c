/* SPDX-License-Identifier: MIT */
/*
 * uring_prep.c - turn batch entries into SQEs: which calls io_uring can
 * run, their opcodes, and the plan that lets a deferred open closed in the
 * same batch live in a direct descriptor.
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

/* Can io_uring (liburing 2.3's opcodes) run @e? */
int uring_supported(const struct dbatch_entry *e, const char **why)
{
	switch (e->nr) {
	case SYS_lseek:
		*why = "lseek";
		return 0;
	case SYS_ftruncate:
		*why = "ftruncate";
		return 0;
	case SYS_sendto:
		if (e->args[4]) {
			*why = "sendto-addr";
			return 0;
		}
		return 1;
	case SYS_write: case SYS_pwrite64: case SYS_writev: case SYS_read:
	case SYS_pread64: case SYS_open: case SYS_openat: case SYS_creat:
	case SYS_close: case SYS_fsync: case SYS_fdatasync: case SYS_unlink:
	case SYS_rmdir: case SYS_unlinkat: case SYS_mkdir: case SYS_mkdirat:
	case SYS_rename: case SYS_renameat: case SYS_shutdown:
		return 1;
	default:
		*why = "unsupported";
		return 0;
	}
}

/* Queue @e as an SQE (uring_supported() said yes); NULL when the ring is full. */
struct io_uring_sqe *uring_prep(struct io_uring *ring, struct dbatch_entry *e)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(ring);
	const __u64 *a = e->args;
	int fd = (int)a[0];

	if (!sqe)
		return NULL;
	switch (e->nr) {
	case SYS_write:
		io_uring_prep_write(sqe, fd, (void *)a[1], (unsigned)a[2], (uint64_t)-1);
		break;
	case SYS_pwrite64:
		io_uring_prep_write(sqe, fd, (void *)a[1], (unsigned)a[2], a[3]);
		break;
	case SYS_writev:
		io_uring_prep_writev(sqe, fd, (void *)a[1], (unsigned)a[2], (uint64_t)-1);
		break;
	case SYS_read:
		io_uring_prep_read(sqe, fd, (void *)a[1], (unsigned)a[2], (uint64_t)-1);
		break;
	case SYS_pread64:
		io_uring_prep_read(sqe, fd, (void *)a[1], (unsigned)a[2], a[3]);
		break;
	case SYS_open:
		io_uring_prep_openat(sqe, AT_FDCWD, (void *)a[0], (int)a[1], (mode_t)a[2]);
		break;
	case SYS_openat:
		io_uring_prep_openat(sqe, fd, (void *)a[1], (int)a[2], (mode_t)a[3]);
		break;
	case SYS_creat:
		io_uring_prep_openat(sqe, AT_FDCWD, (void *)a[0],
				     O_CREAT | O_WRONLY | O_TRUNC, (mode_t)a[1]);
		break;
	case SYS_close:
		io_uring_prep_close(sqe, fd);
		break;
	case SYS_fsync:
		io_uring_prep_fsync(sqe, fd, 0);
		break;
	case SYS_fdatasync:
		io_uring_prep_fsync(sqe, fd, IORING_FSYNC_DATASYNC);
		break;
	case SYS_unlink:
		io_uring_prep_unlinkat(sqe, AT_FDCWD, (void *)a[0], 0);
		break;
	case SYS_rmdir:
		io_uring_prep_unlinkat(sqe, AT_FDCWD, (void *)a[0], AT_REMOVEDIR);
		break;
	case SYS_unlinkat:
		io_uring_prep_unlinkat(sqe, fd, (void *)a[1], (int)a[2]);
		break;
	case SYS_mkdir:
		io_uring_prep_mkdirat(sqe, AT_FDCWD, (void *)a[0], (mode_t)a[1]);
		break;
	case SYS_mkdirat:
		io_uring_prep_mkdirat(sqe, fd, (void *)a[1], (mode_t)a[2]);
		break;
	case SYS_rename:
		io_uring_prep_renameat(sqe, AT_FDCWD, (void *)a[0], AT_FDCWD,
				       (void *)a[1], 0);
		break;
	case SYS_renameat:
		io_uring_prep_renameat(sqe, fd, (void *)a[1], (int)a[2],
				       (void *)a[3], 0);
		break;
	case SYS_sendto:
		io_uring_prep_send(sqe, fd, (void *)a[1], (size_t)a[2], (int)a[3]);
		break;
	case SYS_shutdown:
		io_uring_prep_shutdown(sqe, fd, (int)a[1]);
		break;
	default:
		break;
	}
	sqe->flags |= IOSQE_IO_HARDLINK;
	return sqe;
}

/* Ops that can take a fixed file (direct descriptor) as their fd, args[0]. */
int uring_fixed_capable(const struct dbatch_entry *e)
{
	switch (e->nr) {
	case SYS_write: case SYS_pwrite64: case SYS_writev: case SYS_read:
	case SYS_pread64: case SYS_fsync: case SYS_fdatasync: case SYS_close:
		return 1;
	case SYS_sendto:
		return !e->args[4];
	default:
		return 0;
	}
}


/*
 * Calls io_uring never completes inline: openat (an O_CREAT/O_TRUNC one
 * always, any other when the lookup is not fully cached), unlinkat,
 * mkdirat, renameat and fsync are punted to an io-wq worker thread, so
 * each costs a thread handoff and a wakeup (measured on tmpfs, 6.18, 60
 * linked: unlinkat ~10 us vs 4-5 us as unlink(2), openat(O_CREAT) 14-19 us
 * vs ~3, mkdirat 4-5 us vs 1.3, fsync 2.0 us vs 0.2). As syscalls between
 * rounds they cost what the plain program pays.
 */
int uring_is_path_op(const struct dbatch_entry *e)
{
	switch (e->nr) {
	case SYS_open: case SYS_openat: case SYS_creat: case SYS_unlink:
	case SYS_unlinkat: case SYS_rmdir: case SYS_mkdir: case SYS_mkdirat:
	case SYS_rename: case SYS_renameat: case SYS_fsync: case SYS_fdatasync:
		return 1;
	default:
		return 0;
	}
}

/*
 * Plan which deferred opens can go in as direct descriptors: an open that is
 * closed later in the same batch, and whose every dependent is a call that
 * takes a fixed file in args[0], is opened into the ring's file slot
 * numbered like its entry (openat_direct); its dependents use that slot
 * (IOSQE_FIXED_FILE); its close becomes close_direct plus a close of the
 * placeholder. No fd has to be installed at the placeholder, so no split.
 */
void uring_plan_slots(struct dbatch_entry *entries, unsigned int count,
		       const uint8_t *needed, uint8_t *inslot)
{
	uint8_t closed[DBATCH_BATCH_ENTRIES], ok[DBATCH_BATCH_ENTRIES];

	memset(inslot, 0, count);
	if (!dbatch_ur.slots)
		return;
	memset(closed, 0, count);
	memset(ok, 1, count);
	for (unsigned int k = 0; k < count; k++) {
		const struct dbatch_entry *e = &entries[k];
		uint32_t refs = e->flags & DBATCH_ARG_REF_MASK;

		while (refs) {
			unsigned int a = (unsigned int)__builtin_ctz(refs);
			uint64_t j = e->args[a];

			refs &= refs - 1;
			if (j >= k)
				continue;
			if (a != 0 || !uring_fixed_capable(e))
				ok[j] = 0;
			else if (e->nr == SYS_close)
				closed[j] = 1;
		}
	}
	for (unsigned int j = 0; j < count; j++) {
		const struct dbatch_entry *e = &entries[j];

		inslot[j] = needed[j] && closed[j] && ok[j] &&
			    (e->flags == DBATCH_ENTRY_INSTALL_FD) &&
			    (e->nr == SYS_open || e->nr == SYS_openat || e->nr == SYS_creat);
	}
}

/* The slot-mode open entry @e's own SQE. */
struct io_uring_sqe *uring_prep_open_slot(struct io_uring *ring,
					   struct dbatch_entry *e, unsigned int slot)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(ring);
	const __u64 *a = e->args;

	if (!sqe)
		return NULL;
	/* O_CLOEXEC means nothing for a direct descriptor (and io_uring
	 * refuses it); the file never becomes a plain fd anyway */
	if (e->nr == SYS_openat)
		io_uring_prep_openat_direct(sqe, (int)a[0], (void *)a[1],
					    (int)a[2] & ~O_CLOEXEC, (mode_t)a[3], slot);
	else if (e->nr == SYS_open)
		io_uring_prep_openat_direct(sqe, AT_FDCWD, (void *)a[0],
					    (int)a[1] & ~O_CLOEXEC, (mode_t)a[2], slot);
	else
		io_uring_prep_openat_direct(sqe, AT_FDCWD, (void *)a[0],
					    O_CREAT | O_WRONLY | O_TRUNC, (mode_t)a[1], slot);
	sqe->flags |= IOSQE_IO_HARDLINK;
	return sqe;
}
