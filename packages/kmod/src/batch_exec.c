// SPDX-License-Identifier: GPL-2.0
/*
 * batch.ko: running the entries of one batch.
 *
 * Everything here works on the kernel copy of the entries array; user
 * memory is only reached by the system calls themselves, through their
 * own uaccess checks, exactly as when the program makes the call.
 *
 * Copyright (C) 2026 The dBatch authors
 */
#include <linux/errno.h>
#include <linux/fcntl.h>
#include <linux/fdtable.h>
#include <linux/file.h>
#include <linux/nospec.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/thread_info.h>
#include <asm/ptrace.h>
#include <asm/unistd.h>

#include "batch.h"

/**
 * dbatch_validate() - check the fields the module does not interpret freely
 * @ents: kernel copy of the entries
 * @count: number of entries
 *
 * Return: 0, or -EINVAL when an entry has unknown flags, a non-zero
 * reserved field, or DBATCH_ENTRY_INSTALL_FD with a negative install_fd
 * or on an allowed call that does not return a file descriptor.
 */
long dbatch_validate(const struct dbatch_entry *ents, u32 count)
{
	u32 i;

	for (i = 0; i < count; i++) {
		const struct dbatch_entry *e = &ents[i];
		const struct dbatch_call *call;
		u32 nr;

		if (e->reserved || (e->flags & ~DBATCH_ENTRY_FLAGS_MASK))
			return -EINVAL;
		if (likely(!(e->flags & DBATCH_ENTRY_INSTALL_FD)))
			continue;
		if (e->install_fd < 0)
			return -EINVAL;
		nr = e->nr;
		if (nr >= DBATCH_NR_LIMIT)
			continue;
		call = &dbatch_calls[array_index_nospec(nr, DBATCH_NR_LIMIT)];
		if (call->allowed && !call->returns_fd)
			return -EINVAL;
	}
	return 0;
}

static bool dbatch_fd_cloexec(unsigned int fd)
{
	struct fdtable *fdt;
	bool ret;

	rcu_read_lock();
	fdt = files_fdtable(current->files);
	ret = fd < fdt->max_fds && close_on_exec(fd, fdt);
	rcu_read_unlock();
	return ret;
}

/*
 * Move the new descriptor @fd to @target (the placeholder the caller
 * reserved), keeping its close-on-exec flag, as dup3() + close() would.
 */
static long dbatch_install_fd(struct pt_regs *regs, long fd, int target)
{
	long ret;

	if (fd == target)
		return fd;
	regs->di = fd;
	regs->si = target;
	regs->dx = dbatch_fd_cloexec(fd) ? O_CLOEXEC : 0;
	ret = dbatch_sys_dup3(regs);
	close_fd(fd);
	return ret < 0 ? ret : target;
}

static void dbatch_set_args(struct pt_regs *regs, const u64 *a)
{
	regs->di = a[0];
	regs->si = a[1];
	regs->dx = a[2];
	regs->r10 = a[3];
	regs->r8 = a[4];
	regs->r9 = a[5];
}

/*
 * Replace the arguments flagged DBATCH_ARG_REF() by the results of the
 * earlier entries they name.
 */
static long dbatch_resolve_refs(struct pt_regs *regs,
				const struct dbatch_entry *ents, u32 idx)
{
	const struct dbatch_entry *e = &ents[idx];
	u64 a[6] DBATCH_NOINIT;
	int i;

	for (i = 0; i < 6; i++) {
		u64 ref = e->args[i];
		s64 res;

		a[i] = ref;
		if (!(e->flags & DBATCH_ARG_REF(i)))
			continue;
		if (ref >= idx)
			return -EINVAL;
		res = ents[array_index_nospec(ref, (u64)idx)].result;
		if (res < 0)
			return -ECANCELED;
		a[i] = res;
	}
	dbatch_set_args(regs, a);
	return 0;
}

static long dbatch_run_one(struct pt_regs *regs, struct dbatch_entry *ents,
			   u32 idx)
{
	struct dbatch_entry *e = &ents[idx];
	const struct dbatch_call *call;
	u32 nr = e->nr;
	long ret;

	if (unlikely(nr >= DBATCH_NR_LIMIT))
		return dbatch_sys_ni(regs);
	call = &dbatch_calls[array_index_nospec(nr, DBATCH_NR_LIMIT)];
	if (unlikely(!call->allowed))
		return dbatch_sys_ni(regs);

	if (unlikely(e->flags & DBATCH_ARG_REF_MASK)) {
		ret = dbatch_resolve_refs(regs, ents, idx);
		if (ret)
			return ret;
	} else {
		dbatch_set_args(regs, e->args);
	}
	ret = call->fn(regs);

	/*
	 * A call interrupted by a signal asks to be restarted; one entry of
	 * a batch cannot be, so the program sees EINTR as without SA_RESTART.
	 */
	if (unlikely(ret <= -ERESTARTSYS && ret >= -ERESTART_RESTARTBLOCK))
		ret = -EINTR;

	if (unlikely(e->flags & DBATCH_ENTRY_INSTALL_FD) && ret >= 0)
		ret = dbatch_install_fd(regs, ret, e->install_fd);
	return ret;
}

/*
 * Cheap test before the write fast path: the next entry is a write to the
 * same descriptor, or one of the two takes its descriptor by reference.
 */
static bool dbatch_may_coalesce(const struct dbatch_entry *e,
				const struct dbatch_entry *next)
{
	return next->nr == __NR_write &&
	       (next->args[0] == e->args[0] ||
		((e->flags | next->flags) & DBATCH_ARG_REF(0)));
}

static bool dbatch_seccomp_on(void)
{
#ifdef CONFIG_SECCOMP
	return READ_ONCE(current->seccomp.mode) != SECCOMP_MODE_DISABLED;
#else
	return false;
#endif
}

/* Any of these set: look closer between two entries. */
#define DBATCH_TIF_CHECK \
	(_TIF_SIGPENDING | _TIF_NOTIFY_SIGNAL | _TIF_NEED_RESCHED)

/**
 * dbatch_execute() - run the entries of a validated batch in order
 * @ents: kernel copy of the entries; every result is written
 * @count: number of entries, at least 1
 * @flags: DBATCH_SUBMIT_* flags
 * @iov: scratch room for @count iovecs (coalesced writes)
 * @completed: out: number of entries processed
 * @first_error: out: index of the first negative result, or -1
 *
 * Entries that are not reached (after a stopping failure, a fatal signal
 * or a seccomp filter installed meanwhile) read -ECANCELED.
 *
 * Return: 0, -EINTR on a fatal signal, -EPERM when the task came under
 * seccomp during the batch.
 */
long dbatch_execute(struct dbatch_entry *ents, u32 count, u32 flags,
		    struct iovec *iov, u32 *completed, s32 *first_error)
{
	/* Only the six argument registers are read by __x64_sys_*(). */
	struct pt_regs regs DBATCH_NOINIT;
	u32 plain_until = 0;
	s32 ferr = -1;
	long ret = 0;
	u32 i = 0;

	while (i < count) {
		struct dbatch_entry *e = &ents[i];
		long res;

		if (i && unlikely((read_thread_flags() & DBATCH_TIF_CHECK) ||
				  dbatch_seccomp_on())) {
			if (fatal_signal_pending(current)) {
				ret = -EINTR;
				break;
			}
			/* Another thread put this one under seccomp (TSYNC). */
			if (dbatch_seccomp_on()) {
				ret = -EPERM;
				break;
			}
			/* A batch is one system call: let others run. */
			if (need_resched())
				cond_resched();
		}
		if (e->nr == __NR_write && i + 1 < count && i >= plain_until &&
		    dbatch_may_coalesce(e, &ents[i + 1])) {
			u32 done = dbatch_write_run(ents, i, count, iov,
						    &plain_until);

			if (done) {
				i += done;
				continue;
			}
		}
		res = dbatch_run_one(&regs, ents, i);
		e->result = res;
		i++;
		if (res < 0) {
			if (ferr < 0)
				ferr = i - 1;
			if ((e->flags & DBATCH_ENTRY_STOP) ||
			    (flags & DBATCH_SUBMIT_STOP_ON_ERROR))
				break;
		}
	}
	*completed = i;
	*first_error = ferr;
	for (; i < count; i++)
		ents[i].result = -ECANCELED;
	return ret;
}
