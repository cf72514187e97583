// SPDX-License-Identifier: GPL-2.0
/*
 * badinput: everything the module must refuse, and how.
 * NULL/unmapped/kernel entry pointers, counts, flags, reserved fields,
 * unknown and denied numbers, references that do not point backwards,
 * STOP and STOP_ON_ERROR, a read-only array, a wrong ioctl.
 */
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include "dbt.h"

static int exists(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0;
}

int main(void)
{
	int dev = dbt_open_dev();
	struct dbatch_entry e[4], big[DBATCH_MAX_ENTRIES + 1];
	struct dbatch_submit s;
	long page = sysconf(_SC_PAGESIZE);
	char *map;
	unsigned int i;
	int r;
	static const unsigned int denied[] = {
		59 /* execve */, 322 /* execveat */, 56 /* clone */, 435 /* clone3 */,
		57 /* fork */, 58 /* vfork */, 60 /* exit */, 231 /* exit_group */,
		15 /* rt_sigreturn */, 16 /* ioctl */, 317 /* seccomp */, 157 /* prctl */,
		101 /* ptrace */, 105 /* setuid */, 110 /* getppid */, 9 /* mmap */,
		62 /* kill */, 500, 511, 512, 1000, 0x40000001 /* x32 write */,
		0x7fffffff, 0xffffffff,
	};

	/* bad submit pointers */
	CHECK_EQ(ioctl(dev, DBATCH_IOC_SUBMIT, NULL) < 0 ? -errno : 0, -EFAULT);
	CHECK_EQ(ioctl(dev, DBATCH_IOC_SUBMIT, (void *)0xffffffff81000000UL) < 0 ? -errno : 0, -EFAULT);
	CHECK_EQ(ioctl(dev, 0x1234, &s) < 0 ? -errno : 0, -ENOTTY);
	CHECK_EQ(ioctl(dev, _IOWR(0xBA, 2, struct dbatch_submit), &s) < 0 ? -errno : 0, -ENOTTY);

	/* bad entries pointers */
	e[0] = dbt_ent(SYS_mkdir, (unsigned long)"/tmp/bad-never", 0755, 0, 0);
	CHECK_EQ(dbt_submit(dev, NULL, 1, 0, NULL), -EFAULT);
	CHECK_EQ(dbt_submit(dev, (void *)0xffffffff81000000UL, 1, 0, NULL), -EFAULT);
	CHECK_EQ(dbt_submit(dev, (void *)0xffff888000000000UL, 1, 0, NULL), -EFAULT);
	CHECK_EQ(dbt_submit(dev, (void *)0x10000, 1, 0, NULL), -EFAULT);
	CHECK_EQ(dbt_submit(dev, (void *)-1L, 1, 0, NULL), -EFAULT);
	/* an array running into an unmapped page: nothing runs */
	map = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	munmap(map + page, page);
	memcpy(map + page - sizeof(e[0]), &e[0], sizeof(e[0]));
	CHECK_EQ(dbt_submit(dev, (void *)(map + page - sizeof(e[0])), 2, 0, NULL), -EFAULT);
	CHECK(!exists("/tmp/bad-never"), "a refused batch ran");
	/* a read-only array: runs, but the results cannot be written back */
	memcpy(map, &e[0], sizeof(e[0]));
	((struct dbatch_entry *)map)->args[0] = (unsigned long)"/tmp/bad-ro";
	mprotect(map, page, PROT_READ);
	CHECK_EQ(dbt_submit(dev, (void *)map, 1, 0, NULL), -EFAULT);
	CHECK(exists("/tmp/bad-ro"), "read-only array: the entry ran");
	rmdir("/tmp/bad-ro");
	munmap(map, page);

	/* counts */
	CHECK_EQ(dbt_submit(dev, e, 0, 0, NULL), -EINVAL);
	memset(big, 0, sizeof(big));
	for (i = 0; i <= DBATCH_MAX_ENTRIES; i++)
		big[i] = dbt_ent(SYS_getpid, 0, 0, 0, 0);
	CHECK_EQ(dbt_submit(dev, big, DBATCH_MAX_ENTRIES + 1, 0, NULL), -EINVAL);
	CHECK_EQ(dbt_submit(dev, big, 0xffffffffu, 0, NULL), -EINVAL);
	CHECK_EQ(dbt_submit(dev, big, DBATCH_MAX_ENTRIES, 0, &s), 0);
	CHECK_EQ(s.completed, DBATCH_MAX_ENTRIES);
	CHECK_EQ(s.first_error, 0);
	CHECK_EQ(big[DBATCH_MAX_ENTRIES - 1].result, -ENOSYS);

	/* flags and reserved fields */
	e[0] = dbt_ent(SYS_mkdir, (unsigned long)"/tmp/bad-never", 0755, 0, 0);
	CHECK_EQ(dbt_submit(dev, e, 1, 2, NULL), -EINVAL);
	CHECK_EQ(dbt_submit(dev, e, 1, 0x80000000u, NULL), -EINVAL);
	e[0].reserved = 1;
	CHECK_EQ(dbt_submit(dev, e, 1, 0, NULL), -EINVAL);
	e[0].reserved = 0;
	for (i = 0; i < 32; i++) {
		if ((1u << i) & DBATCH_ENTRY_FLAGS_MASK)
			continue;
		e[0].flags = 1u << i;
		CHECK(dbt_submit(dev, e, 1, 0, NULL) == -EINVAL, "flag bit %u accepted", i);
	}
	e[0].flags = DBATCH_ENTRY_INSTALL_FD;
	e[0].install_fd = -1;
	CHECK_EQ(dbt_submit(dev, e, 1, 0, NULL), -EINVAL);
	e[0].install_fd = 5;	/* on mkdir, which returns no fd */
	CHECK_EQ(dbt_submit(dev, e, 1, 0, NULL), -EINVAL);
	/* a bad entry anywhere refuses the whole batch before anything runs */
	e[0] = dbt_ent(SYS_mkdir, (unsigned long)"/tmp/bad-never", 0755, 0, 0);
	e[1] = dbt_ent(SYS_getpid, 0, 0, 0, 0);
	e[1].flags = 1u << 20;
	CHECK_EQ(dbt_submit(dev, e, 2, 0, NULL), -EINVAL);
	CHECK(!exists("/tmp/bad-never"), "an invalid batch ran");

	/* unknown and denied numbers fail their entry only */
	for (i = 0; i < sizeof(denied) / sizeof(denied[0]); i++) {
		e[0] = dbt_ent(denied[i], 0, 0, 0, 0);
		e[1] = dbt_ent(SYS_write, open("/dev/null", O_WRONLY), (unsigned long)"x", 1, 0);
		r = dbt_submit(dev, e, 2, 0, &s);
		CHECK(r == 0 && e[0].result == -ENOSYS && e[1].result == 1 && s.first_error == 0,
		      "nr %u: r=%d result=%lld next=%lld", denied[i], r,
		      (long long)e[0].result, (long long)e[1].result);
		close(e[1].args[0]);
	}
	CHECK_EQ(getpid() > 0, 1);	/* still here: exit/fork did not run */

	/* references: only backwards */
	e[0] = dbt_ent(SYS_open, (unsigned long)"/dev/null", O_WRONLY, 0, 0);
	e[1] = dbt_ent(SYS_write, 0, (unsigned long)"abc", 3, 0);
	e[1].flags = DBATCH_ARG_REF(0);
	e[2] = dbt_ent(SYS_write, 2, (unsigned long)"abc", 3, 0);
	e[2].flags = DBATCH_ARG_REF(0);	/* itself */
	e[3] = dbt_ent(SYS_write, 3, (unsigned long)"abc", 3, 0);
	e[3].flags = DBATCH_ARG_REF(0);	/* later... itself too (index 3) */
	r = dbt_submit(dev, e, 4, 0, &s);
	CHECK_EQ(r, 0);
	CHECK(e[0].result >= 0, "open");
	CHECK_EQ(e[1].result, 3);
	CHECK_EQ(e[2].result, -EINVAL);
	CHECK_EQ(e[3].result, -EINVAL);
	close(e[0].result);
	e[0] = dbt_ent(SYS_write, 1, (unsigned long)"abc", 3, 0);
	e[0].flags = DBATCH_ARG_REF(0);	/* forward */
	e[1] = dbt_ent(SYS_getpid, 0, 0, 0, 0);
	r = dbt_submit(dev, e, 2, 0, &s);
	CHECK_EQ(e[0].result, -EINVAL);
	for (i = 0; i < 6; i++) {
		e[0] = dbt_ent(SYS_getpid, 0, 0, 0, 0);
		e[1] = dbt_ent(SYS_write, 0, 0, 0, 0);
		e[1].args[i] = (i & 1) ? 0xffffffffffffffffULL : (1ULL << 40);
		e[1].flags = DBATCH_ARG_REF(i);
		dbt_submit(dev, e, 2, 0, NULL);
		CHECK(e[1].result == -EINVAL, "out-of-range ref in arg %u: %lld", i, (long long)e[1].result);
	}
	/* a failed producer cancels its dependents, transitively */
	e[0] = dbt_ent(SYS_open, (unsigned long)"/nonexistent/x", O_RDONLY, 0, 0);
	e[1] = dbt_ent(SYS_read, 0, (unsigned long)big, 10, 0);
	e[1].flags = DBATCH_ARG_REF(0);
	e[2] = dbt_ent(SYS_close, 1, 0, 0, 0);
	e[2].flags = DBATCH_ARG_REF(0);
	e[3] = dbt_ent(SYS_getpid, 0, 0, 0, 0);
	r = dbt_submit(dev, e, 4, 0, &s);
	CHECK_EQ(r, 0);
	CHECK_EQ(e[0].result, -ENOENT);
	CHECK_EQ(e[1].result, -ECANCELED);
	CHECK_EQ(e[2].result, -ECANCELED);
	CHECK_EQ(e[3].result, -ENOSYS);
	CHECK_EQ(s.completed, 4);
	CHECK_EQ(s.first_error, 0);

	/* STOP on the failing entry; STOP on a succeeding one does nothing */
	e[0] = dbt_ent(SYS_mkdir, (unsigned long)"/tmp/bad-stop", 0755, 0, 0);
	e[0].flags = DBATCH_ENTRY_STOP;
	e[1] = dbt_ent(SYS_close, 999, 0, 0, 0);
	e[1].flags = DBATCH_ENTRY_STOP;
	e[2] = dbt_ent(SYS_mkdir, (unsigned long)"/tmp/bad-never", 0755, 0, 0);
	r = dbt_submit(dev, e, 3, 0, &s);
	CHECK_EQ(r, 0);
	CHECK_EQ(e[0].result, 0);
	CHECK_EQ(e[1].result, -EBADF);
	CHECK_EQ(e[2].result, -ECANCELED);
	CHECK_EQ(s.completed, 2);
	CHECK_EQ(s.first_error, 1);
	CHECK(!exists("/tmp/bad-never"), "ran past STOP");
	rmdir("/tmp/bad-stop");
	/* DBATCH_SUBMIT_STOP_ON_ERROR */
	e[0] = dbt_ent(SYS_close, 999, 0, 0, 0);
	e[1] = dbt_ent(SYS_mkdir, (unsigned long)"/tmp/bad-never", 0755, 0, 0);
	r = dbt_submit(dev, e, 2, DBATCH_SUBMIT_STOP_ON_ERROR, &s);
	CHECK_EQ(r, 0);
	CHECK_EQ(e[0].result, -EBADF);
	CHECK_EQ(e[1].result, -ECANCELED);
	CHECK_EQ(s.completed, 1);
	CHECK(!exists("/tmp/bad-never"), "ran past STOP_ON_ERROR");

	/* bad pointers inside arguments are the call's own EFAULT */
	e[0] = dbt_ent(SYS_write, open("/dev/null", O_WRONLY), 0xffffffff81000000UL, 16, 0);
	e[1] = dbt_ent(SYS_open, 0xffffffff81000000UL, O_RDONLY, 0, 0);
	e[2] = dbt_ent(SYS_read, open("/dev/zero", O_RDONLY), 0xffff888000000000UL, 16, 0);
	e[3] = dbt_ent(SYS_mkdir, 0, 0755, 0, 0);
	r = dbt_submit(dev, e, 4, 0, &s);
	CHECK_EQ(r, 0);
	CHECK_EQ(e[0].result, -EFAULT);
	CHECK_EQ(e[1].result, -EFAULT);
	CHECK_EQ(e[2].result, -EFAULT);
	CHECK_EQ(e[3].result, -EFAULT);
	close(e[0].args[0]);
	close(e[2].args[0]);

	/* DBATCH_ENTRY_SHORT: only with STOP, only on calls with a count */
	{
		int nul = open("/dev/null", O_WRONLY);
		int p[2];
		char buf[8];

		e[0] = dbt_ent(SYS_write, nul, (unsigned long)"x", 1, 0);
		e[0].flags = DBATCH_ENTRY_SHORT;
		CHECK_EQ(dbt_submit(dev, e, 1, 0, NULL), -EINVAL);
		e[0] = dbt_ent(SYS_fsync, nul, 0, 0, 0);
		e[0].flags = DBATCH_ENTRY_STOP | DBATCH_ENTRY_SHORT;
		CHECK_EQ(dbt_submit(dev, e, 1, 0, NULL), -EINVAL);
		CHECK_EQ(pipe(p), 0);
		/* a short read stops the batch; the write after it is cancelled */
		CHECK_EQ(write(p[1], "ab", 2), 2);
		e[0] = dbt_ent(SYS_read, p[0], (unsigned long)buf, 4, 0);
		e[0].flags = DBATCH_ENTRY_STOP | DBATCH_ENTRY_SHORT;
		e[1] = dbt_ent(SYS_write, nul, (unsigned long)"x", 1, 0);
		r = dbt_submit(dev, e, 2, 0, &s);
		CHECK(r == 0 && e[0].result == 2 && e[1].result == -ECANCELED && s.completed == 1,
		      "short read: r=%d read=%lld write=%lld completed=%u", r,
		      (long long)e[0].result, (long long)e[1].result, s.completed);
		/* a whole one does not */
		CHECK_EQ(write(p[1], "abcd", 4), 4);
		e[0] = dbt_ent(SYS_read, p[0], (unsigned long)buf, 4, 0);
		e[0].flags = DBATCH_ENTRY_STOP | DBATCH_ENTRY_SHORT;
		e[1] = dbt_ent(SYS_write, nul, (unsigned long)"x", 1, 0);
		r = dbt_submit(dev, e, 2, 0, &s);
		CHECK(r == 0 && e[0].result == 4 && e[1].result == 1,
		      "whole read: r=%d read=%lld write=%lld", r, (long long)e[0].result,
		      (long long)e[1].result);
		close(p[0]);
		close(p[1]);
		close(nul);
	}

	/* /dev/batch itself */
	CHECK_EQ(lseek(dev, 0, SEEK_SET) < 0 ? -errno : 0, -ESPIPE);
	CHECK_EQ(write(dev, "x", 1) < 0 ? -errno : 0, -EINVAL);

	return dbt_done("badinput");
}
