/* SPDX-License-Identifier: MIT */
/*
 * linux/batch.h - compatibility with programs written for the original
 * dBatch: the batching window is open from program start and again after
 * each batch_flush(), on every thread.
 *
 * Under libdbatch-preload.so, seed mode is turned on for a program whose
 * executable calls batch_flush() (it references dbatch_seed_flush; the
 * library looks for that reference at start-up), or at its first
 * batch_flush() otherwise. In seed mode read() and pread() are not
 * deferred (the program was not written to wait for their data). Without
 * the library batch_flush() does nothing and every call runs directly.
 */
#ifndef DBATCH_LINUX_BATCH_H
#define DBATCH_LINUX_BATCH_H

#ifdef __cplusplus
extern "C" {
#endif

extern int dbatch_seed_flush(void) __attribute__((weak));

/**
 * batch_flush() - run the calls recorded so far on this thread.
 *
 * Returns 0, or -1 with errno set to the first failure. The window stays
 * open: later calls are recorded again until the next batch_flush(), and
 * anything left is flushed at exit.
 */
static inline int batch_flush(void)
{
	return dbatch_seed_flush ? dbatch_seed_flush() : 0;
}

#ifdef __cplusplus
}
#endif

#endif /* DBATCH_LINUX_BATCH_H */
