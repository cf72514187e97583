/*
 * A signal handler runs after the calls recorded before the signal (they
 * run first, as they would have in the program as written); its own calls
 * run directly, and the window goes on after it.
 */
#include <signal.h>
#include "harness.h"

static int fd;
static volatile long seen_in_handler = -1;

static void handler(int sig)
{
	long len;

	(void)sig;
	write(fd, "H", 1);			/* must run now */
	raw_slurp("sig.txt", &len);
	seen_in_handler = len;
}

int main(void)
{
	struct sigaction sa, old;
	long len;

	must_be_preloaded();
	fd = open("sig.txt", O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0644);
	CHECK(fd >= 0);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = handler;
	CHECK(sigaction(SIGUSR1, &sa, NULL) == 0);
	CHECK(sigaction(SIGUSR1, NULL, &old) == 0);
	CHECK(old.sa_handler == handler);	/* the program's own handler reported */
	batch_start();
	CHECK(write(fd, "1", 1) == 1);		/* pending */
	/* deliver without going through an interposed call (no flush) */
	syscall(SYS_tgkill, getpid(), (pid_t)syscall(SYS_gettid), SIGUSR1);
	CHECK(seen_in_handler == 2);		/* 1 ran first, then H */
	CHECK(!strcmp(raw_slurp("sig.txt", &len), "1H"));
	CHECK(write(fd, "2", 1) == 1);		/* the window goes on: pending */
	CHECK(!strcmp(raw_slurp("sig.txt", &len), "1H"));
	CHECK(batch_flush() == 0);
	CHECK(!strcmp(raw_slurp("sig.txt", &len), "1H2"));
	/* signal() handlers are wrapped too */
	CHECK(signal(SIGUSR2, handler) != SIG_ERR);
	batch_start();
	CHECK(write(fd, "3", 1) == 1);
	syscall(SYS_tgkill, getpid(), (pid_t)syscall(SYS_gettid), SIGUSR2);
	CHECK(!strcmp(raw_slurp("sig.txt", &len), "1H23H"));
	CHECK(write(fd, "4", 1) == 1);
	CHECK(batch_flush() == 0);
	CHECK(!strcmp(raw_slurp("sig.txt", &len), "1H23H4"));
	PASS();
}
