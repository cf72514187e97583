// SPDX-License-Identifier: GPL-2.0
/*
 * kbench: guest instructions of the seed workload (N x write of 12 bytes)
 * and of the probes that show where a batched call's instructions go.
 * Run in the icount VM (-icount shift=0): 1 ns of guest clock is one guest
 * instruction, user + kernel, so every number printed is an exact count.
 *
 *   kbench [--reps R] [--preload]
 *
 * Without --preload, for N in 1, 8, 60, 512:
 *   target=null|tmpfs   method=plain (write loop), writev (one call),
 *                       ioctl (one raw DBATCH_IOC_SUBMIT, entries built once),
 *                       ioctl-split (the same writes alternating between two
 *                       fds on the target, so no run is coalesced)
 *   target=badfd        write to a closed fd (EBADF): plain and ioctl
 *   target=lseek        lseek(/dev/null, 0, SEEK_CUR), a trivial allowed call
 *   target=enosys       getppid: plain; ioctl (not allowed: -ENOSYS), the cost
 *                       of the batch loop alone
 *   target=none         ioctl with a bad command (ENOTTY) and with count 0
 * With --preload (under LD_PRELOAD, backend from $DBATCH_BACKEND):
 *   target=null|tmpfs   method=preload: batch_start(); N writes; batch_flush();
 * Lines: bench method=M target=T calls=N instructions=I backend=B ok=1
 * I is the minimum over R repetitions after a warm-up, minus an empty
 * timed interval. ok=0: a call failed; do not trust that number.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>
#include <linux/dbatch.h>
#include <dbatch.h>

#define MAXN 512

static const unsigned int sizes[] = { 1, 8, 60, 512 };
static char payload[12] = "hello world\n";
static struct dbatch_entry ents[MAXN];
static struct iovec iov[MAXN];
static long long empty;
static int reps = 5;
static int dev = -1;
static const char *backend = "none";

static inline long long now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

enum kind { K_WRITE, K_LSEEK, K_GETPPID };

struct target {
	const char *name;
	int fd, fd2;
	enum kind kind;
	int tmpfs;
};

static void reset(struct target *t)
{
	if (t->tmpfs) {
		ftruncate(t->fd, 0);
		lseek(t->fd, 0, SEEK_SET);
	}
}

static void fill(struct target *t, unsigned int n, int split)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		memset(&ents[i], 0, sizeof(ents[i]));
		ents[i].install_fd = -1;
		switch (t->kind) {
		case K_WRITE:
			ents[i].nr = SYS_write;
			ents[i].args[0] = split && (i & 1) ? t->fd2 : t->fd;
			ents[i].args[1] = (unsigned long)payload;
			ents[i].args[2] = sizeof(payload);
			break;
		case K_LSEEK:
			ents[i].nr = SYS_lseek;
			ents[i].args[0] = t->fd;
			ents[i].args[2] = SEEK_CUR;
			break;
		case K_GETPPID:
			ents[i].nr = SYS_getppid;
			break;
		}
		iov[i].iov_base = payload;
		iov[i].iov_len = sizeof(payload);
	}
}

static long expect(struct target *t)
{
	if (t->kind == K_GETPPID)
		return -ENOSYS;
	if (t->kind == K_LSEEK)
		return 0;
	return t->fd >= 0 && t->fd < 900 ? (long)sizeof(payload) : -EBADF;
}

static void emit(const char *method, struct target *t, unsigned int n, long long best, int ok)
{
	printf("bench method=%s target=%s calls=%u instructions=%lld backend=%s ok=%d\n",
	       method, t->name, n, best, backend, ok);
	fflush(stdout);
}

static long direct(struct target *t)
{
	switch (t->kind) {
	case K_WRITE:
		return write(t->fd, payload, sizeof(payload));
	case K_LSEEK:
		return lseek(t->fd, 0, SEEK_CUR);
	default:
		return syscall(SYS_getppid);
	}
}

static void run(const char *method, struct target *t, unsigned int n)
{
	long long best = -1;
	int r, ok = 1;
	unsigned int i;

	for (r = 0; r <= reps; r++) {
		struct dbatch_submit s = { .entries = (unsigned long)ents, .count = n };
		long long t0, dt;
		long sum = 0;

		reset(t);
		fill(t, n, !strcmp(method, "ioctl-split"));
		if (!strcmp(method, "plain")) {
			t0 = now();
			for (i = 0; i < n; i++)
				sum += direct(t);
			dt = now() - t0;
			if (t->kind == K_WRITE && sum != (long)n * expect(t) && expect(t) > 0)
				ok = 0;
		} else if (!strcmp(method, "writev")) {
			t0 = now();
			sum = writev(t->fd, iov, n);
			dt = now() - t0;
			ok &= sum == (long)(n * sizeof(payload));
		} else if (!strcmp(method, "preload")) {
			t0 = now();
			batch_start();
			for (i = 0; i < n; i++)
				write(t->fd, payload, sizeof(payload));
			sum = batch_flush();
			dt = now() - t0;
			ok &= sum == 0;
		} else {
			t0 = now();
			sum = ioctl(dev, DBATCH_IOC_SUBMIT, &s);
			dt = now() - t0;
			ok &= sum == 0 && s.completed == n;
			for (i = 0; i < n; i++)
				ok &= ents[i].result == expect(t);
		}
		dt -= empty;
		if (r > 0 && (best < 0 || dt < best))
			best = dt;
	}
	emit(method, t, n, best, ok);
}

static void fixed_probes(void)
{
	struct target none = { .name = "none" };
	long long best = -1, t0, dt;
	int r;

	for (r = 0; r <= reps; r++) {
		t0 = now();
		ioctl(dev, 0, 0);
		dt = now() - t0 - empty;
		if (r > 0 && (best < 0 || dt < best))
			best = dt;
	}
	emit("ioctl-enotty", &none, 0, best, 1);
	best = -1;
	for (r = 0; r <= reps; r++) {
		struct dbatch_submit s = { .entries = (unsigned long)ents, .count = 0 };

		t0 = now();
		ioctl(dev, DBATCH_IOC_SUBMIT, &s);
		dt = now() - t0 - empty;
		if (r > 0 && (best < 0 || dt < best))
			best = dt;
	}
	emit("ioctl-count0", &none, 0, best, 1);
}

int main(int argc, char **argv)
{
	struct target null = { "null", open("/dev/null", O_WRONLY), open("/dev/null", O_WRONLY), K_WRITE, 0 };
	struct target tmpfs = { "tmpfs", open("/tmp/kbench.out", O_WRONLY | O_CREAT | O_TRUNC, 0644),
				open("/tmp/kbench2.out", O_WRONLY | O_CREAT | O_TRUNC, 0644), K_WRITE, 1 };
	struct target badfd = { "badfd", 950, 951, K_WRITE, 0 };
	struct target lseekt = { "lseek", null.fd, null.fd, K_LSEEK, 0 };
	struct target enosys = { "enosys", -1, -1, K_GETPPID, 0 };
	int preload = 0, i, r;
	unsigned int si;
	long long t0;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--reps") && i + 1 < argc)
			reps = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--preload"))
			preload = 1;
	}
	if (preload && getenv("DBATCH_BACKEND"))
		backend = getenv("DBATCH_BACKEND");
	for (r = 0; r < 3; r++) {
		long long best = -1;

		t0 = now();
		__asm__ volatile("" ::: "memory");
		best = now() - t0;
		if (empty == 0 || best < empty)
			empty = best;
	}
	dev = open("/dev/batch", O_RDWR | O_CLOEXEC);
	if (!preload && dev >= 0)
		fixed_probes();
	for (si = 0; si < sizeof(sizes) / sizeof(sizes[0]); si++) {
		unsigned int n = sizes[si];

		if (preload) {
			run("preload", &null, n);
			run("preload", &tmpfs, n);
			continue;
		}
		run("plain", &null, n);
		run("writev", &null, n);
		run("plain", &tmpfs, n);
		run("writev", &tmpfs, n);
		run("plain", &badfd, n);
		run("plain", &lseekt, n);
		run("plain", &enosys, n);
		if (dev < 0)
			continue;
		run("ioctl", &null, n);
		run("ioctl-split", &null, n);
		run("ioctl", &tmpfs, n);
		run("ioctl-split", &tmpfs, n);
		run("ioctl", &badfd, n);
		run("ioctl", &lseekt, n);
		run("ioctl", &enosys, n);
	}
	return 0;
}
