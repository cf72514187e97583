/* SPDX-License-Identifier: MIT */
/*
 * registry.c - the threads that have a batch, so that exit()/exec on one
 * thread can reach the pending calls of the others (exit_others.c).
 *
 * An intrusive doubly linked list through struct dbatch_thread (which
 * lives in each thread's TLS): no table, no thread ids, no limit. A thread
 * joins when its batch is allocated and leaves at thread exit, before its
 * TLS goes away. The lock is held with all signals blocked, so a handler
 * that calls exit() can never wait for a lock its own thread holds.
 */
#define _GNU_SOURCE
#include <linux/membarrier.h>
#include <pthread.h>
#include <signal.h>
#include <sys/single_threaded.h>
#include <sys/syscall.h>
#include "internal.h"

int dbatch_fence_needed;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct dbatch_thread *head;
static pthread_once_t probe_once = PTHREAD_ONCE_INIT;

/*
 * Before the first batch exists: can an exiting thread make the others
 * execute a barrier (membarrier)? If not, owners fence for real.
 */
static void probe_membarrier(void)
{
	long r = dbatch_sys(SYS_membarrier, MEMBARRIER_CMD_QUERY, 0, 0);

	if (r < 0 || !(r & MEMBARRIER_CMD_PRIVATE_EXPEDITED))
		__atomic_store_n(&dbatch_fence_needed, 1, __ATOMIC_RELAXED);
}

/* A hint without the lock: a thread that joins concurrently has nothing
 * pending yet (it joins before its first record). */
int dbatch_registry_empty(void)
{
	return !__atomic_load_n(&head, __ATOMIC_RELAXED);
}

/*
 * In a process that has never had a second thread (glibc's
 * __libc_single_threaded) nobody else can hold or take the lock, and a
 * handler of this thread cannot find it held: no lock, no signal mask
 * change (two system calls each way saved). @old records which was done.
 */
struct dbatch_thread *dbatch_registry_lock(sigset_t *old)
{
	sigset_t all;

	if (__libc_single_threaded) {
		sigemptyset(old);
		sigaddset(old, SIGKILL);	/* marks "not locked": never blockable */
		return head;
	}
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, old);
	pthread_mutex_lock(&lock);
	return head;
}

void dbatch_registry_unlock(const sigset_t *old)
{
	if (sigismember(old, SIGKILL))
		return;
	pthread_mutex_unlock(&lock);
	pthread_sigmask(SIG_SETMASK, old, NULL);
}

void dbatch_registry_add(struct dbatch_thread *t)
{
	sigset_t old;

	pthread_once(&probe_once, probe_membarrier);
	if (t->registered)
		return;
	dbatch_registry_lock(&old);
	t->prev = NULL;
	t->next = head;
	if (head)
		head->prev = t;
	__atomic_store_n(&head, t, __ATOMIC_RELAXED);
	t->registered = 1;
	dbatch_registry_unlock(&old);
}

void dbatch_registry_remove(struct dbatch_thread *t)
{
	sigset_t old;

	if (!t->registered)
		return;
	dbatch_registry_lock(&old);
	if (t->prev)
		t->prev->next = t->next;
	else
		__atomic_store_n(&head, t->next, __ATOMIC_RELAXED);
	if (t->next)
		t->next->prev = t->prev;
	t->next = t->prev = NULL;
	t->registered = 0;
	dbatch_registry_unlock(&old);
}

/*
 * In a forked child only the forking thread exists: the list is just it
 * (if it had a batch), and the lock may have been copied held.
 */
void dbatch_registry_fork_child(struct dbatch_thread *t)
{
	lock = (pthread_mutex_t)PTHREAD_MUTEX_INITIALIZER;
	t->next = t->prev = NULL;
	head = t->registered ? t : NULL;
	t->own = DBATCH_OWN_IDLE;
	t->exit_state = DBATCH_EXIT_NONE;
}
