/* A deferred write to a bad fd: batch_flush reports EBADF, the program goes on. */
#include "harness.h"

int main(void)
{
	struct dbatch_error err;
	long len;
	int fd = open("after.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644);

	must_be_preloaded();
	CHECK(fd >= 0);
	batch_start();
	CHECK(write(fd, "1", 1) == 1);
	CHECK(write(987, "lost", 4) == 4);		/* optimistic */
	CHECK(write(fd, "2", 1) == 1);			/* still runs */
	errno = 0;
	CHECK(batch_flush() == -1 && errno == EBADF);
	CHECK(batch_last_error(&err) == 0);
	CHECK(err.error == EBADF && err.index == 1 && !strcmp(err.call, "write"));
	CHECK(err.failed == 1 && err.cancelled == 0);
	CHECK(!strcmp(raw_slurp("after.txt", &len), "12"));
	/* and goes on batching */
	batch_start();
	CHECK(write(fd, "3", 1) == 1);
	CHECK(batch_flush() == 0);
	CHECK(!strcmp(raw_slurp("after.txt", &len), "123"));
	PASS();
}
