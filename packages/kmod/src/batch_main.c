// SPDX-License-Identifier: GPL-2.0
/*
 * batch.ko: the /dev/batch misc device and its DBATCH_IOC_SUBMIT ioctl.
 *
 * One ioctl runs a whole batch of system calls: the entries array is
 * copied in once, run in order by the kernel's own system call entry
 * points (allow-listed from the dBatch catalogue), and copied back once
 * with every entry's result. See include/uapi/linux/dbatch.h.
 *
 * The module keeps no state between calls and none per open file: each
 * ioctl works on its own copy of the entries, on the stack for small
 * batches and in a kvmalloc() buffer otherwise.
 *
 * Copyright (C) 2026 The dBatch authors
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/compat.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/uio.h>
#include <linux/dbatch.h>

#include "batch.h"

#define DBATCH_VERSION "0.1.0"

/* Batches up to this size are copied to the stack (8 x (72 + 16) bytes). */
#define DBATCH_STACK_ENTRIES 8

/* The first negative result among entries [0, @n), or -1. */
static s32 dbatch_first_error(const struct dbatch_entry *ents, u32 n)
{
	u32 i;

	for (i = 0; i < n; i++)
		if (ents[i].result < 0)
			return i;
	return -1;
}

static long dbatch_submit(struct dbatch_submit __user *usub)
{
	struct dbatch_entry stack_ents[DBATCH_STACK_ENTRIES] DBATCH_NOINIT;
	struct iovec stack_iov[DBATCH_STACK_ENTRIES] DBATCH_NOINIT;
	struct dbatch_entry *ents = stack_ents;
	struct iovec *iov = stack_iov;
	struct dbatch_entry __user *uents;
	struct dbatch_submit sub;
	/* The fields written back: flags, completed, first_error. */
	struct {
		u32 flags;
		u32 completed;
		s32 first_error;
	} out;
	u32 start = 0;
	size_t size;
	long ret;

	if (copy_from_user(&sub, usub, sizeof(sub)))
		return -EFAULT;
	if (!sub.count || sub.count > DBATCH_MAX_ENTRIES ||
	    (sub.flags & ~DBATCH_SUBMIT_FLAGS_MASK))
		return -EINVAL;
	if (sub.flags & DBATCH_SUBMIT_RESUME) {
		start = sub.completed;
		if (start >= sub.count)
			return -EINVAL;
	}

	uents = u64_to_user_ptr(sub.entries);
	size = (size_t)sub.count * sizeof(*ents);
	if (sub.count > DBATCH_STACK_ENTRIES) {
		/*
		 * The entries, then room for as many iovecs. Charged to the
		 * caller's memory cgroup: a blocked batch holds it for as
		 * long as its call blocks.
		 */
		ents = kvmalloc(size + sub.count * sizeof(*iov),
				GFP_KERNEL_ACCOUNT);
		if (!ents)
			return -ENOMEM;
		iov = (struct iovec *)(ents + sub.count);
	}
	if (copy_from_user(ents, uents, size)) {
		ret = -EFAULT;
		goto out;
	}
	ret = dbatch_validate(ents, sub.count);
	if (ret)
		goto out;

	/*
	 * dbatch_execute() checks the task again before the first entry:
	 * the copy may have slept while another thread changed it.
	 */
	ret = dbatch_execute(ents, start, sub.count, sub.flags, iov,
			     &out.completed);

	/*
	 * A restart code makes the kernel run this ioctl again on the same
	 * struct (or return EINTR for an interrupted entry): record where
	 * to go on from.
	 */
	out.flags = sub.flags & ~DBATCH_SUBMIT_RESUME;
	if (ret == -ERESTARTSYS || ret == -ERESTARTNOINTR ||
	    ret == -ERESTARTNOHAND)
		out.flags |= DBATCH_SUBMIT_RESUME;
	out.first_error = dbatch_first_error(ents, out.completed);
	if (copy_to_user(uents, ents, size) ||
	    copy_to_user(&usub->flags, &out, sizeof(out)))
		ret = -EFAULT;
out:
	if (ents != stack_ents)
		kvfree(ents);
	return ret;
}

static long dbatch_ioctl(struct file *file, unsigned int cmd,
			 unsigned long arg)
{
	if (cmd != DBATCH_IOC_SUBMIT)
		return -ENOTTY;
	/* Entries are x86-64 system calls: no compat or x32 callers. */
	if (in_compat_syscall())
		return -ENOTTY;
	/* Batched calls would bypass seccomp, audit, tracing: refuse. */
	if (dbatch_task_refused())
		return -EPERM;
	return dbatch_submit((struct dbatch_submit __user *)arg);
}

/* nonseekable_open(): lseek on /dev/batch fails with ESPIPE (no .llseek). */
static const struct file_operations dbatch_fops = {
	.owner		= THIS_MODULE,
	.open		= nonseekable_open,
	.unlocked_ioctl	= dbatch_ioctl,
};

static struct miscdevice dbatch_misc = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= DBATCH_DEVICE_NAME,
	.fops	= &dbatch_fops,
	/* A batch only runs calls the caller could make itself. */
	.mode	= 0666,
};

static int __init dbatch_init(void)
{
	int ret;

	BUILD_BUG_ON(sizeof(struct dbatch_entry) != 72);
	BUILD_BUG_ON(sizeof(struct dbatch_submit) != 24);

	ret = dbatch_table_init();
	if (ret)
		return ret;
	ret = misc_register(&dbatch_misc);
	if (ret)
		return ret;
	pr_info("/dev/%s ready (v%s, up to %d entries per batch)\n",
		DBATCH_DEVICE_NAME, DBATCH_VERSION, DBATCH_MAX_ENTRIES);
	return 0;
}

static void __exit dbatch_exit(void)
{
	misc_deregister(&dbatch_misc);
}

module_init(dbatch_init);
module_exit(dbatch_exit);

MODULE_DESCRIPTION("dBatch: run a batch of allow-listed system calls in one transition through /dev/batch");
MODULE_AUTHOR("The dBatch authors");
MODULE_LICENSE("GPL");
MODULE_VERSION(DBATCH_VERSION);
