/*
 * What the uring backend learnt of an fd (one fstat) holds until that
 * number means another file: an open or close of another number, fopen or
 * fclose, pipe, costs no fstat at the next flush; a file written once (a
 * lone write, nothing to merge) is not asked about at all; a number closed and
 * reopened inside one batch is learnt again, in that batch and at the next
 * (a FIFO there gets its writes one by one, each of at most PIPE_BUF bytes
 * all or nothing).
 */
#include <sys/stat.h>
#include "harness.h"

static unsigned long long entries(void)
{
	struct dbatch_stats st;

	CHECK(batch_stats(&st) == 0);
	return st.kernel_entries;
}

/* eight writes to @fd in one window: the kernel entries the flush made */
static unsigned long long eight_writes(int fd)
{
	unsigned long long before = entries();

	batch_start();
	for (int i = 0; i < 8; i++)
		CHECK(write(fd, "12345678", 8) == 8);
	CHECK(batch_flush() == 0);
	return entries() - before;
}

int main(void)
{
	static char fill[65536 - 4000], rec[1500], sink[65536];
	struct dbatch_stats st;
	int pfd[2];

	must_be_preloaded();
	CHECK(batch_stats(&st) == 0);
	int uring = !strcmp(st.backend, "uring");
	int null = open("/dev/null", O_WRONLY);
	CHECK(null >= 0);
	eight_writes(null);			/* learnt here (an fstat) */
	unsigned long long one = eight_writes(null);

	if (uring)
		CHECK(one == 1);		/* one writev, nothing asked */
	int other = open("other.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	CHECK(other >= 0 && close(other) == 0);
	CHECK(eight_writes(null) == one);	/* another number changed: no fstat */
	FILE *f = fopen("other.txt", "r");
	CHECK(f && fclose(f) == 0);
	CHECK(eight_writes(null) == one);
	CHECK(pipe(pfd) == 0 && close(pfd[0]) == 0 && close(pfd[1]) == 0);
	CHECK(eight_writes(null) == one);

	/* a file written once and closed is never asked about (no fstat) */
	for (int round = 0; round < 3; round++) {
		int fresh = open("fresh.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644);
		unsigned long long before = entries();

		CHECK(fresh >= 0);
		batch_start();
		for (int i = 0; i < 8; i++)
			CHECK(write(null, "12345678", 8) == 8);
		CHECK(write(fresh, "x", 1) == 1);
		CHECK(batch_flush() == 0);
		if (uring)
			CHECK(entries() - before == 2);	/* the writev, the write */
		CHECK(close(fresh) == 0);
	}

	/*
	 * In one batch: writes to a regular file (enough to merge, so the ring
	 * path learns its kind), its close, a FIFO opened at its number. The
	 * next batch's records to the FIFO must not be merged: with 4000 bytes
	 * free, two of 1500 fit and the third fails whole (EAGAIN); one
	 * writev of all four would write 4000 and tear the third.
	 */
	int fd = open("regular.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	CHECK(fd >= 0 && mkfifo("fifo", 0644) == 0);
	batch_start();
	for (int i = 0; i < 4; i++)
		CHECK(write(fd, "ab", 2) == 2);
	CHECK(close(fd) == 0);
	int fifo = open("fifo", O_RDWR | O_NONBLOCK);
	CHECK(fifo == fd);			/* the same number, another file */
	CHECK(batch_flush() == 0);
	memset(fill, 'f', sizeof(fill));
	memset(rec, 'r', sizeof(rec));
	CHECK(write(fifo, fill, sizeof(fill)) == (ssize_t)sizeof(fill));
	batch_start();
	for (int i = 0; i < 4; i++)
		CHECK(write(fifo, rec, sizeof(rec)) == (ssize_t)sizeof(rec));
	batch_flush();				/* the last two: EAGAIN, as plain */
	CHECK(syscall(SYS_read, fifo, sink, sizeof(sink)) == (long)(sizeof(fill) + 2 * sizeof(rec)));

	/*
	 * Inside one batch: what the flush learnt of a number before the batch
	 * closes it (/dev/null: may go to the ring) must not hold for the FIFO
	 * an open of the batch puts there, whether the open reserved the
	 * number or runs with the batch (batch_open_unseen()). A pwrite to a
	 * FIFO fails with ESPIPE as a syscall; in the ring the offset would be
	 * ignored and the byte written.
	 */
	for (int unseen = 0; unseen < 2; unseen++) {
		int keeper = open("fifo", O_RDWR | O_NONBLOCK);
		int dev = open("/dev/null", O_WRONLY);

		CHECK(keeper >= 0 && dev >= 0);
		batch_start();
		for (int i = 0; i < 4; i++)
			CHECK(write(dev, "ab", 2) == 2);
		CHECK(close(dev) == 0);
		int again = unseen ? batch_open_unseen(open("fifo", O_RDWR | O_NONBLOCK))
				   : open("fifo", O_RDWR | O_NONBLOCK);
		CHECK(pwrite(again, "x", 1, 0) == 1);
		CHECK(close(again) == 0);
		errno = 0;
		CHECK(batch_flush() == -1 && errno == ESPIPE);
		CHECK(syscall(SYS_read, keeper, sink, sizeof(sink)) == -1 && errno == EAGAIN);
		CHECK(close(keeper) == 0);
	}
	PASS();
}
