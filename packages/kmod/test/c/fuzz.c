// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz: random batches against /dev/batch, meant to run as an unprivileged
 * user in the VM:   fuzz [batches] [seed]
 *
 * Random numbers (catalogue, denied, random), random flags (sometimes
 * invalid), references (sometimes forward or out of range), install fds,
 * and arguments drawn from small integers, scratch fds, valid buffers and
 * paths inside a scratch directory, and garbage pointers (NULL, unmapped,
 * read-only, kernel addresses, random). Output buffers that are valid get
 * lengths that fit, so the fuzzer does not corrupt itself; everything else
 * is up to the kernel. A 200 Hz timer interrupts any blocking entry.
 *
 * Every batch's answer is checked against the UAPI's rules (completed,
 * first_error, -ECANCELED tail, -ENOSYS for numbers outside the catalogue,
 * -EINVAL for references that do not point backwards, no ERESTART* code).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <stddef.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <linux/dbatch_catalogue.h>
#include "dbt.h"

#define OUT_FD	250
#define DEV_FD	251
#define MAXN	256

static uint64_t rng;
/*
 * The valid buffer, between two inaccessible guard regions: a reference can
 * turn a length into any earlier result, and such a read must fault at the
 * guard instead of overwriting the fuzzer.
 */
static char *buf;
#define BUFSZ 65536
/* inside buf: reads into it with any fitting length cannot hit the fuzzer */
#define iovs ((struct iovec *)(buf + 61440))
static char *unmapped, *readonly;
static char scratch[128];
static const char *const paths[] = {
	"f0", "f1", "f2", "d0", "d0/f", "d0/d", "nope/x", "", ".", "d1", "f0/x",
};
#define NR(x) x,
static const unsigned int allowed[] = { DBATCH_ALLOWED_NRS(NR) };
static const unsigned int denied[] = { 59, 322, 56, 435, 57, 58, 60, 231, 15, 16, 317, 157, 101, 62, 9, 11, 10 };
static unsigned long long stats_batches, stats_entries, stats_einval, stats_efault, stats_ok, stats_neg;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static uint64_t pick(uint64_t n)
{
	return n ? rnd() % n : 0;
}

static int is_allowed(unsigned int nr)
{
	unsigned int i;

	for (i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++)
		if (allowed[i] == nr)
			return 1;
	return 0;
}

static uint64_t rand_ptr(void)
{
	switch (pick(12)) {
	case 0: return 0;
	case 1: return (uint64_t)unmapped + pick(4096);
	case 2: return (uint64_t)readonly + pick(4096);
	case 3: return 0xffffffff81000000ULL + pick(1 << 20);
	case 4: return 0xffff888000000000ULL + pick(1 << 30);
	case 5: return rnd();
	case 6: return 0x1000 + pick(0x10000);
	case 7: return (uint64_t)iovs;
	default: return (uint64_t)(buf + pick(60000));
	}
}

static uint64_t rand_arg(int kind)
{
	switch (kind) {
	case DBATCH_ARGK_FD:
		return pick(10) ? pick(24) : (pick(2) ? (uint64_t)-1 - pick(3) : rnd());
	case DBATCH_ARGK_PATH:
		return pick(8) ? (uint64_t)paths[pick(sizeof(paths) / sizeof(paths[0]))] : rand_ptr();
	case DBATCH_ARGK_INBUF:
	case DBATCH_ARGK_OUTBUF:
	case DBATCH_ARGK_SOCKADDR:
	case DBATCH_ARGK_IOV:
		return pick(4) ? (uint64_t)(buf + pick(60000)) : rand_ptr();
	case DBATCH_ARGK_LEN:
	case DBATCH_ARGK_SOCKLEN:
	case DBATCH_ARGK_IOVCNT:
		return pick(8) ? pick(4097) : rnd();
	case DBATCH_ARGK_OFFSET:
		return pick(4) ? pick(1 << 16) : rnd();
	default:
		return pick(3) ? pick(1 << 12) : rnd();
	}
}

struct kinds { unsigned int nr; int k[6]; };
#define KIND(name, nr, nargs, res, defer, darg, k0, a0, k1, a1, k2, a2, k3, a3, k4, a4, k5, a5) \
	{ nr, { k0, k1, k2, k3, k4, k5 } },
static const struct kinds kinds[] = { DBATCH_CATALOGUE(KIND) };

static void fill(struct dbatch_entry *e, unsigned int idx)
{
	unsigned int r = pick(100), i;
	const struct kinds *k = NULL;

	memset(e, 0, sizeof(*e));
	e->install_fd = -1;
	if (r < 75) {
		k = &kinds[pick(sizeof(kinds) / sizeof(kinds[0]))];
		e->nr = k->nr;
	} else if (r < 85) {
		e->nr = denied[pick(sizeof(denied) / sizeof(denied[0]))];
	} else if (r < 95) {
		e->nr = pick(600);
	} else {
		e->nr = (unsigned int)rnd();
	}
	for (i = 0; i < 6; i++)
		e->args[i] = rand_arg(k ? k->k[i] : (int)pick(15));
	/* a valid output buffer gets a length that fits in it */
	if (k && (k->k[1] == DBATCH_ARGK_OUTBUF || k->k[1] == DBATCH_ARGK_INBUF) &&
	    e->args[1] >= (uint64_t)buf && e->args[1] < (uint64_t)buf + BUFSZ &&
	    e->args[2] > 4096)
		e->args[2] = pick(4097);
	if (!pick(3)) {
		unsigned int a = pick(6);

		e->flags |= DBATCH_ARG_REF(a);
		e->args[a] = pick(8) ? (idx ? pick(idx) : 0) : (pick(2) ? idx + pick(4) : rnd());
	}
	if (k && (k->nr == 2 || k->nr == 257 || k->nr == 85) && pick(2)) {
		e->flags |= DBATCH_ENTRY_INSTALL_FD;
		e->install_fd = pick(10) ? (int)pick(24) : (int)rnd();
	}
	if (!pick(10))
		e->flags |= DBATCH_ENTRY_STOP;
	if (!pick(200))
		e->flags |= 1u << (10 + pick(22));
	if (!pick(300))
		e->reserved = (uint32_t)rnd();
}

static void rm_tree(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char p[512];

	if (!d)
		return;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, de->d_name);
		if (unlink(p) && errno == EISDIR)
			rm_tree(p), rmdir(p);
		else if (errno == EPERM || errno == EISDIR)
			rm_tree(p), rmdir(p);
	}
	closedir(d);
}

/* Fresh fds 0..~12 and a fresh scratch directory. */
static void reset(void)
{
	int fd, sv[2];

	for (fd = 0; fd < 200; fd++)
		if (fd != OUT_FD && fd != DEV_FD)
			close(fd);
	rm_tree(scratch);
	chdir(scratch);
	open("/dev/null", O_RDWR);		/* 0 */
	open("/dev/null", O_RDWR);		/* 1 */
	open("/dev/null", O_RDWR);		/* 2 */
	open("f0", O_RDWR | O_CREAT, 0600);	/* 3 */
	open("f1", O_RDWR | O_CREAT | O_APPEND, 0600);
	open("/dev/zero", O_RDONLY);
	mkdir("d0", 0700);
	open("d0", O_RDONLY | O_DIRECTORY);
	socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv);
	socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0, sv);
	open("/dev/null", O_WRONLY);
}

static void on_timer(int sig)
{
	(void)sig;
}

static int dev_fd(void)
{
	int fd = open("/dev/batch", O_RDWR);

	if (fd < 0)
		return -1;
	dup2(fd, DEV_FD);
	close(fd);
	return DEV_FD;
}

#define REPORT(...) dprintf(OUT_FD, __VA_ARGS__)

int main(int argc, char **argv)
{
	unsigned long batches = argc > 1 ? strtoul(argv[1], NULL, 0) : 100000;
	static struct dbatch_entry e[MAXN], copy[MAXN];
	struct sigaction sa;
	struct itimerval it;
	unsigned long b;
	long violations = 0;
	unsigned int i;

	rng = argc > 2 ? strtoull(argv[2], NULL, 0) : 0x9e3779b97f4a7c15ULL;
	dup2(1, OUT_FD);
	if (dev_fd() < 0) {
		REPORT("fuzz: cannot open /dev/batch: %s\n", strerror(errno));
		return 2;
	}
	snprintf(scratch, sizeof(scratch), "/tmp/fuzz-%d", getpid());
	mkdir(scratch, 0700);
	buf = mmap(NULL, 3 * BUFSZ, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED)
		return 2;
	buf += BUFSZ;
	mprotect(buf, BUFSZ, PROT_READ | PROT_WRITE);
	unmapped = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	munmap(unmapped, 4096);
	readonly = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	for (i = 0; i < 8; i++) {
		iovs[i].iov_base = buf + 4096 * i;
		iovs[i].iov_len = pick(4096);
	}
	signal(SIGPIPE, SIG_IGN);
	signal(SIGXFSZ, SIG_IGN);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_timer;
	sigaction(SIGALRM, &sa, NULL);
	memset(&it, 0, sizeof(it));
	it.it_interval.tv_usec = 5000;
	it.it_value.tv_usec = 5000;
	setitimer(ITIMER_REAL, &it, NULL);
	reset();

	for (b = 0; b < batches; b++) {
		unsigned int n = pick(20) ? 1 + pick(16) : 1 + pick(MAXN);
		struct dbatch_submit s;
		uint64_t where = (uint64_t)e;
		int r, bad = 0;

		if (b % 64 == 63)
			reset();
		if (fcntl(DEV_FD, F_GETFD) < 0 || ioctl(DEV_FD, 0, 0) != -1 || errno != ENOTTY)
			dev_fd();	/* a batch closed or replaced it */
		for (i = 0; i < n; i++)
			fill(&e[i], i);
		memcpy(copy, e, n * sizeof(e[0]));
		if (!pick(500))
			where = rand_ptr();
		if (!pick(1000))
			n = pick(2) ? 0 : DBATCH_MAX_ENTRIES + 1 + pick(100);
		memset(&s, 0, sizeof(s));
		s.entries = where;
		s.count = n;
		s.flags = pick(50) ? 0 : (uint32_t)pick(4);
		r = ioctl(DEV_FD, DBATCH_IOC_SUBMIT, &s);
		r = r < 0 ? -errno : 0;
		stats_batches++;
		if (r == -EINVAL) {
			stats_einval++;
			continue;
		}
		if (r == -EFAULT) {
			stats_efault++;
			continue;
		}
		if (r != 0 && r != -ENOTTY && r != -EBADF) {
			REPORT("fuzz: batch %lu: ioctl %d\n", b, r);
			violations++;
			continue;
		}
		if (r)
			continue;	/* our /dev/batch fd was replaced mid-way: reopened next time */
		if (where != (uint64_t)e)
			continue;	/* a random pointer that happened to be readable */
		stats_ok++;
		stats_entries += s.completed;
		if (s.completed > n)
			bad = 1;
		for (i = 0; i < n && !bad; i++) {
			long long res = e[i].result;

			if (res <= -512 && res >= -516)
				bad = 2;
			if (i >= s.completed && res != -ECANCELED)
				bad = 3;
			if (i < s.completed && !is_allowed(copy[i].nr) && res != -ENOSYS) {
				bad = 4;
				REPORT("fuzz: entry %u nr %u flags %x result %lld\n", i, copy[i].nr, copy[i].flags, res);
			}
			if (i < s.completed && is_allowed(copy[i].nr) && (copy[i].flags & DBATCH_ARG_REF_MASK)) {
				unsigned int a;

				for (a = 0; a < 6; a++)
					if ((copy[i].flags & DBATCH_ARG_REF(a)) && copy[i].args[a] >= i)
						break;
				if (a < 6 && res != -EINVAL) {
					bad = 5;
					REPORT("fuzz: entry %u nr %u flags %x arg%u=%llu result %lld\n", i, copy[i].nr, copy[i].flags, a, (unsigned long long)copy[i].args[a], res);
				}
			}
			if (res < 0 && i < s.completed)
				stats_neg++;
			if (memcmp(&e[i], &copy[i], offsetof(struct dbatch_entry, result)))
				bad = 6;	/* only results change */
		}
		if (!bad && s.first_error >= 0 &&
		    ((unsigned int)s.first_error >= s.completed || e[s.first_error].result >= 0))
			bad = 7;
		for (i = 0; !bad && s.first_error >= 0 && i < (unsigned int)s.first_error; i++)
			if (e[i].result < 0)
				bad = 8;
		if (bad) {
			violations++;
			if (violations < 10)
				REPORT("fuzz: batch %lu (n=%u): rule %d broken\n", b, n, bad);
		}
	}
	memset(&it, 0, sizeof(it));
	setitimer(ITIMER_REAL, &it, NULL);
	rm_tree(scratch);
	chdir("/");
	rmdir(scratch);
	REPORT("fuzz: uid %d, %llu batches (%llu ran, %llu EINVAL, %llu EFAULT), %llu entries run, %llu failed entries, %ld violations\n",
	       getuid(), stats_batches, stats_ok, stats_einval, stats_efault, stats_entries, stats_neg, violations);
	REPORT("RESULT fuzz %s\n", violations ? "FAIL" : "PASS");
	return violations ? 1 : 0;
}
