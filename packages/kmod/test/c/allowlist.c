// SPDX-License-Identifier: GPL-2.0
/*
 * allowlist: every catalogue call run through the module gives the same
 * result, and leaves the same files, as the same call made directly.
 *
 * One scenario (successes and failures of each of the 22 allowed numbers)
 * runs twice: with direct syscall(2)s in /tmp/al-direct, then with each
 * call as a one-entry batch in /tmp/al-batch. The result vectors, the
 * bytes read and the directories' contents must be identical. (Batches
 * of many entries with references: smoke.c, refs in badinput.c.)
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include "dbt.h"

#define MAXR 128

static int dev;
static int batched;
static long results[MAXR];
static int nres;
static char rbuf[2][64];

static long call(unsigned int nr, long a0, long a1, long a2, long a3, long a4, long a5)
{
	long r;

	if (!batched) {
		r = syscall(nr, a0, a1, a2, a3, a4, a5);
		if (r < 0)
			r = -errno;
	} else {
		struct dbatch_entry e = dbt_ent(nr, a0, a1, a2, a3);
		int s;

		e.args[4] = a4;
		e.args[5] = a5;
		s = dbt_submit(dev, &e, 1, 0, NULL);
		if (s)
			printf("FAIL submit nr %u: %d\n", nr, s);
		r = e.result;
	}
	if (nres < MAXR)
		results[nres++] = r;
	return r;
}

#define C1(nr, a) call(nr, (long)(a), 0, 0, 0, 0, 0)
#define C2(nr, a, b) call(nr, (long)(a), (long)(b), 0, 0, 0, 0)
#define C3(nr, a, b, c) call(nr, (long)(a), (long)(b), (long)(c), 0, 0, 0)
#define C4(nr, a, b, c, d) call(nr, (long)(a), (long)(b), (long)(c), (long)(d), 0, 0)
#define C6(nr, a, b, c, d, e, f) call(nr, (long)(a), (long)(b), (long)(c), (long)(d), (long)(e), (long)(f))

static void scenario(void)
{
	char *buf = rbuf[batched];
	struct iovec iov[3] = { { "one ", 4 }, { "two ", 4 }, { "three\n", 6 } };
	int sv[2];
	long fd, fd2, dfd;

	memset(buf, 0, 64);
	/* open / creat / openat, and their failures */
	fd = C3(SYS_open, "f1", O_RDWR | O_CREAT | O_TRUNC, 0640);
	C3(SYS_open, "f1", O_RDWR | O_CREAT | O_EXCL, 0640);
	C3(SYS_open, "missing", O_RDONLY, 0);
	fd2 = C2(SYS_creat, "f2", 0600);
	C2(SYS_creat, "nodir/f", 0600);
	/* write / pwrite64 / writev */
	C3(SYS_write, fd, "hello, world\n", 13);
	C3(SYS_write, fd, "", 0);
	C3(SYS_write, 999, "x", 1);
	C3(SYS_write, fd, NULL, 5);
	C4(SYS_pwrite64, fd, "HELLO", 5, 0);
	C4(SYS_pwrite64, fd, "x", 1, -1);
	C3(SYS_writev, fd2, iov, 3);
	C3(SYS_writev, fd2, iov, -1);
	/* lseek / read / pread64 */
	C3(SYS_lseek, fd, 0, SEEK_CUR);
	C3(SYS_lseek, fd, 2, SEEK_SET);
	C3(SYS_lseek, fd, 0, 99);
	C3(SYS_read, fd, buf, 5);
	C3(SYS_read, fd2, buf + 8, 4);	/* write-only */
	C4(SYS_pread64, fd, buf + 16, 13, 0);
	C4(SYS_pread64, fd, buf + 32, 4, 1000);
	C3(SYS_read, fd, (void *)0x10, 4);
	/* fsync / fdatasync / ftruncate */
	C1(SYS_fsync, fd);
	C1(SYS_fdatasync, fd2);
	C1(SYS_fsync, 999);
	C2(SYS_ftruncate, fd, 7);
	C2(SYS_ftruncate, fd, -1);
	C1(SYS_close, fd);
	C1(SYS_close, fd2);
	C1(SYS_close, fd);
	/* directories: mkdir / mkdirat / rmdir; openat relative to a dirfd */
	C2(SYS_mkdir, "d1", 0750);
	C2(SYS_mkdir, "d1", 0750);
	dfd = C3(SYS_open, "d1", O_RDONLY | O_DIRECTORY, 0);
	C3(SYS_mkdirat, dfd, "sub", 0700);
	C3(SYS_mkdirat, 999, "sub", 0700);
	fd = C4(SYS_openat, dfd, "in-d1", O_WRONLY | O_CREAT, 0644);
	C4(SYS_openat, dfd, "in-d1", O_WRONLY | O_CREAT | O_EXCL, 0644);
	C3(SYS_write, fd, "inside\n", 7);
	C1(SYS_close, fd);
	C1(SYS_rmdir, "d1");
	C1(SYS_rmdir, "d1/sub");
	C2(SYS_mkdir, "d2", 0755);
	/* rename / renameat / unlink / unlinkat */
	C2(SYS_rename, "f2", "f3");
	C2(SYS_rename, "f2", "f4");
	C4(SYS_renameat, dfd, "in-d1", AT_FDCWD, "moved");
	C4(SYS_renameat, dfd, "gone", AT_FDCWD, "moved2");
	C1(SYS_unlink, "f1");
	C1(SYS_unlink, "f1");
	C1(SYS_unlink, "d2");
	C3(SYS_unlinkat, AT_FDCWD, "d2", AT_REMOVEDIR);
	C3(SYS_unlinkat, AT_FDCWD, "moved", 0);
	C3(SYS_unlinkat, AT_FDCWD, "moved", 0);
	C1(SYS_close, dfd);
	/* sendto (send is sendto with no address) / shutdown */
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	C6(SYS_sendto, sv[0], "ping", 4, 0, 0, 0);
	C6(SYS_sendto, sv[0], "ping", 4, MSG_DONTWAIT, 0, 0);
	C3(SYS_read, sv[1], buf + 40, 8);
	C2(SYS_shutdown, sv[0], SHUT_WR);
	C2(SYS_shutdown, sv[0], 42);
	C6(SYS_sendto, sv[0], "pong", 4, MSG_NOSIGNAL, 0, 0);
	C3(SYS_read, sv[1], buf + 48, 8);
	C2(SYS_shutdown, 999, SHUT_RD);
	C6(SYS_sendto, 999, "x", 1, 0, 0, 0);
	close(sv[0]);
	close(sv[1]);
}

/* "name size mode bytes" for every file under the current directory. */
static void listing(char *out, size_t len, const char *dir)
{
	struct dirent **names;
	int n, i;
	size_t used = 0;

	n = scandir(dir, &names, NULL, alphasort);
	for (i = 0; i < n; i++) {
		char path[512], data[64] = "";
		struct stat st;
		int fd;

		if (names[i]->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);
		lstat(path, &st);
		fd = open(path, O_RDONLY);
		if (fd >= 0 && S_ISREG(st.st_mode)) {
			ssize_t k = read(fd, data, sizeof(data) - 1);

			data[k > 0 ? k : 0] = 0;
		}
		if (fd >= 0)
			close(fd);
		used += snprintf(out + used, len - used, "%s %lld %o [%s]\n", path + strlen(dir),
				 (long long)st.st_size, st.st_mode & 07777, data);
		if (S_ISDIR(st.st_mode))
			listing(out + used, len - used, path), used = strlen(out);
	}
}

int main(void)
{
	static char list[2][8192];
	long direct[MAXR];
	int ndirect, i;

	dev = dbt_open_dev();
	umask(022);

	mkdir("/tmp/al-direct", 0755);
	chdir("/tmp/al-direct");
	batched = 0;
	scenario();
	ndirect = nres;
	memcpy(direct, results, sizeof(direct));

	mkdir("/tmp/al-batch", 0755);
	chdir("/tmp/al-batch");
	batched = 1;
	nres = 0;
	scenario();

	CHECK_EQ(nres, ndirect);
	for (i = 0; i < ndirect && i < nres; i++)
		CHECK(results[i] == direct[i], "call #%d: batched %ld, direct %ld", i, results[i], direct[i]);
	CHECK(!memcmp(rbuf[0], rbuf[1], 64), "bytes read differ");
	listing(list[0], sizeof(list[0]), "/tmp/al-direct");
	listing(list[1], sizeof(list[1]), "/tmp/al-batch");
	CHECK(!strcmp(list[0], list[1]), "files differ:\n%s---\n%s", list[0], list[1]);
	CHECK(nres > 60, "scenario ran %d calls", nres);
	printf("allowlist: %d calls compared; files:\n%s", nres, list[0]);
	return dbt_done("allowlist");
}
