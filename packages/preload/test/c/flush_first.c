/* A call that is not deferred sees everything deferred before it. */
#include <sys/mman.h>
#include "harness.h"

int main(void)
{
	struct stat st;
	long len;

	must_be_preloaded();
	batch_start();
	int fd = open("ff.txt", O_RDWR | O_CREAT | O_TRUNC, 0644);
	CHECK(write(fd, "abcdef", 6) == 6);
	long f0 = stat_flushes();
	CHECK(fstat(fd, &st) == 0);			/* flushes first */
	CHECK(stat_flushes() == f0 + 1);
	CHECK(st.st_size == 6 && S_ISREG(st.st_mode));
	CHECK(write(fd, "gh", 2) == 2);			/* window still open: recorded */
	CHECK(!strcmp(raw_slurp("ff.txt", &len), "abcdef"));
	char *m = mmap(NULL, 8, PROT_READ, MAP_SHARED, fd, 0);	/* flushes */
	CHECK(m != MAP_FAILED && !memcmp(m, "abcdefgh", 8));
	munmap(m, 8);
	CHECK(write(fd, "X", 1) == 1);
	int copy = dup(fd);				/* flushes */
	CHECK(copy >= 0 && !strcmp(raw_slurp("ff.txt", &len), "abcdefghX"));
	CHECK(lseek(fd, 0, SEEK_CUR) == 9);		/* SEEK_CUR runs directly */
	/* dup2 onto a deferred open's placeholder, then write through it */
	int g = open("gg.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	CHECK(write(g, "1", 1) == 1);
	CHECK(dup2(copy, g) == g);			/* flushes, then replaces g */
	CHECK(!strcmp(raw_slurp("gg.txt", &len), "1"));
	CHECK(write(g, "Z", 1) == 1);
	CHECK(batch_flush() == 0);
	CHECK(!strcmp(raw_slurp("ff.txt", &len), "abcdefghXZ"));
	/* stdio after a deferred write to the same fd keeps the order */
	int out = open("stdio.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	FILE *f = fdopen(dup(out), "w");
	CHECK(f);
	batch_start();
	CHECK(write(out, "first\n", 6) == 6);
	fprintf(f, "second\n");
	fflush(f);					/* flushes the batch first */
	CHECK(write(out, "third\n", 6) == 6);
	CHECK(batch_flush() == 0);
	fclose(f);
	CHECK(!strcmp(raw_slurp("stdio.txt", &len), "first\nsecond\nthird\n"));
	PASS();
}
