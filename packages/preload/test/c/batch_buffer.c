/* Recorded writes return at once, copy their buffers, and run at flush. */
#include "harness.h"

int main(void)
{
	char buf[8];
	long len;
	int fd;

	must_be_preloaded();
	fd = open("buffer.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	CHECK(fd >= 0);
	long before = stat_recorded();
	CHECK(batch_start() == 0);
	for (int i = 0; i < 10; i++) {
		memset(buf, 'a' + i, sizeof(buf));
		CHECK(write(fd, buf, 3) == 3);		/* optimistic length */
		memset(buf, '!', sizeof(buf));		/* reuse at once */
	}
	CHECK(write(fd, "\n", 1) == 1);
	CHECK(stat_recorded() - before == 11);
	char *s = raw_slurp("buffer.txt", &len);
	CHECK(s && len == 0);				/* nothing ran yet */
	CHECK(batch_flush() == 0);
	s = raw_slurp("buffer.txt", &len);
	CHECK(len == 31);
	CHECK(!strcmp(s, "aaabbbcccdddeeefffggghhhiiijjj\n"));
	/* outside a window calls run directly */
	CHECK(write(fd, "x", 1) == 1);
	s = raw_slurp("buffer.txt", &len);
	CHECK(len == 32);
	close(fd);
	PASS();
}
