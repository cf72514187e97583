/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * dBatch: run a batch of system calls in one user->kernel transition.
 *
 * User space opens /dev/batch and issues DBATCH_IOC_SUBMIT with a
 * struct dbatch_submit that points at an array of struct dbatch_entry.
 * The module copies the whole array in once, runs the entries in order,
 * and copies it back once with every entry's result filled in.
 *
 * Only the calls in the dBatch catalogue (<linux/dbatch_catalogue.h>) may
 * be batched; anything else fails that entry with -ENOSYS. A task under a
 * seccomp filter is refused with -EPERM, since the batch would bypass it.
 */
#ifndef _UAPI_LINUX_DBATCH_H
#define _UAPI_LINUX_DBATCH_H

#include <linux/types.h>
#include <linux/ioctl.h>

/** DBATCH_DEVICE_NAME - the misc device, /dev/batch */
#define DBATCH_DEVICE_NAME	"batch"

/** DBATCH_MAX_ENTRIES - most entries one DBATCH_IOC_SUBMIT may carry */
#define DBATCH_MAX_ENTRIES	1024

/*
 * Entry flags (struct dbatch_entry.flags).
 *
 * DBATCH_ARG_REF(i): args[i] is not a value but the index of an earlier
 *	entry in the same batch; it is replaced by that entry's result before
 *	the call. If that result is negative (the producer failed or was
 *	cancelled) this entry is not run and its result is -ECANCELED. An
 *	index that is not smaller than this entry's own index fails the entry
 *	with -EINVAL.
 * DBATCH_ENTRY_INSTALL_FD: the call returns a new fd; the module moves it
 *	to install_fd (replacing whatever install_fd referred to, which the
 *	caller reserved as a placeholder), keeping the new fd's close-on-exec
 *	flag, and the result is install_fd. Only valid on calls that return
 *	an fd (open, openat, creat) and with install_fd >= 0, else the whole
 *	batch is refused with EINVAL.
 * DBATCH_ENTRY_STOP: if this entry fails (negative result, including
 *	-ECANCELED), the entries after it are not run; their results are
 *	-ECANCELED.
 * DBATCH_ENTRY_SHORT: with DBATCH_ENTRY_STOP, a result other than the
 *	count the call was given (args[2]) also stops the batch: a short
 *	write, read or send, which a program checking `!= n` treats as a
 *	failure. Only on write, read, pwrite64, pread64 and sendto, and only
 *	with DBATCH_ENTRY_STOP; else the whole batch is refused with EINVAL.
 *	Such an entry is never merged with its neighbours.
 */
#define DBATCH_ARG_REF(i)		(1U << (i))
#define DBATCH_ARG_REF_MASK		0x3fU
#define DBATCH_ENTRY_INSTALL_FD		(1U << 8)
#define DBATCH_ENTRY_STOP		(1U << 9)
#define DBATCH_ENTRY_SHORT		(1U << 10)
#define DBATCH_ENTRY_FLAGS_MASK \
	(DBATCH_ARG_REF_MASK | DBATCH_ENTRY_INSTALL_FD | DBATCH_ENTRY_STOP | \
	 DBATCH_ENTRY_SHORT)

/**
 * struct dbatch_entry - one system call of a batch
 * @nr: x86-64 system call number; a number outside the catalogue fails
 *	this entry with -ENOSYS, exactly like an unimplemented system call
 * @flags: DBATCH_ARG_REF(), DBATCH_ENTRY_INSTALL_FD, DBATCH_ENTRY_STOP,
 *	DBATCH_ENTRY_SHORT; any other bit refuses the whole batch (EINVAL)
 * @install_fd: with DBATCH_ENTRY_INSTALL_FD, the fd number the result is
 *	installed at; otherwise ignored (set it to -1)
 * @reserved: must be zero (else the whole batch is refused, EINVAL)
 * @args: the call's arguments, as the system call takes them; pointers
 *	are checked by the call itself, as when it is made directly
 * @result: out: the call's return value, or a negative errno. Entries
 *	that were not run read -ECANCELED. A call interrupted by a signal
 *	is restarted or fails with EINTR exactly as the plain call would
 *	(see struct dbatch_submit).
 *
 * 72 bytes, no padding: the layout is the same for every x86-64 compiler.
 */
struct dbatch_entry {
	__u32 nr;
	__u32 flags;
	__s32 install_fd;
	__u32 reserved;
	__u64 args[6];
	__s64 result;
};

/*
 * Submit flags (struct dbatch_submit.flags).
 *
 * DBATCH_SUBMIT_STOP_ON_ERROR: as if every entry had DBATCH_ENTRY_STOP.
 * DBATCH_SUBMIT_RESUME: @completed is an input too: entries
 *	[0, completed) ran in an earlier pass of this batch and keep their
 *	results (later entries may refer to them); the batch goes on from
 *	entry @completed, which must be below @count. The module sets this
 *	flag in the caller's struct whenever it stops a batch to be
 *	restarted, and clears it when the batch ends.
 */
#define DBATCH_SUBMIT_STOP_ON_ERROR	(1U << 0)
#define DBATCH_SUBMIT_RESUME		(1U << 1)
#define DBATCH_SUBMIT_FLAGS_MASK \
	(DBATCH_SUBMIT_STOP_ON_ERROR | DBATCH_SUBMIT_RESUME)

/**
 * struct dbatch_submit - argument of DBATCH_IOC_SUBMIT
 * @entries: user pointer to an array of @count struct dbatch_entry
 * @count: number of entries, 1..DBATCH_MAX_ENTRIES
 * @flags: DBATCH_SUBMIT_*
 * @completed: out: number of entries processed: entries [0, completed)
 *	have their own result (which is -ECANCELED for a dependent of a
 *	failed entry), the rest were not reached and read -ECANCELED
 * @first_error: out: index of the first entry whose result is negative,
 *	or -1 when every entry succeeded
 *
 * The entries array is copied in once; the module writes back only each
 * entry's @result (every one, -ECANCELED where not reached) and @flags,
 * @completed and @first_error here: nothing else of the caller's array
 * changes. The ioctl returns 0 when the batch was processed (look at each
 * entry's result), or -1 with errno: EFAULT (bad pointer to this struct or
 * to the array; nothing ran, unless only the copy back failed), EINVAL
 * (count 0, count above DBATCH_MAX_ENTRIES, unknown flags, non-zero
 * reserved fields, DBATCH_ENTRY_INSTALL_FD misuse, a resume index out of
 * range; nothing ran), EPERM (the task is subject to something a batch
 * would bypass: a seccomp filter, audit rules, a ptrace syscall tracer,
 * syscall tracepoints, syscall user dispatch; entries [0, completed) ran,
 * the caller runs the rest as plain system calls), EINTR (entry
 * @completed was a blocking call interrupted by a signal whose handler
 * does not restart calls: that entry's own result is EINTR, entries
 * [0, completed) ran, the caller goes on from completed + 1 with
 * DBATCH_SUBMIT_RESUME; or a fatal signal), ENOTTY (another command, or a
 * 32-bit/x32 caller).
 *
 * Signals and task work are handled between entries as on the return of
 * a plain system call: the module stops the batch, records where it
 * stopped (@completed and DBATCH_SUBMIT_RESUME), and the kernel runs the
 * handler and restarts the ioctl, which goes on from there. A blocking
 * entry interrupted by a signal is restarted the same way when the plain
 * call would be.
 */
struct dbatch_submit {
	__u64 entries;
	__u32 count;
	__u32 flags;
	__u32 completed;
	__s32 first_error;
};

/** DBATCH_IOC_SUBMIT - run a batch */
#define DBATCH_IOC_SUBMIT	_IOWR(0xBA, 1, struct dbatch_submit)

#endif /* _UAPI_LINUX_DBATCH_H */
