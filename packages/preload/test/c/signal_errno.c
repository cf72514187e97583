/* errno in a handler: what the calls flushed before it left, never a failure an earlier flush left. */
#include <signal.h>
#include "harness.h"

static volatile int seen = -1;

static void handler(int sig)
{
	(void)sig;
	seen = errno;
}

int main(void)
{
	must_be_preloaded();
	CHECK(signal(SIGUSR1, handler) != SIG_ERR);
	batch_start();
	CHECK(write(99, "x", 1) == 1);		/* fails at the flush: EBADF */
	batch_flush();
	errno = 0;
	batch_start();
	syscall(SYS_tgkill, getpid(), (pid_t)syscall(SYS_gettid), SIGUSR1);	/* nothing pending */
	CHECK(seen == 0);
	CHECK(write(98, "x", 1) == 1);		/* pending, fails when the handler flushes it */
	syscall(SYS_tgkill, getpid(), (pid_t)syscall(SYS_gettid), SIGUSR1);
	CHECK(seen == EBADF);
	batch_flush();
	PASS();
}
