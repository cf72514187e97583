/*
 * A window opened inside an open window nests: the inner batch_flush()
 * runs nothing, the outermost runs what every level recorded (a summarised
 * helper with a window of its own, called inside its caller's). A failed
 * check, a checked flush and a fresh window close or reset every level.
 */
#include "harness.h"

/* what the transform makes of a static helper with two calls */
static void helper(int fd)
{
	batch_start();
	write(fd, "b", 1);
	write(fd, "c", 1);
	batch_flush();
}

int main(void)
{
	long len;

	must_be_preloaded();
	int fd = open("n.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	CHECK(fd >= 0);

	/* nested: nothing runs before the outermost flush */
	long f0 = stat_flushes();
	batch_start();
	CHECK(write(fd, "a", 1) == 1);
	helper(fd);
	CHECK(stat_flushes() == f0);
	CHECK(!strcmp(raw_slurp("n.txt", &len), ""));
	CHECK(write(fd, "d", 1) == 1);
	CHECK(batch_flush() == 0);
	CHECK(stat_flushes() == f0 + 1);
	CHECK(!strcmp(raw_slurp("n.txt", &len), "abcd"));

	/* alone, the helper's window is the outermost: it runs at its flush */
	helper(fd);
	CHECK(stat_flushes() == f0 + 2);
	CHECK(!strcmp(raw_slurp("n.txt", &len), "abcdbc"));

	/* a checked flush inside closes every level: the rest runs directly */
	batch_start();
	batch_start();
	CHECK(write(fd, "e", 1) == 1);
	CHECK(batch_flush_checked() == 0);
	CHECK(!strcmp(raw_slurp("n.txt", &len), "abcdbce"));
	CHECK(write(fd, "f", 1) == 1);		/* no window: run now */
	CHECK(!strcmp(raw_slurp("n.txt", &len), "abcdbcef"));
	CHECK(batch_flush() == 0);		/* the outer level's: nothing left */
	CHECK(batch_flush() == 0);		/* one too many: harmless */

	/* a level left open (a longjmp out of a helper) does not outlive the window */
	batch_start();
	batch_start();
	CHECK(write(fd, "g", 1) == 1);
	CHECK(batch_flush_checked() == 0);	/* closes both */
	batch_start();				/* a fresh window: no stale level */
	CHECK(write(fd, "h", 1) == 1);
	CHECK(batch_flush() == 0);
	CHECK(!strcmp(raw_slurp("n.txt", &len), "abcdbcefgh"));
	close(fd);
	PASS();
}
