/* SPDX-License-Identifier: MIT */
/*
 * backend_uring.c - run a batch through io_uring (liburing): the submit loop.
 *
 * Each thread has its own ring (uring_ring.c), created on its first flush.
 * A batch goes in as chains of SQEs linked with IOSQE_IO_HARDLINK, so the
 * kernel runs them strictly in program order while a failure does not
 * cancel the calls after it (only DBATCH_ARG_REF dependents are cancelled,
 * by us); one io_uring_enter submits a chain and waits for all of it.
 *
 * A batch needs more than one round only where it must:
 *  - an open whose placeholder is used later in the batch and that cannot
 *    live in a direct descriptor (uring_prep.c): io_uring cannot install
 *    the new fd at the placeholder number (6.1 has no dup), so the round
 *    ends at the open, we dup3 it onto the placeholder, and its dependents
 *    go in the next round ("open-install"); so does a stand-in's open
 *    (token.c), whose number its dependents need ("open-result");
 *  - a call io_uring has no opcode for in liburing 2.3 (lseek, ftruncate,
 *    sendto with an address), and data calls on regular files (linked,
 *    they go to io-wq and cost ~5x a syscall): the round ends before it and
 *    it runs as a plain syscall ("regular-file", "lseek", ...);
 *  - path ops (open*, creat, unlink*, rmdir, mkdir*, rename*) and
 *    fsync/fdatasync: io_uring always hands them to an io-wq thread, 2-5x
 *    the cost of the syscall, so they run as syscalls between rounds too
 *    ("path-op"; DBATCH_URING_PATHOPS=0 puts them back in the ring).
 * Runs of writes to one fd become one writev (uring_coalesce.c). Every
 * split is counted, with its reason, in the stats line.
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
#include "uring.h"

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
				uring_spread(entries, idx, g, cqe->res);
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

/*
 * Where the ring pays: on these machines an SQE costs about what the
 * syscall it replaces costs, and a linked chain (which program order
 * needs) twice that; what the ring saves is merged writes, once there are
 * enough of them to pay for the submission itself. `dbatch bench --sweep`
 * of the seed workload: 2 merged writes run at 0.68x of plain on the host
 * and 0.60x in the VM, 4 at 1.74x and 0.99x, 8 at 2.7x and 1.5x. A batch
 * with no run of URING_MERGE_MIN plain writes to one fd is cheaper as
 * syscalls (and the results are the syscalls' own): it goes to emulate
 * whole ("no-gain"), and a call site whose windows keep doing that stops
 * recording (adapt.c). DBATCH_URING_ALWAYS=1 sends every batch to the ring
 * (tests).
 */
#define URING_MERGE_MIN	4
static int uring_always = -1;

static int uring_gains(const struct dbatch_entry *e, unsigned int count)
{
	if (uring_always < 0)
		uring_always = dbatch_env_on("DBATCH_URING_ALWAYS");
	if (uring_always || !uring_coalesce_on)
		return 1;
	return dbatch_write_run_reaches(e, count, URING_MERGE_MIN);
}

/*
 * The commonest batch: nothing but flagless writes to one fd whose writes
 * merge (a regular file, /dev/null, a terminal; never a pipe or socket).
 * Whatever the rounds below would decide, it ends as one writev syscall
 * (a round of one call runs as a syscall), so it is made here at once,
 * with one pass over the entries instead of the rounds' half a dozen.
 * Returns 1 when it ran the batch.
 */
static int uring_one_writev(struct dbatch_entry *e, unsigned int count, struct iovec *iov,
			    struct fd_kind *kinds, unsigned int *nkinds,
			    struct dbatch_submit_stats *st)
{
	uint64_t fd = e[0].args[0], total = 0;
	const struct fd_kind *k;
	long r;

	if (!iov || count < 2 || count > IOV_MAX)
		return 0;
	for (unsigned int i = 0; i < count; i++) {
		if (e[i].nr != SYS_write || e[i].flags || e[i].args[0] != fd)
			return 0;
		iov[i].iov_base = (void *)e[i].args[1];
		iov[i].iov_len = e[i].args[2];
		total += e[i].args[2];
	}
	k = uring_fd_kind((int)fd, 0, kinds, nkinds, st);
	if (!k->coalesce || k->stream)
		return 0;
	r = uring_writev_run(e, 0, count, iov, st);
	st->all_succeeded = r >= 0 && (uint64_t)r == total;
	return 1;
}

/* Entry @i is a plain write the next entry, a plain write to its fd, may merge with. */
static int next_write_merges(struct dbatch_entry *e, unsigned int i, unsigned int count)
{
	if (i + 1 < count)
		uring_resolve_earlier_ref(e, i, i + 1);
	return i + 1 < count && e[i].nr == SYS_write && !e[i].flags &&
	       e[i + 1].nr == SYS_write && !e[i + 1].flags && e[i + 1].args[0] == e[i].args[0];
}

/* An open: its result is a number that means its file from now on. */
static int entry_opens(const struct dbatch_entry *e)
{
	return e->nr == SYS_open || e->nr == SYS_openat || e->nr == SYS_creat;
}

/*
 * What the flush has learnt of a number (uring_fd_kind()) stops holding
 * where the batch closes it (marked as the close is prepared, below) and
 * where an open of the batch gets it, once that has run: the later entries
 * on that number are another file's.
 */
static void entry_opened_fd(const struct dbatch_entry *e)
{
	if (entry_opens(e) && e->result >= 0)
		dbatch_fd_number_changed(e->result);
}

static int uring_submit_batch(struct dbatch_entry *entries, unsigned int count,
			      struct dbatch_submit_stats *st)
{
	struct io_uring *ring;
	uint8_t needed[DBATCH_BATCH_ENTRIES], inslot[DBATCH_BATCH_ENTRIES];
	struct fd_kind *kinds = dbatch_ur.kinds;
	unsigned int *nkinds_p = &dbatch_ur.nkinds, i = 0;
	unsigned int gen = __atomic_load_n(&dbatch_fd_generation, __ATOMIC_RELAXED);

	/* fd kinds learnt by earlier flushes hold while no fd changed meaning */
	if (gen != dbatch_ur.kinds_gen) {
		dbatch_ur.nkinds = 0;
		dbatch_ur.kinds_gen = gen;
	}
	struct iovec *iov = NULL;
	int any_slot = 0;

	if (uring_coalesce_on < 0)
		uring_coalesce_on = !dbatch_env_off("DBATCH_URING_COALESCE");
	if (!uring_gains(entries, count)) {
		dbatch_split(st, "no-gain");
		st->no_gain = 1;
		return 0;
	}
	if (uring_coalesce_on)
		iov = uring_iov_scratch();
	if (uring_one_writev(entries, count, iov, kinds, nkinds_p, st))
		return (int)count;
	ring = uring_ring_get();
	if (!ring)
		return 0;

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
	uring_plan_slots(entries, count, needed, inslot);

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
			if (e->nr == SYS_close && !(e->flags & DBATCH_ARG_REF(0)))
				dbatch_fd_number_changed((long)e->args[0]);
			if (!uring_supported(e, &why)) {
				direct = (int)i++;
				break;
			}
			if (dbatch_ur.pathops && uring_is_path_op(e)) {
				/* io-wq would run it (uring_prep.c): cheaper as a
				 * syscall, which also installs an open's fd */
				direct = (int)i++;
				why = "path-op";
				break;
			}
			if (slot < 0 && uring_is_data_op(e)) {
				int lone = !(iov && next_write_merges(entries, i, count));
				const struct fd_kind *k =
					uring_fd_kind((int)e->args[0], lone, kinds, nkinds_p, st);

				if (!k) {
					/* first lone call on this number: not worth an fstat */
					direct = (int)i;
					direct_g = 1;
					why = "fd-unknown";
					i++;
					break;
				}

				if (iov && k->coalesce)
					g = uring_write_group(entries, i, count);
				if (k->stream) {
					/* exact only as the syscall (uring_coalesce.c) */
					direct = (int)i;
					direct_g = 1;
					why = "pipe-or-socket";
					i++;
					break;
				}
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
				sqe = uring_prep_open_slot(ring, e, i);
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
				sqe = uring_prep(ring, e);
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
				sqe = uring_prep(ring, e);
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
			/* an open whose fd later entries use: its number first */
			if ((e->flags & DBATCH_ENTRY_STOP) || (needed[i] && !inslot[i])) {
				split_after = 1;
				why = !needed[i] ? "stop" :
				      (e->flags & DBATCH_ENTRY_INSTALL_FD) ? "open-install" :
									      "open-result";
				i++;
				break;
			}
		}
		if (n == 1 && !round_slot) {
			/* one call: a plain syscall is cheaper than a ring round */
			ring->sq.sqe_tail--;
			if (single_g > 1) {
				uring_writev_run(entries, (unsigned int)single, single_g, iov, st);
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
				entry_opened_fd(e);
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
			entry_opened_fd(e);
		}
		if (direct >= 0 && direct_g > 1) {
			/* the round is over: the scratch iovecs are free again */
			for (unsigned int k = 0; k < direct_g; k++) {
				iov[k].iov_base = (void *)entries[direct + k].args[1];
				iov[k].iov_len = entries[direct + k].args[2];
			}
			uring_writev_run(entries, (unsigned int)direct, direct_g, iov, st);
		} else if (direct >= 0) {
			entries[direct].result = dbatch_run_entry(&entries[direct], st);
			entry_opened_fd(&entries[direct]);
		}
		if (i < count && (direct >= 0 || split_after)) {
			dbatch_split(st, why ? why : "other");
		}
		if (i > 0) {
			struct dbatch_entry *e = &entries[i - 1];

			if (dbatch_entry_stops(e)) {
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

/*
 * The batch, then: the numbers its closes and opens gave another file mean
 * it from now on, so what the rounds learnt of them (uring_fd_kind(), which
 * may have asked before the close ran) is forgotten.
 */
static int uring_submit(struct dbatch_entry *entries, unsigned int count,
			struct dbatch_submit_stats *st)
{
	int changed[DBATCH_BATCH_ENTRIES];
	unsigned int n = 0;
	int r;

	for (unsigned int i = 0; i < count && i < DBATCH_BATCH_ENTRIES; i++) {
		const struct dbatch_entry *e = &entries[i];

		if (e->nr == SYS_close && !(e->flags & DBATCH_ARG_REF(0)))
			changed[n++] = (int)e->args[0];
		else if (e->flags & DBATCH_ENTRY_INSTALL_FD)
			changed[n++] = e->install_fd;
	}
	r = uring_submit_batch(entries, count, st);
	for (unsigned int k = 0; k < n; k++)
		dbatch_fd_number_changed(changed[k]);
	return r;
}

const struct dbatch_backend dbatch_backend_uring = {
	.name = "uring",
	.probe = uring_probe,
	.submit = uring_submit,
	.thread_exit = uring_thread_exit,
	.fork_child = uring_fork_child,
};
