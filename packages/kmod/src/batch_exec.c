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
#include <linux/audit.h>
#include <linux/errno.h>
#include <linux/fcntl.h>
#include <linux/fdtable.h>
#include <linux/file.h>
#include <linux/nospec.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/task_work.h>
#include <linux/thread_info.h>
#include <asm/ptrace.h>
#include <asm/unistd.h>

#include "batch.h"

/* The calls whose args[2] is the count a full transfer returns (catalogue). */
static bool dbatch_has_count(u32 nr)
{
	if (nr >= DBATCH_NR_LIMIT)
		return false;
	nr = array_index_nospec(nr, DBATCH_NR_LIMIT);
	return dbatch_calls[nr].allowed && dbatch_calls[nr].counted;
}

/*
 * Whether entry @e, just run, ends a batch that stops on errors: it failed,
 * or it was to transfer its whole count and did not.
 */
static bool dbatch_entry_failed(const struct dbatch_entry *e, long res)
{
	if (res < 0)
		return true;
	return (e->flags & DBATCH_ENTRY_SHORT) && (u64)res != e->args[2];
}

/**
 * dbatch_validate() - check the fields the module does not interpret freely
 * @ents: kernel copy of the entries
 * @count: number of entries
 *
 * Return: 0, or -EINVAL when an entry has unknown flags, a non-zero
 * reserved field, DBATCH_ENTRY_INSTALL_FD with a negative install_fd
 * or on an allowed call that does not return a file descriptor, or
 * DBATCH_ENTRY_SHORT without DBATCH_ENTRY_STOP or on a call without a
 * count in args[2].
 */
long dbatch_validate(const struct dbatch_entry *ents, u32 count)
{
	u32 i;

	for (i = 0; i < count; i++) {
		const struct dbatch_entry *e = &ents[i];
		const struct dbatch_call *call;
		u32 nr;

		/* the common entry: no flags, nothing reserved */
		if (likely(!(e->flags | e->reserved)))
			continue;
		if (e->reserved || (e->flags & ~DBATCH_ENTRY_FLAGS_MASK))
			return -EINVAL;
		if (unlikely(e->flags & DBATCH_ENTRY_SHORT) &&
		    (!(e->flags & DBATCH_ENTRY_STOP) || !dbatch_has_count(e->nr)))
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

/*
 * The close-on-exec flag the open of entry @e gave its new fd: O_CLOEXEC in
 * its flags argument (creat has none).
 */
static bool dbatch_open_cloexec(const struct pt_regs *regs, u32 nr)
{
	switch (nr) {
	case __NR_open:
		return regs->si & O_CLOEXEC;
	case __NR_openat:
		return regs->dx & O_CLOEXEC;
	default:
		return false;
	}
}

/*
 * Move the new descriptor @fd to @target (the placeholder the caller
 * reserved), keeping its close-on-exec flag, as dup3() + close() would.
 */
static long dbatch_install_fd(struct pt_regs *regs, long fd, int target)
{
	bool cloexec = dbatch_open_cloexec(regs, regs->orig_ax);
	long ret;

	if (fd == target)
		return fd;
	regs->di = fd;
	regs->si = target;
	regs->dx = cloexec ? O_CLOEXEC : 0;
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

	/* As the entry code leaves it for the call: the system call number. */
	regs->orig_ax = nr;
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

	if (unlikely(e->flags & DBATCH_ENTRY_INSTALL_FD) && ret >= 0)
		ret = dbatch_install_fd(regs, ret, e->install_fd);
	return ret;
}

/* A call that asks the kernel to restart it (or to turn into EINTR). */
static bool dbatch_restart_code(long ret)
{
	return ret <= -ERESTARTSYS && ret >= -ERESTART_RESTARTBLOCK;
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

/*
 * Work the kernel does at the entry of every plain system call that a
 * call run from a batch would skip: seccomp filters, syscall tracepoints,
 * ptrace syscall-stops and emulation, syscall user dispatch, and audit
 * when rules are loaded (a dummy context records nothing).
 */
#define DBATCH_WORK_REFUSED                                              \
	(SYSCALL_WORK_SECCOMP | SYSCALL_WORK_SYSCALL_TRACEPOINT |        \
	 SYSCALL_WORK_SYSCALL_TRACE | SYSCALL_WORK_SYSCALL_EMU |         \
	 SYSCALL_WORK_SYSCALL_USER_DISPATCH)

/**
 * dbatch_task_refused() - would a batch bypass what the task is subject to?
 *
 * Another thread may change any of these at any time (seccomp TSYNC, a
 * ptrace attach, a tracepoint enabled system-wide, audit rules loaded), so
 * the check is made before every entry, not only at the ioctl's entry.
 *
 * Return: true when the batch must not run (the caller reports EPERM).
 */
bool dbatch_task_refused(void)
{
	unsigned long work = READ_ONCE(current_thread_info()->syscall_work);

	if (unlikely(work & DBATCH_WORK_REFUSED))
		return true;
#ifdef CONFIG_SECCOMP
	if (unlikely(READ_ONCE(current->seccomp.mode) != SECCOMP_MODE_DISABLED))
		return true;
#endif
	/*
	 * A context is non-dummy while rules are loaded; with audit turned
	 * off again it stays so but records nothing.
	 */
	if (unlikely(work & SYSCALL_WORK_SYSCALL_AUDIT) &&
	    READ_ONCE(audit_enabled) && !audit_dummy_context())
		return true;
	return false;
}

/*
 * Any of these set: look closer between two entries. Task work covers the
 * final fput() of a closed file (6.1 defers it to the return to user
 * space) and io_uring's deferred completions.
 */
#define DBATCH_TIF_CHECK \
	(_TIF_SIGPENDING | _TIF_NOTIFY_SIGNAL | _TIF_NEED_RESCHED | \
	 _TIF_NOTIFY_RESUME)

/**
 * dbatch_execute() - run the entries of a validated batch in order
 * @ents: kernel copy of the entries; every result from @start on is written
 * @start: first entry to run (entries before it ran in an earlier,
 *	interrupted pass of the same batch and keep their results)
 * @count: number of entries, more than @start
 * @flags: DBATCH_SUBMIT_* flags
 * @iov: scratch room for @count iovecs (coalesced writes)
 * @completed: out: number of entries processed
 * @first_error: out: index of the first entry of this pass whose result is
 *	negative, or -1
 *
 * The batch stops before an entry when the task must not run it (see
 * dbatch_task_refused()), and, once at least one entry of this pass ran,
 * when a signal or task work is pending: the plain program would have
 * handled it on the return from the previous call. It stops at an entry
 * whose call asks to be restarted (a blocking call interrupted by a
 * signal); that entry does not count as processed. Entries not reached
 * read -ECANCELED.
 *
 * Return: 0 when every entry was processed or a failure stopped the
 * batch; -EPERM when the task must not run the rest; -ERESTARTNOINTR when
 * a signal or task work must be handled first (the ioctl is restarted and
 * goes on from @completed); the restart code of an interrupted call (the
 * kernel restarts the ioctl or, for a handler without SA_RESTART, returns
 * EINTR with @completed naming the interrupted entry); -EINTR on a fatal
 * signal.
 */
long dbatch_execute(struct dbatch_entry *ents, u32 start, u32 count,
		    u32 flags, struct iovec *iov, u32 *completed,
		    s32 *first_error)
{
	/* No stale stack bytes reach the called function. */
	struct pt_regs regs = {};
	u32 plain_until = 0;
	long ret = 0;
	u32 i = start;

	*first_error = -1;
	while (i < count) {
		struct dbatch_entry *e = &ents[i];
		long res;

		if (unlikely(dbatch_task_refused())) {
			ret = -EPERM;
			break;
		}
		if (unlikely(read_thread_flags() & DBATCH_TIF_CHECK)) {
			if (fatal_signal_pending(current)) {
				ret = -EINTR;
				break;
			}
			if (i > start && (signal_pending(current) ||
					  task_work_pending(current))) {
				/*
				 * The restart code is acted on only where
				 * signals are handled: make sure the return
				 * to user space goes there, even for task
				 * work alone (it runs there too).
				 */
				set_thread_flag(TIF_NOTIFY_SIGNAL);
				ret = -ERESTARTNOINTR;
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
		if (unlikely(dbatch_restart_code(res))) {
			/*
			 * The restart block belongs to the entry's call, not
			 * to this ioctl: restart the ioctl itself instead
			 * (no catalogue call returns it today).
			 */
			ret = res == -ERESTART_RESTARTBLOCK ? -ERESTARTNOHAND :
							      res;
			break;
		}
		e->result = res;
		/* a merged run of writes only gives results >= 0 */
		if (unlikely(res < 0) && *first_error < 0)
			*first_error = i;
		i++;
		if (((e->flags & DBATCH_ENTRY_STOP) ||
		     (flags & DBATCH_SUBMIT_STOP_ON_ERROR)) &&
		    dbatch_entry_failed(e, res))
			break;
	}
	*completed = i;
	for (; i < count; i++)
		ents[i].result = -ECANCELED;
	return ret;
}
