/*
 * An open recorded while nothing is pending runs at once, as the plain call
 * (its number and its failure are the real ones); the opens after it in
 * the batch are deferred, and one that takes over a number a close of the
 * batch freed needs no system call to know it.
 */
#include "harness.h"

int main(void)
{
	long len;

	must_be_preloaded();
	CHECK(batch_start() == 0);
	errno = 0;
	CHECK(open("missing/dir/x.txt", O_RDONLY) == -1);	/* the real failure, now */
	CHECK(errno == ENOENT);
	int fd = open("first.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	CHECK(fd >= 0);
	CHECK(raw_slurp("first.txt", &len) != NULL);		/* ran at once */
	long rec = stat_recorded();
	CHECK(write(fd, "one\n", 4) == 4);
	CHECK(close(fd) == 0);
	CHECK(stat_recorded() - rec == 2);			/* deferred */
	int again = open("second.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	CHECK(again == fd);		/* the number the close freed, as plain */
	CHECK(raw_slurp("second.txt", &len) == NULL);		/* deferred */
	CHECK(write(again, "two\n", 4) == 4);
	CHECK(close(again) == 0);
	CHECK(batch_flush() == 0);
	CHECK(!strcmp(raw_slurp("first.txt", &len), "one\n"));
	CHECK(!strcmp(raw_slurp("second.txt", &len), "two\n"));
	CHECK(!raw_fd_valid(fd));
	PASS();
}
