/* SPDX-License-Identifier: MIT */
/*
 * linux/batch.h - compatibility with programs written for the original
 * dBatch: the batching window is open from program start and again after
 * each batch_flush(). Under libdbatch-preload.so the window opens at start;
 * without it batch_flush() does nothing.
 */
#ifndef DBATCH_LINUX_BATCH_H
#define DBATCH_LINUX_BATCH_H

#ifdef __cplusplus
extern "C" {
#endif

extern int dbatch_seed_flush(void) __attribute__((weak));

static inline int batch_flush(void)
{
	return dbatch_seed_flush ? dbatch_seed_flush() : 0;
}

#ifdef __cplusplus
}
#endif

#endif /* DBATCH_LINUX_BATCH_H */
