/* SPDX-License-Identifier: MIT */
/*
 * dbatch.h - batch the system calls of a stretch of code.
 *
 *	batch_start();
 *	write(fd, a, n);	// recorded, returns n at once
 *	write(fd, b, m);	// recorded
 *	if (batch_flush() < 0)	// both run now, in one kernel transition
 *		perror("batch");
 *
 * The calls are recorded by libdbatch-preload.so (LD_PRELOAD). A program
 * that includes this header compiles and links without any extra library:
 * the entry points are weak references, so without the preload library
 * batch_start() and batch_flush() do nothing and every call runs directly.
 */
#ifndef DBATCH_H
#define DBATCH_H

#ifdef __cplusplus
extern "C" {
#endif

/* Provided by libdbatch-preload.so; weak so that programs link without it. */
extern int dbatch_batch_start(void) __attribute__((weak));
extern int dbatch_batch_flush(void) __attribute__((weak));

/**
 * batch_start() - open a batching window on the calling thread.
 *
 * Until the next batch_flush(), catalogue calls made by this thread are
 * recorded instead of run. Returns 0.
 */
static inline int batch_start(void)
{
	return dbatch_batch_start ? dbatch_batch_start() : 0;
}

/**
 * batch_flush() - run every call recorded on this thread, in order.
 *
 * Returns 0 when all of them succeeded, or -1 with errno set to the
 * first failure. Closes the window opened by batch_start().
 */
static inline int batch_flush(void)
{
	return dbatch_batch_flush ? dbatch_batch_flush() : 0;
}

#ifdef __cplusplus
}
#endif

#endif /* DBATCH_H */
