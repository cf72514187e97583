/* A program that never calls a batch function is never batched. */
#include "harness.h"

int main(void)
{
	long len;

	must_be_preloaded();
	int fd = open("plain.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	CHECK(fd >= 0);
	CHECK(write(fd, "now", 3) == 3);
	CHECK(!strcmp(raw_slurp("plain.txt", &len), "now"));
	CHECK(stat_recorded() == 0);
	PASS();
}
