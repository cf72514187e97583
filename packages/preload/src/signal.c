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
#include <sys/syscall.h>
#include "internal.h"

#define NSIG_MAX 65

struct user_action {
	void (*handler)(int);
	void (*action)(int, siginfo_t *, void *);
	int siginfo;
	int wrapped;	/* installed through the trampoline (with SA_SIGINFO) */
};

static struct user_action actions[NSIG_MAX];

/*
 * Run the calls the interrupted thread recorded before the signal, unless
 * it came while the thread was recording or flushing (its batch is not
 * consistent then; see README "Limits"). Returns the errno those calls
 * left (0: none failed, or nothing ran).
 */
static int flush_interrupted(struct dbatch_thread *t)
{
	if (!t->batch || t->sig_depth || t->own != DBATCH_OWN_IDLE ||
	    !dbatch_pending_count(t->batch))
		return 0;
	dbatch_flush_thread(t);
	return t->flush_errno;
}

static void trampoline(int sig, siginfo_t *si, void *uc)
{
	struct dbatch_thread *t = &dbatch_tls;
	int saved = errno;
	struct user_action a = actions[sig];
	unsigned char w;
	int left;

	/*
	 * The handler sees the world as if the calls recorded before the
	 * signal had run (its own output comes after theirs; a handler that
	 * calls _exit loses nothing), errno included.
	 */
	left = flush_interrupted(t);
	errno = left ? left : saved;
	w = dbatch_direct_enter();
	if (a.siginfo && a.action)
		a.action(sig, si, uc);
	else if (a.handler && a.handler != SIG_DFL && a.handler != SIG_IGN)
		a.handler(sig);
	dbatch_direct_leave(w);
}

/*
 * Signals whose default action ends the process: while the program leaves
 * them at SIG_DFL, the library's handler runs the thread's pending calls
 * first (the program made them before the signal came), then puts SIG_DFL
 * back and lets the signal act: a fault returns to the faulting
 * instruction, which faults again; a sent signal is sent again. sigaction()
 * still reports SIG_DFL. SIGKILL and SIGSTOP cannot be caught: see README.
 */
static const int fatal_signals[] = {
	SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGSYS, SIGABRT,
	SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGXCPU, SIGXFSZ, SIGUSR1, SIGUSR2,
	SIGALRM, SIGVTALRM, SIGPROF,
};

static void fatal_flush(int sig, siginfo_t *si, void *uc)
{
	struct dbatch_thread *t = &dbatch_tls;
	struct sigaction dfl;
	int fault = si->si_code > 0 && (sig == SIGSEGV || sig == SIGBUS || sig == SIGFPE ||
					sig == SIGILL || sig == SIGTRAP);

	(void)uc;
	flush_interrupted(t);
	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	NEXT(sigaction)(sig, &dfl, NULL);
	if (!fault)
		dbatch_sys(SYS_tgkill, dbatch_sys(SYS_getpid, 0, 0, 0),
			   dbatch_sys(SYS_gettid, 0, 0, 0), sig);
}

static int is_fatal_flush(const struct sigaction *sa)
{
	return (sa->sa_flags & SA_SIGINFO) && sa->sa_sigaction == fatal_flush;
}

void dbatch_signal_init(void)
{
	for (unsigned int i = 0; i < sizeof(fatal_signals) / sizeof(fatal_signals[0]); i++) {
		struct sigaction cur, mine;
		int sig = fatal_signals[i];

		if (NEXT(sigaction)(sig, NULL, &cur) < 0 || (cur.sa_flags & SA_SIGINFO) ||
		    cur.sa_handler != SIG_DFL)
			continue;
		memset(&mine, 0, sizeof(mine));
		mine.sa_sigaction = fatal_flush;
		mine.sa_flags = SA_SIGINFO | SA_RESTART;
		sigfillset(&mine.sa_mask);
		NEXT(sigaction)(sig, &mine, NULL);
	}
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
		} else if (r == 0 && old && is_fatal_flush(old)) {
			/* ours, standing in for the default action */
			old->sa_flags = 0;
			old->sa_handler = SIG_DFL;
			sigemptyset(&old->sa_mask);
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

/*
 * sigset() (System V, in glibc): SIG_HOLD blocks @sig; a disposition is
 * installed without flags and @sig unblocked. The previous one is returned,
 * SIG_HOLD when @sig was blocked. Its handler must be wrapped like any other
 * (a handler's calls run plain, after what is pending).
 */
DBATCH_API sighandler_t sigset(int sig, sighandler_t h)
{
	struct sigaction act, old;
	sigset_t one, before;

	if (h == SIG_ERR) {
		errno = EINVAL;
		return SIG_ERR;
	}
	sigemptyset(&one);
	if (sigaddset(&one, sig) < 0)
		return SIG_ERR;
	if (h == SIG_HOLD) {
		if (sigprocmask(SIG_BLOCK, &one, &before) < 0)
			return SIG_ERR;
		if (sigismember(&before, sig))
			return SIG_HOLD;
		if (wrap_action(sig, NULL, &old) < 0)
			return SIG_ERR;
		return old.sa_handler;
	}
	memset(&act, 0, sizeof(act));
	act.sa_handler = h;
	sigemptyset(&act.sa_mask);
	if (wrap_action(sig, &act, &old) < 0)
		return SIG_ERR;
	if (sigprocmask(SIG_UNBLOCK, &one, &before) < 0)
		return SIG_ERR;
	return sigismember(&before, sig) ? SIG_HOLD : old.sa_handler;
}
