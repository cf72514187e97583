/*
 * Names the catalogue added to the flush-first list (libc.json): glibc's
 * remove() and ftell() make their system calls inside libc, where the
 * interposer cannot see them, so without the wrapper they would run before
 * the calls deferred ahead of them.
 */
#include "harness.h"

int main(void)
{
	long len;

	must_be_preloaded();
	/* remove() after a deferred open that creates the file: the file goes */
	batch_start();
	CHECK(write(1, "", 0) == 0);	/* pending: the open below is deferred */
	int fd = open("rm.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	long f0 = stat_flushes();
	CHECK(remove("rm.txt") == 0);			/* flushes first */
	CHECK(stat_flushes() == f0 + 1);
	CHECK(close(fd) == 0);
	CHECK(batch_flush() == 0);
	CHECK(access("rm.txt", F_OK) != 0);
	/* ftell() of a FILE whose fd had a deferred write before it */
	int out = open("tell.txt", O_RDWR | O_CREAT | O_TRUNC, 0644);
	FILE *f = fdopen(out, "r+");
	CHECK(f);
	batch_start();
	CHECK(write(out, "12345", 5) == 5);
	CHECK(ftell(f) == 5);				/* flushes, then lseek */
	CHECK(batch_flush() == 0);
	CHECK(!strcmp(raw_slurp("tell.txt", &len), "12345"));
	fclose(f);
	PASS();
}
