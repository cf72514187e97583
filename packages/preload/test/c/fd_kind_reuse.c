/*
 * An fd number closed and reopened outside any window is another file to
 * the next flush: what the uring backend learnt of it (a regular file:
 * writes merged) must not be used for the FIFO now there (each write of at
 * most PIPE_BUF bytes all or nothing, never merged).
 */
#include <sys/stat.h>
#include "harness.h"

/* what open() without a mode compiles to under _FORTIFY_SOURCE */
int __open_2(const char *path, int flags);

int main(void)
{
	static char fill[65536 - 4000], rec[3000], sink[65536];
	long len;

	must_be_preloaded();
	int fd = open("regular.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	CHECK(fd >= 0);
	batch_start();
	CHECK(write(fd, "ab", 2) == 2);
	CHECK(write(fd, "cd", 2) == 2);		/* merged: fd is a regular file */
	CHECK(batch_flush() == 0);
	CHECK(!strcmp(raw_slurp("regular.txt", &len), "abcd"));
	CHECK(close(fd) == 0);			/* not in a window: run now */
	CHECK(mkfifo("fifo", 0644) == 0);
	int f = __open_2("fifo", O_RDWR | O_NONBLOCK);
	CHECK(f == fd);				/* the same number, another file */
	memset(fill, 'f', sizeof(fill));
	memset(rec, 'r', sizeof(rec));
	CHECK(write(f, fill, sizeof(fill)) == (ssize_t)sizeof(fill));	/* 4000 bytes left */
	batch_start();
	CHECK(write(f, rec, sizeof(rec)) == (ssize_t)sizeof(rec));
	CHECK(write(f, rec, sizeof(rec)) == (ssize_t)sizeof(rec));
	batch_flush();				/* the second: EAGAIN, as plain */
	CHECK(syscall(SYS_read, f, sink, sizeof(sink)) == (long)(sizeof(fill) + sizeof(rec)));
	PASS();
}
