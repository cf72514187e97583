/* SPDX-License-Identifier: MIT */
/*
 * exit_others.c - exit()/exec on one thread runs what the OTHER threads
 * have pending. In the unbatched program those calls had already run; the
 * process is about to end (or be replaced), and a thread's TLS batch is
 * out of the exiting thread's reach unless it goes through the registry.
 *
 * Under the registry lock the exiting thread:
 *  1. marks every other registered thread (exit_state = WANTED);
 *  2. makes them all execute a memory barrier (membarrier), the slow half
 *     of the handshake in dbatch_own(): from here on an owner either sees
 *     the mark before touching its batch, or is seen busy;
 *  3. waits (bounded) for each to be idle: a record takes nanoseconds, a
 *     flush may block (a full pipe); past the deadline the thread is
 *     ABANDONED and settles its own batch when it next takes it (its own
 *     flush, if that is what it was doing, runs the entries itself).
 * Then, without the lock (running entries may block), it runs each taken
 * batch once and marks it DONE. A marked owner waits for DONE before its
 * next call (program order on that thread), then runs its calls directly:
 * its window is closed for good.
 */
#define _GNU_SOURCE
#include <linux/membarrier.h>
#include <sys/syscall.h>
#include <time.h>
#include "internal.h"

#define WAIT_NS	(500ull * 1000 * 1000)	/* for all busy threads together */

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Spin politely first (the other thread is mid-record), then sleep. */
static void pause_briefly(unsigned int round)
{
	struct timespec ts = { 0, 100 * 1000 };

	if (round < 64)
		dbatch_sys(SYS_sched_yield, 0, 0, 0);
	else
		dbatch_sys(SYS_nanosleep, &ts, NULL, 0);
}

/* Make every running thread of the process execute a full barrier. */
static int barrier_all(void)
{
	if (__atomic_load_n(&dbatch_fence_needed, __ATOMIC_RELAXED)) {
		/* owners fence themselves: a fence here completes the pair */
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		return 0;
	}
	/* registering is idempotent; a forked child starts unregistered */
	dbatch_sys(SYS_membarrier, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0, 0);
	return dbatch_sys(SYS_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0) == 0 ? 0 : -1;
}

void dbatch_exit_others(void)
{
	struct dbatch_thread *self = &dbatch_tls, *t, *marked = NULL, *todo = NULL;
	unsigned int round;
	uint64_t deadline;
	sigset_t old;

	if (dbatch_registry_empty())
		return;
	/* 1: mark the threads nobody has marked yet (a concurrent exit may
	 * be running others; those are its to finish) */
	for (t = dbatch_registry_lock(&old); t; t = t->next) {
		if (t == self || __atomic_load_n(&t->exit_state, __ATOMIC_RELAXED))
			continue;
		__atomic_store_n(&t->exit_state, DBATCH_EXIT_WANTED, __ATOMIC_RELAXED);
		t->exit_next = marked;
		marked = t;
	}
	if (!marked) {
		dbatch_registry_unlock(&old);
		return;
	}
	/* 2: without the barrier we cannot know who is mid-record: let each
	 * owner settle its own batch when it next takes it */
	if (barrier_all() < 0) {
		for (t = marked; t; t = t->exit_next)
			__atomic_store_n(&t->exit_state, DBATCH_EXIT_ABANDONED,
					 __ATOMIC_RELEASE);
		dbatch_registry_unlock(&old);
		return;
	}
	/* 3: wait for each to be idle; acquire pairs with dbatch_own_end() */
	deadline = now_ns() + WAIT_NS;
	while (marked) {
		t = marked;
		marked = t->exit_next;
		for (round = 0; __atomic_load_n(&t->own, __ATOMIC_ACQUIRE) != DBATCH_OWN_IDLE &&
				now_ns() < deadline; round++)
			pause_briefly(round);
		if (__atomic_load_n(&t->own, __ATOMIC_ACQUIRE) != DBATCH_OWN_IDLE) {
			__atomic_store_n(&t->exit_state, DBATCH_EXIT_ABANDONED, __ATOMIC_RELEASE);
			continue;
		}
		t->exit_next = todo;
		todo = t;
	}
	dbatch_registry_unlock(&old);

	/*
	 * 4: run them. The owner cannot leave the registry's reach (it waits
	 * for DONE in dbatch_own() before freeing), so t stays valid. Our own
	 * backend instance (uring ring) is idle unless we are in a handler.
	 */
	while (todo) {
		t = todo;
		todo = t->exit_next;
		dbatch_flush_foreign(t->batch, !self->sig_depth);
		__atomic_store_n(&t->exit_state, DBATCH_EXIT_DONE, __ATOMIC_RELEASE);
	}
}

/*
 * The owner found its batch marked (from dbatch_own()): give it up, close
 * the window for good, and wait until the exiting thread has run it, so
 * this thread's next call comes after its pending ones. If the exiting
 * thread gave up on us, the batch is ours again: run it here.
 */
void dbatch_own_lost(struct dbatch_thread *t)
{
	unsigned char s;
	unsigned int round = 0;

	__atomic_store_n(&t->own, DBATCH_OWN_IDLE, __ATOMIC_RELEASE);
	t->window = 0;
	t->exiting = 1;
	while ((s = __atomic_load_n(&t->exit_state, __ATOMIC_ACQUIRE)) == DBATCH_EXIT_WANTED)
		pause_briefly(round++);
	if (s == DBATCH_EXIT_ABANDONED && t->batch)
		dbatch_flush_foreign(t->batch, !t->sig_depth);
}
