/* SPDX-License-Identifier: MIT */
/*
 * signal.c - signal handlers never record.
 *
 * Handlers installed through sigaction(), signal() and friends are wrapped:
 * the wrapper raises the thread's sig_depth while the program's handler
 * runs, so every interposed call inside it runs directly and leaves the
 * interrupted batch alone. sigaction() reports the program's own handler
 * back as the old action. A handler that leaves with siglongjmp() leaves
 * sig_depth raised: that thread then runs its calls directly (correct,
 * only slower) until the handler-depth is reset by exiting the thread.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <string.h>
#include "internal.h"

#define NSIG_MAX 65

struct user_action {
	void (*handler)(int);
	void (*action)(int, siginfo_t *, void *);
	int siginfo;
	int wrapped;	/* installed through the trampoline (with SA_SIGINFO) */
};

static struct user_action actions[NSIG_MAX];

static void trampoline(int sig, siginfo_t *si, void *uc)
{
	struct dbatch_thread *t = &dbatch_tls;
	int saved = errno;
	struct user_action a = actions[sig];

	errno = saved;
	unsigned char w = dbatch_direct_enter();

	(void)t;
	if (a.siginfo && a.action)
		a.action(sig, si, uc);
	else if (a.handler && a.handler != SIG_DFL && a.handler != SIG_IGN)
		a.handler(sig);
	dbatch_direct_leave(w);
}

static int wrap_action(int sig, const struct sigaction *act,
		       struct sigaction *old)
{
	struct sigaction mine;
	int r, wrap;

	if (sig <= 0 || sig >= NSIG_MAX)
		return NEXT(sigaction)(sig, act, old);
	wrap = act && ((act->sa_flags & SA_SIGINFO) ||
		       (act->sa_handler != SIG_DFL && act->sa_handler != SIG_IGN));
	if (wrap) {
		mine = *act;
		mine.sa_flags |= SA_SIGINFO;
		mine.sa_sigaction = trampoline;
	}
	{
		struct user_action prev = actions[sig];

		if (wrap) {
			actions[sig].siginfo = !!(act->sa_flags & SA_SIGINFO);
			actions[sig].wrapped = 1;
			actions[sig].action = act->sa_sigaction;
			actions[sig].handler = act->sa_handler;
		}
		r = NEXT(sigaction)(sig, wrap ? &mine : act, old);
		if (r < 0 && wrap)
			actions[sig] = prev;
		if (r == 0 && old && old->sa_sigaction == trampoline) {
			/* report the program's own handler */
			if (prev.siginfo) {
				old->sa_sigaction = prev.action;
			} else {
				old->sa_flags &= ~SA_SIGINFO;
				old->sa_handler = prev.handler;
			}
		} else if (r == 0 && old && prev.wrapped && !prev.siginfo) {
			/*
			 * SA_RESETHAND put SIG_DFL back but kept the flags we
			 * installed with: SA_SIGINFO was ours, not the program's.
			 */
			old->sa_flags &= ~SA_SIGINFO;
		}
		if (r == 0 && !wrap && act)
			actions[sig].wrapped = 0;
	}
	return r;
}

DBATCH_API int sigaction(int sig, const struct sigaction *act, struct sigaction *old)
{
	return wrap_action(sig, act, old);
}

int __sigaction(int sig, const struct sigaction *act, struct sigaction *old);
DBATCH_API int __sigaction(int sig, const struct sigaction *act, struct sigaction *old)
{
	return wrap_action(sig, act, old);
}

/* signal() with glibc's BSD semantics: SA_RESTART, handler stays */
static sighandler_t install(int sig, sighandler_t h, int flags)
{
	struct sigaction act, old;

	memset(&act, 0, sizeof(act));
	act.sa_handler = h;
	act.sa_flags = flags;
	sigemptyset(&act.sa_mask);
	if (flags == SA_RESTART)
		sigaddset(&act.sa_mask, sig);
	if (wrap_action(sig, &act, &old) < 0)
		return SIG_ERR;
	return old.sa_handler;
}

DBATCH_API sighandler_t signal(int sig, sighandler_t h)
{
	return install(sig, h, SA_RESTART);
}

DBATCH_API sighandler_t bsd_signal(int sig, sighandler_t h)
{
	return install(sig, h, SA_RESTART);
}

DBATCH_API sighandler_t sysv_signal(int sig, sighandler_t h)
{
	return install(sig, h, SA_RESETHAND | SA_NODEFER);
}
