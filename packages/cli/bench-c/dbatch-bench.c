// SPDX-License-Identifier: MIT
/*
 * dbatch-bench - the timed workloads of `dbatch bench`.
 *
 *   dbatch-bench WORKLOAD MODE CALLS REPS WARMUP DIR
 *
 * WORKLOAD  seed   CALLS x write(12 B) to /dev/null (the original dBatch run)
 *           tmpfs  CALLS x write(12 B) to one file in DIR (a tmpfs)
 *           files  CALLS/3 x (open, write 12 B, close) of new files in DIR
 *           unlink CALLS x unlink of files in DIR (made, untimed, before
 *                  each repetition)
 * MODE      batch  batch_start(); calls; batch_flush() is timed. Without the
 *                  preload library these are no-ops: the plain program.
 *           writev one writev() of CALLS iovecs (seed, tmpfs only): the floor
 *           record batch_start(); only the recorded calls are timed, the
 *                  flush is not: the interposer's cost per deferred call
 *
 * Prints one line per timed repetition,
 *   bench workload=W mode=M calls=N rep=R cost=C
 * with N the system calls per repetition and C the elapsed CLOCK_MONOTONIC
 * nanoseconds. Inside a qemu guest run with -icount shift=0 those are guest
 * instructions (the format of packages/vm/src/icount.ts's bench lines).
 * Exit status 0, or 1 (with a message on stderr) when a call or a flush
 * failed or the files are not what the calls should have left.
 */
#define _GNU_SOURCE
#include <dbatch.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

enum workload { W_SEED, W_TMPFS, W_FILES, W_UNLINK };
enum mode { M_BATCH, M_WRITEV, M_RECORD };

static const char payload[12] = "dbatch-bench";

static void die(const char *what)
{
	fprintf(stderr, "dbatch-bench: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void usage(void)
{
	fprintf(stderr, "usage: dbatch-bench seed|tmpfs|files|unlink "
			"batch|writev|record CALLS REPS WARMUP DIR\n");
	exit(2);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static long parse_count(const char *s, long lo)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < lo || v > 1000000)
		usage();
	return v;
}

struct bench {
	enum workload w;
	enum mode m;
	long calls;	/* system calls per repetition */
	long items;	/* files for files/unlink, writes otherwise */
	int fd;		/* seed, tmpfs */
	char **paths;	/* files, unlink */
	struct iovec *iov;
};

static void prepare(struct bench *b, const char *dir)
{
	long i;

	if (b->w == W_SEED || b->w == W_TMPFS) {
		char path[PATH_MAX];

		if (b->w == W_SEED)
			snprintf(path, sizeof(path), "/dev/null");
		else
			snprintf(path, sizeof(path), "%s/tmpfs-writes", dir);
		b->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (b->fd < 0)
			die(path);
		b->iov = calloc((size_t)b->items, sizeof(*b->iov));
		if (!b->iov)
			die("calloc");
		for (i = 0; i < b->items; i++) {
			b->iov[i].iov_base = (void *)payload;
			b->iov[i].iov_len = sizeof(payload);
		}
		return;
	}
	b->paths = calloc((size_t)b->items, sizeof(*b->paths));
	if (!b->paths)
		die("calloc");
	for (i = 0; i < b->items; i++) {
		if (asprintf(&b->paths[i], "%s/f%ld", dir, i) < 0)
			die("asprintf");
	}
}

/* Untimed work before a repetition. */
static void before_rep(struct bench *b)
{
	long i;

	if (b->w == W_TMPFS) {
		if (ftruncate(b->fd, 0) < 0 || lseek(b->fd, 0, SEEK_SET) < 0)
			die("reset tmpfs file");
	} else if (b->w == W_UNLINK) {
		for (i = 0; i < b->items; i++) {
			int fd = open(b->paths[i], O_WRONLY | O_CREAT, 0644);

			if (fd < 0 || close(fd) < 0)
				die(b->paths[i]);
		}
	}
}

/* Untimed check after a repetition: the calls really happened. */
static void after_rep(struct bench *b)
{
	struct stat st;
	long i;

	if (b->w == W_TMPFS) {
		if (fstat(b->fd, &st) < 0)
			die("fstat");
		if (st.st_size != (off_t)(b->items * (long)sizeof(payload))) {
			fprintf(stderr, "dbatch-bench: tmpfs file has %lld bytes, "
					"expected %ld\n", (long long)st.st_size,
				b->items * (long)sizeof(payload));
			exit(1);
		}
	} else if (b->w == W_FILES) {
		for (i = 0; i < b->items; i++) {
			if (stat(b->paths[i], &st) < 0)
				die(b->paths[i]);
			if (st.st_size != (off_t)sizeof(payload)) {
				fprintf(stderr, "dbatch-bench: %s has %lld "
						"bytes\n", b->paths[i],
					(long long)st.st_size);
				exit(1);
			}
		}
	} else if (b->w == W_UNLINK) {
		for (i = 0; i < b->items; i++) {
			if (access(b->paths[i], F_OK) == 0) {
				fprintf(stderr, "dbatch-bench: %s still "
						"exists\n", b->paths[i]);
				exit(1);
			}
		}
	}
}

static void do_calls(struct bench *b)
{
	long i;
	int fd;

	switch (b->w) {
	case W_SEED:
	case W_TMPFS:
		for (i = 0; i < b->items; i++)
			write(b->fd, payload, sizeof(payload));
		break;
	case W_FILES:
		for (i = 0; i < b->items; i++) {
			fd = open(b->paths[i], O_WRONLY | O_CREAT | O_TRUNC,
				  0644);
			write(fd, payload, sizeof(payload));
			close(fd);
		}
		break;
	case W_UNLINK:
		for (i = 0; i < b->items; i++)
			unlink(b->paths[i]);
		break;
	}
}

static void do_writev(struct bench *b)
{
	long done = 0;

	while (done < b->items) {
		long n = b->items - done;

		if (n > IOV_MAX)
			n = IOV_MAX;
		if (writev(b->fd, b->iov + done, (int)n) !=
		    (ssize_t)(n * (long)sizeof(payload)))
			die("writev");
		done += n;
	}
}

static void flush_or_die(void)
{
	if (batch_flush() < 0)
		die("batch_flush");
}

/* One repetition; returns the timed nanoseconds. */
static uint64_t run_rep(struct bench *b)
{
	uint64_t t0, t1;

	before_rep(b);
	switch (b->m) {
	case M_BATCH:
		t0 = now_ns();
		batch_start();
		do_calls(b);
		if (batch_flush() < 0) {
			t1 = now_ns();
			die("batch_flush");
		}
		t1 = now_ns();
		break;
	case M_WRITEV:
		t0 = now_ns();
		do_writev(b);
		t1 = now_ns();
		break;
	case M_RECORD:
	default:
		batch_start();
		t0 = now_ns();
		do_calls(b);
		t1 = now_ns();
		flush_or_die();
		break;
	}
	after_rep(b);
	return t1 - t0;
}

int main(int argc, char **argv)
{
	struct bench b = { .fd = -1 };
	long reps, warmup, r;
	uint64_t *ns;

	if (argc != 7)
		usage();
	if (!strcmp(argv[1], "seed"))
		b.w = W_SEED;
	else if (!strcmp(argv[1], "tmpfs"))
		b.w = W_TMPFS;
	else if (!strcmp(argv[1], "files"))
		b.w = W_FILES;
	else if (!strcmp(argv[1], "unlink"))
		b.w = W_UNLINK;
	else
		usage();
	if (!strcmp(argv[2], "batch"))
		b.m = M_BATCH;
	else if (!strcmp(argv[2], "writev"))
		b.m = M_WRITEV;
	else if (!strcmp(argv[2], "record"))
		b.m = M_RECORD;
	else
		usage();
	if (b.m == M_WRITEV && b.w != W_SEED && b.w != W_TMPFS)
		usage();
	b.calls = parse_count(argv[3], 1);
	reps = parse_count(argv[4], 1);
	warmup = parse_count(argv[5], 0);
	if (b.w == W_FILES) {
		b.items = b.calls / 3 > 0 ? b.calls / 3 : 1;
		b.calls = b.items * 3;
	} else {
		b.items = b.calls;
	}

	prepare(&b, argv[6]);
	ns = calloc((size_t)reps, sizeof(*ns));
	if (!ns)
		die("calloc");
	for (r = 0; r < warmup; r++)
		run_rep(&b);
	for (r = 0; r < reps; r++)
		ns[r] = run_rep(&b);

	for (r = 0; r < reps; r++)
		printf("bench workload=%s mode=%s calls=%ld rep=%ld cost=%llu\n",
		       argv[1], argv[2], b.calls, r + 1,
		       (unsigned long long)ns[r]);
	return fflush(stdout) == 0 ? 0 : 1;
}
