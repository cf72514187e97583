// SPDX-License-Identifier: GPL-2.0
/*
 * restart: a batch behaves like its calls made one by one when signals and
 * task work arrive.
 *  - a blocked write survives SIGSTOP/SIGCONT and returns what write(2)
 *    returns (not EINTR);
 *  - a handler without SA_RESTART: the blocked entry fails with EINTR
 *    (ioctl -1/EINTR, completed names it, DBATCH_SUBMIT_RESUME set), and
 *    the batch goes on from the next entry when resubmitted;
 *  - a handler with SA_RESTART: the blocked entry is restarted and
 *    completes, and later blocking entries still block and complete;
 *  - SIGXFSZ (RLIMIT_FSIZE) kills the task before the next entry runs;
 *  - closing a pipe's read end, then writing to it in the same batch:
 *    EPIPE, as with two system calls (the final fput is task work);
 *  - DBATCH_SUBMIT_RESUME with an index out of range: EINVAL.
 */
#include <pthread.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include "dbt.h"

static volatile int handled;

static void on_signal(int sig)
{
	(void)sig;
	handled++;
}

static void handle(int sig, int flags)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sa.sa_flags = flags;
	sigaction(sig, &sa, NULL);
}

/* A pipe whose buffer is full: the next blocking write blocks. */
static void full_pipe(int p[2])
{
	char chunk[4096];
	int fl;

	memset(chunk, 'f', sizeof(chunk));
	if (pipe(p))
		exit(2);
	fl = fcntl(p[1], F_GETFL);
	fcntl(p[1], F_SETFL, fl | O_NONBLOCK);
	while (write(p[1], chunk, sizeof(chunk)) > 0)
		;
	while (write(p[1], chunk, 1) > 0)
		;
	fcntl(p[1], F_SETFL, fl);
}

/* Drain @fd (pipe read end) completely, after @ms milliseconds. */
static void drain_after(int fd, int ms)
{
	char buf[65536];
	int fl = fcntl(fd, F_GETFL);

	usleep(ms * 1000);
	fcntl(fd, F_SETFL, fl | O_NONBLOCK);
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	fcntl(fd, F_SETFL, fl);
}

/* SIGSTOP + SIGCONT while a write blocks: the entry returns 1. */
static void stop_cont(void)
{
	int p[2], st, res[2] = { 0, 0 };
	int rp[2];
	pid_t pid;

	full_pipe(p);
	if (pipe(rp))
		exit(2);
	pid = fork();
	if (pid == 0) {
		int dev = dbt_open_dev();
		struct dbatch_entry e[2];
		struct dbatch_submit s;

		e[0] = dbt_ent(SYS_write, p[1], (unsigned long)"x", 1, 0);
		e[1] = dbt_ent(SYS_lseek, p[0], 0, SEEK_CUR, 0);
		res[0] = dbt_submit(dev, e, 2, 0, &s);
		res[1] = (int)e[0].result;
		write(rp[1], res, sizeof(res));
		_exit(0);
	}
	usleep(200000);
	kill(pid, SIGSTOP);
	usleep(100000);
	kill(pid, SIGCONT);
	drain_after(p[0], 200);
	waitpid(pid, &st, 0);
	CHECK_EQ(read(rp[0], res, sizeof(res)), sizeof(res));
	CHECK_EQ(res[0], 0);
	CHECK_EQ(res[1], 1);
	close(p[0]);
	close(p[1]);
	close(rp[0]);
	close(rp[1]);
}

struct drainer {
	int fd;
	int ms;
};

static void *drain_thread(void *arg)
{
	struct drainer *d = arg;

	drain_after(d->fd, d->ms);
	return NULL;
}

/* A handler with or without SA_RESTART runs while entry 1 blocks. */
static void handler(int restart)
{
	int dev = dbt_open_dev();
	struct dbatch_entry e[4];
	struct dbatch_submit s;
	struct drainer d;
	pthread_t t;
	int null = open("/dev/null", O_WRONLY);
	int p[2], r;

	handle(SIGALRM, restart ? SA_RESTART : 0);
	handled = 0;
	full_pipe(p);
	e[0] = dbt_ent(SYS_lseek, null, 0, SEEK_SET, 0);
	e[1] = dbt_ent(SYS_write, p[1], (unsigned long)"a", 1, 0);
	e[2] = dbt_ent(SYS_lseek, null, 0, SEEK_SET, 0);
	e[3] = dbt_ent(SYS_write, p[1], (unsigned long)"b", 1, 0);
	d.fd = p[0];
	d.ms = 700;
	alarm(1);
	/* The drain comes after the alarm only with SA_RESTART. */
	if (restart) {
		d.ms = 1500;
		pthread_create(&t, NULL, drain_thread, &d);
	}
	r = dbt_submit(dev, e, 4, 0, &s);
	CHECK_EQ(handled, 1);
	if (!restart) {
		CHECK_EQ(r, -EINTR);
		CHECK_EQ(s.completed, 1);
		CHECK(s.flags & DBATCH_SUBMIT_RESUME, "flags %#x", s.flags);
		CHECK_EQ(e[0].result, 0);
		CHECK_EQ(e[1].result, -ECANCELED);
		/* As the library does: entry 1 failed with EINTR; go on. */
		e[1].result = -EINTR;
		s.completed = 2;
		pthread_create(&t, NULL, drain_thread, &d);
		r = ioctl(dev, DBATCH_IOC_SUBMIT, &s) < 0 ? -errno : 0;
		CHECK_EQ(r, 0);
		CHECK_EQ(e[1].result, -EINTR);
		CHECK_EQ(e[2].result, 0);
		CHECK_EQ(e[3].result, 1);
		CHECK_EQ(s.completed, 4);
		CHECK(!(s.flags & DBATCH_SUBMIT_RESUME), "flags %#x", s.flags);
		CHECK_EQ(s.first_error, 1);
	} else {
		CHECK_EQ(r, 0);
		CHECK_EQ(e[1].result, 1);
		CHECK_EQ(e[3].result, 1);
		CHECK_EQ(s.completed, 4);
		CHECK_EQ(s.first_error, -1);
		/* later blocking entries still block, then complete */
		pthread_join(t, NULL);
		close(p[0]);
		close(p[1]);
		full_pipe(p);
		e[0] = dbt_ent(SYS_write, p[1], (unsigned long)"c", 1, 0);
		d.fd = p[0];
		d.ms = 300;
		pthread_create(&t, NULL, drain_thread, &d);
		CHECK_EQ(dbt_submit(dev, e, 1, 0, &s), 0);
		CHECK_EQ(e[0].result, 1);
	}
	pthread_join(t, NULL);
	signal(SIGALRM, SIG_DFL);
	close(p[0]);
	close(p[1]);
	close(null);
	close(dev);
}

/* RLIMIT_FSIZE: the EFBIG write raises SIGXFSZ; the unlink never runs. */
static void xfsz(void)
{
	const char *path = "/tmp/restart-xfsz";
	int st;
	pid_t pid;

	unlink(path);
	pid = fork();
	if (pid == 0) {
		struct rlimit rl = { 4, 4 };
		int dev = dbt_open_dev();
		int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		struct dbatch_entry e[3];

		setrlimit(RLIMIT_FSIZE, &rl);
		e[0] = dbt_ent(SYS_write, fd, (unsigned long)"1234", 4, 0);
		e[1] = dbt_ent(SYS_write, fd, (unsigned long)"5678", 4, 0);
		e[2] = dbt_ent(SYS_unlink, (unsigned long)path, 0, 0, 0);
		dbt_submit(dev, e, 3, 0, NULL);
		_exit(0);
	}
	waitpid(pid, &st, 0);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGXFSZ, "status %#x", st);
	CHECK(access(path, F_OK) == 0, "the unlink after the SIGXFSZ ran");
	unlink(path);
}

/* close(read end) then write in one batch: EPIPE, as two syscalls. */
static void close_then_write(void)
{
	int dev = dbt_open_dev();
	struct dbatch_entry e[3];
	struct dbatch_submit s;
	int p[2];

	signal(SIGPIPE, SIG_IGN);
	if (pipe(p))
		exit(2);
	e[0] = dbt_ent(SYS_close, p[0], 0, 0, 0);
	e[1] = dbt_ent(SYS_write, p[1], (unsigned long)"x", 1, 0);
	e[2] = dbt_ent(SYS_close, p[1], 0, 0, 0);
	CHECK_EQ(dbt_submit(dev, e, 3, 0, &s), 0);
	CHECK_EQ(e[0].result, 0);
	CHECK_EQ(e[1].result, -EPIPE);
	CHECK_EQ(e[2].result, 0);
	CHECK_EQ(s.first_error, 1);
	signal(SIGPIPE, SIG_DFL);
	close(dev);
}

static void bad_resume(void)
{
	int dev = dbt_open_dev();
	int null = open("/dev/null", O_WRONLY);
	struct dbatch_entry e = dbt_ent(SYS_write, null, (unsigned long)"n", 1, 0);
	struct dbatch_submit s = {
		.entries = (unsigned long)&e, .count = 1,
		.flags = DBATCH_SUBMIT_RESUME, .completed = 1,
	};

	CHECK_EQ(ioctl(dev, DBATCH_IOC_SUBMIT, &s) < 0 ? -errno : 0, -EINVAL);
	s.completed = 0;
	e.result = 0;
	CHECK_EQ(ioctl(dev, DBATCH_IOC_SUBMIT, &s) < 0 ? -errno : 0, 0);
	CHECK_EQ(e.result, 1);
	close(null);
	close(dev);
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	printf("restart: SIGSTOP/SIGCONT\n");
	stop_cont();
	printf("restart: handler without SA_RESTART\n");
	handler(0);
	printf("restart: handler with SA_RESTART\n");
	handler(1);
	printf("restart: SIGXFSZ\n");
	xfsz();
	printf("restart: close then write\n");
	close_then_write();
	printf("restart: resume index\n");
	bad_resume();
	return dbt_done("restart");
}
