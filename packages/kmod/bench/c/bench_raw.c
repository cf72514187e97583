// SPDX-License-Identifier: GPL-2.0
/*
 * bench_raw: guest instructions per call, measured in the icount VM
 * (-icount shift=0: 1 ns of guest clock == 1 guest instruction).
 *
 *   bench_raw <target> <reps>     target: null | tmpfs | badfd | getppid
 *
 * Prints one line per method and batch size:
 *   ROW <target> <method> <batch> <instructions per batch>
 * method: plain (a loop of write()), ioctl (raw DBATCH_IOC_SUBMIT with the
 * entries built once), writev (one writev of <batch> iovecs).
 * The loop overhead (an empty timed loop) is subtracted.
 */
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

static const unsigned int sizes[] = { 1, 8, 60, 512 };
static char payload[12] = "hello world\n";

static long long now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int open_target(const char *t)
{
	if (!strcmp(t, "null") || !strcmp(t, "getppid"))
		return open("/dev/null", O_WRONLY);
	if (!strcmp(t, "tmpfs"))
		return open("/tmp/bench.out", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (!strcmp(t, "badfd"))
		return 1000;
	fprintf(stderr, "unknown target %s\n", t);
	exit(2);
}

int main(int argc, char **argv)
{
	const char *target = argc > 1 ? argv[1] : "null";
	int reps = argc > 2 ? atoi(argv[2]) : 20;
	int trivial = !strcmp(target, "getppid");
	int fd = open_target(target);
	int dev = open("/dev/batch", O_RDWR | O_CLOEXEC);
	static struct dbatch_entry ents[512];
	static struct iovec iov[512];
	long long t0, empty;
	unsigned int si, i;
	int r;

	if (dev < 0)
		perror("/dev/batch");
	for (i = 0; i < 512; i++) {
		memset(&ents[i], 0, sizeof(ents[i]));
		ents[i].nr = trivial ? SYS_getppid : SYS_write;
		ents[i].install_fd = -1;
		ents[i].args[0] = fd;
		ents[i].args[1] = (unsigned long)payload;
		ents[i].args[2] = sizeof(payload);
		iov[i].iov_base = payload;
		iov[i].iov_len = sizeof(payload);
	}

	/* timer + loop overhead */
	t0 = now();
	for (r = 0; r < reps; r++)
		__asm__ volatile("" ::: "memory");
	empty = now() - t0;

	if (dev >= 0) {
		t0 = now();
		for (r = 0; r < reps; r++)
			ioctl(dev, 0, 0);
		printf("ROW %s ioctl-enotty 0 %.1f\n", target, (double)(now() - t0 - empty) / reps);
		t0 = now();
		for (r = 0; r < reps; r++) {
			struct dbatch_submit s0 = { .entries = (unsigned long)ents, .count = 0 };

			ioctl(dev, DBATCH_IOC_SUBMIT, &s0);
		}
		printf("ROW %s ioctl-count0 0 %.1f\n", target, (double)(now() - t0 - empty) / reps);
		ents[0].reserved = 1;
		t0 = now();
		for (r = 0; r < reps; r++) {
			struct dbatch_submit s1 = { .entries = (unsigned long)ents, .count = 1 };

			ioctl(dev, DBATCH_IOC_SUBMIT, &s1);
		}
		printf("ROW %s ioctl-reserved 1 %.1f\n", target, (double)(now() - t0 - empty) / reps);
		ents[0].reserved = 0;
	}

	for (si = 0; si < sizeof(sizes) / sizeof(sizes[0]); si++) {
		unsigned int n = sizes[si];
		struct dbatch_submit s;
		long long t;

		/* warm up each path once */
		for (i = 0; i < n; i++)
			trivial ? syscall(SYS_getppid) : write(fd, payload, sizeof(payload));
		t0 = now();
		for (r = 0; r < reps; r++)
			for (i = 0; i < n; i++) {
				if (trivial)
					syscall(SYS_getppid);
				else
					write(fd, payload, sizeof(payload));
			}
		t = now() - t0 - empty;
		printf("ROW %s plain %u %.1f\n", target, n, (double)t / reps);

		if (dev >= 0) {
			s = (struct dbatch_submit){ .entries = (unsigned long)ents, .count = n };
			if (ioctl(dev, DBATCH_IOC_SUBMIT, &s))
				perror("ioctl");
			if (ents[0].result < 0)
				printf("# ioctl result %lld\n", (long long)ents[0].result);
			t0 = now();
			for (r = 0; r < reps; r++) {
				s = (struct dbatch_submit){ .entries = (unsigned long)ents, .count = n };
				ioctl(dev, DBATCH_IOC_SUBMIT, &s);
			}
			t = now() - t0 - empty;
			printf("ROW %s ioctl %u %.1f\n", target, n, (double)t / reps);
		}

		if (!trivial) {
			writev(fd, iov, n);
			t0 = now();
			for (r = 0; r < reps; r++)
				writev(fd, iov, n);
			t = now() - t0 - empty;
			printf("ROW %s writev %u %.1f\n", target, n, (double)t / reps);
		}
	}
	return 0;
}
