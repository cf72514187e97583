// SPDX-License-Identifier: GPL-2.0
/*
 * batch.ko: the /dev/batch misc device and its DBATCH_IOC_SUBMIT ioctl.
 *
 * One ioctl runs a whole batch of system calls: the entries array is
 * copied in once, run in order by the kernel's own system call entry
 * points (allow-listed from the dBatch catalogue), and every entry's
 * result is written back. See include/uapi/linux/dbatch.h.
 *
 * The module keeps no state between calls and none per open file: each
 * ioctl works on its own copy of the entries, on the stack for small
 * batches, in an object of its slab cache up to the preload library's batch
 * size, and in a kvmalloc() buffer above that.
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

/* Up to this size, to an object of dbatch_cache (libdbatch-preload's batch). */
#define DBATCH_CACHE_ENTRIES 256

/* Room for one batch of @n entries and as many iovecs (coalesced writes). */
#define DBATCH_BUF_SIZE(n) \
	((size_t)(n) * (sizeof(struct dbatch_entry) + sizeof(struct iovec)))

/*
 * The cache has a constructor, so init_on_alloc (on in Debian's kernels)
 * does not zero each object: every byte of it is written (copied in, or an
 * iovec built) before it is read, and only what was copied in is copied
 * out, so no earlier batch's bytes can reach user space. Zeroing 22 KB per
 * batch cost about as much as the copies themselves.
 */
static struct kmem_cache *dbatch_cache;

static void dbatch_cache_ctor(void *obj)
{
}

/* The first negative result among entries [0, @n), or -1. */
static s32 dbatch_first_error(const struct dbatch_entry *ents, u32 n)
{
	u32 i;

	for (i = 0; i < n; i++)
		if (ents[i].result < 0)
			return i;
	return -1;
}

/*
 * Write back the one field the module changes, each entry's result: 8
 * bytes an entry instead of the whole 72-byte entry (the rest is what the
 * caller wrote).
 */
static int dbatch_copy_results(struct dbatch_entry __user *uents,
			       const struct dbatch_entry *ents, u32 n)
{
	u32 i;

	if (!user_access_begin(uents, (size_t)n * sizeof(*uents)))
		return -EFAULT;
	for (i = 0; i < n; i++)
		unsafe_put_user(ents[i].result, &uents[i].result, fault);
	user_access_end();
	return 0;
fault:
	user_access_end();
	return -EFAULT;
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
		 * caller's memory cgroup (SLAB_ACCOUNT, GFP_KERNEL_ACCOUNT):
		 * a blocked batch holds it for as long as its call blocks.
		 */
		if (sub.count <= DBATCH_CACHE_ENTRIES)
			ents = kmem_cache_alloc(dbatch_cache, GFP_KERNEL);
		else
			ents = kvmalloc(DBATCH_BUF_SIZE(sub.count),
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
			     &out.completed, &out.first_error);

	/*
	 * A restart code makes the kernel run this ioctl again on the same
	 * struct (or return EINTR for an interrupted entry): record where
	 * to go on from.
	 */
	out.flags = sub.flags & ~DBATCH_SUBMIT_RESUME;
	if (ret == -ERESTARTSYS || ret == -ERESTARTNOINTR ||
	    ret == -ERESTARTNOHAND)
		out.flags |= DBATCH_SUBMIT_RESUME;
	/* an earlier pass's failures come first */
	if (start) {
		s32 before = dbatch_first_error(ents, start);

		if (before >= 0)
			out.first_error = before;
	}
	if (dbatch_copy_results(uents, ents, sub.count) ||
	    copy_to_user(&usub->flags, &out, sizeof(out)))
		ret = -EFAULT;
out:
	if (ents != stack_ents && sub.count <= DBATCH_CACHE_ENTRIES)
		kmem_cache_free(dbatch_cache, ents);
	else if (ents != stack_ents)
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
	/* The whole object is copied to and from user space (usercopy). */
	dbatch_cache = kmem_cache_create_usercopy("dbatch_batch",
						  DBATCH_BUF_SIZE(DBATCH_CACHE_ENTRIES),
						  0, SLAB_ACCOUNT, 0,
						  DBATCH_BUF_SIZE(DBATCH_CACHE_ENTRIES),
						  dbatch_cache_ctor);
	if (!dbatch_cache)
		return -ENOMEM;
	ret = misc_register(&dbatch_misc);
	if (ret) {
		kmem_cache_destroy(dbatch_cache);
		return ret;
	}
	pr_info("/dev/%s ready (v%s, up to %d entries per batch)\n",
		DBATCH_DEVICE_NAME, DBATCH_VERSION, DBATCH_MAX_ENTRIES);
	return 0;
}

static void __exit dbatch_exit(void)
{
	misc_deregister(&dbatch_misc);
	kmem_cache_destroy(dbatch_cache);
}

module_init(dbatch_init);
module_exit(dbatch_exit);

MODULE_DESCRIPTION("dBatch: run a batch of allow-listed system calls in one transition through /dev/batch");
MODULE_AUTHOR("The dBatch authors");
MODULE_LICENSE("GPL");
MODULE_VERSION(DBATCH_VERSION);
