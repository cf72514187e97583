/* SPDX-License-Identifier: MIT */
/*
 * interpose_process.c - the points where a batch must be flushed because
 * the process changes: fork/vfork/clone/posix_spawn/system/popen (the child must
 * see what was written before), exec* (the image is replaced), exit/_exit/
 * return from main (nothing may be lost), abort, and new threads (in seed
 * mode their window opens at start). Thread exit is a pthread key
 * destructor (record.c).
 */
#define _GNU_SOURCE
#include <alloca.h>
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "internal.h"

void dbatch_exit_flush(void) DBATCH_HIDDEN;

/* ---- fork, clone ---- */

static void atfork_child(void)
{
	struct dbatch_thread *t = &dbatch_tls;

	if (dbatch_backend && dbatch_backend->fork_child)
		dbatch_backend->fork_child();
	dbatch_registry_fork_child(t);	/* the only thread here */
	if (t->batch) {
		t->batch->count = 0;
		t->batch->npending = 0;
		t->batch->ntokens = 0;
		t->batch->tokens_pending = 0;
		t->batch->nfreed = 0;
		t->batch->free_from = 0;
		t->batch->closes = 0;
		t->batch->arena_used = 0;
	}
	dbatch_stats_fork_child();
}

__attribute__((constructor)) static void process_init(void)
{
	pthread_atfork(NULL, NULL, atfork_child);
}

DBATCH_API pid_t fork(void)
{
	dbatch_flush_pending();
	return NEXT(fork)();
}

/*
 * vfork() cannot return through a wrapper's frame in the child, so the
 * wrapper forks instead: the child gets a copy, which is a valid vfork()
 * child (it may only exec or _exit anyway).
 */
DBATCH_API pid_t vfork(void)
{
	dbatch_flush_pending();
	return NEXT(fork)();
}

/*
 * clone(fn, stack, flags, arg, [ptid, tls, ctid]): the optional words are
 * passed on whether or not flags ask for them, as glibc's own callers do.
 */
DBATCH_API int clone(int (*fn)(void *), void *stack, int flags, void *arg, ...)
{
	va_list ap;
	pid_t *ptid;
	void *tls;
	pid_t *ctid;

	va_start(ap, arg);
	ptid = va_arg(ap, pid_t *);
	tls = va_arg(ap, void *);
	ctid = va_arg(ap, pid_t *);
	va_end(ap);
	dbatch_flush_pending();
	return NEXT(clone)(fn, stack, flags, arg, ptid, tls, ctid);
}

DBATCH_API int posix_spawn(pid_t *pid, const char *path,
			   const posix_spawn_file_actions_t *fa,
			   const posix_spawnattr_t *at, char *const argv[],
			   char *const envp[])
{
	dbatch_flush_pending();
	return NEXT(posix_spawn)(pid, path, fa, at, argv, envp);
}

DBATCH_API int posix_spawnp(pid_t *pid, const char *file,
			    const posix_spawn_file_actions_t *fa,
			    const posix_spawnattr_t *at, char *const argv[],
			    char *const envp[])
{
	dbatch_flush_pending();
	return NEXT(posix_spawnp)(pid, file, fa, at, argv, envp);
}

DBATCH_API int system(const char *cmd)
{
	dbatch_flush_pending();
	return NEXT(system)(cmd);
}

DBATCH_API FILE *popen(const char *cmd, const char *mode)
{
	FILE *f;

	dbatch_flush_pending();
	f = NEXT(popen)(cmd, mode);
	if (f)
		dbatch_fd_number_changed(fileno(f));
	return f;
}

/* ---- exec ----
 * The image is replaced: flush, and print this image's stats line now (the
 * new image prints its own). If exec fails, counting starts again, so the
 * lines of a process always add up.
 */
static void before_exec(void)
{
	dbatch_flush_pending();
	dbatch_exit_others();	/* exec ends the other threads too */
	dbatch_stats_print();
}

static int after_failed_exec(int r)
{
	int saved = errno;

	dbatch_stats_fork_child();	/* zero the counters, allow a new line */
	errno = saved;
	return r;
}

#define EXEC(call)							\
	({								\
		before_exec();						\
		after_failed_exec(call);				\
	})

DBATCH_API int execve(const char *path, char *const argv[], char *const envp[])
{
	return EXEC(NEXT(execve)(path, argv, envp));
}

DBATCH_API int execv(const char *path, char *const argv[])
{
	return EXEC(NEXT(execv)(path, argv));
}

DBATCH_API int execvp(const char *file, char *const argv[])
{
	return EXEC(NEXT(execvp)(file, argv));
}

DBATCH_API int execvpe(const char *file, char *const argv[], char *const envp[])
{
	return EXEC(NEXT(execvpe)(file, argv, envp));
}

DBATCH_API int fexecve(int fd, char *const argv[], char *const envp[])
{
	return EXEC(NEXT(fexecve)(fd, argv, envp));
}

DBATCH_API int execveat(int dirfd, const char *path, char *const argv[],
			char *const envp[], int flags)
{
	return EXEC(NEXT(execveat)(dirfd, path, argv, envp, flags));
}

/* execl/execlp/execle: collect the list, then the vector forms */
#define COLLECT_ARGS(first, argv, ap)					\
	do {								\
		va_list c_;						\
		size_t n_ = 1;						\
		va_copy(c_, ap);					\
		while (va_arg(c_, char *))				\
			n_++;						\
		va_end(c_);						\
		argv = alloca((n_ + 1) * sizeof(char *));		\
		argv[0] = (char *)(first);				\
		for (size_t i_ = 1; i_ <= n_; i_++)			\
			argv[i_] = va_arg(ap, char *);			\
	} while (0)

DBATCH_API int execl(const char *path, const char *arg, ...)
{
	va_list ap;
	char **argv;

	va_start(ap, arg);
	COLLECT_ARGS(arg, argv, ap);
	va_end(ap);
	return EXEC(NEXT(execv)(path, argv));
}

DBATCH_API int execlp(const char *file, const char *arg, ...)
{
	va_list ap;
	char **argv;

	va_start(ap, arg);
	COLLECT_ARGS(arg, argv, ap);
	va_end(ap);
	return EXEC(NEXT(execvp)(file, argv));
}

DBATCH_API int execle(const char *path, const char *arg, ...)
{
	va_list ap;
	char **argv, **envp;
	size_t n = 0;

	va_start(ap, arg);
	COLLECT_ARGS(arg, argv, ap);
	envp = va_arg(ap, char **);
	va_end(ap);
	(void)n;
	return EXEC(NEXT(execve)(path, argv, envp));
}

/* ---- exit ---- */

DBATCH_API void exit(int status)
{
	dbatch_exit_flush();
	NEXT(exit)(status);
	__builtin_unreachable();
}

DBATCH_API void _exit(int status)
{
	dbatch_exit_flush();
	dbatch_stats_print();	/* destructors do not run after _exit */
	NEXT(_exit)(status);
	__builtin_unreachable();
}

DBATCH_API void _Exit(int status)
{
	dbatch_exit_flush();
	dbatch_stats_print();
	NEXT(_Exit)(status);
	__builtin_unreachable();
}

DBATCH_API void quick_exit(int status)
{
	dbatch_exit_flush();
	NEXT(quick_exit)(status);
	__builtin_unreachable();
}

DBATCH_API void abort(void)
{
	dbatch_flush_pending();
	dbatch_exit_others();
	dbatch_stats_print();	/* no destructors after SIGABRT */
	NEXT(abort)();
	__builtin_unreachable();
}

/* return from main: flush before the program's atexit handlers run */
typedef int (*main_fn)(int, char **, char **);
static main_fn real_main;

static int main_wrapper(int argc, char **argv, char **envp)
{
	int r = real_main(argc, argv, envp);

	dbatch_exit_flush();
	return r;
}

int __libc_start_main(main_fn main, int argc, char **argv,
		      void (*init)(void), void (*fini)(void),
		      void (*rtld_fini)(void), void *stack_end);

DBATCH_API int __libc_start_main(main_fn main, int argc, char **argv,
				 void (*init)(void), void (*fini)(void),
				 void (*rtld_fini)(void), void *stack_end)
{
	real_main = main;
	return NEXT(__libc_start_main)(main_wrapper, argc, argv, init, fini,
				       rtld_fini, stack_end);
}

/* ---- cancellation: recorded cancellation points check only once asked ---- */

int dbatch_cancel_seen;

DBATCH_API int pthread_cancel(pthread_t th)
{
	__atomic_store_n(&dbatch_cancel_seen, 1, __ATOMIC_RELAXED);
	return NEXT(pthread_cancel)(th);
}

/* ---- threads: in seed mode a new thread starts inside a window ---- */

struct start {
	void *(*fn)(void *);
	void *arg;
};

static void *seed_thread_start(void *p)
{
	struct start s = *(struct start *)p;
	struct dbatch_thread *t = &dbatch_tls;

	free(p);
	t->seed = 1;
	t->window = 1;
	return s.fn(s.arg);
}

int dbatch_threads_started;

DBATCH_API int pthread_create(pthread_t *th, const pthread_attr_t *attr,
			      void *(*fn)(void *), void *arg)
{
	struct start *s;
	int r;

	__atomic_store_n(&dbatch_threads_started, 1, __ATOMIC_RELAXED);
	if (!dbatch_seed_mode)
		return NEXT(pthread_create)(th, attr, fn, arg);
	s = malloc(sizeof(*s));
	if (!s)
		return EAGAIN;
	s->fn = fn;
	s->arg = arg;
	r = NEXT(pthread_create)(th, attr, seed_thread_start, s);
	if (r)
		free(s);
	return r;
}
