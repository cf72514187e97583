/*
 * A batch_start() site whose windows never gain (uring and kmod: no run of
 * writes to merge) stops recording after a few windows: its calls then run
 * directly, as plain; a site whose windows gain keeps recording. emulate
 * never reports no-gain: its windows are always recorded.
 */
#include "harness.h"

/* one batch_start() site each, however the compiler inlines */
static __attribute__((noinline)) void alternating(int a, int b)
{
	batch_start();
	write(a, "x", 1);
	write(b, "y", 1);
	batch_flush();
}

static __attribute__((noinline)) void merged(int a)
{
	batch_start();
	for (int i = 0; i < 5; i++)	/* enough to merge (KMOD_MERGE_MIN) */
		write(a, "x", 1);
	batch_flush();
}

int main(void)
{
	const char *backend = getenv("DBATCH_BACKEND");
	int direct = backend &&
		     ((!strcmp(backend, "uring") && !getenv("DBATCH_URING_ALWAYS")) ||
		      (!strcmp(backend, "kmod") && !getenv("DBATCH_KMOD_ALWAYS")));
	int a = open("/dev/null", O_WRONLY), b = open("/dev/null", O_WRONLY);
	long rec, len;

	must_be_preloaded();
	CHECK(a >= 0 && b >= 0);
	for (int i = 0; i < 4; i++)
		alternating(a, b);
	rec = stat_recorded();
	for (int i = 0; i < 8; i++)
		alternating(a, b);
	/* the site is direct now (one recheck in 32 is far off) */
	CHECK(stat_recorded() - rec == (direct ? 0 : 16));
	rec = stat_recorded();
	for (int i = 0; i < 12; i++)
		merged(a);
	CHECK(stat_recorded() - rec == 60);		/* gains: always recorded */
	/* direct calls are the plain calls: in order, with their results */
	int out = open("adapt.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	for (int i = 0; i < 12; i++)
		alternating(out, a);
	CHECK(!strcmp(raw_slurp("adapt.txt", &len), "xxxxxxxxxxxx"));
	close(out);
	PASS();
}
