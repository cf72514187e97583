/* Dependents of a failed deferred open are cancelled (ECANCELED). */
#include "harness.h"

int main(void)
{
	struct dbatch_error err;
	long len;

	must_be_preloaded();
	CHECK(batch_start() == 0);
	CHECK(write(1, "", 0) == 0);	/* pending: the opens below are deferred */
	int fd = open("missing/dir/file.txt", O_WRONLY);	/* will fail: ENOENT */
	CHECK(fd >= 0);					/* optimistic placeholder */
	CHECK(write(fd, "never\n", 6) == 6);
	CHECK(write(fd, "never\n", 6) == 6);
	CHECK(close(fd) == 0);
	CHECK(write(1, "", 0) == 0);			/* unrelated: runs */
	int fd2 = open("missing/other.txt", O_RDONLY);	/* fails too, never closed */
	CHECK(fd2 == fd);		/* the number the close freed, as plain */
	char buf[4];
	CHECK(read(fd2, buf, sizeof(buf)) == sizeof(buf));
	int ok = open("ok.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	CHECK(write(ok, "fine\n", 5) == 5);
	CHECK(close(ok) == 0);
	errno = 0;
	CHECK(batch_flush() == -1);
	CHECK(errno == EBADF);	/* the last failure: read of the -1 fd2 stood for */
	CHECK(batch_last_error(&err) == 0);
	CHECK(err.error == ENOENT && err.index == 1);	/* after the write */
	CHECK(!strcmp(err.call, "open") && err.nr == 2);
	CHECK(err.failed == 6 && err.cancelled == 4);	/* 2 opens + 4 dependents */
	CHECK(!raw_fd_valid(fd2));			/* like the -1 it stood for */
	CHECK(!strcmp(raw_slurp("ok.txt", &len), "fine\n"));
	/* the next window starts clean */
	batch_start();
	CHECK(write(1, "", 0) == 0);
	CHECK(batch_flush() == 0);
	CHECK(batch_last_error(&err) == 0 && err.error == 0 && err.index == -1);
	PASS();
}
