// SPDX-License-Identifier: MIT
/*
 * seedwrite: the seed's workload (N x write of 12 bytes) timed in the icount
 * VM, where CLOCK_MONOTONIC advances 1 ns per guest instruction, so every
 * number printed is a guest instruction count (user + kernel).
 *
 *   seedwrite [--reps R] [--sizes 1,8,60,512] [--targets devnull,tmpfs]
 *
 * For each target (/dev/null, a file on the /tmp tmpfs) and each call count:
 *   plain   a loop of write()                      (unless preloaded)
 *   writev  one writev() of that many iovecs       (unless preloaded)
 *   ioctl   one raw DBATCH_IOC_SUBMIT of that many entries, if /dev/batch opens
 *   preload batch_start(); writes; batch_flush();  when libdbatch-preload.so is
 *           preloaded (backend from $DBATCH_BACKEND); plus "passthrough", the
 *           plain loop through the interposer outside a window
 * Output, one line per measurement (the harness, @dbatch/vm's icount.ts, parses it):
 *   bench method=plain target=devnull calls=60 instructions=35670 backend=none ok=1
 * instructions is the minimum over R timed repetitions (after one warm-up),
 * minus the cost of an empty timed interval. ok=0 means a call failed or the
 * file did not get the bytes: the number is not to be trusted.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>
#include <linux/dbatch.h>
#include <dbatch.h>

#define MAX_CALLS 512

static char payload[12] = "hello world\n";
static struct iovec iov[MAX_CALLS];
static struct dbatch_entry ents[MAX_CALLS];
static unsigned int sizes[16] = { 1, 8, 60, 512 };
static unsigned int nsizes = 4;
static int reps = 5;
static long long empty_cost;

static inline long long now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

struct target {
	const char *name;
	const char *path;
	int fd;
};

/* Before each repetition: an empty file for tmpfs, so every rep does the same work. */
static void reset(struct target *t)
{
	if (strcmp(t->name, "tmpfs") == 0) {
		if (ftruncate(t->fd, 0) != 0 || lseek(t->fd, 0, SEEK_SET) != 0)
			perror("seedwrite: reset");
	}
}

/* After a repetition: did the file get every byte? (/dev/null: trust the results) */
static int check(struct target *t, unsigned int calls)
{
	struct stat st;

	if (strcmp(t->name, "tmpfs") != 0)
		return 1;
	if (fstat(t->fd, &st) != 0)
		return 0;
	return st.st_size == (off_t)calls * (off_t)sizeof(payload);
}

enum method { M_PLAIN, M_WRITEV, M_IOCTL, M_PRELOAD, M_PASSTHROUGH };
static const char *const method_names[] = { "plain", "writev", "ioctl", "preload", "passthrough" };

/* Runs one repetition; returns the timed instructions, sets *ok. */
static long long once(enum method m, struct target *t, unsigned int calls, int dev, int *ok)
{
	struct dbatch_submit s;
	long long t0, t1;
	long sum = 0;
	unsigned int i;
	int rc = 0;

	reset(t);
	for (i = 0; i < calls; i++) {
		ents[i].nr = SYS_write;
		ents[i].flags = 0;
		ents[i].install_fd = -1;
		ents[i].reserved = 0;
		ents[i].args[0] = (__u64)t->fd;
		ents[i].args[1] = (__u64)(unsigned long)payload;
		ents[i].args[2] = sizeof(payload);
		ents[i].result = 0;
	}
	memset(&s, 0, sizeof(s));
	s.entries = (__u64)(unsigned long)ents;
	s.count = calls;

	switch (m) {
	case M_PLAIN:
	case M_PASSTHROUGH:
		t0 = now();
		for (i = 0; i < calls; i++)
			sum += write(t->fd, payload, sizeof(payload));
		t1 = now();
		*ok = sum == (long)(calls * sizeof(payload));
		break;
	case M_WRITEV:
		t0 = now();
		sum = writev(t->fd, iov, (int)calls);
		t1 = now();
		*ok = sum == (long)(calls * sizeof(payload));
		break;
	case M_IOCTL:
		t0 = now();
		rc = ioctl(dev, DBATCH_IOC_SUBMIT, &s);
		t1 = now();
		*ok = rc == 0 && s.first_error == -1 && s.completed == calls;
		for (i = 0; i < calls; i++)
			if (ents[i].result != (__s64)sizeof(payload))
				*ok = 0;
		break;
	case M_PRELOAD:
	default:
		t0 = now();
		batch_start();
		for (i = 0; i < calls; i++)
			write(t->fd, payload, sizeof(payload));
		rc = batch_flush();
		t1 = now();
		*ok = rc == 0;
		break;
	}
	if (!check(t, calls))
		*ok = 0;
	return t1 - t0 - empty_cost;
}

static void measure(enum method m, struct target *t, unsigned int calls, int dev, const char *backend)
{
	long long best = -1, v;
	int ok = 1, ok1, r;

	(void)once(m, t, calls, dev, &ok1); /* warm-up: page faults, first-use paths */
	for (r = 0; r < reps; r++) {
		v = once(m, t, calls, dev, &ok1);
		ok &= ok1;
		if (best < 0 || v < best)
			best = v;
	}
	printf("bench method=%s target=%s calls=%u instructions=%lld backend=%s ok=%d\n",
	       method_names[m], t->name, calls, best, backend, ok);
	fflush(stdout);
}

static void parse_sizes(const char *arg)
{
	char *copy = strdup(arg), *tok, *save = NULL;

	nsizes = 0;
	for (tok = strtok_r(copy, ",", &save); tok && nsizes < 16; tok = strtok_r(NULL, ",", &save)) {
		unsigned long n = strtoul(tok, NULL, 10);

		if (n < 1 || n > MAX_CALLS) {
			fprintf(stderr, "seedwrite: sizes must be 1..%d\n", MAX_CALLS);
			exit(2);
		}
		sizes[nsizes++] = (unsigned int)n;
	}
	free(copy);
}

int main(int argc, char **argv)
{
	struct target targets[] = {
		{ "devnull", "/dev/null", -1 },
		{ "tmpfs", "/tmp/seedwrite.out", -1 },
	};
	const char *want_targets = "devnull,tmpfs";
	const char *backend = getenv("DBATCH_BACKEND");
	int preloaded = dbatch_batch_start != NULL;
	long long t0, e;
	unsigned int ti, si, i;
	int dev, a, r;

	for (a = 1; a < argc; a++) {
		if (strcmp(argv[a], "--reps") == 0 && a + 1 < argc)
			reps = atoi(argv[++a]);
		else if (strcmp(argv[a], "--sizes") == 0 && a + 1 < argc)
			parse_sizes(argv[++a]);
		else if (strcmp(argv[a], "--targets") == 0 && a + 1 < argc)
			want_targets = argv[++a];
		else {
			fprintf(stderr, "usage: seedwrite [--reps R] [--sizes 1,8,60,512] [--targets devnull,tmpfs]\n");
			return 2;
		}
	}
	if (reps < 1)
		reps = 1;
	if (!preloaded)
		backend = "none";
	else if (!backend)
		backend = "auto";

	for (i = 0; i < MAX_CALLS; i++) {
		iov[i].iov_base = payload;
		iov[i].iov_len = sizeof(payload);
	}
	/* The cost of the timer itself: the smallest empty interval. */
	empty_cost = -1;
	for (r = 0; r < 20; r++) {
		t0 = now();
		e = now() - t0;
		if (empty_cost < 0 || e < empty_cost)
			empty_cost = e;
	}
	dev = preloaded ? -1 : open("/dev/batch", O_RDWR | O_CLOEXEC);
	printf("bench-info preloaded=%d backend=%s devbatch=%d timer=%lld reps=%d\n", preloaded, backend,
	       dev >= 0, empty_cost, reps);

	for (ti = 0; ti < sizeof(targets) / sizeof(targets[0]); ti++) {
		struct target *t = &targets[ti];

		if (!strstr(want_targets, t->name))
			continue;
		t->fd = open(t->path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
		if (t->fd < 0) {
			fprintf(stderr, "seedwrite: %s: %s\n", t->path, strerror(errno));
			return 1;
		}
		for (si = 0; si < nsizes; si++) {
			unsigned int n = sizes[si];

			if (preloaded) {
				measure(M_PRELOAD, t, n, dev, backend);
				measure(M_PASSTHROUGH, t, n, dev, backend);
			} else {
				measure(M_PLAIN, t, n, dev, backend);
				measure(M_WRITEV, t, n, dev, backend);
				if (dev >= 0)
					measure(M_IOCTL, t, n, dev, "kmod-raw");
			}
		}
		close(t->fd);
	}
	return 0;
}
