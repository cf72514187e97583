/* SPDX-License-Identifier: GPL-2.0 */
/*
 * batch.ko internals: the call table and the executor.
 *
 * Copyright (C) 2026 The dBatch authors
 */
#ifndef _DBATCH_BATCH_H
#define _DBATCH_BATCH_H

#include <linux/fs.h>
#include <linux/types.h>
#include <linux/dbatch.h>

struct pt_regs;
struct iovec;

/* A system call's x86-64 entry point: __x64_sys_<name>(regs). */
typedef long (*dbatch_sys_fn)(const struct pt_regs *regs);

/**
 * struct dbatch_call - how the module runs one allowed system call number
 * @fn: the kernel's own entry point for the call, found at load time;
 *	__x64_sys_ni_syscall for numbers outside the allow-list
 * @allowed: the number is in the catalogue
 * @returns_fd: the call returns a new file descriptor, so an entry for it
 *	may carry DBATCH_ENTRY_INSTALL_FD
 * @counted: a complete call returns its args[2] (the catalogue's deferred
 *	return "length" of argument 2), so an entry for it may carry
 *	DBATCH_ENTRY_SHORT
 */
struct dbatch_call {
	dbatch_sys_fn fn;
	bool allowed;
	bool returns_fd;
	bool counted;
};

/*
 * Stack buffers that are always written before they are read: exempt from
 * the kernel's automatic zeroing of stack variables (INIT_STACK_ALL_ZERO),
 * which would otherwise cost more than a small batch itself.
 */
#if defined(__has_attribute)
#if __has_attribute(__uninitialized__)
#define DBATCH_NOINIT __attribute__((__uninitialized__))
#endif
#endif
#ifndef DBATCH_NOINIT
#define DBATCH_NOINIT
#endif

/* struct fd's file: a field before 6.12, fd_file() since. */
#ifndef fd_file
#define fd_file(f) ((f).file)
#endif

/* Size of the call table: above every x86-64 number in the catalogue. */
#define DBATCH_NR_LIMIT 512

extern struct dbatch_call dbatch_calls[DBATCH_NR_LIMIT];
extern dbatch_sys_fn dbatch_sys_ni;
extern dbatch_sys_fn dbatch_sys_dup3;
extern const struct file_operations *dbatch_null_fops;

int dbatch_table_init(void);

long dbatch_validate(const struct dbatch_entry *ents, u32 count);
bool dbatch_task_refused(void);
long dbatch_execute(struct dbatch_entry *ents, u32 start, u32 count,
		    u32 flags, struct iovec *iov, u32 *completed,
		    s32 *first_error);

/* Fast path: coalesced runs of write(2) on one file (batch_write.c). */
u32 dbatch_write_run(struct dbatch_entry *ents, u32 idx, u32 count,
		     struct iovec *iov, u32 *plain_until);

#endif /* _DBATCH_BATCH_H */
