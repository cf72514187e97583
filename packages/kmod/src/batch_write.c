// SPDX-License-Identifier: GPL-2.0
/*
 * batch.ko: the fast path for runs of write(2) on one file.
 *
 * Consecutive write entries on the same descriptor are run as one vectored
 * write (what writev(2) does, ~10x cheaper per write than a write(2) each)
 * and the byte count is split back into each entry's result. It is only
 * taken where that is exactly equivalent to running the writes one after
 * the other with nothing in between:
 *
 *  - the file is /dev/null (its write and write_iter both accept every
 *    byte and change nothing), or a regular file without O_DIRECT, O_SYNC
 *    or O_DSYNC on a local disk or memory filesystem whose write(2) and
 *    writev(2) are the same ->write_iter (tmpfs, ramfs, ext2/3/4, xfs,
 *    btrfs) - never a pipe, socket, tty, FUSE, sysfs or procfs file, where
 *    each write is its own message;
 *  - every buffer passes access_ok() and every length is non-zero, and the
 *    run stays under DBATCH_WRITE_RUN_MAX bytes;
 *  - the position is taken and stored as ksys_write() does (f_pos_lock
 *    when the file is shared), and the task's I/O accounting counts one
 *    write system call per entry.
 *
 * A short vectored write gives the entries it covered their full length,
 * the entry it stopped in the bytes written of it, and leaves the rest to
 * the ordinary path, one call each; a vectored write that fails or writes
 * nothing has no effect and the entries run one by one. Either way each
 * entry ends with the result its own write(2) would have had.
 *
 * The only visible difference: an inotify/fanotify watcher gets one
 * IN_MODIFY for the run instead of one per write (the queue merges
 * identical consecutive events anyway).
 *
 * Copyright (C) 2026 The dBatch authors
 */
#include <linux/fcntl.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/magic.h>
#include <linux/minmax.h>
#include <linux/mutex.h>
#include <linux/nospec.h>
#include <linux/sched.h>
#include <linux/sched/xacct.h>
#include <linux/sizes.h>
#include <linux/uaccess.h>
#include <linux/uio.h>
#include <asm/unistd.h>

#include "batch.h"

/* Most bytes one coalesced write carries: bounds the time under locks. */
#define DBATCH_WRITE_RUN_MAX	SZ_1M

static bool dbatch_write_coalescable(const struct file *file)
{
	const struct inode *inode = file_inode(file);

	if (!(file->f_mode & FMODE_WRITE) || !(file->f_mode & FMODE_CAN_WRITE))
		return false;
	if (file->f_op == dbatch_null_fops)
		return true;
	if (!S_ISREG(inode->i_mode) || IS_SYNC(inode))
		return false;
	if (file->f_flags & (O_DIRECT | O_DSYNC | __O_SYNC))
		return false;
	if (file->f_op->write || !file->f_op->write_iter)
		return false;
	switch (inode->i_sb->s_magic) {
	case TMPFS_MAGIC:
	case RAMFS_MAGIC:
	case EXT4_SUPER_MAGIC:
	case XFS_SUPER_MAGIC:
	case BTRFS_SUPER_MAGIC:
		return true;
	}
	return false;
}

/*
 * The descriptor entry @idx writes to, or -1 when its arguments cannot be
 * taken as they are (a reference to an entry inside the run, or to one
 * that failed: the ordinary path reports those).
 */
static inline long dbatch_write_fd(const struct dbatch_entry *ents, u32 idx,
				   u32 run_start)
{
	const struct dbatch_entry *e = &ents[idx];
	u64 ref;
	s64 res;

	if (likely(!e->flags))
		return e->args[0] <= INT_MAX ? (long)e->args[0] : -1;
	if (e->flags & ~(DBATCH_ARG_REF(0) | DBATCH_ENTRY_STOP))
		return -1;
	if (!(e->flags & DBATCH_ARG_REF(0)))
		return e->args[0] <= INT_MAX ? (long)e->args[0] : -1;
	ref = e->args[0];
	if (ref >= run_start)
		return -1;
	res = ents[array_index_nospec(ref, (u64)run_start)].result;
	return res >= 0 && res <= INT_MAX ? (long)res : -1;
}

/**
 * dbatch_write_run() - run a run of writes on one file as one vectored write
 * @ents: the batch; entries [@idx, @count) are not run yet
 * @idx: first entry of the run, a write(2)
 * @count: number of entries in the batch
 * @iov: scratch room for @count - @idx iovecs
 * @plain_until: out: when the run cannot be coalesced or its vectored
 *	write came back short, the index up to which the caller must not
 *	try again (so a batch is never scanned more than once)
 *
 * Return: the number of entries whose result was set (each >= 0), or 0
 * when entry @idx must run on the ordinary path.
 */
u32 dbatch_write_run(struct dbatch_entry *ents, u32 idx, u32 count,
		     struct iovec *iov, u32 *plain_until)
{
	struct iov_iter iter;
	loff_t pos, *ppos;
	bool pos_locked;
	size_t total = 0;
	struct fd f;
	ssize_t ret;
	long fd;
	u32 n, i;

	fd = dbatch_write_fd(ents, idx, idx);
	if (fd < 0 || dbatch_write_fd(ents, idx + 1, idx) != fd)
		return 0;

	f = fdget(fd);
	if (!fd_file(f) || !dbatch_write_coalescable(fd_file(f)))
		goto plain;

	for (n = 0; idx + n < count; n++) {
		const struct dbatch_entry *e = &ents[idx + n];
		void __user *buf = u64_to_user_ptr(e->args[1]);
		u64 len = e->args[2];

		if (e->nr != __NR_write ||
		    (n && dbatch_write_fd(ents, idx + n, idx) != fd))
			break;
		if (!len || len > DBATCH_WRITE_RUN_MAX - total ||
		    !access_ok(buf, len))
			break;
		iov[n].iov_base = buf;
		iov[n].iov_len = len;
		total += len;
	}
	if (n < 2)
		goto plain;

	/* As fdget_pos() and ksys_write() do. */
	pos_locked = (fd_file(f)->f_mode & FMODE_ATOMIC_POS) &&
		     file_count(fd_file(f)) > 1;
	if (pos_locked)
		mutex_lock(&fd_file(f)->f_pos_lock);
	ppos = (fd_file(f)->f_mode & FMODE_STREAM) ? NULL : &fd_file(f)->f_pos;
	if (ppos) {
		pos = *ppos;
		ppos = &pos;
	}
	iov_iter_init(&iter, ITER_SOURCE, iov, n, total);
	file_start_write(fd_file(f));
	ret = vfs_iter_write(fd_file(f), &iter, ppos, 0);
	file_end_write(fd_file(f));
	if (ret >= 0 && ppos)
		fd_file(f)->f_pos = pos;
	if (pos_locked)
		mutex_unlock(&fd_file(f)->f_pos_lock);
	fdput(f);

	if (ret <= 0) {
		/* Nothing written: each entry runs (and fails) on its own. */
		*plain_until = idx + n;
		return 0;
	}

	add_wchar(current, ret);
	for (i = 0; i < n && ret > 0; i++) {
		size_t done = min_t(size_t, ret, iov[i].iov_len);

		ents[idx + i].result = done;
		ret -= done;
	}
#ifdef CONFIG_TASK_XACCT
	current->ioac.syscw += i;	/* inc_syscw() once per write */
#endif
	/* Short: the rest of the run goes one by one, as write(2) would. */
	if (i < n || ents[idx + n - 1].result != iov[n - 1].iov_len)
		*plain_until = idx + n;
	return i;

plain:
	if (fd_file(f))
		fdput(f);
	/* The same file follows for a while: do not look at it again. */
	for (n = 2; idx + n < count; n++)
		if (ents[idx + n].nr != __NR_write ||
		    dbatch_write_fd(ents, idx + n, idx) != fd)
			break;
	*plain_until = idx + n;
	return 0;
}
