/* SPDX-License-Identifier: MIT */
/*
 * backend_kmod.c - run a batch in the kernel module through /dev/batch.
 *
 * Stub: the kernel-module engineer owns this file. Until then the probe
 * reports -ENODEV (as when /dev/batch is absent) and auto falls through.
 */
#include <errno.h>
#include "backend.h"

static int kmod_probe(void)
{
	return -ENODEV;
}

static int kmod_submit(struct dbatch_entry *entries, unsigned int count,
		       struct dbatch_submit_stats *st)
{
	(void)entries;
	(void)count;
	(void)st;
	return 0;	/* nothing run: the library falls back to emulate */
}

const struct dbatch_backend dbatch_backend_kmod = {
	.name = "kmod",
	.probe = kmod_probe,
	.submit = kmod_submit,
};
