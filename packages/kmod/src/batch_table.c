// SPDX-License-Identifier: GPL-2.0
/*
 * batch.ko: the table of allowed system calls.
 *
 * The allow-list is the dBatch catalogue (<linux/dbatch_catalogue.h>,
 * generated from packages/transform/catalogue/syscalls.json). For every
 * catalogue call the module looks up the kernel's own x86-64 entry point,
 * __x64_sys_<name>, once at load time; every other number runs the
 * kernel's __x64_sys_ni_syscall, so it fails exactly as an unimplemented
 * system call does. The table is read-only once the module is loaded.
 *
 * kallsyms_lookup_name() is not exported since Linux 5.7; its address is
 * read from a kprobe registered on it and removed at once (stepping back
 * over the ENDBR the kprobe skips on kernels with IBT). Where IBT sealed
 * it (6.12), each entry point is read from a kprobe of its own instead. Nothing is ever
 * written to sys_call_table: from Linux 6.9 (and its backports) x86-64
 * dispatch does not go through that table at all.
 *
 * Copyright (C) 2026 The dBatch authors
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/err.h>
#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/kprobes.h>
#include <linux/printk.h>
#include <linux/dbatch_catalogue.h>
#include <asm/ibt.h>
#include <asm/unistd.h>

#include "batch.h"

struct dbatch_call dbatch_calls[DBATCH_NR_LIMIT] __ro_after_init;
dbatch_sys_fn dbatch_sys_ni __ro_after_init;
dbatch_sys_fn dbatch_sys_dup3 __ro_after_init;
const struct file_operations *dbatch_null_fops __ro_after_init;

struct dbatch_row {
	int nr;
	const char *sym;
	bool returns_fd;
	bool counted;
};

#define DBATCH_ROW(name, nr, nargs, result, defer, defer_arg, ...) \
	{ nr, "__x64_sys_" #name, (result) == DBATCH_RES_FD, \
	  (defer) == DBATCH_DEFER_LENGTH && (defer_arg) == 2 },
static const struct dbatch_row dbatch_rows[] __initconst = {
	DBATCH_CATALOGUE(DBATCH_ROW)
};

#undef DBATCH_ROW

#define DBATCH_NR_ITEM(nr) nr,
static const int dbatch_allowed[] __initconst = {
	DBATCH_ALLOWED_NRS(DBATCH_NR_ITEM)
};

#undef DBATCH_NR_ITEM

/*
 * Calls that must never run from a batch, whatever the catalogue says:
 * they replace or end the task, or change its credentials, its seccomp
 * state or its tracing. A catalogue listing one of them does not load.
 */
static const int dbatch_denied[] __initconst = {
	__NR_execve, __NR_execveat, __NR_clone, __NR_clone3, __NR_fork,
	__NR_vfork, __NR_exit, __NR_exit_group, __NR_rt_sigreturn,
	__NR_ioctl, __NR_seccomp, __NR_prctl, __NR_ptrace, __NR_setuid,
	__NR_setgid, __NR_setresuid, __NR_setresgid, __NR_capset,
	__NR_unshare, __NR_setns, __NR_kexec_load, __NR_init_module,
	__NR_finit_module, __NR_delete_module, __NR_bpf, __NR_io_uring_enter,
	__NR_restart_syscall,
};

typedef unsigned long (*dbatch_kallsyms_fn)(const char *name);

/*
 * With Intel IBT (CONFIG_X86_KERNEL_IBT) an indirect call must land on an
 * ENDBR instruction, and a function whose address is never taken has its
 * ENDBR sealed at boot (6.12: kallsyms_lookup_name itself). Every function
 * this module calls through a pointer must start with a live ENDBR, or the
 * call would fault: such a function is refused at load time instead.
 */
#ifdef CONFIG_X86_KERNEL_IBT
static bool __init dbatch_callable(unsigned long addr)
{
	return *(const u32 *)addr == gen_endbr();
}

/* A kprobe on a function's entry sits after its ENDBR: step back. */
static unsigned long __init dbatch_kprobe_func(unsigned long addr)
{
	if (is_endbr(*(const u32 *)(addr - ENDBR_INSN_SIZE)))
		return addr - ENDBR_INSN_SIZE;
	return addr;
}
#else
static bool __init dbatch_callable(unsigned long addr)
{
	return true;
}

static unsigned long __init dbatch_kprobe_func(unsigned long addr)
{
	return addr;
}
#endif

/* The entry of function @sym, read from a kprobe registered on it; or 0. */
static unsigned long __init dbatch_kprobe_lookup(const char *sym)
{
	struct kprobe kp = { .symbol_name = sym };
	unsigned long addr;

	if (register_kprobe(&kp) < 0)
		return 0;
	addr = dbatch_kprobe_func((unsigned long)kp.addr);
	unregister_kprobe(&kp);
	return addr;
}

/* kallsyms_lookup_name(), when it can be called from here (not sealed). */
static dbatch_kallsyms_fn dbatch_kallsyms __initdata;

/*
 * dbatch_lookup() - the address of function @sym, or 0 when it is missing
 * or cannot be called safely. One kallsyms call each where possible (a
 * kprobe costs an RCU grace period); a kprobe per symbol otherwise.
 */
static unsigned long __init dbatch_lookup(const char *sym)
{
	unsigned long addr = dbatch_kallsyms ? dbatch_kallsyms(sym) :
					       dbatch_kprobe_lookup(sym);

	if (addr && !dbatch_callable(addr)) {
		pr_info("%s does not start with ENDBR: not calling it (IBT)\n",
			sym);
		return 0;
	}
	return addr;
}

static void __init dbatch_find_kallsyms(void)
{
	unsigned long addr = dbatch_kprobe_lookup("kallsyms_lookup_name");

	if (addr && dbatch_callable(addr))
		dbatch_kallsyms = (dbatch_kallsyms_fn)addr;
	else
		pr_info("kallsyms_lookup_name cannot be called (IBT): looking up entry points through kprobes\n");
}

/* The file operations of /dev/null, for the write fast path; or NULL. */
static const struct file_operations * __init dbatch_find_null_fops(void)
{
	const struct file_operations *fops;
	struct file *f = filp_open("/dev/null", O_WRONLY, 0);

	if (IS_ERR(f))
		return NULL;
	fops = f->f_op;
	filp_close(f, NULL);
	return fops;
}

static int __init dbatch_check_allowed(void)
{
	size_t i, j;

	for (i = 0; i < ARRAY_SIZE(dbatch_allowed); i++) {
		int nr = dbatch_allowed[i];

		if (nr < 0 || nr >= DBATCH_NR_LIMIT) {
			pr_err("catalogue number %d out of range\n", nr);
			return -EINVAL;
		}
		for (j = 0; j < ARRAY_SIZE(dbatch_denied); j++) {
			if (nr == dbatch_denied[j]) {
				pr_err("catalogue lists denied syscall %d\n", nr);
				return -EINVAL;
			}
		}
	}
	return 0;
}

int __init dbatch_table_init(void)
{
	size_t i;
	int ret;

	ret = dbatch_check_allowed();
	if (ret)
		return ret;

	dbatch_find_kallsyms();
	dbatch_sys_ni = (dbatch_sys_fn)dbatch_lookup("__x64_sys_ni_syscall");
	dbatch_sys_dup3 = (dbatch_sys_fn)dbatch_lookup("__x64_sys_dup3");
	if (!dbatch_sys_ni || !dbatch_sys_dup3) {
		pr_err("cannot find __x64_sys_ni_syscall or __x64_sys_dup3\n");
		return -ENOENT;
	}
	/* Optional: without it, writes to /dev/null are not coalesced. */
	dbatch_null_fops = dbatch_find_null_fops();

	for (i = 0; i < DBATCH_NR_LIMIT; i++)
		dbatch_calls[i].fn = dbatch_sys_ni;

	/*
	 * Several catalogue names may share a number (send and sendto are
	 * both 44): the first name that resolves to a kernel entry point
	 * wins, and the other names need not exist in the kernel.
	 */
	for (i = 0; i < ARRAY_SIZE(dbatch_rows); i++) {
		const struct dbatch_row *row = &dbatch_rows[i];
		struct dbatch_call *call = &dbatch_calls[row->nr];
		unsigned long addr;

		if (call->allowed)
			continue;
		addr = dbatch_lookup(row->sym);
		if (!addr)
			continue;
		call->fn = (dbatch_sys_fn)addr;
		call->allowed = true;
		call->returns_fd = row->returns_fd;
		call->counted = row->counted;
	}

	for (i = 0; i < ARRAY_SIZE(dbatch_allowed); i++) {
		if (!dbatch_calls[dbatch_allowed[i]].allowed) {
			pr_err("no kernel entry point for syscall %d\n",
			       dbatch_allowed[i]);
			return -ENOENT;
		}
	}
	return 0;
}
