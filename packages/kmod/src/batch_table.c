// SPDX-License-Identifier: GPL-2.0
/*
 * batch.ko: the table of allowed system calls.
 *
 * The allow-list is the dBatch catalogue (<linux/dbatch_catalogue.h>,
 * generated from packages/transform/catalogue/syscalls.json). For every
 * catalogue call the module looks up the kernel's own x86-64 entry point,
 * __x64_sys_<name>, once at load time. The table is read-only afterwards.
 *
 * kallsyms_lookup_name() is not exported since Linux 5.7; its address is
 * read from a kprobe registered on it and removed at once. Nothing is ever
 * written to sys_call_table: from Linux 6.9 (and its backports) x86-64
 * dispatch does not go through that table at all.
 *
 * Copyright (C) 2026 The dBatch authors
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/build_bug.h>
#include <linux/kernel.h>
#include <linux/kprobes.h>
#include <linux/printk.h>
#include <linux/dbatch_catalogue.h>
#include <asm/unistd.h>

#include "batch.h"

struct dbatch_call dbatch_calls[DBATCH_NR_LIMIT] __ro_after_init;
dbatch_sys_fn dbatch_sys_dup3 __ro_after_init;

typedef unsigned long (*dbatch_kallsyms_fn)(const char *name);

static dbatch_kallsyms_fn dbatch_find_kallsyms(void)
{
	struct kprobe kp = { .symbol_name = "kallsyms_lookup_name" };
	dbatch_kallsyms_fn fn;

	if (register_kprobe(&kp) < 0)
		return NULL;
	fn = (dbatch_kallsyms_fn)kp.addr;
	unregister_kprobe(&kp);
	return fn;
}

/*
 * Calls that must never run from a batch, whatever the catalogue says:
 * they replace or end the task, or change its credentials or its
 * seccomp state. A catalogue that lists one of them does not build.
 */
#define DBATCH_DENIED(nr) \
	((nr) == __NR_execve || (nr) == __NR_execveat || \
	 (nr) == __NR_clone || (nr) == __NR_clone3 || \
	 (nr) == __NR_fork || (nr) == __NR_vfork || \
	 (nr) == __NR_exit || (nr) == __NR_exit_group || \
	 (nr) == __NR_rt_sigreturn || (nr) == __NR_ioctl || \
	 (nr) == __NR_seccomp || (nr) == __NR_prctl || \
	 (nr) == __NR_ptrace || (nr) == __NR_setuid || \
	 (nr) == __NR_kexec_load || (nr) == __NR_init_module)

static void __init dbatch_check_catalogue(void)
{
#define DBATCH_CHECK_NR(nr) \
	BUILD_BUG_ON((nr) < 0 || (nr) >= DBATCH_NR_LIMIT || DBATCH_DENIED(nr));
	DBATCH_ALLOWED_NRS(DBATCH_CHECK_NR)
#undef DBATCH_CHECK_NR
}

int __init dbatch_table_init(void)
{
	dbatch_kallsyms_fn lookup;
	unsigned long addr;
	int missing = 0;

	dbatch_check_catalogue();

	lookup = dbatch_find_kallsyms();
	if (!lookup) {
		pr_err("cannot find kallsyms_lookup_name (no kprobes?)\n");
		return -ENOENT;
	}

	/*
	 * Several catalogue names may share a number (send and sendto are
	 * both 44): the first name that resolves to a kernel entry point
	 * wins, and the other names need not exist in the kernel.
	 */
#define DBATCH_FILL(name, nr, nargs, result, ...) \
	do { \
		if (!dbatch_calls[nr].fn) { \
			addr = lookup("__x64_sys_" #name); \
			if (addr) { \
				dbatch_calls[nr].fn = (dbatch_sys_fn)addr; \
				dbatch_calls[nr].returns_fd = \
					(result) == DBATCH_RES_FD; \
			} \
		} \
	} while (0);
	DBATCH_CATALOGUE(DBATCH_FILL)
#undef DBATCH_FILL

#define DBATCH_CHECK_FILLED(nr) \
	do { \
		if (!dbatch_calls[nr].fn) { \
			pr_err("no kernel entry point for syscall %d\n", nr); \
			missing++; \
		} \
	} while (0);
	DBATCH_ALLOWED_NRS(DBATCH_CHECK_FILLED)
#undef DBATCH_CHECK_FILLED

	addr = lookup("__x64_sys_dup3");
	if (!addr) {
		pr_err("no kernel entry point for dup3\n");
		missing++;
	}
	dbatch_sys_dup3 = (dbatch_sys_fn)addr;

	return missing ? -ENOENT : 0;
}
