/* SPDX-License-Identifier: MIT */
/*
 * preload-bench.c - the seed workload: 60 x write(fd, 12 bytes) to
 * /dev/null, repeated. One method per process, timed with
 * clock_gettime(CLOCK_MONOTONIC) around each repetition of 60 writes;
 * prints one line: `<method> median_ns_per_call=<x> min_ns_per_call=<y>`.
 *
 *   preload-bench plain  REPS   plain write() loop (run without LD_PRELOAD)
 *   preload-bench batch  REPS   batch_start(); 60 writes; batch_flush()
 *                               (run under LD_PRELOAD with a backend)
 *   preload-bench record REPS   time only batch_start() + 60 recorded writes;
 *                               the flush happens outside the timed part
 *   preload-bench liburing REPS raw liburing: 60 SQEs, one submit_and_wait
 *   preload-bench plain-alt REPS / batch-alt REPS
 *                               the same 60 writes alternating between two
 *                               /dev/null fds (nothing to coalesce: shows
 *                               the cost of uring's linked SQE chain)
 *   preload-bench plain-file REPS / batch-file REPS
 *                               the 60 writes to a regular file (a temporary
 *                               file in /tmp, emptied between repetitions)
 */
#define _GNU_SOURCE
#include <dbatch.h>
#include <fcntl.h>
#include <liburing.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define CALLS 60

static const char msg[12] = "hello world\n";

static long long now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int cmp(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "plain";
	int reps = argc > 2 ? atoi(argv[2]) : 2000;
	long long *t = calloc((size_t)reps, sizeof(*t));
	int fd = open("/dev/null", O_WRONLY);
	int fd2 = open("/dev/null", O_WRONLY);
	struct io_uring ring;

	char tmpl[] = "/tmp/dbatch-bench-XXXXXX";
	int ffd = mkstemp(tmpl);

	if (ffd >= 0)
		unlink(tmpl);
	if (!t || fd < 0 || fd2 < 0 || ffd < 0 || reps <= 0)
		return 2;
	if (!strcmp(mode, "liburing") && io_uring_queue_init(64, &ring, 0) < 0)
		return 3;
	for (int r = -reps / 10; r < reps; r++) {	/* first 10% warm up */
		long long t0, t1;

		if (!strncmp(mode, "plain-file", 10) || !strncmp(mode, "batch-file", 10)) {
			ftruncate(ffd, 0);
			lseek(ffd, 0, SEEK_SET);
		}
		t0 = now();

		if (!strcmp(mode, "plain")) {
			for (int i = 0; i < CALLS; i++)
				write(fd, msg, sizeof(msg));
			t1 = now();
		} else if (!strcmp(mode, "batch")) {
			batch_start();
			for (int i = 0; i < CALLS; i++)
				write(fd, msg, sizeof(msg));
			batch_flush();
			t1 = now();
		} else if (!strcmp(mode, "plain-alt")) {
			for (int i = 0; i < CALLS; i++)
				write(i & 1 ? fd2 : fd, msg, sizeof(msg));
			t1 = now();
		} else if (!strcmp(mode, "batch-alt")) {
			batch_start();
			for (int i = 0; i < CALLS; i++)
				write(i & 1 ? fd2 : fd, msg, sizeof(msg));
			batch_flush();
			t1 = now();
		} else if (!strcmp(mode, "plain-file")) {
			for (int i = 0; i < CALLS; i++)
				write(ffd, msg, sizeof(msg));
			t1 = now();
		} else if (!strcmp(mode, "batch-file")) {
			batch_start();
			for (int i = 0; i < CALLS; i++)
				write(ffd, msg, sizeof(msg));
			batch_flush();
			t1 = now();
		} else if (!strcmp(mode, "record")) {
			batch_start();
			for (int i = 0; i < CALLS; i++)
				write(fd, msg, sizeof(msg));
			t1 = now();
			batch_flush();
		} else if (!strcmp(mode, "liburing")) {
			struct io_uring_cqe *cqe;

			for (int i = 0; i < CALLS; i++) {
				struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);

				io_uring_prep_write(sqe, fd, msg, sizeof(msg), 0);
			}
			io_uring_submit_and_wait(&ring, CALLS);
			for (int i = 0; i < CALLS; i++) {
				io_uring_wait_cqe(&ring, &cqe);
				io_uring_cqe_seen(&ring, cqe);
			}
			t1 = now();
		} else {
			fprintf(stderr, "preload-bench: unknown mode %s\n", mode);
			return 2;
		}
		if (r >= 0)
			t[r] = t1 - t0;
	}
	qsort(t, (size_t)reps, sizeof(*t), cmp);
	printf("%s median_ns_per_call=%.1f min_ns_per_call=%.1f\n", mode,
	       (double)t[reps / 2] / CALLS, (double)t[0] / CALLS);
	return 0;
}
