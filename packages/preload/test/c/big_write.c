/* A 64 MiB write is not copied: the batch is flushed, then it runs directly. */
#include "harness.h"

int main(void)
{
	size_t big = 64u << 20;
	char *p = malloc(big);
	struct stat st;
	char head[4];

	must_be_preloaded();
	CHECK(p);
	memset(p, 'B', big);
	int fd = open("big.bin", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	CHECK(fd >= 0);
	long rec = stat_recorded();
	batch_start();
	CHECK(write(fd, "AAA", 3) == 3);
	CHECK(write(fd, p, big) == (ssize_t)big);	/* real result */
	CHECK(write(fd, "CCC", 3) == 3);
	CHECK(stat_recorded() - rec == 2);		/* the big one ran directly */
	CHECK(batch_flush() == 0);
	CHECK(stat(big ? "big.bin" : "", &st) == 0);
	CHECK((size_t)st.st_size == big + 6);
	int r = open("big.bin", O_RDONLY);
	CHECK(raw_pread(r, head, 4, 0) == 4 && !memcmp(head, "AAAB", 4));
	CHECK(raw_pread(r, head, 4, (off_t)big + 2) == 4 && !memcmp(head, "BCCC", 4));
	close(r);
	close(fd);
	free(p);
	PASS();
}
