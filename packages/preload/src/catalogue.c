/* SPDX-License-Identifier: MIT */
/*
 * catalogue.c - the batchable calls, as a table indexed by enum dbatch_call,
 * expanded from the generated <linux/dbatch_catalogue.h>.
 */
#include "internal.h"

#define DBATCH_ROW(nm, nr_, nargs_, res, def, defarg, k0, a0, k1, a1, k2, a2, \
		   k3, a3, k4, a4, k5, a5)				\
	[DBATCH_CALL_##nm] = {						\
		.name = #nm, .nr = nr_, .nargs = nargs_, .result = res,	\
		.defer = def, .defer_arg = defarg,			\
		.kind = { k0, k1, k2, k3, k4, k5 },			\
		.aux = { a0, a1, a2, a3, a4, a5 },			\
	},

const struct dbatch_call_info dbatch_calls[DBATCH_NCALLS] = {
	DBATCH_CATALOGUE(DBATCH_ROW)
};
