// SPDX-License-Identifier: MIT
/*
 * dbatch-bench - every workload of `dbatch bench`, in every mode.
 *
 *   dbatch-bench WORKLOAD MODE CALLS REPS WARMUP DIR
 *
 * WORKLOAD  seed    CALLS x write(12 B) to /dev/null (the original dBatch run)
 *           tmpfs   CALLS x write(12 B) to one file in DIR (a tmpfs)
 *           files   CALLS/3 x (open, write 12 B, close) of new files in DIR
 *           unlink  CALLS x unlink of files in DIR (made, untimed, before
 *                   each repetition)
 *           alt     CALLS x write(12 B) alternating between two /dev/null
 *                   fds: nothing to merge
 *           badfd   CALLS x write to a closed fd: every call fails (EBADF)
 *           lseek   CALLS x lseek(/dev/null, 0, SEEK_CUR): a trivial call
 *           refused CALLS x getppid(), a call no backend batches: the kernel
 *                   module refuses each entry (ENOSYS), the cost of its loop
 *           example CALLS/4 x the seed README's example: open a file in
 *                   DIR, write 4 B to it, write 4 B to /dev/null (for its
 *                   stdout), close it
 *           logrotate CALLS/5 x open a log in DIR, write a line, fsync,
 *                   close, rename it over the previous one
 * MODE      batch   batch_start(); calls; batch_flush() is timed. Without the
 *                   preload library these are no-ops: the plain program.
 *           record  batch_start(); only the recorded calls are timed, the
 *                   flush is not: the interposer's cost per deferred call
 *           writev  one writev() of CALLS iovecs (seed, tmpfs): the floor
 *           ioctl   one raw DBATCH_IOC_SUBMIT to /dev/batch of CALLS entries
 *                   built before the timed part (seed, tmpfs, alt, badfd,
 *                   lseek, refused)
 *           liburing one io_uring_submit_and_wait() of CALLS write SQEs made
 *                   in the timed part (seed, tmpfs, alt, badfd)
 *
 * Prints one line per timed repetition,
 *   bench workload=W mode=M calls=N rep=R cost=C
 * then, after a few more untimed repetitions with the kernel counting this
 * process's system calls (the raw_syscalls:sys_enter tracepoint through
 * perf_event_open, around the part that is timed), one line
 *   entries workload=W mode=M calls=N reps=K total=T
 * or, where the kernel cannot count them or DBATCH_BENCH_NO_COUNT=REASON
 * says not to, `... unsupported=REASON`, followed under the preload library
 * by `library_entries=E library_recorded=R`: its own count over those
 * repetitions (see print_entries). Counting
 * runs apart from the timing: a tracepoint on every system call would slow
 * the plain program more than the batched one.
 * with N the system calls per repetition and C the elapsed CLOCK_MONOTONIC
 * nanoseconds. Inside a qemu guest run with -icount shift=0 those are guest
 * instructions. The one parser of these lines is @dbatch/vm's
 * parseBenchLines. Exit status 0; 1 (with a message on stderr) when a call
 * or a flush failed where it should not have, or its result or the files
 * are not what the calls should have left; 2 for bad arguments.
 */
#define _GNU_SOURCE
#include <dbatch.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <liburing.h>
#include <linux/dbatch.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/perf_event.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

enum workload {
	W_SEED, W_TMPFS, W_FILES, W_UNLINK, W_ALT, W_BADFD, W_LSEEK, W_REFUSED, W_EXAMPLE,
	W_LOGROTATE,
};
enum mode { M_BATCH, M_RECORD, M_WRITEV, M_IOCTL, M_LIBURING };

static const char *const workload_names[] = {
	"seed", "tmpfs", "files", "unlink", "alt", "badfd", "lseek", "refused", "example",
	"logrotate",
};
static const char *const mode_names[] = {
	"batch", "record", "writev", "ioctl", "liburing",
};

/* Which modes each workload has (bit per mode). */
#define ALL_BATCH ((1u << M_BATCH) | (1u << M_RECORD))
static const unsigned int workload_modes[] = {
	[W_SEED] = ALL_BATCH | 1u << M_WRITEV | 1u << M_IOCTL | 1u << M_LIBURING,
	[W_TMPFS] = ALL_BATCH | 1u << M_WRITEV | 1u << M_IOCTL | 1u << M_LIBURING,
	[W_FILES] = ALL_BATCH,
	[W_UNLINK] = ALL_BATCH,
	[W_ALT] = ALL_BATCH | 1u << M_IOCTL | 1u << M_LIBURING,
	[W_BADFD] = ALL_BATCH | 1u << M_IOCTL | 1u << M_LIBURING,
	[W_LSEEK] = ALL_BATCH | 1u << M_IOCTL,
	[W_REFUSED] = ALL_BATCH | 1u << M_IOCTL,
	[W_EXAMPLE] = ALL_BATCH,
	[W_LOGROTATE] = ALL_BATCH,
};

/* A closed fd number: high enough that nothing here opens it. */
#define BAD_FD 1000

static const char payload[12] = "dbatch-bench";

static void die(const char *what)
{
	fprintf(stderr, "dbatch-bench: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void wrong(const char *what, long got, long want)
{
	fprintf(stderr, "dbatch-bench: %s: got %ld, expected %ld\n", what, got, want);
	exit(1);
}

static void usage(void)
{
	fprintf(stderr, "usage: dbatch-bench "
			"seed|tmpfs|files|unlink|alt|badfd|lseek|refused|example|logrotate "
			"batch|record|writev|ioctl|liburing CALLS REPS WARMUP DIR\n");
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

static int lookup(const char *name, const char *const *names, int n)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(name, names[i]))
			return i;
	usage();
	return -1;
}

struct bench {
	enum workload w;
	enum mode m;
	long calls;	/* system calls per repetition */
	long items;	/* files for files/unlink, calls otherwise */
	int fd, fd2;	/* the write/lseek targets */
	char **paths;	/* files, unlink, example, logrotate */
	char *log;	/* logrotate: the name each log is renamed to */
	struct iovec *iov;
	struct dbatch_entry *ents;
	int dev;	/* /dev/batch, ioctl mode */
	struct io_uring ring;
};

/* The fd call i writes to (alt: every other call to the second fd). */
static int write_fd(const struct bench *b, long i)
{
	return b->w == W_ALT && (i & 1) ? b->fd2 : b->fd;
}

/* What each call of the workload returns when it works as it should. */
static long expected_result(const struct bench *b)
{
	switch (b->w) {
	case W_BADFD:
		return -EBADF;
	case W_LSEEK:
		return 0;
	case W_REFUSED:
		return -ENOSYS;	/* the module's answer; plain getppid is not checked */
	default:
		return (long)sizeof(payload);
	}
}

static void open_targets(struct bench *b, const char *dir)
{
	char path[PATH_MAX];

	b->fd = b->fd2 = -1;
	switch (b->w) {
	case W_SEED:
	case W_ALT:
	case W_LSEEK:
	case W_EXAMPLE:
		b->fd = open("/dev/null", O_WRONLY);
		b->fd2 = open("/dev/null", O_WRONLY);
		if (b->fd < 0 || b->fd2 < 0)
			die("/dev/null");
		break;
	case W_TMPFS:
		snprintf(path, sizeof(path), "%s/tmpfs-writes", dir);
		b->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (b->fd < 0)
			die(path);
		break;
	case W_BADFD:
		b->fd = BAD_FD;
		break;
	default:
		break;
	}
}

static void prepare(struct bench *b, const char *dir)
{
	long i;

	open_targets(b, dir);
	if (b->w == W_FILES || b->w == W_UNLINK || b->w == W_EXAMPLE || b->w == W_LOGROTATE) {
		b->paths = calloc((size_t)b->items, sizeof(*b->paths));
		if (!b->paths)
			die("calloc");
		for (i = 0; i < b->items; i++)
			if (asprintf(&b->paths[i], "%s/f%ld", dir, i) < 0)
				die("asprintf");
		if (b->w == W_LOGROTATE && asprintf(&b->log, "%s/current.log", dir) < 0)
			die("asprintf");
	}
	b->iov = calloc((size_t)b->items, sizeof(*b->iov));
	b->ents = calloc((size_t)b->items, sizeof(*b->ents));
	if (!b->iov || !b->ents)
		die("calloc");
	for (i = 0; i < b->items; i++) {
		b->iov[i].iov_base = (void *)payload;
		b->iov[i].iov_len = sizeof(payload);
	}
	if (b->m == M_IOCTL) {
		b->dev = open("/dev/batch", O_RDWR | O_CLOEXEC);
		if (b->dev < 0)
			die("/dev/batch");
	}
	if (b->m == M_LIBURING) {
		unsigned int depth = b->items < 4096 ? (unsigned int)b->items : 4096;
		int r = io_uring_queue_init(depth, &b->ring, 0);

		if (r < 0) {
			errno = -r;
			die("io_uring_queue_init");
		}
	}
}

/* The raw entries of one repetition (ioctl mode), untimed. */
static void fill_entries(struct bench *b)
{
	for (long i = 0; i < b->items; i++) {
		struct dbatch_entry *e = &b->ents[i];

		memset(e, 0, sizeof(*e));
		e->install_fd = -1;
		switch (b->w) {
		case W_LSEEK:
			e->nr = SYS_lseek;
			e->args[0] = (unsigned long)b->fd;
			e->args[2] = SEEK_CUR;
			break;
		case W_REFUSED:
			e->nr = SYS_getppid;
			break;
		default:
			e->nr = SYS_write;
			e->args[0] = (unsigned long)write_fd(b, i);
			e->args[1] = (unsigned long)payload;
			e->args[2] = sizeof(payload);
			break;
		}
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
	if (b->m == M_IOCTL)
		fill_entries(b);
}

/* Untimed check after a repetition: the calls really happened. */
static void after_rep(struct bench *b)
{
	struct stat st;
	long i;

	if (b->w == W_TMPFS) {
		if (fstat(b->fd, &st) < 0)
			die("fstat");
		if (st.st_size != (off_t)(b->items * (long)sizeof(payload)))
			wrong("tmpfs file size", (long)st.st_size,
			      b->items * (long)sizeof(payload));
	} else if (b->w == W_FILES || b->w == W_EXAMPLE) {
		for (i = 0; i < b->items; i++) {
			if (stat(b->paths[i], &st) < 0)
				die(b->paths[i]);
			long want = b->w == W_EXAMPLE ? 4 : (long)sizeof(payload);

			if (st.st_size != (off_t)want)
				wrong(b->paths[i], (long)st.st_size, want);
		}
	} else if (b->w == W_LOGROTATE) {
		if (stat(b->log, &st) < 0)
			die(b->log);
		if (st.st_size != (off_t)sizeof(payload))
			wrong(b->log, (long)st.st_size, sizeof(payload));
		for (i = 0; i < b->items; i++) {
			if (access(b->paths[i], F_OK) == 0) {
				fprintf(stderr, "dbatch-bench: %s was not renamed\n", b->paths[i]);
				exit(1);
			}
		}
	} else if (b->w == W_UNLINK) {
		for (i = 0; i < b->items; i++) {
			if (access(b->paths[i], F_OK) == 0) {
				fprintf(stderr, "dbatch-bench: %s still exists\n", b->paths[i]);
				exit(1);
			}
		}
	}
}

/*
 * The calls of one repetition, written as dbatch-transform writes them: an
 * open whose number only the calls after it read is batch_open_unseen()
 * (a no-op without the preload library).
 */
static void do_calls(struct bench *b)
{
	long i;
	int fd;

	switch (b->w) {
	case W_SEED:
	case W_TMPFS:
	case W_BADFD:
		for (i = 0; i < b->items; i++)
			write(b->fd, payload, sizeof(payload));
		break;
	case W_ALT:
		for (i = 0; i < b->items; i++)
			write(write_fd(b, i), payload, sizeof(payload));
		break;
	case W_FILES:
		for (i = 0; i < b->items; i++) {
			fd = batch_open_unseen(open(b->paths[i], O_WRONLY | O_CREAT | O_TRUNC, 0644));
			write(fd, payload, sizeof(payload));
			close(fd);
		}
		break;
	case W_UNLINK:
		for (i = 0; i < b->items; i++)
			unlink(b->paths[i]);
		break;
	case W_LSEEK:
		for (i = 0; i < b->items; i++)
			lseek(b->fd, 0, SEEK_CUR);
		break;
	case W_REFUSED:
		for (i = 0; i < b->items; i++)
			syscall(SYS_getppid);
		break;
	case W_EXAMPLE:
		for (i = 0; i < b->items; i++) {
			fd = batch_open_unseen(open(b->paths[i], O_CREAT | O_WRONLY | O_TRUNC, 0664));
			write(fd, "hihi", 4);
			write(b->fd, "hihi", 4);
			close(fd);
		}
		break;
	case W_LOGROTATE:
		for (i = 0; i < b->items; i++) {
			fd = batch_open_unseen(open(b->paths[i], O_CREAT | O_WRONLY | O_TRUNC, 0644));
			write(fd, payload, sizeof(payload));
			fsync(fd);
			close(fd);
			rename(b->paths[i], b->log);
		}
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
		if (writev(b->fd, b->iov + done, (int)n) != (ssize_t)(n * (long)sizeof(payload)))
			die("writev");
		done += n;
	}
}

static void check_ioctl(struct bench *b, int r, const struct dbatch_submit *s)
{
	if (r < 0)
		die("DBATCH_IOC_SUBMIT");
	if ((long)s->completed != b->items)
		wrong("entries completed", (long)s->completed, b->items);
	for (long i = 0; i < b->items; i++)
		if (b->ents[i].result != expected_result(b))
			wrong("entry result", (long)b->ents[i].result, expected_result(b));
}

/* Every completion of one liburing repetition, checked. */
static void reap_liburing(struct bench *b, long n)
{
	struct io_uring_cqe *cqe;

	for (long i = 0; i < n; i++) {
		int r = io_uring_wait_cqe(&b->ring, &cqe);

		if (r < 0) {
			errno = -r;
			die("io_uring_wait_cqe");
		}
		if (cqe->res != expected_result(b))
			wrong("io_uring completion", cqe->res, expected_result(b));
		io_uring_cqe_seen(&b->ring, cqe);
	}
}

/* One ring's worth of write SQEs, submitted with one io_uring_enter. */
static void do_liburing(struct bench *b)
{
	long done = 0;
	unsigned int depth = b->items < 4096 ? (unsigned int)b->items : 4096;

	while (done < b->items) {
		long n = b->items - done;

		if (n > depth)
			n = depth;
		for (long i = 0; i < n; i++) {
			struct io_uring_sqe *sqe = io_uring_get_sqe(&b->ring);

			io_uring_prep_write(sqe, write_fd(b, done + i), payload, sizeof(payload),
					    (__u64)-1);
		}
		if (io_uring_submit_and_wait(&b->ring, (unsigned int)n) < 0)
			die("io_uring_submit_and_wait");
		reap_liburing(b, n);
		done += n;
	}
}

/* batch_flush() failing is expected where every call fails (badfd). */
static void flush_checked(struct bench *b)
{
	if (batch_flush() < 0 && b->w != W_BADFD)
		die("batch_flush");
}

/*
 * Counting kernel entries: a perf counter on raw_syscalls:sys_enter for this
 * process, enabled just before the timed part and disabled just after it.
 * The disabling ioctl is itself counted (it enters while the counter runs):
 * entries_calibration measures that with nothing in between.
 */
static int entries_fd = -1;

/*
 * The counter's ioctl, as a bare system call: through libc it would reach
 * the preload library's ioctl(), which flushes a pending batch first (the
 * record mode's batch would run inside the counted part).
 */
static void counter_ioctl(unsigned long request)
{
	long r;

	__asm__ volatile("syscall"
			 : "=a"(r)
			 : "0"((long)SYS_ioctl), "D"((long)entries_fd), "S"(request), "d"(0L)
			 : "rcx", "r11", "memory");
	(void)r;
}

static const char *entries_open(void)
{
	static const char *const id_files[] = {
		"/sys/kernel/tracing/events/raw_syscalls/sys_enter/id",
		"/sys/kernel/debug/tracing/events/raw_syscalls/sys_enter/id",
	};
	struct perf_event_attr attr;
	long long id = -1;

	for (unsigned int i = 0; i < sizeof(id_files) / sizeof(id_files[0]) && id < 0; i++) {
		FILE *f = fopen(id_files[i], "r");

		if (!f)
			continue;
		if (fscanf(f, "%lld", &id) != 1)
			id = -1;
		fclose(f);
	}
	if (id < 0)
		return "no-tracefs";
	memset(&attr, 0, sizeof(attr));
	attr.type = PERF_TYPE_TRACEPOINT;
	attr.size = sizeof(attr);
	attr.config = (unsigned long long)id;
	attr.disabled = 1;
	attr.inherit = 1;
	entries_fd = (int)syscall(SYS_perf_event_open, &attr, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
	if (entries_fd < 0)
		return errno == EACCES || errno == EPERM ? "not-permitted" : "perf_event_open-failed";
	return NULL;
}

static uint64_t timed_start(void)
{
	if (entries_fd >= 0)
		counter_ioctl(PERF_EVENT_IOC_ENABLE);
	return now_ns();
}

static uint64_t timed_stop(void)
{
	uint64_t t = now_ns();

	if (entries_fd >= 0)
		counter_ioctl(PERF_EVENT_IOC_DISABLE);
	return t;
}

static unsigned long long entries_read(void)
{
	unsigned long long v = 0;

	if (read(entries_fd, &v, sizeof(v)) != (ssize_t)sizeof(v))
		die("read perf counter");
	return v;
}

/* One repetition; returns the timed nanoseconds. */
static uint64_t run_rep(struct bench *b)
{
	struct dbatch_submit s;
	uint64_t t0, t1;
	int r;

	before_rep(b);
	switch (b->m) {
	case M_BATCH:
		t0 = timed_start();
		batch_start();
		do_calls(b);
		flush_checked(b);
		t1 = timed_stop();
		break;
	case M_RECORD:
		batch_start();
		t0 = timed_start();
		do_calls(b);
		t1 = timed_stop();
		flush_checked(b);
		break;
	case M_WRITEV:
		t0 = timed_start();
		do_writev(b);
		t1 = timed_stop();
		break;
	case M_IOCTL:
		memset(&s, 0, sizeof(s));
		s.entries = (unsigned long)b->ents;
		s.count = (unsigned int)b->items;
		t0 = timed_start();
		r = ioctl(b->dev, DBATCH_IOC_SUBMIT, &s);
		t1 = timed_stop();
		check_ioctl(b, r, &s);
		break;
	case M_LIBURING:
	default:
		t0 = timed_start();
		do_liburing(b);
		t1 = timed_stop();
		break;
	}
	after_rep(b);
	return t1 - t0;
}

/* The kernel entries of @count more repetitions, counted (see entries_open). */
static void print_entries(struct bench *b, const char *w, const char *m, long count)
{
	const char *why = getenv("DBATCH_BENCH_NO_COUNT");
	unsigned long long total, calibration;

	if (!why || !*why)
		why = entries_open();

	printf("entries workload=%s mode=%s calls=%ld reps=%ld", w, m, b->calls, count);
	if (why) {
		struct dbatch_stats s0, s1;

		printf(" unsupported=%s", why);
		/*
		 * With the preload library, its own count over these repetitions
		 * (the calls it ran or sent, the calls it recorded): what it did
		 * not record went to the kernel as itself.
		 */
		if (batch_stats(&s0) == 0) {
			for (long r = 0; r < count; r++)
				run_rep(b);
			batch_stats(&s1);
			printf(" library_entries=%llu library_recorded=%llu",
			       s1.kernel_entries - s0.kernel_entries, s1.recorded - s0.recorded);
		}
		printf("\n");
		return;
	}
	timed_start();
	timed_stop();
	calibration = entries_read();
	counter_ioctl(PERF_EVENT_IOC_RESET);
	for (long r = 0; r < count; r++)
		run_rep(b);
	total = entries_read() - calibration * (unsigned long long)count;
	printf(" total=%llu\n", total);
	close(entries_fd);
	entries_fd = -1;
}

int main(int argc, char **argv)
{
	struct bench b = { .fd = -1, .fd2 = -1, .dev = -1 };
	long reps, warmup, r;
	uint64_t *ns;

	if (argc != 7)
		usage();
	b.w = (enum workload)lookup(argv[1], workload_names, 10);
	b.m = (enum mode)lookup(argv[2], mode_names, 5);
	if (!(workload_modes[b.w] & (1u << b.m))) {
		fprintf(stderr, "dbatch-bench: workload %s has no mode %s\n", argv[1], argv[2]);
		exit(2);
	}
	b.calls = parse_count(argv[3], 1);
	reps = parse_count(argv[4], 1);
	warmup = parse_count(argv[5], 0);
	if (b.w == W_FILES || b.w == W_EXAMPLE || b.w == W_LOGROTATE) {
		long per = b.w == W_FILES ? 3 : b.w == W_EXAMPLE ? 4 : 5;

		b.items = b.calls / per > 0 ? b.calls / per : 1;
		b.calls = b.items * per;
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
		printf("bench workload=%s mode=%s calls=%ld rep=%ld cost=%llu\n", argv[1], argv[2],
		       b.calls, r + 1, (unsigned long long)ns[r]);
	print_entries(&b, argv[1], argv[2], reps < 5 ? reps : 5);
	return fflush(stdout) == 0 ? 0 : 1;
}
