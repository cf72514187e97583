/*
 * Path ops and fsync in one batch, mixed with calls that stay in the ring
 * (writes to /dev/null): under uring they run as syscalls between rounds
 * ("path-op" split, c-unit.test.ts checks the stats line); the results,
 * the placeholder install and ECANCELED must be the same as emulate's.
 */
#include "harness.h"

int main(void)
{
	struct dbatch_error err;
	struct stat st;
	long len;
	char buf[16];
	int null = open("/dev/null", O_WRONLY);

	must_be_preloaded();
	CHECK(null >= 0);
	CHECK(batch_start() == 0);
	CHECK(mkdir("d", 0755) == 0);
	CHECK(write(null, "a", 1) == 1);
	int fd = open("d/a.txt", O_RDWR | O_CREAT | O_TRUNC, 0644);
	CHECK(fd >= 0);
	CHECK(write(fd, "alpha\n", 6) == 6);
	CHECK(fsync(fd) == 0);			/* ARG_REF to the open */
	CHECK(fdatasync(fd) == 0);
	CHECK(write(null, "b", 1) == 1);
	CHECK(rename("d/a.txt", "d/b.txt") == 0);
	CHECK(write(null, "c", 1) == 1);
	int bad = open("missing/x.txt", O_WRONLY);	/* fails: ENOENT */
	CHECK(bad >= 0);
	CHECK(fsync(bad) == 0);				/* cancelled */
	CHECK(mkdir("gone", 0755) == 0);
	CHECK(rmdir("gone") == 0);
	int t = creat("t.txt", 0600);
	CHECK(t >= 0);
	CHECK(close(t) == 0);
	CHECK(unlinkat(AT_FDCWD, "t.txt", 0) == 0);
	CHECK(mkdirat(AT_FDCWD, "e", 0700) == 0);
	CHECK(renameat(AT_FDCWD, "e", AT_FDCWD, "f") == 0);
	CHECK(unlink("never-there") == 0);		/* fails: ENOENT */
	CHECK(write(null, "d", 1) == 1);		/* last: ring after a split */
	CHECK(write(null, "e", 1) == 1);
	errno = 0;
	CHECK(batch_flush() == -1);
	CHECK(errno == ENOENT);
	CHECK(batch_last_error(&err) == 0);
	CHECK(err.index == 9 && !strcmp(err.call, "open"));
	CHECK(err.failed == 3 && err.cancelled == 1);	/* 2 ENOENTs + the fsync */
	CHECK(!raw_fd_valid(bad));
	/* the open's fd sits at its placeholder, still open, at offset 6 */
	CHECK(raw_fd_valid(fd));
	CHECK(raw_pread(fd, buf, sizeof(buf), 0) == 6 && !memcmp(buf, "alpha\n", 6));
	CHECK(syscall(SYS_lseek, fd, 0, SEEK_CUR) == 6);
	CHECK(!strcmp(raw_slurp("d/b.txt", &len), "alpha\n"));
	CHECK(stat("d/a.txt", &st) < 0 && errno == ENOENT);
	CHECK(stat("gone", &st) < 0 && stat("t.txt", &st) < 0 && stat("e", &st) < 0);
	CHECK(stat("f", &st) == 0 && S_ISDIR(st.st_mode));
	CHECK(close(fd) == 0 && close(null) == 0);
	PASS();
}
