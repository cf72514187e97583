/*
 * A batch that is nothing but writes to one fd (what the uring backend
 * sends as one writev without a ring round): every write gets its own
 * result, as write(2) would have given it - all of them on a regular file;
 * each its ENOSPC on /dev/full (batch_last_error names the first); a merged
 * write cut short by RLIMIT_FSIZE goes on one by one (the partial write,
 * then EFBIG); on a nearly full non-blocking pipe (never merged) the writes
 * that fit, then EAGAIN.
 */
#include <signal.h>
#include <sys/resource.h>
#include "harness.h"

static char big[1 << 16];

int main(void)
{
	int out = open("run.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	int full = open("/dev/full", O_WRONLY);
	struct dbatch_error err;
	int p[2];
	long len;
	char *got;

	must_be_preloaded();
	CHECK(out >= 0 && full >= 0);

	batch_start();
	for (int i = 0; i < 6; i++)
		write(out, "abcdefgh" + i, 2);
	CHECK(batch_flush() == 0);
	got = raw_slurp("run.txt", &len);
	CHECK(len == 12 && !memcmp(got, "abbccddeeffg", 12));

	batch_start();
	for (int i = 0; i < 6; i++)
		write(full, "x", 1);
	CHECK(batch_flush() == -1);
	CHECK(errno == ENOSPC);
	CHECK(batch_last_error(&err) == 0);
	CHECK(err.error == ENOSPC && err.index == 0 && err.failed == 6);

	/* 5 bytes allowed: 2 + 2 + 1 of the third, then EFBIG */
	{
		struct rlimit rl = { 5, 5 };
		int lim = open("limited.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644);

		signal(SIGXFSZ, SIG_IGN);
		CHECK(lim >= 0 && setrlimit(RLIMIT_FSIZE, &rl) == 0);
		batch_start();
		for (int i = 0; i < 6; i++)
			write(lim, "abcdefgh" + i, 2);
		CHECK(batch_flush() == -1);
		CHECK(errno == EFBIG);
		CHECK(batch_last_error(&err) == 0);
		CHECK(err.error == EFBIG && err.index == 3 && err.failed == 3);
		got = raw_slurp("limited.txt", &len);
		CHECK(len == 5 && !memcmp(got, "abbcc", 5));
	}

	/* 64 KiB pipe, 100 bytes free: two writes of 40 fit, the third (atomic) does not */
	CHECK(pipe(p) == 0);
	fcntl(p[1], F_SETFL, O_NONBLOCK);
	memset(big, 'z', sizeof(big));
	CHECK(write(p[1], big, sizeof(big) - 100) == (ssize_t)sizeof(big) - 100);
	batch_start();
	for (int i = 0; i < 6; i++)
		write(p[1], big, 40);
	CHECK(batch_flush() == -1);
	CHECK(errno == EAGAIN);
	CHECK(batch_last_error(&err) == 0);
	CHECK(err.error == EAGAIN && err.index == 2 && err.failed == 4);
	PASS();
}
