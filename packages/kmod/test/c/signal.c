// SPDX-License-Identifier: GPL-2.0
/*
 * signal: signals during a batch.
 *  - a handled signal (no SA_RESTART) interrupts a blocking entry: the
 *    ioctl fails with EINTR naming that entry (never an internal ERESTART*
 *    code), and resubmitted with DBATCH_SUBMIT_RESUME the batch goes on
 *    (restart.c has the SA_RESTART, SIGSTOP and task-work cases);
 *  - a fatal signal (SIGKILL, or SIGTERM with no handler) ends a long or a
 *    blocked batch promptly;
 *  - a timer firing all through 200 long batches changes no result.
 */
#include <signal.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include "dbt.h"

static volatile int ticks;

static void on_alarm(int sig)
{
	(void)sig;
	ticks++;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* A child blocked in a batch (read on an empty pipe); kill it with sig. */
static void fatal(int sig, int long_batch)
{
	int p[2];
	pid_t pid;
	int st;
	double t0;

	pipe(p);
	pid = fork();
	if (pid == 0) {
		static struct dbatch_entry e[DBATCH_MAX_ENTRIES];
		int dev = dbt_open_dev();
		char buf[8];
		int i;

		if (long_batch) {
			int z = open("/dev/zero", O_RDONLY);
			static char big[65536];

			for (;;) {
				for (i = 0; i < DBATCH_MAX_ENTRIES; i++)
					e[i] = dbt_ent(SYS_read, z, (unsigned long)big, sizeof(big), 0);
				dbt_submit(dev, e, DBATCH_MAX_ENTRIES, 0, NULL);
			}
		}
		e[0] = dbt_ent(SYS_getpid, 0, 0, 0, 0);
		e[1] = dbt_ent(SYS_read, p[0], (unsigned long)buf, 1, 0);
		dbt_submit(dev, e, 2, 0, NULL);
		_exit(3);
	}
	close(p[0]);
	usleep(300000);
	t0 = now();
	kill(pid, sig);
	waitpid(pid, &st, 0);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == sig, "signal %d: status %x", sig, st);
	CHECK(now() - t0 < 2.0, "signal %d: took %.2fs to die", sig, now() - t0);
	close(p[1]);
}

int main(void)
{
	static struct dbatch_entry e[DBATCH_MAX_ENTRIES];
	struct sigaction sa;
	struct itimerval it;
	struct dbatch_submit s;
	int dev = dbt_open_dev();
	int p[2], null, round, i, bad = 0;
	char buf[8];

	/* handled signal, no SA_RESTART: the blocked entry gets EINTR */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sigaction(SIGALRM, &sa, NULL);
	pipe(p);
	e[0] = dbt_ent(SYS_read, p[0], (unsigned long)buf, 1, 0);
	e[1] = dbt_ent(SYS_write, p[1], (unsigned long)"z", 1, 0);
	e[2] = dbt_ent(SYS_read, p[0], (unsigned long)buf, 1, 0);
	alarm(1);
	CHECK_EQ(dbt_submit(dev, e, 3, 0, &s), -EINTR);
	CHECK_EQ(s.completed, 0);
	CHECK(s.flags & DBATCH_SUBMIT_RESUME, "flags %#x", s.flags);
	CHECK_EQ(ticks, 1);
	e[0].result = -EINTR;
	s.completed = 1;
	CHECK_EQ(ioctl(dev, DBATCH_IOC_SUBMIT, &s), 0);
	CHECK_EQ(e[0].result, -EINTR);
	CHECK_EQ(e[1].result, 1);
	CHECK_EQ(e[2].result, 1);
	CHECK_EQ(s.completed, 3);
	CHECK_EQ(s.first_error, 0);
	/* the timer below restarts batches between entries: SA_RESTART or not */
	sa.sa_flags = SA_RESTART;
	sigaction(SIGALRM, &sa, NULL);

	/* a 1 kHz timer through 200 batches of 1024 writes */
	null = open("/dev/null", O_WRONLY);
	memset(&it, 0, sizeof(it));
	it.it_interval.tv_usec = 1000;
	it.it_value.tv_usec = 1000;
	ticks = 0;
	setitimer(ITIMER_REAL, &it, NULL);
	for (round = 0; round < 200; round++) {
		for (i = 0; i < DBATCH_MAX_ENTRIES; i++)
			e[i] = dbt_ent(i % 3 ? SYS_write : SYS_lseek, null,
				       i % 3 ? (unsigned long)"0123456789" : 0, i % 3 ? 10 : 0, 0);
		if (dbt_submit(dev, e, DBATCH_MAX_ENTRIES, 0, &s) || s.first_error != -1)
			bad++;
		for (i = 0; i < DBATCH_MAX_ENTRIES; i++)
			if (e[i].result != (i % 3 ? 10 : 0))
				bad++;
	}
	memset(&it, 0, sizeof(it));
	setitimer(ITIMER_REAL, &it, NULL);
	CHECK_EQ(bad, 0);
	printf("signal: %d timer signals during 200 batches\n", ticks);

	fatal(SIGKILL, 0);
	fatal(SIGTERM, 0);
	fatal(SIGKILL, 1);
	fatal(SIGTERM, 1);
	return dbt_done("signal");
}
