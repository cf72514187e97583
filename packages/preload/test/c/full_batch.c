/* A window with more calls than a batch holds flushes by itself, in order. */
#include "harness.h"

int main(void)
{
	char line[16];
	long len;
	int fd = open("full.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644);

	must_be_preloaded();
	CHECK(fd >= 0);
	long f0 = stat_flushes();
	batch_start();
	for (int i = 0; i < 1000; i++) {
		int n = snprintf(line, sizeof(line), "%04d", i);
		CHECK(write(fd, line, n) == n);
	}
	CHECK(stat_flushes() - f0 >= 3);		/* automatic flushes */
	CHECK(batch_flush() == 0);
	char *s = raw_slurp("full.txt", &len);
	CHECK(len == 4000);
	for (int i = 0; i < 1000; i++) {
		snprintf(line, sizeof(line), "%04d", i);
		CHECK(!memcmp(s + 4 * i, line, 4));
	}
	PASS();
}
