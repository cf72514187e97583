/* SPDX-License-Identifier: MIT */
/*
 * backend_uring.c - run a batch through io_uring (liburing).
 *
 * Each thread has its own ring, created on its first flush. A batch goes
 * in as one chain of SQEs linked with IOSQE_IO_HARDLINK, so the kernel runs
 * them strictly in program order while a failure does not cancel the
 * calls after it (only DBATCH_ARG_REF dependents are cancelled, by us), and
 * one io_uring_enter submits the chain and waits for all of it.
 *
 * The batch is split into more rounds only where it must be:
 *  - an open whose placeholder is used later in the same batch: io_uring
 *    cannot install the new fd at the placeholder number (6.1 has no dup),
 *    so the round ends at the open, we dup3 it onto the placeholder, and
 *    its dependents go in the next round ("open-install");
 *  - a call io_uring has no opcode for in liburing 2.3 (lseek, ftruncate,
 *    sendto with an address): the round ends before it and it runs as a
 *    plain syscall.
 * Every split is counted, with its reason, in the stats line.
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
#include <sys/uio.h>
#include <sys/syscall.h>
#include "internal.h"

#define RING_ENTRIES	(2 * DBATCH_BATCH_ENTRIES)	/* a close can take 2 SQEs */
#define INTERNAL_UD	((uint64_t)1 << 63)		/* user_data of our own SQEs */
#define HIGH_FD		900

struct uring_state {
	struct io_uring ring;
	struct iovec *iov;	/* scratch for coalesced writes */
	int slots;		/* a sparse file table is registered */
	int state;		/* 0: not yet, 1: ready, -1: unusable */
};

static __thread struct uring_state ur __attribute__((tls_model("initial-exec")));

/* liburing may call close()/mmap() through libc: keep those direct. */
#define LIBURING_CALL(expr)				\
	({						\
		unsigned char w__ = dbatch_direct_enter();	\
		__typeof__(expr) r__ = (expr);		\
		dbatch_direct_leave(w__);		\
		r__;					\
	})

static int ring_setup(struct io_uring *ring, unsigned int entries)
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

static int getenv_off(const char *name)
{
	const char *v = getenv(name);

	return v && !strcmp(v, "0");
}

static struct io_uring *ring_get(void)
{
	long hi;

	if (likely(ur.state == 1))
		return &ur.ring;
	if (ur.state < 0)
		return NULL;
	if (ring_setup(&ur.ring, RING_ENTRIES) < 0) {
		ur.state = -1;
		return NULL;
	}
	/* keep the ring's fd out of the program's low fd numbers */
	hi = dbatch_sys(SYS_fcntl, ur.ring.ring_fd, F_DUPFD_CLOEXEC, HIGH_FD);
	if (hi >= 0) {
		dbatch_sys(SYS_close, ur.ring.ring_fd, 0, 0);
		ur.ring.ring_fd = (int)hi;
		ur.ring.enter_ring_fd = (int)hi;
	}
	LIBURING_CALL(io_uring_register_ring_fd(&ur.ring));
	ur.slots = !getenv_off("DBATCH_URING_SLOTS") &&
		   LIBURING_CALL(io_uring_register_files_sparse(&ur.ring, DBATCH_BATCH_ENTRIES)) == 0;
	ur.state = 1;
	return &ur.ring;
}

static void ring_drop(void)
{
	if (ur.state == 1)
		LIBURING_CALL((io_uring_queue_exit(&ur.ring), 0));
	ur.state = 0;
	if (ur.iov)
		dbatch_sys(SYS_munmap, ur.iov, sizeof(struct iovec) * DBATCH_BATCH_ENTRIES, 0);
	ur.iov = NULL;
}

/* Can io_uring (liburing 2.3's opcodes) run @e? */
static int supported(const struct dbatch_entry *e, const char **why)
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

/* Queue @e as an SQE (supported() said yes); NULL when the ring is full. */
static struct io_uring_sqe *prep(struct io_uring *ring, struct dbatch_entry *e)
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

/*
 * Coalescing: a run of consecutive write() entries on the same fd goes in as
 * ONE writev of their (already copied) buffers: the same bytes at the same
 * place, one fd lookup instead of many. Only for fds where a write has no
 * record boundary: regular files, pipes/FIFOs not in packet mode, and the
 * character devices /dev/null, /dev/zero, /dev/full and terminals. Sockets
 * (a datagram per write) and other devices are never coalesced. Results are
 * given back per entry; if the writev fails or is short, the entries it did
 * not cover are run again one by one, right after their round.
 * DBATCH_URING_COALESCE=0 turns it off.
 */
static int coalesce_on = -1;

struct fd_kind {
	int fd;
	uint8_t coalesce;	/* writes have no record boundaries */
	uint8_t regular;	/* a regular file */
};

#define FD_KINDS	16

/* What @fd is, from one fstat per fd per flush. */
static const struct fd_kind *fd_kind(int fd, struct fd_kind *cache, unsigned int *ncache,
				     struct dbatch_submit_stats *st)
{
	static const struct fd_kind unknown = { -1, 0, 0 };
	struct fd_kind k = { fd, 0, 0 };
	struct stat sb;

	for (unsigned int i = 0; i < *ncache; i++)
		if (cache[i].fd == fd)
			return &cache[i];
	st->kernel_entries++;
	if (dbatch_sys(SYS_fstat, fd, &sb, 0) == 0) {
		unsigned int maj = major(sb.st_rdev), min = minor(sb.st_rdev);

		if (S_ISREG(sb.st_mode)) {
			k.regular = k.coalesce = 1;
		} else if (S_ISFIFO(sb.st_mode)) {
			long fl = dbatch_sys(SYS_fcntl, fd, F_GETFL, 0);

			st->kernel_entries++;
			k.coalesce = fl >= 0 && !(fl & O_DIRECT);
		} else if (S_ISCHR(sb.st_mode)) {
			k.coalesce = (maj == 1 && (min == 3 || min == 5 || min == 7)) ||
				     maj == 4 || maj == 5 || (maj >= 136 && maj <= 143);
		}
	}
	if (*ncache >= FD_KINDS)
		return &unknown;	/* cache full: treat as "other" (correct, maybe slower) */
	cache[*ncache] = k;
	return &cache[(*ncache)++];
}

/* Data calls whose cost on a regular file is better paid as a syscall. */
static int is_data_op(const struct dbatch_entry *e)
{
	switch (e->nr) {
	case SYS_write: case SYS_pwrite64: case SYS_writev:
	case SYS_read: case SYS_pread64:
		return 1;
	default:
		return 0;
	}
}

/* How many entries from @i can go in as one writev (1: none). */
static unsigned int write_group(struct dbatch_entry *entries, unsigned int i,
				unsigned int count)
{
	const struct dbatch_entry *e = &entries[i];
	unsigned int g = 1;

	if (e->nr != SYS_write || (e->flags & ~0u))
		return 1;
	while (i + g < count && g < IOV_MAX) {
		const struct dbatch_entry *f = &entries[i + g];

		if (f->nr != SYS_write || f->flags || f->args[0] != e->args[0])
			break;
		g++;
	}
	return g;
}

#define RERUN	((int64_t)INT64_MIN)

/* Spread a coalesced writev's result @r over entries [i, i+g). */
static void spread(struct dbatch_entry *entries, unsigned int i, unsigned int g,
		   long r)
{
	for (unsigned int k = i; k < i + g; k++) {
		long len = (long)entries[k].args[2];

		if (r < 0) {
			entries[k].result = RERUN;
		} else if (r >= len) {
			entries[k].result = len;
			r -= len;
		} else if (r > 0) {
			entries[k].result = r;
			r = 0;
		} else {
			entries[k].result = RERUN;
		}
	}
}

static struct iovec *iov_scratch(void)
{
	if (!ur.iov) {
		long p = dbatch_sys6(SYS_mmap, 0, sizeof(struct iovec) * DBATCH_BATCH_ENTRIES,
				     PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p < 0 && p > -4096)
			return NULL;
		ur.iov = (struct iovec *)p;
	}
	return ur.iov;
}

/* Submit the @n SQEs queued so far, wait for them, store their results. */
static int run_round(struct io_uring *ring, struct dbatch_entry *entries,
		     struct io_uring_sqe *last, unsigned int n,
		     struct dbatch_submit_stats *st)
{
	unsigned int seen = 0;

	if (!n)
		return 0;
	last->flags &= ~IOSQE_IO_HARDLINK;	/* end of this chain */
	for (;;) {
		int r = io_uring_submit_and_wait(ring, n - seen);
		struct io_uring_cqe *cqe;
		unsigned int head, got = 0;

		st->kernel_entries++;
		if (r < 0 && r != -EINTR && r != -EAGAIN && r != -EBUSY)
			return r;
		io_uring_for_each_cqe(ring, head, cqe) {
			uint32_t idx = (uint32_t)cqe->user_data;
			uint32_t g = (uint32_t)(cqe->user_data >> 32);

			if (cqe->user_data & INTERNAL_UD)
				;	/* the library's own SQE */
			else if (g > 1)
				spread(entries, idx, g, cqe->res);
			else if (idx < DBATCH_BATCH_ENTRIES)
				entries[idx].result = cqe->res;
			got++;
		}
		io_uring_cq_advance(ring, got);
		seen += got;
		if (seen >= n)
			return 0;
	}
}

/* Ops that can take a fixed file (direct descriptor) as their fd, args[0]. */
static int fixed_capable(const struct dbatch_entry *e)
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
 * Plan which deferred opens can go in as direct descriptors: an open that is
 * closed later in the same batch, and whose every dependent is a call that
 * takes a fixed file in args[0], is opened into the ring's file slot
 * numbered like its entry (openat_direct); its dependents use that slot
 * (IOSQE_FIXED_FILE); its close becomes close_direct plus a close of the
 * placeholder. No fd has to be installed at the placeholder, so no split.
 */
static void plan_slots(struct dbatch_entry *entries, unsigned int count,
		       const uint8_t *needed, uint8_t *inslot)
{
	uint8_t closed[DBATCH_BATCH_ENTRIES], ok[DBATCH_BATCH_ENTRIES];

	memset(inslot, 0, count);
	if (!ur.slots)
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
			if (a != 0 || !fixed_capable(e))
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
static struct io_uring_sqe *prep_open_slot(struct io_uring *ring,
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

static int uring_submit(struct dbatch_entry *entries, unsigned int count,
			struct dbatch_submit_stats *st)
{
	struct io_uring *ring = ring_get();
	uint8_t needed[DBATCH_BATCH_ENTRIES], inslot[DBATCH_BATCH_ENTRIES];
	struct fd_kind kinds[FD_KINDS];
	unsigned int nkinds = 0, i = 0;
	struct iovec *iov = NULL;
	int any_slot = 0;

	if (!ring)
		return 0;
	if (coalesce_on < 0) {
		const char *c = getenv("DBATCH_URING_COALESCE");

		coalesce_on = !(c && !strcmp(c, "0"));
	}
	if (coalesce_on)
		iov = iov_scratch();

	/* which opens have dependents later in this batch */
	memset(needed, 0, count);
	for (unsigned int k = 0; k < count; k++) {
		uint32_t refs = entries[k].flags & DBATCH_ARG_REF_MASK;

		while (refs) {
			uint64_t j = entries[k].args[__builtin_ctz(refs)];

			refs &= refs - 1;
			if (j < count)
				needed[j] = 1;
		}
	}
	plan_slots(entries, count, needed, inslot);

	while (i < count) {
		struct io_uring_sqe *last = NULL, *sqe;
		unsigned int n = 0, first = i, niov = 0;
		int direct = -1, split_after = 0, single = -1, round_slot = 0;
		unsigned int single_g = 0, direct_g = 1;
		const char *why = NULL;

		for (; i < count; i++) {
			struct dbatch_entry *e = &entries[i];
			unsigned int g = 1;
			int slot = -1;
			long r = 0;

			if ((e->flags & DBATCH_ARG_REF(0)) && e->args[0] < i &&
			    inslot[e->args[0]])
				slot = (int)e->args[0];	/* uses a direct descriptor */
			else
				r = dbatch_entry_resolve_refs(entries, i);
			if (r < 0) {
				e->result = r;
				continue;
			}
			if (!supported(e, &why)) {
				direct = (int)i++;
				break;
			}
			if (slot < 0 && is_data_op(e)) {
				const struct fd_kind *k = fd_kind((int)e->args[0], kinds, &nkinds, st);

				if (iov && k->coalesce)
					g = write_group(entries, i, count);
				if (k->regular) {
					/*
					 * A regular file's data calls go to io-wq inside a
					 * linked chain (~5 us each here, vs ~1 us as a
					 * syscall): run them (a coalesced run as one writev)
					 * as syscalls between rounds.
					 */
					direct = (int)i;
					direct_g = g;
					why = "regular-file";
					i += g;
					break;
				}
			}
			if (inslot[i]) {
				sqe = prep_open_slot(ring, e, i);
				if (!sqe)
					return (int)first;
				sqe->user_data = i;
				round_slot = any_slot = 1;
			} else if (slot >= 0 && e->nr == SYS_close) {
				/* close the direct descriptor, then the placeholder */
				sqe = io_uring_get_sqe(ring);
				if (!sqe)
					return (int)first;
				io_uring_prep_close_direct(sqe, (unsigned int)slot);
				sqe->flags |= IOSQE_IO_HARDLINK;
				sqe->user_data = i;
				n++;
				sqe = io_uring_get_sqe(ring);
				if (!sqe)
					return (int)first;
				io_uring_prep_close(sqe, entries[slot].install_fd);
				sqe->flags |= IOSQE_IO_HARDLINK;
				sqe->user_data = INTERNAL_UD;
				round_slot = 1;
			} else if (slot >= 0) {
				sqe = prep(ring, e);
				if (!sqe)
					return (int)first;
				sqe->fd = slot;
				sqe->flags |= IOSQE_FIXED_FILE;
				sqe->user_data = i;
				round_slot = 1;
			} else if (g > 1) {
				sqe = io_uring_get_sqe(ring);
				if (!sqe)
					return (int)first;
				for (unsigned int k = 0; k < g; k++) {
					iov[niov + k].iov_base = (void *)entries[i + k].args[1];
					iov[niov + k].iov_len = entries[i + k].args[2];
				}
				io_uring_prep_writev(sqe, (int)e->args[0], &iov[niov], g,
						     (uint64_t)-1);
				sqe->flags |= IOSQE_IO_HARDLINK;
				sqe->user_data = i | ((uint64_t)g << 32);
				niov += g;
			} else {
				sqe = prep(ring, e);
				if (!sqe)	/* cannot happen: the ring holds a whole batch */
					return (int)first;
				sqe->user_data = i;
			}
			if (n == 0) {
				single = (int)i;
				single_g = g;
			}
			last = sqe;
			n++;
			i += g - 1;
			if ((e->flags & DBATCH_ENTRY_STOP) ||
			    ((e->flags & DBATCH_ENTRY_INSTALL_FD) && needed[i] && !inslot[i])) {
				split_after = 1;
				why = (e->flags & DBATCH_ENTRY_INSTALL_FD) ? "open-install" : "stop";
				i++;
				break;
			}
		}
		if (n == 1 && !round_slot) {
			/* one call: a plain syscall is cheaper than a ring round */
			ring->sq.sqe_tail--;
			if (single_g > 1) {
				long r = dbatch_sys(SYS_writev, entries[single].args[0], iov, single_g);

				st->kernel_entries++;
				spread(entries, (unsigned int)single, single_g, r);
			} else {
				entries[single].result = dbatch_run_entry(&entries[single], st);
			}
		} else if (run_round(ring, entries, last, n, st) < 0) {
			return (int)first;	/* emulate from here */
		}
		for (unsigned int k = first; k < i; k++) {
			struct dbatch_entry *e = &entries[k];

			if (e->result == RERUN) {
				e->result = dbatch_run_entry(e, st);
				continue;
			}
			if (inslot[k]) {
				/* the file lived in slot k and was closed there, as was
				 * the placeholder: nothing left for the library to close */
				if (e->result >= 0)
					e->result = e->install_fd;
				e->install_fd = -1;
				continue;
			}
			/* install the fds of the opens of this round at their placeholders */
			if ((e->flags & DBATCH_ENTRY_INSTALL_FD) && (int)k != direct &&
			    !(n == 1 && !round_slot && (int)k == single) &&
			    e->result >= 0 && e->result != e->install_fd)
				e->result = dbatch_install_fd(e->result, e->install_fd,
							      dbatch_entry_open_flags(e), st);
		}
		if (direct >= 0 && direct_g > 1) {
			long r;

			/* the round is over: the scratch iovecs are free again */
			for (unsigned int k = 0; k < direct_g; k++) {
				iov[k].iov_base = (void *)entries[direct + k].args[1];
				iov[k].iov_len = entries[direct + k].args[2];
			}
			r = dbatch_sys(SYS_writev, entries[direct].args[0], iov, direct_g);
			st->kernel_entries++;
			spread(entries, (unsigned int)direct, direct_g, r);
			for (unsigned int k = (unsigned int)direct; k < direct + direct_g; k++)
				if (entries[k].result == RERUN)
					entries[k].result = dbatch_run_entry(&entries[k], st);
		} else if (direct >= 0) {
			entries[direct].result = dbatch_run_entry(&entries[direct], st);
		}
		if (i < count && (direct >= 0 || split_after)) {
			st->splits++;
			st->split_reason = why;
		}
		if (i > 0) {
			struct dbatch_entry *e = &entries[i - 1];

			if ((e->flags & DBATCH_ENTRY_STOP) && e->result < 0) {
				for (; i < count; i++)
					entries[i].result = -ECANCELED;
			}
		}
	}
	/* dependents of a slot-mode open that failed ran on an empty slot */
	for (unsigned int k = 0; any_slot && k < count; k++) {
		struct dbatch_entry *e = &entries[k];

		if ((e->flags & DBATCH_ARG_REF(0)) && e->args[0] < k &&
		    inslot[e->args[0]] && entries[e->args[0]].result < 0)
			e->result = -ECANCELED;
	}
	return (int)count;
}

static int uring_probe(void)
{
	struct io_uring ring;
	int r = ring_setup(&ring, 4);

	if (r < 0)
		return r;
	LIBURING_CALL((io_uring_queue_exit(&ring), 0));
	return 0;
}

static void uring_thread_exit(void)
{
	ring_drop();
}

static void uring_fork_child(void)
{
	/* the parent's ring must not be driven from here: forget it */
	if (ur.state == 1)
		dbatch_sys(SYS_close, ur.ring.ring_fd, 0, 0);
	ur.state = 0;
}

const struct dbatch_backend dbatch_backend_uring = {
	.name = "uring",
	.probe = uring_probe,
	.submit = uring_submit,
	.thread_exit = uring_thread_exit,
	.fork_child = uring_fork_child,
};
